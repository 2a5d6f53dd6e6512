//! The MQTT CONNECT stage: MQTT 5, then 3.1.1, both reported; every CONNACK property.

use super::stages::Conn;
use super::{ms, Stage};
use crate::exit::{Code, Error};
use crate::options::{ConnectPlan, Protocol};
use crate::session::{ConnAckInfo, Session, SessionOptions, Version};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// One protocol version's connect: the session and its plan, or why not; how long it took.
type Attempt = (Result<(Session, ConnectPlan), Error>, Duration);

/// A refused MQTT 5 CONNECT the broker would accept as 3.1.1 (`unsupported protocol version`).
fn refused_version(e: &Error) -> bool {
    e.code == Code::ConnectRefused && e.message.contains("protocol version")
}

/// `Session::connect` timed out without a CONNACK.
fn no_answer(e: &Error) -> bool {
    e.code == Code::Unreachable && e.message.contains("no answer within")
}

pub async fn connect(base: &ConnectPlan) -> (Stage, Option<Conn>) {
    let t = Instant::now();
    let attempt = |version: Version, suffix: &str, timeout: Duration| {
        let mut plan = base.clone();
        plan.connect_timeout = timeout;
        plan.protocol = match version {
            Version::V5 => Protocol::V5,
            Version::V311 => Protocol::V311,
        };
        if !suffix.is_empty() && !plan.client_id.is_empty() {
            plan.client_id = format!("{}-{suffix}", plan.client_id);
        }
        async move {
            let a = Instant::now();
            let r = Session::connect(&plan, SessionOptions::receiving()).await;
            plan.connect_timeout = base.connect_timeout;
            (r.map(|s| (s, plan)), a.elapsed())
        }
    };
    // As `mq pub` does without -V: an MQTT 5 CONNECT gets `V5_ANSWER`, then 3.1.1 is tried
    // (a 3.1.1-only broker may stay silent, close, or refuse in 3.1.1's format).
    let v5 = match base.protocol {
        Protocol::V311 => None,
        Protocol::V5 => Some(attempt(Version::V5, "", base.connect_timeout).await),
        Protocol::Auto => {
            let first = base.connect_timeout.min(crate::session::V5_ANSWER);
            Some(attempt(Version::V5, "", first).await)
        }
    };
    // A refusal of who we are will not get better with 3.1.1.
    let hopeless =
        matches!(&v5, Some((Err(e), _)) if e.code == Code::ConnectRefused && !refused_version(e));
    let v311 = match base.protocol {
        Protocol::V5 => None,
        _ if hopeless => None,
        _ => {
            let suffix = if matches!(v5, Some((Ok(_), _))) {
                "311"
            } else {
                ""
            };
            Some(attempt(Version::V311, suffix, base.connect_timeout).await)
        }
    };
    let describe = |r: &Option<Attempt>, name: &str| match r {
        None => (format!("{name} not tried"), Value::Null),
        Some((Ok(_), d)) => (
            format!("{name} accepted ({:.2} ms)", ms(*d)),
            json!({"accepted": true, "ms": ms(*d)}),
        ),
        Some((Err(e), d)) => (
            format!("{name} refused ({})", short(&e.message)),
            json!({"accepted": false, "ms": ms(*d), "error": e.message}),
        ),
    };
    let (w5, f5) = describe(&v5, "MQTT 5");
    let (w311, f311) = describe(&v311, "3.1.1");
    let mut kept = None;
    let mut spare = None;
    let mut error = None;
    for (version, r) in [(Version::V5, v5), (Version::V311, v311)] {
        match r {
            Some((Ok(s), _)) if kept.is_none() => kept = Some((version, s)),
            Some((Ok((s, _)), _)) => spare = Some(s),
            // MQTT 5's error, unless it only said "not this version": then 3.1.1's tells more.
            Some((Err(e), _)) => match &error {
                Some(first) if !refused_version(first) => {}
                _ => error = Some(e),
            },
            None => {}
        }
    }
    if let Some(s) = spare {
        let _ = s.disconnect().await;
    }
    let Some((version, (session, plan))) = kept else {
        let e = error.unwrap_or_else(|| Error::runtime("no protocol version tried"));
        let hint = connect_hint(&e);
        let s = Stage::from_error("connect", t, e, hint)
            .fact("mqtt5", f5)
            .fact("mqtt311", f311);
        return (s, None);
    };
    let c = session.connack().clone();
    let mut summary = format!(
        "{w5}, {w311}; session present: {}",
        yes_no(c.session_present)
    );
    if version == Version::V311 && !f5.is_null() {
        summary.push_str("; the broker speaks MQTT 3.1.1 only");
    }
    let mut s = Stage::ok("connect", t, summary)
        .fact("mqtt5", f5)
        .fact("mqtt311", f311)
        .fact("version", version.name())
        .fact("session_present", c.session_present)
        .fact("reason", "success");
    if version == Version::V5 {
        let (props, lines) = connack_properties(&c);
        s = s.fact("connack", props);
        s.details = lines;
    }
    (s, Some(Conn { session, plan }))
}

