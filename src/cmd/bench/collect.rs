//! Turns what the clients of a run did (`Done`) into the `Summary`: loss per publisher against
//! what it really sent, per-host breakdown, rates.

use super::clients::{Published, SubState};
use super::run::Counters;
use super::stats::{self, HostSummary, Percentiles, Summary, Track, Tracks};
use super::{Mode, Plan};
use crate::exit::Error;
use hdrhistogram::Histogram;
use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};

/// Per-host connection tallies, filled while connecting.
pub struct HostTally {
    pub publishers: u64,
    pub subscribers: u64,
    pub connect_failures: u64,
    pub connect_latency: Histogram<u64>,
}

impl HostTally {
    pub fn connected(&mut self, role: &str, took_us: u64) {
        self.connect_latency.record(took_us).ok();
        if role == "sub" {
            self.subscribers += 1;
        } else {
            self.publishers += 1;
        }
    }
}

/// The raw results of a run.
pub struct Done {
    pub hosts: Vec<HostTally>,
    pub connect_latency: Histogram<u64>,
    pub first_failure: Option<Error>,
    pub publishers_connected: u32,
    pub subscribers_connected: u32,
    pub start_ns: u64,
    pub publishers_done_ns: u64,
    pub published: Vec<Published>,
    /// (subscriber index, host, measurements)
    pub received: Vec<(u32, usize, Arc<Mutex<SubState>>)>,
    /// `conn`: resident memory grown per held connection, KiB.
    pub client_kib: Option<f64>,
    /// `conn`: connections made per second.
    pub connects_per_s: f64,
    /// `conn --churn`: connects after a churn disconnect.
    pub reconnects: u64,
    pub reconnect_latency: Histogram<u64>,
    /// The wait after the run ended while messages were still arriving.
    pub cut_short: bool,
}

impl Done {
    pub fn new(plan: &Plan) -> Done {
        Done {
            hosts: plan
                .hosts
                .iter()
                .map(|_| HostTally {
                    publishers: 0,
                    subscribers: 0,
                    connect_failures: 0,
                    connect_latency: stats::histogram(),
                })
                .collect(),
            connect_latency: stats::histogram(),
            first_failure: None,
            publishers_connected: 0,
            subscribers_connected: 0,
            start_ns: 0,
            publishers_done_ns: 0,
            published: Vec::new(),
            received: Vec::new(),
            client_kib: None,
            connects_per_s: 0.0,
            reconnects: 0,
            reconnect_latency: stats::histogram(),
            cut_short: false,
        }
    }
}

/// Loss, duplicates and reordering of one subscriber (or of a shared group, its tracks united),
/// against what each of our publishers sent (`None`: a separate `bench pub`, sent counts
/// unknown, only gaps and a missing last message tell).
///
/// When the wait was `cut` short, a publisher's messages after the last one that arrived are
/// in flight (the fourth figure), not lost: only the gaps before it are.
fn losses(
    tracks: &Tracks,
    sent: Option<&HashMap<u32, u64>>,
    run: u32,
    cut: bool,
) -> (u64, u64, u64, u64) {
    let (mut lost, mut dup, mut reord, mut in_flight) = (0, 0, 0, 0);
    match sent {
        Some(sent) => {
            let none = Track::default();
            for (&p, &n) in sent {
                let t = tracks.get(&(run, p)).unwrap_or(&none);
                let tail = if cut { t.tail(n) } else { 0 };
                lost += t.lost(Some(n)) - tail;
                in_flight += tail;
                dup += t.duplicated;
                reord += t.reordered;
            }
        }
        None => {
            for t in tracks.values() {
                lost += t.lost(None);
                dup += t.duplicated;
                reord += t.reordered;
            }
        }
    }
    (lost, dup, reord, in_flight)
}

