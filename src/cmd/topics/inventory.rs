//! What `mq topics` remembers: one small row per topic, updated in place by each message, so
//! memory grows with the number of topics and never with the traffic or the payload sizes.

use crate::session::{Message, Qos};
use std::collections::HashMap;
use std::time::Instant;

/// Bytes of the last payload kept for the preview.
pub const PREVIEW_BYTES: usize = 48;

/// What the last payload on a topic looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Empty,
    Json,
    Text,
    Binary,
}

impl Kind {
    pub fn of(p: &[u8]) -> Kind {
        if p.is_empty() {
            Kind::Empty
        } else if crate::output::looks_binary(p) {
            Kind::Binary
        } else if serde_json::from_slice::<serde::de::IgnoredAny>(p).is_ok() {
            Kind::Json
        } else {
            Kind::Text
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Empty => "empty",
            Kind::Json => "json",
            Kind::Text => "text",
            Kind::Binary => "binary",
        }
    }
}

/// One topic: counters and the head of its last payload, inline (no allocation per message).
#[derive(Debug, Clone)]
pub struct Row {
    /// Messages received, retained ones included.
    pub messages: u64,
    /// Messages that were not delivered from the retained store: the traffic of the window.
    pub live: u64,
    pub bytes: u64,
    pub last_bytes: usize,
    /// The broker delivered a retained message for this topic when we subscribed.
    pub retained: bool,
    pub max_qos: Qos,
    pub last_seen: Instant,
    pub kind: Kind,
    head: [u8; PREVIEW_BYTES],
    head_len: u8,
}

impl Row {
    fn new(now: Instant) -> Row {
        Row {
            messages: 0,
            live: 0,
            bytes: 0,
            last_bytes: 0,
            retained: false,
            max_qos: Qos::AtMostOnce,
            last_seen: now,
            kind: Kind::Empty,
            head: [0; PREVIEW_BYTES],
            head_len: 0,
        }
    }

    fn update(&mut self, m: &Message, now: Instant) {
        self.messages += 1;
        if m.retain {
            self.retained = true;
        } else {
            self.live += 1;
        }
        self.bytes += m.payload.len() as u64;
        self.last_bytes = m.payload.len();
        self.max_qos = self.max_qos.max(m.qos);
        self.last_seen = now;
        self.kind = Kind::of(&m.payload);
        let n = m.payload.len().min(PREVIEW_BYTES);
        self.head[..n].copy_from_slice(&m.payload[..n]);
        self.head_len = n as u8;
    }

    /// The first `PREVIEW_BYTES` of the last payload.
    pub fn head(&self) -> &[u8] {
        &self.head[..self.head_len as usize]
    }

    /// Whether the preview is shorter than the last payload.
    pub fn truncated(&self) -> bool {
        self.last_bytes > self.head_len as usize
    }
}

/// Every topic seen, up to `max_topics`.
pub struct Inventory {
    pub rows: HashMap<Box<str>, Row>,
    pub max_topics: usize,
    /// Messages on topics beyond `max_topics`, not counted in any row.
    pub uncounted: u64,
    pub started: Instant,
}

/// What `Inventory::record` did with a message.
#[derive(Debug, PartialEq, Eq)]
pub enum Recorded {
    Counted,
    /// The message's topic would be one over `max_topics`: not counted.
    OverCap,
}

impl Inventory {
    pub fn new(max_topics: usize) -> Inventory {
        Inventory {
            rows: HashMap::new(),
            max_topics,
            uncounted: 0,
            started: Instant::now(),
        }
    }

    pub fn record(&mut self, m: &Message, now: Instant) -> Recorded {
        if let Some(row) = self.rows.get_mut(m.topic.as_str()) {
            row.update(m, now);
            return Recorded::Counted;
        }
        if self.rows.len() >= self.max_topics {
            self.uncounted += 1;
            return Recorded::OverCap;
        }
        let mut row = Row::new(now);
        row.update(m, now);
        self.rows.insert(m.topic.as_str().into(), row);
        Recorded::Counted
    }

    /// Topics whose retained message the broker delivered, sorted.
    pub fn retained_topics(&self) -> Vec<&str> {
        let mut t: Vec<&str> = self
            .rows
            .iter()
            .filter(|(_, r)| r.retained)
            .map(|(t, _)| &**t)
            .collect();
        t.sort_unstable();
        t
    }

    pub fn messages(&self) -> u64 {
        self.rows.values().map(|r| r.messages).sum()
    }

    pub fn truncated(&self) -> bool {
        self.uncounted > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn msg(topic: &str, payload: &'static [u8], qos: Qos, retain: bool) -> Message {
        Message {
            topic: topic.into(),
            payload: Bytes::from_static(payload),
            qos,
            retain,
            pkid: 0,
            properties: None,
        }
    }

    #[test]
    fn a_row_counts_messages_and_keeps_a_bounded_head_of_the_last_payload() {
        let mut inv = Inventory::new(10);
        let now = Instant::now();
        inv.record(&msg("a", b"old", Qos::AtLeastOnce, true), now);
        inv.record(&msg("a", &[b'x'; 100], Qos::AtMostOnce, false), now);
        let r = &inv.rows["a"];
        assert_eq!(
            (r.messages, r.live, r.bytes, r.last_bytes),
            (2, 1, 103, 100)
        );
        assert!(r.retained && r.truncated());
        assert_eq!(r.max_qos, Qos::AtLeastOnce);
        assert_eq!(r.head(), &[b'x'; PREVIEW_BYTES][..]);
    }

    #[test]
    fn topics_over_the_cap_are_not_counted() {
        let mut inv = Inventory::new(1);
        let now = Instant::now();
        assert_eq!(
            inv.record(&msg("a", b"", Qos::AtMostOnce, false), now),
            Recorded::Counted
        );
        assert_eq!(
            inv.record(&msg("b", b"", Qos::AtMostOnce, false), now),
            Recorded::OverCap
        );
        assert_eq!(
            inv.record(&msg("a", b"", Qos::AtMostOnce, false), now),
            Recorded::Counted
        );
        assert_eq!((inv.rows.len(), inv.uncounted), (1, 1));
    }

    #[test]
    fn payload_kinds() {
        for (p, k) in [
            (&b""[..], Kind::Empty),
            (b"{\"a\":1}", Kind::Json),
            (b"21.5", Kind::Json),
            (b"hello", Kind::Text),
            (b"a\0b", Kind::Binary),
            (b"\xff", Kind::Binary),
        ] {
            assert_eq!(Kind::of(p), k, "{p:?}");
        }
    }
}
