//! rumqttc's events, QoS, properties and reason codes, turned into the session's own words.

use super::client::Loop;
use super::failure::{failure_v4, failure_v5, Failure};
use super::types::{ConnAckInfo, Granted, Message, Properties, Qos};
use rumqttc::v5 as r5;
use rumqttc::v5::mqttbytes::v5 as p5;

/// One protocol-neutral view of what the event loop produced.
pub(super) enum Polled {
    ConnAck(ConnAckInfo),
    /// A message, and whether the broker marked it as a redelivery (DUP).
    Publish(Message, bool),
    /// PUBACK / PUBCOMP / failed PUBREC: the publish is finished; `Err` holds a refusal reason.
    PubDone(u16, Result<(), String>),
    SubAck(Vec<Granted>),
    UnsubAck,
    /// A received QoS 1/2 exchange is finished (PUBACK sent, or PUBREL received): the broker
    /// will not resend that packet id.
    Finished(u16),
    OutgoingPublish(u16),
    OutgoingDisconnect,
    ServerDisconnect(String),
    /// Keepalive traffic, shown under `-d` as mosquitto_sub shows it.
    Ping(&'static str),
    Other,
}

impl Loop {
    pub async fn poll(&mut self) -> Result<Polled, Failure> {
        match self {
            Loop::V4(el) => el.poll().await.map(from_v4).map_err(failure_v4),
            Loop::V5(el) => el.poll().await.map(from_v5).map_err(failure_v5),
        }
    }

    /// Poll until the first CONNACK; any error before it is a failure of the first connect.
    pub async fn first_connack(&mut self) -> Result<ConnAckInfo, Failure> {
        loop {
            if let Polled::ConnAck(c) = self.poll().await? {
                return Ok(c);
            }
        }
    }
}

fn from_v4(e: rumqttc::Event) -> Polled {
    use rumqttc::{Event, Outgoing, Packet};
    match e {
        Event::Incoming(Packet::ConnAck(c)) => Polled::ConnAck(ConnAckInfo {
            session_present: c.session_present,
            ..Default::default()
        }),
        Event::Incoming(Packet::Publish(p)) => Polled::Publish(
            Message {
                topic: p.topic,
                payload: p.payload,
                qos: from_qos4(p.qos),
                retain: p.retain,
                pkid: p.pkid,
                properties: None,
            },
            p.dup,
        ),
        Event::Incoming(Packet::PubAck(a)) => Polled::PubDone(a.pkid, Ok(())),
        Event::Incoming(Packet::PubComp(a)) => Polled::PubDone(a.pkid, Ok(())),
        Event::Incoming(Packet::SubAck(s)) => Polled::SubAck(
            s.return_codes
                .iter()
                .map(|c| match c {
                    rumqttc::SubscribeReasonCode::Success(q) => Ok(from_qos4(*q)),
                    rumqttc::SubscribeReasonCode::Failure => Err("refused".to_string()),
                })
                .collect(),
        ),
        Event::Incoming(Packet::UnsubAck(_)) => Polled::UnsubAck,
        Event::Incoming(Packet::PubRel(r)) => Polled::Finished(r.pkid),
        Event::Outgoing(Outgoing::PubAck(pkid)) => Polled::Finished(pkid),
        Event::Outgoing(Outgoing::Publish(pkid)) => Polled::OutgoingPublish(pkid),
        Event::Outgoing(Outgoing::Disconnect) => Polled::OutgoingDisconnect,
        Event::Outgoing(Outgoing::PingReq) => Polled::Ping("sending PINGREQ"),
        Event::Incoming(Packet::PingResp) => Polled::Ping("received PINGRESP"),
        _ => Polled::Other,
    }
}

fn from_v5(e: r5::Event) -> Polled {
    use p5::Packet;
    use rumqttc::Outgoing;
    match e {
        r5::Event::Incoming(Packet::ConnAck(c)) => {
            let Some(p) = c.properties else {
                return Polled::ConnAck(ConnAckInfo {
                    session_present: c.session_present,
                    ..Default::default()
                });
            };
            Polled::ConnAck(ConnAckInfo {
                session_present: c.session_present,
                max_packet_size: p.max_packet_size,
                receive_maximum: p.receive_max,
                maximum_qos: p.max_qos,
                retain_available: p.retain_available.map(|v| v != 0),
                assigned_client_id: p.assigned_client_identifier,
                topic_alias_maximum: p.topic_alias_max,
                server_keep_alive: p.server_keep_alive,
                wildcard_available: p.wildcard_subscription_available.map(|v| v != 0),
                shared_available: p.shared_subscription_available.map(|v| v != 0),
                subscription_ids_available: p.subscription_identifiers_available.map(|v| v != 0),
                reason_string: p.reason_string,
                session_expiry_interval: p.session_expiry_interval,
                user_properties: p.user_properties,
                response_information: p.response_information,
                server_reference: p.server_reference,
                authentication_method: p.authentication_method,
            })
        }
        r5::Event::Incoming(Packet::Publish(p)) => Polled::Publish(
            Message {
                topic: String::from_utf8_lossy(&p.topic).into_owned(),
                payload: p.payload,
                qos: from_qos5(p.qos),
                retain: p.retain,
                pkid: p.pkid,
                properties: p.properties.map(from_p5_props),
            },
            p.dup,
        ),
        r5::Event::Incoming(Packet::PubAck(a)) => {
            use p5::PubAckReason as R;
            let r = match a.reason {
                R::Success | R::NoMatchingSubscribers => Ok(()),
                other => Err(reason_words(
                    &format!("{other:?}"),
                    a.properties.and_then(|p| p.reason_string),
                )),
            };
            Polled::PubDone(a.pkid, r)
        }
        r5::Event::Incoming(Packet::PubRec(a)) => {
            use p5::PubRecReason as R;
            match a.reason {
                R::Success | R::NoMatchingSubscribers => Polled::Other,
                other => Polled::PubDone(
                    a.pkid,
                    Err(reason_words(
                        &format!("{other:?}"),
                        a.properties.and_then(|p| p.reason_string),
                    )),
                ),
            }
        }
        r5::Event::Incoming(Packet::PubComp(a)) => Polled::PubDone(a.pkid, Ok(())),
        r5::Event::Incoming(Packet::SubAck(s)) => Polled::SubAck(
            s.return_codes
                .iter()
                .map(|c| match c {
                    p5::SubscribeReasonCode::Success(q) => Ok(from_qos5(*q)),
                    other => Err(reason_words(&format!("{other:?}"), None)),
                })
                .collect(),
        ),
        r5::Event::Incoming(Packet::UnsubAck(_)) => Polled::UnsubAck,
        r5::Event::Incoming(Packet::PubRel(r)) => Polled::Finished(r.pkid),
        r5::Event::Outgoing(Outgoing::PubAck(pkid)) => Polled::Finished(pkid),
        r5::Event::Incoming(Packet::Disconnect(d)) => Polled::ServerDisconnect(reason_words(
            &format!("{:?}", d.reason_code),
            d.properties.and_then(|p| p.reason_string),
        )),
        r5::Event::Outgoing(Outgoing::Publish(pkid)) => Polled::OutgoingPublish(pkid),
        r5::Event::Outgoing(Outgoing::Disconnect) => Polled::OutgoingDisconnect,
        r5::Event::Outgoing(Outgoing::PingReq) => Polled::Ping("sending PINGREQ"),
        r5::Event::Incoming(Packet::PingResp(_)) => Polled::Ping("received PINGRESP"),
        _ => Polled::Other,
    }
}

/// `NotAuthorized` -> `not authorized`, plus the broker's reason string when it sent one.
pub(super) fn reason_words(debug_name: &str, reason_string: Option<String>) -> String {
    let mut out = String::new();
    for (i, ch) in debug_name.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(ch.to_ascii_lowercase());
    }
    let out = out.replace("qo s", "QoS").replace("user name", "username");
    match reason_string {
        Some(r) if !r.is_empty() => format!("{out} ({r})"),
        _ => out,
    }
}