pub fn summary(plan: &Plan, counters: &Counters, done: Done) -> Summary {
    let sent_by: HashMap<u32, u64> = done
        .published
        .iter()
        .map(|p| (p.index + 1, p.sent))
        .collect();
    let sent_known = (plan.mode == Mode::PubSub).then_some(&sent_by);
    let host_of: HashMap<u32, usize> = done
        .published
        .iter()
        .map(|p| (p.index + 1, p.host))
        .collect();
    // With several brokers (-h a,b), a subscriber expects what the publishers of its own
    // broker sent, and what it heard from others (a cluster); independent brokers never pass
    // their messages on, and that is not loss.
    let expected_by = |host: usize, tracks: &Tracks| -> HashMap<u32, u64> {
        sent_by
            .iter()
            .filter(|(p, _)| {
                plan.hosts.len() == 1
                    || host_of.get(p) == Some(&host)
                    || tracks.contains_key(&(plan.run_id, **p))
            })
            .map(|(p, n)| (*p, *n))
            .collect()
    };

    let mut hosts: Vec<HostSummary> = plan
        .hosts
        .iter()
        .zip(&done.hosts)
        .map(|(h, t)| HostSummary {
            host: h.label.clone(),
            publishers: t.publishers,
            subscribers: t.subscribers,
            connect_failures: t.connect_failures,
            connect_us: Percentiles::of(&t.connect_latency),
            connect_histogram: stats::encode(&t.connect_latency),
            ..Default::default()
        })
        .collect();
    let mut host_lat: Vec<Histogram<u64>> = plan.hosts.iter().map(|_| stats::histogram()).collect();
    for p in &done.published {
        hosts[p.host].sent += p.sent;
    }

    let mut latency = stats::histogram();
    let (mut lost, mut dup, mut reord, mut received, mut in_flight) = (0, 0, 0, 0, 0);
    let mut union: Tracks = Tracks::new();
    let mut seen: std::collections::HashSet<(u32, u32)> = Default::default();
    for (_, host, state) in &done.received {
        let s = state.lock().expect("subscriber state lock");
        received += s.received;
        let _ = latency.add(&s.latency);
        let _ = host_lat[*host].add(&s.latency);
        let h = &mut hosts[*host];
        h.received += s.received;
        seen.extend(s.tracks.keys().copied());
        if plan.shared {
            for (k, t) in &s.tracks {
                union.entry(*k).or_default().union(t);
            }
        } else {
            let expected = sent_known.map(|_| expected_by(*host, &s.tracks));
            let (l, d, r, f) = losses(&s.tracks, expected.as_ref(), plan.run_id, done.cut_short);
            in_flight += f;
            h.lost += l;
            h.duplicated += d;
            h.reordered += r;
            lost += l;
            dup += d;
            reord += r;
        }
    }
    if plan.shared {
        let (l, _, r, f) = losses(&union, sent_known, plan.run_id, done.cut_short);
        in_flight = f;
        let unique: u64 = union.values().map(|t| t.unique).sum();
        lost = l;
        reord = r;
        dup = received.saturating_sub(unique);
    }
    for (h, hist) in hosts.iter_mut().zip(&host_lat) {
        h.latency_us = Percentiles::of(hist);
        h.latency_histogram = stats::encode(hist);
    }

    let sent: u64 = done.published.iter().map(|p| p.sent).sum();
    let secs = |a: u64, b: u64| b.saturating_sub(a) as f64 / 1e9;
    let (first_rx, last_rx) = (
        counters.first_rx.load(Relaxed),
        counters.last_rx.load(Relaxed),
    );
    let pub_done = match plan.mode {
        Mode::Conn => done.publishers_done_ns,
        _ => done
            .published
            .iter()
            .map(|p| p.done_ns)
            .max()
            .unwrap_or(done.start_ns),
    };
    let pub_secs = secs(done.start_ns, pub_done);
    let rx_secs = match plan.mode {
        Mode::Sub => secs(first_rx, last_rx),
        _ => secs(done.start_ns, last_rx),
    };
    let duration_s = match plan.mode {
        Mode::Sub => rx_secs,
        _ => pub_secs.max(rx_secs),
    };
    let rate = |n: u64, s: f64| {
        if s > 0.0 {
            stats::round2(n as f64 / s)
        } else {
            0.0
        }
    };
    let size = plan.size as f64;
    // Over the whole run, as the received rate: a send window that ends before the messages
    // arrive would make the broker look faster than it is.
    let sent_per_s = rate(sent, duration_s);
    let received_per_s = rate(received, rx_secs);
    Summary {
        format: stats::FORMAT,
        mode: plan.mode.name().into(),
        runs: 1,
        duration_s: stats::round2(duration_s * 1000.0) / 1000.0,
        qos: plan.qos as u8,
        payload_size: if plan.mode == Mode::Conn {
            0
        } else {
            plan.size as u64
        },
        // A subscriber-only run names the publishers it heard from.
        publishers: match plan.mode {
            Mode::Sub => seen.len() as u64,
            _ => u64::from(done.publishers_connected),
        },
        subscribers: u64::from(done.subscribers_connected),
        connected: counters.connected.load(Relaxed),
        connect_failures: counters.connect_failures.load(Relaxed),
        sent,
        received,
        lost,
        duplicated: dup,
        reordered: reord,
        errors: counters.errors.load(Relaxed),
        sent_per_s,
        received_per_s,
        sent_mb_per_s: stats::mb(sent_per_s * size),
        received_mb_per_s: stats::mb(received_per_s * size),
        latency_us: Percentiles::of(&latency),
        latency_histogram: stats::encode(&latency),
        connect_us: Percentiles::of(&done.connect_latency),
        connect_histogram: stats::encode(&done.connect_latency),
        hosts,
        first_error: counters
            .first_error
            .lock()
            .expect("first error lock")
            .clone(),
        rate: plan.rate,
        in_flight,
        connect_rate: (plan.mode == Mode::Conn)
            .then_some(plan.connect_rate)
            .flatten(),
        connects_per_s: done.connects_per_s,
        client_kib_per_connection: done.client_kib,
        reconnects: done.reconnects,
        reconnect_us: Percentiles::of(&done.reconnect_latency),
        reconnect_histogram: stats::encode(&done.reconnect_latency),
        workers: 0,
    }
}
