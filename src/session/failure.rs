//! Connection failures from rumqttc's two error families, normalized, explained and mapped to
//! the exit-code table (TLS details come from `crate::tls`).

use super::convert::reason_words;
use crate::exit::{Code, Error};
use crate::options::ConnectPlan;
use rumqttc::v5 as r5;
use rumqttc::v5::mqttbytes::v5 as p5;
use std::error::Error as StdError;
use std::io;
use std::time::Duration;

type BoxError = Box<dyn StdError + Send + Sync>;

/// A normalized connection failure, mapped to an exit code by `failure_error`.
pub(super) enum Failure {
    Io(io::Error),
    Timeout,
    Refused {
        reason: String,
        bad_version: bool,
    },
    /// TLS or websocket handshake failures; `handshake`: during the TLS handshake itself.
    Transport {
        error: BoxError,
        handshake: bool,
    },
    Protocol(String),
}

fn transport(error: BoxError, handshake: bool) -> Failure {
    Failure::Transport { error, handshake }
}

pub(super) fn failure_v4(e: rumqttc::ConnectionError) -> Failure {
    use rumqttc::ConnectionError as E;
    match e {
        E::Io(io) => Failure::Io(io),
        E::NetworkTimeout | E::FlushTimeout => Failure::Timeout,
        E::Tls(t) => transport(Box::new(t), true),
        E::Websocket(w) => transport(Box::new(w), false),
        E::WsConnect(w) => transport(Box::new(w), false),
        E::ResponseValidation(w) => transport(Box::new(w), false),
        E::MqttState(rumqttc::StateError::Deserialization(rumqttc::Error::Io(io))) => {
            Failure::Io(io)
        }
        E::ConnectionRefused(code) => {
            use rumqttc::ConnectReturnCode as C;
            Failure::Refused {
                bad_version: code == C::RefusedProtocolVersion,
                reason: match code {
                    C::RefusedProtocolVersion => "unacceptable protocol version".into(),
                    C::BadClientId => "client id rejected".into(),
                    C::ServiceUnavailable => "server unavailable".into(),
                    C::BadUserNamePassword => "bad username or password".into(),
                    C::NotAuthorized => "not authorized".into(),
                    C::Success => "success".into(),
                },
            }
        }
        E::MqttState(rumqttc::StateError::Io(io)) => Failure::Io(io),
        other => Failure::Protocol(other.to_string()),
    }
}

pub(super) fn failure_v5(e: r5::ConnectionError) -> Failure {
    use r5::ConnectionError as E;
    match e {
        E::Io(io) => Failure::Io(io),
        E::Timeout(_) => Failure::Timeout,
        E::Tls(t) => transport(Box::new(t), true),
        E::Websocket(w) => transport(Box::new(w), false),
        E::WsConnect(w) => transport(Box::new(w), false),
        E::ResponseValidation(w) => transport(Box::new(w), false),
        E::MqttState(r5::StateError::Deserialization(r5::mqttbytes::Error::Io(io))) => {
            Failure::Io(io)
        }
        E::ConnectionRefused(code) => Failure::Refused {
            bad_version: code == p5::ConnectReturnCode::UnsupportedProtocolVersion,
            reason: reason_words(&format!("{code:?}"), None),
        },
        E::MqttState(r5::StateError::Io(io)) => Failure::Io(io),
        E::MqttState(r5::StateError::ConnectionAborted) => Failure::Io(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "connection closed by the broker",
        )),
        E::MqttState(r5::StateError::ServerDisconnect {
            reason_code,
            reason_string,
        }) => Failure::Protocol(format!(
            "the broker disconnected mq: {}",
            reason_words(&format!("{reason_code:?}"), reason_string)
        )),
        other => Failure::Protocol(other.to_string()),
    }
}

/// A failure of the first connect, with its exit code and a hint. A plain connection that the
/// broker closed without answering is checked for TLS, to say so when that is the cause.
pub(super) async fn first_failure(f: Failure, plan: &ConnectPlan) -> Error {
    let closed_early = match &f {
        Failure::Io(e) => matches!(
            e.kind(),
            io::ErrorKind::ConnectionAborted
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::UnexpectedEof
        ),
        Failure::Protocol(_) => true,
        _ => false,
    };
    if closed_early
        && plan.proxy.is_none()
        && plan.tls.is_none()
        && plan.ws_path.is_none()
        && plan.unix.is_none()
        && crate::tls::speaks_tls(&plan.host, plan.port, Duration::from_secs(3)).await
    {
        return Error::new(
            Code::Unreachable,
            format!(
                "port {} expects TLS, and mq connected without it",
                plan.port
            ),
        )
        .context(format!("connecting to {}", plan.address()))
        .hint(format!(
            "use mqtts://{}, or add --cafile FILE (or --tls for a broker with a public certificate)",
            plan.address()
        ));
    }
    failure_error(f, plan)
}