/// The first clause of an error: `connecting to x: the broker refused ...: not authorized` ->
/// `not authorized`.
fn short(message: &str) -> &str {
    message.rsplit(": ").next().unwrap_or(message)
}

fn connect_hint(e: &Error) -> Option<String> {
    let m = e.message.as_str();
    // A TLS failure (or a TLS port spoken to without TLS) has the session's own hint, the
    // one `mq pub` gives: the answer was TLS, not "not MQTT".
    if e.hint.is_some() && m.contains("TLS") {
        return e.hint.clone();
    }
    Some(if no_answer(e) {
        "TCP connects but nothing answers the MQTT CONNECT: not an MQTT broker or the wrong port (a TLS listener, usually 8883? a websocket port?)".into()
    } else if m.contains("closed the connection") {
        "the server closed the connection without a CONNACK: not an MQTT broker / wrong port, a TLS-only listener, or the broker dropped the client (see its log)".into()
    } else if m.contains("password") {
        "the broker does not accept these credentials: check -u and -P (or MQ_PASSWORD) against its password file".into()
    } else if m.contains("not authorized") {
        "the broker refuses this client: wrong or missing credentials (-u/-P), anonymous access off, or a client-id rule".into()
    } else if m.contains("identifier") || m.contains("client id") {
        "the broker rejects the client id: choose another with -i".into()
    } else if e.code == Code::Unreachable {
        "TCP connects but the answer is not MQTT: not an MQTT broker or the wrong port (a TLS listener, usually 8883? HTTP? a websocket port?)".into()
    } else {
        return e.hint.clone();
    })
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Every MQTT 5 CONNACK property: as JSON (null when not sent) and as report lines that say
/// which defaults apply.
fn connack_properties(c: &ConnAckInfo) -> (Value, Vec<String>) {
    let flag = |v: Option<bool>| v.map(yes_no);
    let rows: Vec<(&str, Value, Option<String>, &str)> = vec![
        (
            "assigned_client_id",
            json!(c.assigned_client_id),
            c.assigned_client_id.clone(),
            "-",
        ),
        (
            "maximum_qos",
            json!(c.maximum_qos),
            c.maximum_qos.map(|q| q.to_string()),
            "2",
        ),
        (
            "retain_available",
            json!(c.retain_available),
            flag(c.retain_available).map(String::from),
            "yes",
        ),
        (
            "maximum_packet_size",
            json!(c.max_packet_size),
            c.max_packet_size.map(|v| v.to_string()),
            "no limit",
        ),
        (
            "topic_alias_maximum",
            json!(c.topic_alias_maximum),
            c.topic_alias_maximum.map(|v| v.to_string()),
            "0",
        ),
        (
            "wildcard_subscription_available",
            json!(c.wildcard_available),
            flag(c.wildcard_available).map(String::from),
            "yes",
        ),
        (
            "shared_subscription_available",
            json!(c.shared_available),
            flag(c.shared_available).map(String::from),
            "yes",
        ),
        (
            "subscription_identifiers_available",
            json!(c.subscription_ids_available),
            flag(c.subscription_ids_available).map(String::from),
            "yes",
        ),
        (
            "receive_maximum",
            json!(c.receive_maximum),
            c.receive_maximum.map(|v| v.to_string()),
            "65535",
        ),
        (
            "server_keep_alive",
            json!(c.server_keep_alive),
            c.server_keep_alive.map(|v| format!("{v}s")),
            "as asked",
        ),
        (
            "session_expiry_interval",
            json!(c.session_expiry_interval),
            c.session_expiry_interval.map(|v| format!("{v}s")),
            "as asked",
        ),
        (
            "response_information",
            json!(c.response_information),
            c.response_information.clone(),
            "-",
        ),
        (
            "server_reference",
            json!(c.server_reference),
            c.server_reference.clone(),
            "-",
        ),
        (
            "authentication_method",
            json!(c.authentication_method),
            c.authentication_method.clone(),
            "-",
        ),
        (
            "reason_string",
            json!(c.reason_string),
            c.reason_string.clone(),
            "-",
        ),
    ];
    let mut map = serde_json::Map::new();
    let mut sent = Vec::new();
    let mut defaults = Vec::new();
    for (key, value, shown, default) in rows {
        map.insert(key.to_string(), value);
        let label = key.replace('_', " ").replace("qos", "QoS");
        match shown {
            Some(v) => sent.push(format!("{label} {v}")),
            None if default != "-" => defaults.push(format!("{label} {default}")),
            None => {}
        }
    }
    let users: Vec<Value> = c
        .user_properties
        .iter()
        .map(|(k, v)| json!([k, v]))
        .collect();
    for (k, v) in &c.user_properties {
        sent.push(format!("user property {k}={v}"));
    }
    map.insert("user_properties".into(), Value::Array(users));
    let mut lines = vec![format!(
        "CONNACK: {}",
        if sent.is_empty() {
            "no properties".into()
        } else {
            sent.join(", ")
        }
    )];
    if !defaults.is_empty() {
        lines.push(format!("not sent, so by default: {}", defaults.join(", ")));
    }
    (Value::Object(map), lines)
}
