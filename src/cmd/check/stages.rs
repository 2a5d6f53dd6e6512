//! The check's stages, in order. Each returns its `Stage` and, when it passed, what the next
//! stage needs. Hints are chosen from what was measured, not guessed from the error text alone.

use super::{ms, Ctx, Stage};
use crate::exit::{Code, Error};
use crate::options::ConnectPlan;
use crate::session::dial::{self, Dialer};
use crate::session::{
    Event, Message, Qos, RetainHandling, Session, SessionOptions, SubscribeOptions,
};
use bytes::Bytes;
use serde_json::{json, Value};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// The connection the MQTT stages share.
pub struct Conn {
    pub session: Session,
    /// The plan it was made with: host is the IP that TCP reached, protocol the one accepted.
    pub plan: ConnectPlan,
}

impl Conn {
    /// A plan for another connection of the same kind: with a user-given client id, a suffix
    /// keeps the broker from taking over the main connection.
    pub fn plan_for(&self, suffix: &str) -> ConnectPlan {
        let mut p = self.plan.clone();
        if !p.client_id.is_empty() {
            p.client_id = format!("{}-{suffix}", p.client_id);
        }
        p.clean_start = true;
        p.session_expiry = None;
        p.will = None;
        p
    }

    /// The highest QoS the broker takes (MQTT 5 CONNACK maximum QoS; 2 when not said).
    pub fn max_qos(&self) -> Qos {
        let max = self.session.connack().maximum_qos.unwrap_or(2);
        Qos::from_u8(max.min(2)).unwrap_or(Qos::ExactlyOnce)
    }

    /// QoS 1 for publishes whose acknowledgement tells something, unless the broker takes
    /// only QoS 0 (publishing above its maximum QoS is a protocol error).
    pub fn ack_qos(&self) -> Qos {
        self.max_qos().min(Qos::AtLeastOnce)
    }
}

pub async fn dns(cx: &Ctx) -> (Stage, Option<Vec<SocketAddr>>) {
    let t = Instant::now();
    let host = &cx.plan.host;
    if let Ok(ip) = host.parse::<IpAddr>() {
        let s = Stage::ok("dns", t, format!("{ip} is an IP address: no lookup"))
            .fact("addresses", json!([ip.to_string()]))
            .fact("used", ip.to_string());
        return (s, Some(vec![SocketAddr::new(ip, cx.plan.port)]));
    }
    let lookup = tokio::net::lookup_host((host.as_str(), cx.plan.port));
    let found = match tokio::time::timeout(cx.plan.connect_timeout, lookup).await {
        Ok(Ok(addrs)) => Ok(addrs.collect::<Vec<_>>()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "no answer from the resolver within {}",
            humantime::format_duration(cx.plan.connect_timeout)
        )),
    };
    let mut addrs = match found {
        Ok(a) if !a.is_empty() => a,
        Ok(_) => {
            let s = Stage::failed(
                "dns",
                t,
                Code::Unreachable,
                format!("'{host}' resolves to no address"),
                Some("check the DNS records or /etc/hosts for this name".into()),
            );
            return (s, None);
        }
        Err(why) => {
            let s = Stage::failed(
                "dns",
                t,
                Code::Unreachable,
                format!("cannot resolve '{host}': {why}"),
                Some(format!(
                    "check the spelling of the host name (-h), try `getent hosts {host}`, or use the broker's IP address"
                )),
            );
            return (s, None);
        }
    };
    let mut seen = std::collections::HashSet::new();
    addrs.retain(|a| seen.insert(*a));
    let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
    let s = Stage::ok("dns", t, format!("{host} -> {}", list.join(", ")))
        .fact("addresses", json!(list));
    (s, Some(addrs))
}

/// `--proxy`: the proxy takes the place of the DNS and TCP stages (with `socks5h://` it resolves
/// the broker's name itself), so this stage opens the connection to the broker through it.
pub async fn proxy(cx: &Ctx) -> (Stage, Option<()>) {
    let t = Instant::now();
    let Some(dialer) = Dialer::of(&cx.plan) else {
        return (Stage::skipped("proxy", "no --proxy"), Some(()));
    };
    let via = cx
        .plan
        .proxy
        .as_ref()
        .map(|p| p.describe())
        .unwrap_or_default();
    let broker = cx.plan.address();
    let dialed = tokio::time::timeout(
        cx.plan.connect_timeout,
        dialer.dial(&cx.plan.host, cx.plan.port),
    );
    let (message, hint) = match dialed.await {
        Ok(Ok(_stream)) => {
            let s = Stage::ok("proxy", t, format!("{via} connected to {broker}"))
                .fact("proxy", via)
                .fact("broker", broker);
            return (s, Some(()));
        }
        Ok(Err(e)) => match dial::explained(&e) {
            Some(d) => (d.message.clone(), d.hint.clone()),
            None => (
                format!("connecting through {via}: {e}"),
                "check --proxy and the broker's host and port".to_string(),
            ),
        },
        Err(_) => (
            format!(
                "no connection through {via} within {}",
                humantime::format_duration(cx.plan.connect_timeout)
            ),
            "the proxy did not answer, or could not reach the broker in time".to_string(),
        ),
    };
    let s = Stage::failed("proxy", t, Code::Unreachable, message, Some(hint)).fact("proxy", via);
    (s, None)
}

