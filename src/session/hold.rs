//! Held connections for `mq bench conn`: CONNECT, CONNACK, then nothing but a PINGREQ when the
//! shared keepalive tick says so, and a DISCONNECT at the end.
//!
//! A `Session` costs tens of KiB (rumqttc's request channel, read buffer, timers, its driver
//! task); a held connection is its socket and one small task, about a kilobyte, so that one
//! process holds tens of thousands. The packets are rumqttc's own (`mqttbytes` v4/v5 encoders
//! and decoders). Plain TCP only: TLS and websocket connections take the `Session` path.

use crate::exit::{Code, Error, Result};
use crate::options::ConnectPlan;
use bytes::BytesMut;
use rumqttc::v5::mqttbytes::v5 as p5;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{watch, Notify};

const PINGREQ: [u8; 2] = [0xC0, 0x00];
const DISCONNECT: [u8; 2] = [0xE0, 0x00];
/// Largest CONNACK we read (properties included); mosquitto's are under 30 bytes.
const MAX_CONNACK: usize = 4096;

/// What the holders of a run are told, all at once, through one `watch` channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Send a PINGREQ (the value changes at every keepalive tick).
    Ping(u64),
    Stop,
}

/// How a connect went wrong.
pub enum ConnectError {
    /// The broker does not speak MQTT 5 (a 3.1.1 refusal, a v5 "unsupported protocol version",
    /// or a close without CONNACK): try 3.1.1.
    BadVersion,
    Failed(Error),
}

/// Why a held connection ended.
pub enum Ended {
    Stopped,
    /// Picked by the churn: disconnected cleanly, to connect again.
    Churned,
    Lost(String),
}

/// One connection held open.
pub struct Held {
    stream: TcpStream,
}

/// The CONNECT packet of `plan` (its client id, credentials, will, keepalive, clean start).
fn connect_packet(plan: &ConnectPlan, v5: bool) -> Result<BytesMut> {
    let keep_alive = u16::try_from(plan.keep_alive.as_secs()).unwrap_or(u16::MAX);
    let mut buf = BytesMut::with_capacity(64 + plan.client_id.len());
    let bad = |e: &dyn std::fmt::Debug| Error::runtime(format!("encoding CONNECT: {e:?}"));
    if v5 {
        let mut props = p5::ConnectProperties::new();
        props.session_expiry_interval = plan.session_expiry;
        props.user_properties = plan.properties.user_properties.clone();
        let connect = p5::Connect {
            keep_alive,
            client_id: plan.client_id.clone(),
            clean_start: plan.clean_start,
            properties: Some(props),
        };
        let will = plan.will.as_ref().map(|w| {
            p5::LastWill::new(
                w.topic.as_str(),
                w.payload.clone(),
                super::convert::qos5(w.qos),
                w.retain,
                super::client::will_properties(&plan.properties),
            )
        });
        let login = plan
            .username
            .as_ref()
            .map(|u| p5::Login::new(u.clone(), plan.password.clone().unwrap_or_default()));
        p5::Packet::Connect(connect, will, login)
            .write(&mut buf, None)
            .map_err(|e| bad(&e))?;
    } else {
        let mut connect = rumqttc::Connect::new(plan.client_id.clone());
        connect.keep_alive = keep_alive;
        connect.clean_session = plan.clean_start;
        connect.last_will = plan.will.as_ref().map(|w| {
            rumqttc::LastWill::new(
                w.topic.as_str(),
                w.payload.clone(),
                super::convert::qos4(w.qos),
                w.retain,
            )
        });
        if let Some(u) = &plan.username {
            connect.set_login(u.clone(), plan.password.clone().unwrap_or_default());
        }
        rumqttc::Packet::Connect(connect)
            .write(&mut buf, usize::MAX)
            .map_err(|e| bad(&e))?;
    }
    Ok(buf)
}

/// Connect to `addr` (from `source` when given) as `plan` says, and wait for a successful
/// CONNACK, within the plan's connect timeout.
pub async fn connect(
    plan: &ConnectPlan,
    addr: SocketAddr,
    source: Option<IpAddr>,
    v5: bool,
) -> std::result::Result<Held, ConnectError> {
    let failed = |e: Error| ConnectError::Failed(e.context(format!("connecting to {addr}")));
    let hello = connect_packet(plan, v5).map_err(failed)?;
    let attempt = async {
        let socket = match addr {
            SocketAddr::V4(_) => TcpSocket::new_v4(),
            SocketAddr::V6(_) => TcpSocket::new_v6(),
        }
        .map_err(|e| failed(io_error(e)))?;
        if let Some(ip) = source {
            socket
                .bind(SocketAddr::new(ip, 0))
                .map_err(|e| failed(io_error(e).context(format!("binding to {ip}"))))?;
        }
        let mut stream = socket
            .connect(addr)
            .await
            .map_err(|e| failed(io_error(e)))?;
        let _ = stream.set_nodelay(true);
        stream
            .write_all(&hello)
            .await
            .map_err(|e| failed(io_error(e)))?;
        read_connack(&mut stream, v5).await.map_err(|e| match e {
            ConnectError::Failed(e) => failed(e),
            other => other,
        })?;
        Ok(Held { stream })
    };
    match tokio::time::timeout(plan.connect_timeout.max(Duration::from_secs(1)), attempt).await {
        Ok(r) => r,
        Err(_) => Err(failed(Error::new(
            Code::Unreachable,
            "no CONNACK within the connect timeout",
        ))),
    }
}

