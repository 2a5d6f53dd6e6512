//! MQTT 5 properties from the command line: the named flags (`--user-property`,
//! `--content-type`, ...) and mosquitto's `-D COMMAND PROPERTY VALUE`, checked and sorted into
//! what goes on CONNECT, PUBLISH and SUBSCRIBE. Nothing here touches the network.
//!
//! Properties exist only in MQTT 5: giving any of them makes the connection MQTT 5 without the
//! 3.1.1 fallback, and `-V 311` with them is a usage error (mosquitto would drop them silently).

use crate::cli::{PubV5Args, SubV5Args};
use crate::exit::{Error, Result};
use crate::options::{ConnectPlan, Protocol};
use crate::session::{Properties, SubscribeV5};
use bytes::Bytes;

/// `KEY=VALUE` for `--user-property`.
pub fn parse_user_property(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("'{s}' is not KEY=VALUE")),
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadFormat {
    /// The payload is UTF-8 text (payload format indicator 1)
    Utf8,
    /// Unspecified bytes (payload format indicator 0)
    Bytes,
}

/// CONNECT properties beyond those with flags of their own (-x, receive maximum), and the
/// properties of the will it carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectProperties {
    pub user_properties: Vec<(String, String)>,
    /// Will properties (`-D will ...`); the subscription identifiers and topic alias stay unset.
    pub will: Properties,
    /// Will delay interval in seconds.
    pub will_delay: Option<u32>,
    pub max_packet_size: Option<u32>,
    pub topic_alias_max: Option<u16>,
    pub request_problem_info: Option<u8>,
    pub request_response_info: Option<u8>,
    /// Properties of the DISCONNECT that ends the connection (`-D disconnect ...`).
    pub disconnect: DisconnectProperties,
}

/// DISCONNECT properties.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisconnectProperties {
    /// A new session expiry interval, in seconds (not above 0 when CONNECT said 0).
    pub session_expiry: Option<u32>,
    pub reason_string: Option<String>,
    pub user_properties: Vec<(String, String)>,
}

impl ConnectProperties {
    pub fn is_empty(&self) -> bool {
        *self == ConnectProperties::default()
    }
}

/// SUBSCRIBE properties.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscribeProperties {
    pub id: Option<usize>,
    pub user_properties: Vec<(String, String)>,
}

/// Everything `-D` said, sorted by packet.
#[derive(Debug, Default)]
pub struct Sorted {
    pub connect: ConnectProperties,
    pub publish: Properties,
    pub subscribe: SubscribeProperties,
    /// User properties of the UNSUBSCRIBE (`mq sub -U`).
    pub unsubscribe: Vec<(String, String)>,
    pub session_expiry: Option<u32>,
    pub receive_maximum: Option<u16>,
}

fn number<T: TryFrom<u64>>(prop: &str, value: &str, max: u64) -> Result<T> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|&n| n <= max)
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| {
            Error::usage(format!(
                "-D: '{value}' is not a valid {prop} (a number from 0 to {max})"
            ))
        })
}

/// Split the values of all `-D` occurrences (clap hands them over as one list) back into
/// `COMMAND PROPERTY VALUE` and `COMMAND user-property NAME VALUE` groups.
fn groups(tokens: &[String]) -> Result<Vec<&[String]>> {
    let mut out = Vec::new();
    let mut rest = tokens;
    while !rest.is_empty() {
        let user = rest
            .get(1)
            .is_some_and(|p| p.eq_ignore_ascii_case("user-property"));
        let n = if user { 4 } else { 3 };
        if rest.len() < n {
            return Err(Error::usage(format!(
                "-D {} needs {}",
                rest.join(" "),
                if user {
                    "a name and a value"
                } else {
                    "COMMAND PROPERTY VALUE"
                }
            )));
        }
        out.push(&rest[..n]);
        rest = &rest[n..];
    }
    Ok(out)
}