/// The stream the TLS stage shakes hands over: to the address the TCP stage reached (from the
/// `-A` address), or through the proxy.
pub async fn reopen(
    plan: &ConnectPlan,
    addr: Option<SocketAddr>,
) -> io::Result<Box<dyn dial::Stream>> {
    match (addr, Dialer::of(plan)) {
        (Some(addr), _) => Ok(Box::new(dial::tcp_to(addr, plan.bind).await?)),
        (None, Some(dialer)) => dialer.dial(&plan.host, plan.port).await,
        (None, None) => Ok(Box::new(
            tokio::net::TcpStream::connect(plan.address()).await?,
        )),
    }
}

/// How a TCP connect failed, told apart for the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TcpFailure {
    Refused,
    TimedOut,
    Unreachable,
    Other,
}

impl TcpFailure {
    fn of(e: &io::Error) -> TcpFailure {
        // Linux errno values: ENETUNREACH 101, EHOSTUNREACH 113 (ErrorKind's names for them
        // need a newer Rust than the crate's minimum).
        match (e.kind(), e.raw_os_error()) {
            (io::ErrorKind::ConnectionRefused, _) => TcpFailure::Refused,
            (io::ErrorKind::TimedOut, _) => TcpFailure::TimedOut,
            (_, Some(101 | 113)) => TcpFailure::Unreachable,
            _ => TcpFailure::Other,
        }
    }

    fn words(self) -> &'static str {
        match self {
            TcpFailure::Refused => "refused",
            TcpFailure::TimedOut => "timed out",
            TcpFailure::Unreachable => "unreachable",
            TcpFailure::Other => "failed",
        }
    }
}

pub async fn tcp(cx: &Ctx, addrs: &[SocketAddr]) -> (Stage, Option<SocketAddr>) {
    let t = Instant::now();
    let mut attempts = Vec::new();
    let mut failures = Vec::new();
    for &addr in addrs {
        let a = Instant::now();
        let r = tokio::time::timeout(cx.plan.connect_timeout, dial::tcp_to(addr, cx.plan.bind));
        let (kind, why) = match r.await {
            Ok(Ok(_stream)) => {
                attempts.push(json!({"address": addr.to_string(), "result": "connected", "ms": ms(a.elapsed())}));
                let also = if addrs.len() > 1 {
                    format!(" (address {} of {})", attempts.len(), addrs.len())
                } else {
                    String::new()
                };
                let from = cx
                    .plan
                    .bind
                    .map(|ip| format!(" from {ip}"))
                    .unwrap_or_default();
                let s = Stage::ok("tcp", t, format!("connected to {addr}{from}{also}"))
                    .fact("used", addr.to_string())
                    .fact("attempts", Value::Array(attempts));
                return (s, Some(addr));
            }
            // `-A` with an address that is not this machine's: no other address will do.
            Ok(Err(e)) if dial::explained(&e).is_some() => {
                let d = dial::explained(&e).map(|d| (d.message.clone(), d.hint.clone()));
                let (message, hint) = d.unwrap_or_default();
                let s = Stage::failed("tcp", t, Code::Unreachable, message, Some(hint));
                return (s, None);
            }
            Ok(Err(e)) => (TcpFailure::of(&e), e.to_string()),
            Err(_) => (
                TcpFailure::TimedOut,
                format!(
                    "no answer within {}",
                    humantime::format_duration(cx.plan.connect_timeout)
                ),
            ),
        };
        attempts.push(json!({"address": addr.to_string(), "result": kind.words(), "error": why, "ms": ms(a.elapsed())}));
        failures.push((addr, kind, why));
    }
    // Tell about the most telling failure: a refusal proves the host is up.
    let (addr, kind, why) = failures
        .iter()
        .find(|f| f.1 == TcpFailure::Refused)
        .or(failures.first())
        .cloned()
        .unwrap_or((
            SocketAddr::new(IpAddr::from([0, 0, 0, 0]), cx.plan.port),
            TcpFailure::Other,
            "no address to connect to".into(),
        ));
    let port = cx.plan.port;
    let hint = match kind {
        TcpFailure::Refused if addr.ip().is_loopback() => format!(
            "nothing listens on port {port} here: is the broker running? (`systemctl status mosquitto`, `ss -ltnp | grep :{port}`)"
        ),
        TcpFailure::Refused => format!(
            "the host is up but nothing listens on port {port}: wrong port, or the broker listens on localhost only (mosquitto 2 needs a `listener {port}` line to accept remote clients)"
        ),
        TcpFailure::TimedOut => format!(
            "no answer at all: a firewall drops the packets, or the address is wrong (try `nc -vz {} {port}` from here)",
            addr.ip()
        ),
        TcpFailure::Unreachable => format!(
            "no route to {}: check the address, the network and the VPN",
            addr.ip()
        ),
        TcpFailure::Other => "see the error; check the host and port".into(),
    };
    let s = Stage::failed(
        "tcp",
        t,
        Code::Unreachable,
        match kind {
            TcpFailure::Refused => format!("connection refused by {addr}"),
            TcpFailure::TimedOut => format!("connection to {addr} timed out: {why}"),
            TcpFailure::Unreachable => format!("{addr} is unreachable: {why}"),
            TcpFailure::Other => format!("connecting to {addr}: {why}"),
        },
        Some(hint),
    )
    .fact("failure", kind.words())
    .fact("attempts", Value::Array(attempts));
    (s, None)
}

