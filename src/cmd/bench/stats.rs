//! What a bench run measures: per-publisher sequence tracking (lost, duplicated, reordered),
//! HDR latency histograms, and the `Summary` that `--json` prints and `merge` reads back.

use crate::exit::{Error, Result};
use base64::Engine;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Version of the JSON result format; `merge` refuses others.
pub const FORMAT: u32 = 1;

/// A latency histogram in microseconds, 3 significant digits, growing as needed.
pub fn histogram() -> Histogram<u64> {
    // 3 significant figures is always a valid precision: this cannot fail.
    let mut h = Histogram::new(3).expect("3 significant figures are valid");
    h.auto(true);
    h
}

/// The furthest a sequence number may jump ahead of the highest seen (2^26: 8 MiB of bitmap).
const MAX_JUMP: u64 = 1 << 26;

/// What one subscriber saw of one publisher.
#[derive(Default, Clone)]
pub struct Track {
    /// One bit per sequence number seen.
    seen: Vec<u64>,
    /// Highest sequence + 1.
    next: u64,
    pub unique: u64,
    pub duplicated: u64,
    pub reordered: u64,
    /// Sequence of the publisher's last message + 1, when that message arrived.
    pub total: Option<u64>,
}

impl Track {
    /// Record a sequence number; `false` for one implausibly far ahead (a stray message must
    /// not make the bitmap allocate gigabytes), which is then ignored.
    pub fn record(&mut self, seq: u64, last: bool) -> bool {
        if seq > self.next.saturating_add(MAX_JUMP) {
            return false;
        }
        let (word, bit) = ((seq / 64) as usize, 1u64 << (seq % 64));
        if word >= self.seen.len() {
            self.seen.resize(word + 1, 0);
        }
        if self.seen[word] & bit != 0 {
            self.duplicated += 1;
            return true;
        }
        self.seen[word] |= bit;
        self.unique += 1;
        if seq + 1 < self.next {
            self.reordered += 1;
        }
        self.next = self.next.max(seq + 1);
        if last {
            self.total = Some(seq + 1);
        }
        true
    }

    /// Missing messages, when the publisher sent `sent` (or, unknown, as far as this track can
    /// tell: up to its last message if that arrived, else up to the highest sequence seen).
    pub fn lost(&self, sent: Option<u64>) -> u64 {
        let expected = sent.or(self.total).unwrap_or(self.next);
        expected.saturating_sub(self.unique)
    }

    /// Of `sent` messages, those after the last one seen (all of them when none was).
    pub fn tail(&self, sent: u64) -> u64 {
        sent.saturating_sub(self.next)
    }

    /// Messages seen by `self` or `other` (shared subscriptions: one publisher, several readers).
    pub fn union(&mut self, other: &Track) {
        if other.seen.len() > self.seen.len() {
            self.seen.resize(other.seen.len(), 0);
        }
        for (a, b) in self.seen.iter_mut().zip(&other.seen) {
            *a |= b;
        }
        self.unique = self.seen.iter().map(|w| u64::from(w.count_ones())).sum();
        self.next = self.next.max(other.next);
        self.total = self.total.or(other.total);
        self.reordered += other.reordered;
    }
}

/// A subscriber's view: one `Track` per (run id, publisher).
pub type Tracks = HashMap<(u32, u32), Track>;

/// Latency figures in microseconds.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Percentiles {
    pub count: u64,
    pub min: u64,
    pub mean: f64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p99_9: u64,
    pub max: u64,
}

impl Percentiles {
    pub fn of(h: &Histogram<u64>) -> Option<Percentiles> {
        (!h.is_empty()).then(|| Percentiles {
            count: h.len(),
            min: h.min(),
            mean: (h.mean() * 10.0).round() / 10.0,
            p50: h.value_at_quantile(0.50),
            p90: h.value_at_quantile(0.90),
            p99: h.value_at_quantile(0.99),
            p99_9: h.value_at_quantile(0.999),
            max: h.max(),
        })
    }
}

/// Figures of the clients of one host (`-h a,b,c`).
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct HostSummary {
    pub host: String,
    pub publishers: u64,
    pub subscribers: u64,
    pub connect_failures: u64,
    pub sent: u64,
    pub received: u64,
    /// Counted per subscriber; with --shared, only for the whole run.
    pub lost: u64,
    pub duplicated: u64,
    pub reordered: u64,
    pub latency_us: Option<Percentiles>,
    /// HDR histogram, V2 deflate encoding, base64 (HdrHistogram's interchange form).
    pub latency_histogram: String,
    #[serde(default)]
    pub connect_us: Option<Percentiles>,
    #[serde(default)]
    pub connect_histogram: String,
}