fn io_error(e: std::io::Error) -> Error {
    Error::new(Code::Unreachable, e.to_string())
}

async fn read_connack(stream: &mut TcpStream, v5: bool) -> std::result::Result<(), ConnectError> {
    let mut buf = BytesMut::with_capacity(64);
    loop {
        // MQTT 3.1.1's refusal of an unknown protocol level, sent by 3.1.1-only brokers.
        if v5 && buf.len() >= 4 && buf[..2] == [0x20, 0x02] && buf[3] == 0x01 {
            return Err(ConnectError::BadVersion);
        }
        let parsed = if v5 {
            match p5::Packet::read(&mut buf, Some(MAX_CONNACK as u32)) {
                Ok(p5::Packet::ConnAck(a)) => Some(match a.code {
                    p5::ConnectReturnCode::Success => Ok(()),
                    p5::ConnectReturnCode::UnsupportedProtocolVersion => {
                        Err(ConnectError::BadVersion)
                    }
                    code => Err(refused(format!("{code:?}"))),
                }),
                Ok(other) => Some(Err(unexpected(format!("{other:?}")))),
                Err(rumqttc::v5::mqttbytes::Error::InsufficientBytes(_)) => None,
                Err(e) => Some(Err(unexpected(format!("{e:?}")))),
            }
        } else {
            match rumqttc::Packet::read(&mut buf, MAX_CONNACK) {
                Ok(rumqttc::Packet::ConnAck(a)) => Some(match a.code {
                    rumqttc::ConnectReturnCode::Success => Ok(()),
                    code => Err(refused(format!("{code:?}"))),
                }),
                Ok(other) => Some(Err(unexpected(format!("{other:?}")))),
                Err(rumqttc::Error::InsufficientBytes(_)) => None,
                Err(e) => Some(Err(unexpected(format!("{e:?}")))),
            }
        };
        if let Some(r) = parsed {
            return r;
        }
        if buf.len() >= MAX_CONNACK {
            return Err(unexpected("an oversized packet".into()));
        }
        match stream.read_buf(&mut buf).await {
            Ok(0) if v5 => return Err(ConnectError::BadVersion),
            Ok(0) => {
                return Err(ConnectError::Failed(Error::new(
                    Code::Unreachable,
                    "the broker closed the connection before CONNACK",
                )))
            }
            Ok(_) => {}
            // A 3.1.1-only broker may close on an MQTT 5 CONNECT before reading all of it.
            Err(e) if v5 && e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Err(ConnectError::BadVersion)
            }
            Err(e) => return Err(ConnectError::Failed(io_error(e))),
        }
    }
}

fn refused(code: String) -> ConnectError {
    ConnectError::Failed(Error::new(
        Code::ConnectRefused,
        format!("the broker refused the connection: {code}"),
    ))
}

fn unexpected(what: String) -> ConnectError {
    ConnectError::Failed(Error::new(
        Code::Runtime,
        format!("expected CONNACK, got {what}"),
    ))
}

impl Held {
    /// Hold the connection until `signals` says stop, the churn picks it, or the broker closes
    /// it. Whatever the broker sends (PINGRESP) is read and dropped: no buffer is kept.
    pub async fn hold(mut self, signals: &mut watch::Receiver<Signal>, churn: &Notify) -> Ended {
        loop {
            tokio::select! {
                changed = signals.changed() => {
                    let signal = match changed {
                        Ok(()) => *signals.borrow_and_update(),
                        Err(_) => Signal::Stop,
                    };
                    let packet = match signal {
                        Signal::Ping(_) => &PINGREQ,
                        Signal::Stop => &DISCONNECT,
                    };
                    if let Err(e) = self.stream.write_all(packet).await {
                        return Ended::Lost(e.to_string());
                    }
                    if signal == Signal::Stop {
                        let _ = self.stream.shutdown().await;
                        return Ended::Stopped;
                    }
                }
                ready = self.stream.readable() => {
                    if let Err(e) = ready {
                        return Ended::Lost(e.to_string());
                    }
                    let mut scratch = [0u8; 64];
                    match self.stream.try_read(&mut scratch) {
                        Ok(0) => return Ended::Lost("the broker closed the connection".into()),
                        Ok(_) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(e) => return Ended::Lost(e.to_string()),
                    }
                }
                _ = churn.notified() => {
                    let _ = self.stream.write_all(&DISCONNECT).await;
                    let _ = self.stream.shutdown().await;
                    return Ended::Churned;
                }
            }
        }
    }
}