pub async fn subscribe(cx: &Ctx, conn: &mut Conn) -> (Stage, Option<Qos>) {
    let t = Instant::now();
    let topic = cx.topic("rt");
    let opts = SubscribeOptions {
        qos: conn.max_qos(),
        retain_handling: RetainHandling::OnSubscribe,
    };
    match conn
        .session
        .subscribe(std::slice::from_ref(&topic), opts)
        .await
    {
        Ok(r) => match r.first() {
            Some(Ok(granted)) => {
                let s = Stage::ok("subscribe", t, format!("{topic}: granted QoS {granted}"))
                    .fact("topic", topic)
                    .fact("requested_qos", opts.qos as u8)
                    .fact("granted_qos", *granted as u8);
                (s, Some(*granted))
            }
            Some(Err(reason)) => {
                let s = Stage::failed(
                    "subscribe",
                    t,
                    Code::Refused,
                    format!("the broker refused the subscription to {topic}: {reason}"),
                    Some(acl_hint(cx, "subscribe to")),
                )
                .fact("topic", topic);
                (s, None)
            }
            None => (
                Stage::failed("subscribe", t, Code::Runtime, "empty SUBACK", None),
                None,
            ),
        },
        Err(e) => (Stage::from_error("subscribe", t, e, None), None),
    }
}

pub fn acl_hint(cx: &Ctx, what: &str) -> String {
    format!(
        "the broker's ACL does not let this user {what} {}/#: allow it, or choose an allowed prefix with --topic-prefix",
        cx.prefix
    )
}

/// Wait for the message on `topic` with `payload`, dropping anything else.
pub async fn receive(
    session: &mut Session,
    topic: &str,
    payload: &[u8],
    within: Duration,
) -> Result<Option<Message>, Error> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, session.next_event()).await {
            Err(_) => return Ok(None),
            Ok(Err(e)) => return Err(e),
            Ok(Ok(Event::Message(m))) if m.topic == topic && m.payload == payload => {
                return Ok(Some(m))
            }
            Ok(Ok(_)) => {}
        }
    }
}

/// Every message the broker sent before answering a new request (`Session::sync`): retained
/// messages of a fresh subscription, duplicates still in flight. Does not wait for more.
pub async fn received_by_now(
    session: &mut Session,
    within: Duration,
) -> Result<Vec<Message>, Error> {
    session.sync().await?;
    let mut out = Vec::new();
    while session.has_pending() {
        match tokio::time::timeout(within, session.next_event()).await {
            Ok(Ok(Event::Message(m))) => out.push(m),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => break,
        }
    }
    Ok(out)
}