pub(super) fn qos4(q: Qos) -> rumqttc::QoS {
    match q {
        Qos::AtMostOnce => rumqttc::QoS::AtMostOnce,
        Qos::AtLeastOnce => rumqttc::QoS::AtLeastOnce,
        Qos::ExactlyOnce => rumqttc::QoS::ExactlyOnce,
    }
}

pub(super) fn qos5(q: Qos) -> r5::mqttbytes::QoS {
    match q {
        Qos::AtMostOnce => r5::mqttbytes::QoS::AtMostOnce,
        Qos::AtLeastOnce => r5::mqttbytes::QoS::AtLeastOnce,
        Qos::ExactlyOnce => r5::mqttbytes::QoS::ExactlyOnce,
    }
}

fn from_qos4(q: rumqttc::QoS) -> Qos {
    match q {
        rumqttc::QoS::AtMostOnce => Qos::AtMostOnce,
        rumqttc::QoS::AtLeastOnce => Qos::AtLeastOnce,
        rumqttc::QoS::ExactlyOnce => Qos::ExactlyOnce,
    }
}

fn from_qos5(q: r5::mqttbytes::QoS) -> Qos {
    match q {
        r5::mqttbytes::QoS::AtMostOnce => Qos::AtMostOnce,
        r5::mqttbytes::QoS::AtLeastOnce => Qos::AtLeastOnce,
        r5::mqttbytes::QoS::ExactlyOnce => Qos::ExactlyOnce,
    }
}

fn from_p5_props(p: p5::PublishProperties) -> Properties {
    Properties {
        payload_format_indicator: p.payload_format_indicator,
        message_expiry_interval: p.message_expiry_interval,
        topic_alias: p.topic_alias,
        response_topic: p.response_topic,
        correlation_data: p.correlation_data,
        user_properties: p.user_properties,
        subscription_identifiers: p.subscription_identifiers,
        content_type: p.content_type,
    }
}

pub(super) fn to_p5_props(p: &Properties) -> p5::PublishProperties {
    p5::PublishProperties {
        payload_format_indicator: p.payload_format_indicator,
        message_expiry_interval: p.message_expiry_interval,
        topic_alias: p.topic_alias,
        response_topic: p.response_topic.clone(),
        correlation_data: p.correlation_data.clone(),
        user_properties: p.user_properties.clone(),
        subscription_identifiers: p.subscription_identifiers.clone(),
        content_type: p.content_type.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_read_as_words() {
        assert_eq!(reason_words("NotAuthorized", None), "not authorized");
        assert_eq!(
            reason_words("BadUserNamePassword", None),
            "bad username password"
        );
        assert_eq!(
            reason_words("QoSNotSupported", Some("no".into())),
            "QoS not supported (no)"
        );
    }
}