/// The result of a run: what the text summary shows and `--json` prints.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Summary {
    pub format: u32,
    /// `pubsub`, `pub`, `sub`, `conn`, or `merged`.
    pub mode: String,
    /// Runs merged into this one (1 for a single run).
    pub runs: u64,
    pub duration_s: f64,
    pub qos: u8,
    pub payload_size: u64,
    pub publishers: u64,
    pub subscribers: u64,
    pub connected: u64,
    pub connect_failures: u64,
    pub sent: u64,
    pub received: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub reordered: u64,
    /// Publish errors and connections lost during the run.
    pub errors: u64,
    pub sent_per_s: f64,
    pub received_per_s: f64,
    pub sent_mb_per_s: f64,
    pub received_mb_per_s: f64,
    pub latency_us: Option<Percentiles>,
    pub latency_histogram: String,
    pub connect_us: Option<Percentiles>,
    pub connect_histogram: String,
    pub hosts: Vec<HostSummary>,
    /// The first publish, connection or connect error, if any.
    #[serde(default)]
    pub first_error: Option<String>,
    /// Open loop: the messages per second asked for (all publishers); `None`: closed loop,
    /// each publisher sends as fast as the broker takes them.
    #[serde(default)]
    pub rate: Option<f64>,
    /// Messages sent that had not arrived when the bounded wait after the run ended (neither
    /// received nor known lost: later than every message received from their publisher).
    #[serde(default)]
    pub in_flight: u64,
    /// `conn`: connects per second asked for (`--connect-rate`), `None`: as fast as they go.
    #[serde(default)]
    pub connect_rate: Option<f64>,
    /// `conn`: connections made per second, from the first connect's start to the last
    /// connect's answer.
    #[serde(default)]
    pub connects_per_s: f64,
    /// `conn`: the client's resident memory grown per held connection, in KiB.
    #[serde(default)]
    pub client_kib_per_connection: Option<f64>,
    /// `conn --churn`: clients disconnected and connected again, and those connects' latency.
    #[serde(default)]
    pub reconnects: u64,
    #[serde(default)]
    pub reconnect_us: Option<Percentiles>,
    #[serde(default)]
    pub reconnect_histogram: String,
    /// Worker processes whose results this is (`--workers`), 0 for a single process.
    #[serde(default)]
    pub workers: u64,
}

pub fn encode(h: &Histogram<u64>) -> String {
    let mut buf = Vec::new();
    // Serializing into a Vec cannot fail for a histogram of u64 counts.
    if V2DeflateSerializer::new().serialize(h, &mut buf).is_err() {
        return String::new();
    }
    base64::engine::general_purpose::STANDARD.encode(buf)
}

pub fn decode(s: &str) -> Result<Histogram<u64>, String> {
    if s.is_empty() {
        return Ok(histogram());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| format!("histogram is not base64: {e}"))?;
    let h: Histogram<u64> = Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| format!("histogram does not decode: {e:?}"))?;
    let mut out = histogram();
    out.add(&h).map_err(|e| format!("histogram: {e:?}"))?;
    Ok(out)
}