pub async fn round_trip(cx: &Ctx, conn: &mut Conn) -> (Stage, Option<()>) {
    let t = Instant::now();
    let topic = cx.topic("rt");
    let nonce = super::random_hex();
    let mut parts = Vec::new();
    let mut facts = serde_json::Map::new();
    let mut worst = 0.0f64;
    // QoS 1 first: a broker that refuses the publish says so in its PUBACK, while a QoS 0
    // message it drops leaves only a timeout.
    let max_qos = conn.max_qos();
    for qos in [Qos::AtLeastOnce, Qos::ExactlyOnce, Qos::AtMostOnce]
        .into_iter()
        .filter(|&q| q <= max_qos)
    {
        let payload = Bytes::from(format!("mq-check {nonce} qos {qos}"));
        let start = Instant::now();
        let sent = async {
            conn.session
                .publish(&topic, payload.clone(), qos, false, None)
                .await?;
            conn.session.wait_acks(cx.timeout).await?;
            receive(&mut conn.session, &topic, &payload, cx.timeout).await
        };
        match sent.await {
            Ok(Some(_)) => {
                let d = ms(start.elapsed());
                worst = worst.max(d);
                parts.push((qos, format!("QoS {qos} {d:.2} ms")));
                facts.insert(format!("qos{qos}_ms"), json!(d));
            }
            Ok(None) => {
                let s = Stage::failed(
                    "round_trip",
                    t,
                    Code::Assertion,
                    format!(
                        "QoS {qos} message to {topic} not received within {}",
                        humantime::format_duration(cx.timeout)
                    ),
                    Some(format!(
                        "subscribed and published, but nothing came back: an ACL may silently drop reads or writes (mosquitto does), or the broker is overloaded; {}",
                        acl_hint(cx, "read and write")
                    )),
                );
                return (s, None);
            }
            Err(e) => {
                let hint = (e.code == Code::Refused).then(|| acl_hint(cx, "publish to"));
                return (Stage::from_error("round_trip", t, e, hint), None);
            }
        }
    }
    parts.sort();
    let parts: Vec<String> = parts.into_iter().map(|(_, p)| p).collect();
    let mut s = Stage::ok("round_trip", t, parts.join(", ")).fact("worst_ms", worst);
    s.facts.extend(facts);
    (s, Some(()))
}

pub async fn retained(cx: &Ctx, conn: &mut Conn) -> (Stage, Option<()>) {
    let t = Instant::now();
    if conn.session.connack().retain_available == Some(false) {
        let s = Stage::skipped(
            "retained",
            "the broker says retained messages are not available",
        );
        return (s, Some(()));
    }
    let topic = cx.topic("retained");
    let qos = conn.ack_qos();
    let payload = Bytes::from(format!("mq-check {}", super::random_hex()));
    let step = async {
        conn.session
            .publish(&topic, payload.clone(), qos, true, None)
            .await?;
        conn.session.wait_acks(cx.timeout).await?;
        let set = t.elapsed();
        let mut reader =
            Session::connect(&conn.plan_for("reader"), SessionOptions::receiving()).await?;
        let opts = SubscribeOptions {
            qos: Qos::AtLeastOnce,
            retain_handling: RetainHandling::OnSubscribe,
        };
        let filters = std::slice::from_ref(&topic);
        if let Some(Err(reason)) = reader.subscribe(filters, opts).await?.first() {
            return Err(Error::new(
                Code::Refused,
                format!("subscribing to {topic}: {reason}"),
            ));
        }
        // mosquitto sends the retained message right after the SUBACK; without TCP_NODELAY
        // on its side (its default) that second write waits for our ACK, up to 40 ms of
        // delayed ACK. Sending a request now carries the ACK at once.
        reader.sync().await?;
        let got = receive(&mut reader, &topic, &payload, cx.timeout).await?;
        let read = t.elapsed();
        conn.session
            .publish(&topic, Bytes::new(), qos, true, None)
            .await?;
        conn.session.wait_acks(cx.timeout).await?;
        // A new subscription gets the retained message before the answer to a later request,
        // so after `sync` an empty buffer proves the clear without waiting.
        reader.unsubscribe(filters).await?;
        reader.subscribe(filters, opts).await?;
        // The clear itself reaches the reader as a live, empty message.
        let left = received_by_now(&mut reader, cx.timeout)
            .await?
            .iter()
            .any(|m| m.retain && !m.payload.is_empty());
        let _ = reader.disconnect().await;
        Ok((got.map(|m| m.retain), set, read, left))
    };
    match step.await {
        Ok((Some(true), set, read, false)) => {
            let s = Stage::ok("retained", t, "set, read back on a new connection, cleared")
                .fact("topic", topic)
                .fact("set_ms", ms(set))
                .fact("read_back_ms", ms(read));
            (s, Some(()))
        }
        Ok((got, _, _, left)) => {
            let error = match got {
                None => {
                    format!("the retained message on {topic} did not come back on a new connection")
                }
                Some(false) => format!("the message on {topic} came back without the retain flag"),
                Some(true) if left => {
                    format!("the retained message on {topic} is still there after clearing it")
                }
                Some(true) => "retained check inconsistent".to_string(),
            };
            let hint = "the broker may not store retained messages (retain_available false, or persistence limits); see its configuration".to_string();
            (
                Stage::failed("retained", t, Code::Assertion, error, Some(hint)),
                None,
            )
        }
        Err(e) => {
            let hint = (e.code == Code::Refused).then(|| acl_hint(cx, "use"));
            (Stage::from_error("retained", t, e, hint), None)
        }
    }
}
