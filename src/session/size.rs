//! PUBLISH size arithmetic: a message over the broker's maximum packet size is refused before
//! it is sent (the broker would drop the connection over it).

use super::types::{Properties, Qos, Version};

fn varint_len(n: usize) -> usize {
    match n {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// Size on the wire of a PUBLISH packet (MQTT 3.1.1 §3.3, MQTT 5 §3.3).
pub(super) fn publish_packet_size(
    topic: &str,
    payload: usize,
    qos: Qos,
    props: Option<&Properties>,
    version: Version,
) -> usize {
    let mut remaining = 2 + topic.len() + payload + if qos.acknowledged() { 2 } else { 0 };
    if version == Version::V5 {
        let plen = props.map_or(0, properties_len);
        remaining += varint_len(plen) + plen;
    }
    1 + varint_len(remaining) + remaining
}

fn properties_len(p: &Properties) -> usize {
    let s = |o: &Option<String>| o.as_ref().map_or(0, |s| 3 + s.len());
    p.payload_format_indicator.map_or(0, |_| 2)
        + p.message_expiry_interval.map_or(0, |_| 5)
        + p.topic_alias.map_or(0, |_| 3)
        + s(&p.response_topic)
        + p.correlation_data.as_ref().map_or(0, |d| 3 + d.len())
        + p.user_properties
            .iter()
            .map(|(k, v)| 5 + k.len() + v.len())
            .sum::<usize>()
        + p.subscription_identifiers
            .iter()
            .map(|&i| 1 + varint_len(i))
            .sum::<usize>()
        + s(&p.content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_size_matches_the_spec() {
        // "a" + "hi" at QoS 0, 3.1.1: header 1 + len 1 + topic 2+1 + payload 2.
        assert_eq!(
            publish_packet_size("a", 2, Qos::AtMostOnce, None, Version::V311),
            7
        );
        // QoS 1 adds a packet id; v5 adds a property length byte.
        assert_eq!(
            publish_packet_size("a", 2, Qos::AtLeastOnce, None, Version::V5),
            10
        );
        // Remaining length 128 takes two bytes.
        assert_eq!(
            publish_packet_size("a", 125, Qos::AtMostOnce, None, Version::V311),
            1 + 2 + 128
        );
    }
}