/// Sort the `-D COMMAND PROPERTY VALUE [VALUE]` values. `allowed`: the commands this
/// subcommand sends besides `connect`, `will` and `disconnect` (`publish` for pub,
/// `subscribe` and `unsubscribe` for sub).
pub fn sort(tokens: &[String], allowed: &[&str]) -> Result<Sorted> {
    let mut out = Sorted::default();
    for occ in groups(tokens)? {
        let (cmd, prop, first, rest) = match occ {
            [c, p, first, rest @ ..] => {
                (c.to_ascii_lowercase(), p.to_ascii_lowercase(), first, rest)
            }
            _ => return Err(Error::usage("-D needs COMMAND PROPERTY VALUE")),
        };
        let user = prop == "user-property";
        let value = match (user, rest) {
            (true, [v]) => v.clone(),
            (false, []) => first.clone(),
            (true, _) => {
                return Err(Error::usage(format!(
                    "-D {cmd} user-property needs a name and a value"
                ))
                .hint(format!("-D {cmd} user-property NAME VALUE")))
            }
            (false, _) => return Err(Error::usage(format!("-D {cmd} {prop} takes one value"))),
        };
        let always = ["connect", "will", "disconnect"];
        if !always.contains(&cmd.as_str()) && !allowed.contains(&cmd.as_str()) {
            let known = [
                "connect",
                "publish",
                "subscribe",
                "unsubscribe",
                "disconnect",
                "will",
                "auth",
            ];
            return Err(if known.contains(&cmd.as_str()) {
                Error::usage(format!(
                    "-D {cmd}: mq does not send properties on {cmd} packets here"
                ))
                .hint(format!(
                    "properties go on connect, will, disconnect and {}",
                    allowed.join(", ")
                ))
            } else {
                Error::usage(format!("-D: unknown command '{cmd}'")).hint(format!(
                    "use connect, will, disconnect or {}",
                    allowed.join(", ")
                ))
            });
        }
        let bad = || Error::usage(format!("-D: {prop} is not a property mq can send on {cmd}"));
        match (cmd.as_str(), prop.as_str()) {
            ("connect", "user-property") => {
                out.connect.user_properties.push((first.clone(), value))
            }
            ("connect", "session-expiry-interval") => {
                out.session_expiry = Some(number(&prop, &value, u32::MAX as u64)?)
            }
            ("connect", "receive-maximum") => {
                out.receive_maximum = Some(number(&prop, &value, u16::MAX as u64)?)
            }
            ("connect", "maximum-packet-size") => {
                out.connect.max_packet_size = Some(number(&prop, &value, u32::MAX as u64)?)
            }
            ("connect", "topic-alias-maximum") => {
                out.connect.topic_alias_max = Some(number(&prop, &value, u16::MAX as u64)?)
            }
            ("connect", "request-problem-information") => {
                out.connect.request_problem_info = Some(number(&prop, &value, 1)?)
            }
            ("connect", "request-response-information") => {
                out.connect.request_response_info = Some(number(&prop, &value, 1)?)
            }
            ("publish", "user-property") => {
                out.publish.user_properties.push((first.clone(), value))
            }
            ("publish", "content-type") => out.publish.content_type = Some(value),
            ("publish", "response-topic") => out.publish.response_topic = Some(value),
            ("publish", "correlation-data") => {
                out.publish.correlation_data = Some(Bytes::from(value.into_bytes()))
            }
            ("publish", "message-expiry-interval") => {
                out.publish.message_expiry_interval = Some(number(&prop, &value, u32::MAX as u64)?)
            }
            ("publish", "payload-format-indicator") => {
                out.publish.payload_format_indicator = Some(number(&prop, &value, 1)?)
            }
            ("publish", "topic-alias") => {
                out.publish.topic_alias = Some(number(&prop, &value, u16::MAX as u64)?)
            }
            ("will", "user-property") => out
                .connect
                .will
                .user_properties
                .push((first.clone(), value)),
            ("will", "content-type") => out.connect.will.content_type = Some(value),
            ("will", "response-topic") => out.connect.will.response_topic = Some(value),
            ("will", "correlation-data") => {
                out.connect.will.correlation_data = Some(Bytes::from(value.into_bytes()))
            }
            ("will", "message-expiry-interval") => {
                out.connect.will.message_expiry_interval =
                    Some(number(&prop, &value, u32::MAX as u64)?)
            }
            ("will", "payload-format-indicator") => {
                out.connect.will.payload_format_indicator = Some(number(&prop, &value, 1)?)
            }
            ("will", "will-delay-interval") => {
                out.connect.will_delay = Some(number(&prop, &value, u32::MAX as u64)?)
            }
            ("disconnect", "session-expiry-interval") => {
                out.connect.disconnect.session_expiry =
                    Some(number(&prop, &value, u32::MAX as u64)?)
            }
            ("disconnect", "reason-string") => out.connect.disconnect.reason_string = Some(value),
            ("disconnect", "user-property") => out
                .connect
                .disconnect
                .user_properties
                .push((first.clone(), value)),
            ("unsubscribe", "user-property") => out.unsubscribe.push((first.clone(), value)),
            ("subscribe", "user-property") => {
                out.subscribe.user_properties.push((first.clone(), value))
            }
            ("subscribe", "subscription-identifier") => {
                out.subscribe.id = Some(number(&prop, &value, 268_435_455)?)
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

/// Properties need MQTT 5: pin the plan to it, or refuse `-V 311`.
pub fn require_v5(plan: &mut ConnectPlan, what: &str) -> Result<()> {
    match plan.protocol {
        Protocol::V311 => Err(
            Error::usage(format!("{what} needs MQTT 5, but -V 311 was given"))
                .hint("drop -V 311, or drop the MQTT 5 options"),
        ),
        _ => {
            plan.protocol = Protocol::V5;
            Ok(())
        }
    }
}

/// The PUBLISH properties of `mq pub` (None when there are none); pins the plan to MQTT 5
/// when any property is given.
pub fn for_publish(a: &PubV5Args, plan: &mut ConnectPlan) -> Result<Option<Properties>> {
    let sorted = sort(&a.property, &["publish"])?;
    let mut p = sorted.publish.clone();
    p.user_properties.extend(a.user_property.iter().cloned());
    if a.content_type.is_some() {
        p.content_type = a.content_type.clone();
    }
    if a.response_topic.is_some() {
        p.response_topic = a.response_topic.clone();
    }
    if let Some(d) = &a.correlation_data {
        p.correlation_data = Some(Bytes::from(d.clone().into_bytes()));
    }
    if let Some(e) = a.message_expiry {
        p.message_expiry_interval = Some(
            u32::try_from(e.as_secs())
                .map_err(|_| Error::usage("--message-expiry is longer than 4294967295 seconds"))?,
        );
    }
    match a.payload_format {
        Some(PayloadFormat::Utf8) => p.payload_format_indicator = Some(1),
        Some(PayloadFormat::Bytes) => p.payload_format_indicator = Some(0),
        None => {}
    }
    if let Some(t) = &p.response_topic {
        crate::topic::Topic::parse(t)
            .map_err(|e| Error::usage(format!("invalid --response-topic: {e}")))?;
    }
    let has_publish = p != Properties::default();
    if has_publish || !a.property.is_empty() {
        require_v5(
            plan,
            "an MQTT 5 property (--user-property, --content-type, -D, ...)",
        )?;
        apply_connect(plan, &sorted)?;
    }
    Ok(has_publish.then_some(p))
}

/// Is `payload` fit for `--payload-format utf8`?
pub fn check_utf8(props: Option<&Properties>, payload: &[u8], what: &str) -> Result<()> {
    if props.and_then(|p| p.payload_format_indicator) == Some(1)
        && std::str::from_utf8(payload).is_err()
    {
        return Err(Error::usage(format!(
            "{what} is not UTF-8 text, but --payload-format utf8 says it is"
        ))
        .hint("drop --payload-format, or send text"));
    }
    Ok(())
}

/// Subscription options and SUBSCRIBE properties of `mq sub`, and the retain handling it
/// asks for; pins the plan to MQTT 5 when any is given.
pub fn for_subscribe(a: &SubV5Args, plan: &mut ConnectPlan) -> Result<SubscribeV5> {
    let sorted = sort(&a.property, &["subscribe", "unsubscribe"])?;
    let mut props = sorted.subscribe.clone();
    props
        .user_properties
        .extend(a.user_property.iter().cloned());
    if let Some(id) = a.subscription_id {
        props.id = Some(id as usize);
    }
    let v5 = SubscribeV5 {
        no_local: a.no_local,
        retain_as_published: a.retain_as_published,
        properties: props,
        unsubscribe_user_properties: sorted.unsubscribe.clone(),
    };
    if v5.no_local
        || v5.retain_as_published
        || a.retain_handling.is_some()
        || v5.properties != SubscribeProperties::default()
        || !a.property.is_empty()
    {
        require_v5(
            plan,
            "an MQTT 5 subscription option (--no-local, --retain-handling, -D, ...)",
        )?;
        apply_connect(plan, &sorted)?;
    }
    Ok(v5)
}

/// Put `-D connect ...` and `-D will ...` into the plan.
pub fn apply_connect(plan: &mut ConnectPlan, sorted: &Sorted) -> Result<()> {
    let c = &sorted.connect;
    if (c.will != Properties::default() || c.will_delay.is_some()) && plan.will.is_none() {
        return Err(Error::usage("-D will ... needs a will").hint("add --will-topic TOPIC"));
    }
    plan.properties = sorted.connect.clone();
    if sorted.session_expiry.is_some() {
        plan.session_expiry = sorted.session_expiry;
    }
    if sorted.receive_maximum.is_some() {
        plan.receive_maximum = sorted.receive_maximum;
    }
    // MQTT 5 §3.14.2.2.2: a session that CONNECT said ends with the connection cannot be
    // given an expiry on DISCONNECT (the broker would take it as a protocol error).
    if c.disconnect.session_expiry.is_some_and(|x| x > 0) && plan.session_expiry.unwrap_or(0) == 0 {
        return Err(Error::usage(
            "-D disconnect session-expiry-interval above 0 needs a session that outlives the connection",
        )
        .hint("add -x SECONDS (or -c) so CONNECT asks for a session expiry"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occ(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn sort_groups(g: &[Vec<String>], allowed: &[&str]) -> Result<Sorted> {
        sort(&g.concat(), allowed)
    }

    #[test]
    fn user_properties() {
        assert_eq!(parse_user_property("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert_eq!(parse_user_property("k="), Ok(("k".into(), "".into())));
        assert!(parse_user_property("=v").is_err());
        assert!(parse_user_property("novalue").is_err());
    }

    #[test]
    fn mosquitto_property_spelling() {
        let s = sort_groups(
            &[
                occ(&["publish", "content-type", "text/plain"]),
                occ(&["PUBLISH", "User-Property", "k", "v"]),
                occ(&["connect", "session-expiry-interval", "60"]),
                occ(&["publish", "message-expiry-interval", "30"]),
            ],
            &["publish"],
        )
        .unwrap();
        assert_eq!(s.publish.content_type.as_deref(), Some("text/plain"));
        assert_eq!(s.publish.user_properties, vec![("k".into(), "v".into())]);
        assert_eq!(s.publish.message_expiry_interval, Some(30));
        assert_eq!(s.session_expiry, Some(60));
        for bad in [
            occ(&["publish", "subscription-identifier", "1"]),
            occ(&["subscribe", "subscription-identifier", "1"]),
            occ(&["bogus", "content-type", "x"]),
            occ(&["publish", "payload-format-indicator", "2"]),
            occ(&["publish", "user-property", "k"]),
            occ(&["publish", "content-type", "a", "b"]),
        ] {
            assert!(sort(&bad, &["publish"]).is_err(), "{bad:?}");
        }
    }
}