pub fn mb(bytes_per_s: f64) -> f64 {
    (bytes_per_s / 1e4).round() / 100.0
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Several machines' results as one: counters and rates summed (the runs were concurrent),
/// the longest duration, histograms added and percentiles taken again, hosts merged by name.
pub fn merge(parts: &[Summary]) -> Result<Summary> {
    let mut out = Summary {
        format: FORMAT,
        mode: "merged".into(),
        ..Default::default()
    };
    let mut lat = histogram();
    let mut conn = histogram();
    let mut reconn = histogram();
    // (KiB per connection, connections) of each part, for a mean weighted by connections.
    let mut kib: Vec<(f64, u64)> = Vec::new();
    let mut hosts: Vec<(HostSummary, Histogram<u64>, Histogram<u64>)> = Vec::new();
    let bad = |e: String| Error::usage(format!("merging results: {e}"));
    for p in parts {
        if p.format != FORMAT {
            return Err(Error::usage(format!(
                "merging results: format {} is not supported (this mq writes format {FORMAT})",
                p.format
            )));
        }
        out.runs += p.runs.max(1);
        out.duration_s = out.duration_s.max(p.duration_s);
        out.qos = out.qos.max(p.qos);
        out.payload_size = out.payload_size.max(p.payload_size);
        out.publishers += p.publishers;
        out.subscribers += p.subscribers;
        out.connected += p.connected;
        out.connect_failures += p.connect_failures;
        out.sent += p.sent;
        out.received += p.received;
        out.lost += p.lost;
        out.duplicated += p.duplicated;
        out.reordered += p.reordered;
        out.errors += p.errors;
        if out.first_error.is_none() {
            out.first_error.clone_from(&p.first_error);
        }
        out.in_flight += p.in_flight;
        out.connects_per_s += p.connects_per_s;
        out.reconnects += p.reconnects;
        out.workers += p.workers;
        out.rate = sum_opt(out.rate, p.rate);
        out.connect_rate = sum_opt(out.connect_rate, p.connect_rate);
        if let Some(k) = p.client_kib_per_connection {
            kib.push((k, p.connected));
        }
        reconn
            .add(decode(&p.reconnect_histogram).map_err(bad)?)
            .map_err(|e| bad(format!("{e:?}")))?;
        out.sent_per_s += p.sent_per_s;
        out.received_per_s += p.received_per_s;
        out.sent_mb_per_s += p.sent_mb_per_s;
        out.received_mb_per_s += p.received_mb_per_s;
        lat.add(decode(&p.latency_histogram).map_err(bad)?)
            .map_err(|e| bad(format!("{e:?}")))?;
        conn.add(decode(&p.connect_histogram).map_err(bad)?)
            .map_err(|e| bad(format!("{e:?}")))?;
        for h in &p.hosts {
            let hist = decode(&h.latency_histogram).map_err(bad)?;
            let chist = decode(&h.connect_histogram).map_err(bad)?;
            match hosts.iter_mut().find(|(x, _, _)| x.host == h.host) {
                Some((x, xh, xc)) => {
                    x.publishers += h.publishers;
                    x.subscribers += h.subscribers;
                    x.connect_failures += h.connect_failures;
                    x.sent += h.sent;
                    x.received += h.received;
                    x.lost += h.lost;
                    x.duplicated += h.duplicated;
                    x.reordered += h.reordered;
                    xh.add(&hist).map_err(|e| bad(format!("{e:?}")))?;
                    xc.add(&chist).map_err(|e| bad(format!("{e:?}")))?;
                }
                None => hosts.push((h.clone(), hist, chist)),
            }
        }
    }
    out.connects_per_s = round2(out.connects_per_s);
    out.sent_per_s = round2(out.sent_per_s);
    out.received_per_s = round2(out.received_per_s);
    out.sent_mb_per_s = round2(out.sent_mb_per_s);
    out.received_mb_per_s = round2(out.received_mb_per_s);
    let held: u64 = kib.iter().map(|(_, n)| n).sum();
    if held > 0 {
        let total: f64 = kib.iter().map(|(k, n)| k * *n as f64).sum();
        out.client_kib_per_connection = Some(round2(total / held as f64));
    }
    out.reconnect_us = Percentiles::of(&reconn);
    out.reconnect_histogram = encode(&reconn);
    out.latency_us = Percentiles::of(&lat);
    out.latency_histogram = encode(&lat);
    out.connect_us = Percentiles::of(&conn);
    out.connect_histogram = encode(&conn);
    out.hosts = hosts
        .into_iter()
        .map(|(mut h, hist, chist)| {
            h.latency_us = Percentiles::of(&hist);
            h.latency_histogram = encode(&hist);
            h.connect_us = Percentiles::of(&chist);
            h.connect_histogram = encode(&chist);
            h
        })
        .collect();
    Ok(out)
}

/// Two parts' rates together: a rate given to either is the sum of what was given.
fn sum_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(round2(a.unwrap_or(0.0) + b.unwrap_or(0.0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_loss_duplicates_and_reordering() {
        let mut t = Track::default();
        for s in [0, 1, 3, 2, 2, 5] {
            assert!(t.record(s, false));
        }
        assert!(!t.record(u64::MAX / 2, false));
        assert_eq!((t.unique, t.duplicated, t.reordered), (5, 1, 1));
        assert_eq!(t.lost(None), 1); // 4 is missing
        assert_eq!(t.lost(Some(8)), 3); // 4, 6, 7
        t.record(9, true);
        assert_eq!(t.lost(None), 4); // 4, 6, 7, 8
    }

    #[test]
    fn union_counts_each_message_once() {
        let (mut a, mut b) = (Track::default(), Track::default());
        for s in [0, 2, 4] {
            a.record(s, false);
        }
        for s in [1, 2, 3] {
            b.record(s, false);
        }
        a.union(&b);
        assert_eq!((a.unique, a.lost(Some(6))), (5, 1));
    }

    #[test]
    fn histograms_survive_encoding_and_merge_adds_them() {
        let mut h = histogram();
        for v in [100, 200, 300, 50_000] {
            h.record(v).unwrap();
        }
        let one = Summary {
            format: FORMAT,
            runs: 1,
            sent: 4,
            received: 4,
            sent_per_s: 2.0,
            latency_histogram: encode(&h),
            ..Default::default()
        };
        let m = merge(&[one.clone(), one]).unwrap();
        assert_eq!((m.sent, m.received, m.runs), (8, 8, 2));
        assert_eq!(m.sent_per_s, 4.0);
        let p = m.latency_us.unwrap();
        assert_eq!((p.count, p.min), (8, 100));
        assert!(p.max >= 50_000 && p.max < 50_100);
        assert!(decode("not base64!").is_err());
    }
}