/// The message for an I/O error kind (refused, DNS, closed), or None for others.
fn io_message(kind: io::ErrorKind, text: &str, plan: &ConnectPlan) -> Option<Error> {
    if kind == io::ErrorKind::ConnectionRefused {
        let hint = if plan.port == 1883
            && (plan.host == "localhost" || plan.host.starts_with("127."))
        {
            "nothing listens there: is the broker running? (systemctl status mosquitto)".to_string()
        } else {
            format!("nothing listens on port {}: check the host and port, and that the broker is running", plan.port)
        };
        Some(Error::new(Code::Unreachable, "connection refused").hint(hint))
    } else if text.contains("lookup")
        || text.contains("Name or service")
        || text.contains("resolve")
    {
        Some(
            Error::new(
                Code::Unreachable,
                format!("cannot resolve host '{}'", plan.host),
            )
            .hint("check the host name (-h), or use the broker's IP address"),
        )
    } else if matches!(
        kind,
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::UnexpectedEof
    ) {
        Some(
            Error::new(
                Code::Unreachable,
                "the broker closed the connection before answering",
            )
            .hint(if plan.ws_path.is_none() {
                "does the broker accept this protocol version (-V)? is this a websocket endpoint (ws:// or wss://)? the broker's log says why"
            } else {
                "does the broker accept this protocol version (-V)? the broker's log says why"
            }),
        )
    } else {
        None
    }
}

/// A failure of the first connect, with its exit code and a hint.
fn failure_error(f: Failure, plan: &ConnectPlan) -> Error {
    let what = format!("connecting to {}", plan.describe());
    match f {
        Failure::Io(e) => {
            if let Some(d) = super::dial::explained(&e) {
                return Error::new(Code::Unreachable, d.message.clone())
                    .context(what)
                    .hint(d.hint.clone());
            }
            if let Some(err) = plan.tls.as_ref().and_then(|t| crate::tls::explain(&e, false, t, plan.port, tls_name(plan))) {
                return err.context(what);
            }
            let text = e.to_string();
            io_message(e.kind(), &text, plan)
                .unwrap_or_else(|| Error::new(Code::Unreachable, text))
                .context(what)
        }
        Failure::Timeout => Error::new(
            Code::Unreachable,
            format!("no answer within {}", humantime::format_duration(plan.connect_timeout)),
        )
        .context(what)
        .hint("a firewall may drop the packets, or this is not an MQTT port; raise --connect-timeout for slow links"),
        Failure::Transport { error, handshake } => {
            let error: &(dyn StdError + 'static) = &*error;
            if let Some(err) = plan.tls.as_ref().and_then(|t| crate::tls::explain(error, handshake, t, plan.port, tls_name(plan))) {
                return err.context(what);
            }
            let text = error.to_string();
            let kind = crate::tls::io_kind(error);
            let closed = matches!(
                kind,
                Some(io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof)
            ) || text.contains("without closing handshake");
            if plan.ws_path.is_some() && closed {
                return Error::new(
                    Code::Unreachable,
                    "websocket handshake failed: the server closed the connection",
                )
                .context(what)
                .hint(format!("is port {} a websocket listener? plain MQTT ports need mqtt://", plan.port));
            }
            if let Some(err) = kind.and_then(|k| io_message(k, &text, plan)) {
                return err.context(what);
            }
            if plan.ws_path.is_some() {
                return Error::new(Code::Unreachable, format!("websocket handshake failed: {text}"))
                    .context(what)
                    .hint("check the port and --ws-path: it must be the broker's MQTT websocket endpoint");
            }
            Error::new(Code::Unreachable, format!("TLS handshake failed: {text}")).context(what)
        }
        Failure::Refused { reason, .. } => {
            let hint = if (reason.contains("authoriz") || reason.contains("password"))
                && plan.username.is_some()
                && plan.password.is_none()
            {
                "no password was given: use -P, --password-file FILE or MQ_PASSWORD"
            } else if reason.contains("authoriz") || reason.contains("password") {
                "check the username and password (-u/-P), and the broker's ACL"
            } else if reason.contains("client id") || reason.contains("identifier") {
                "choose another client id (-i)"
            } else {
                "see the broker's log for why"
            };
            Error::new(Code::ConnectRefused, format!("the broker refused the connection: {reason}"))
                .context(what)
                .hint(hint)
        }
        Failure::Protocol(p) => Error::new(Code::Unreachable, p).context(what),
    }
}

/// The name the broker's certificate is checked against: `--tls-server-name`, else the host.
fn tls_name(plan: &ConnectPlan) -> &str {
    plan.tls
        .as_ref()
        .and_then(|t| t.server_name.as_deref())
        .unwrap_or(&plan.host)
}

/// A connection that was up and broke.
pub(super) fn lost_error(f: Failure, address: &str) -> Error {
    let why = match f {
        Failure::Io(e) => e.to_string(),
        Failure::Timeout => "timed out".into(),
        Failure::Refused { reason, .. } => format!("the broker refused the connection: {reason}"),
        Failure::Transport { error, .. } => error.to_string(),
        Failure::Protocol(p) => p,
    };
    Error::runtime(format!("connection to {address} lost: {why}"))
}
