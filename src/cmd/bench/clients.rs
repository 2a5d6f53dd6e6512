//! The tasks of one client each: a publisher (closed loop, or open loop on the pacer's
//! schedule) and a subscriber (latency and sequence tracking per message).

use super::pace::Pacer;
use super::payload::{self, Header};
use super::run::{Client, Counters};
use super::stats::Tracks;
use super::Plan;
use crate::session::Event;
use hdrhistogram::Histogram;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use tokio::time::Instant;

/// Publishers wait this long for their QoS 1/2 acknowledgements at the end.
const ACK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A subscriber's measurements, locked per message (only the live view contends, once a second).
pub struct SubState {
    pub tracks: Tracks,
    pub latency: Histogram<u64>,
    /// Latency since the live view last looked.
    pub interval: Histogram<u64>,
    pub received: u64,
}

pub struct PubJob {
    pub plan: Plan,
    /// Messages this publisher sends, when -L is given.
    pub share: Option<u64>,
    /// Intended time of the first message (open loop), CLOCK_MONOTONIC ns.
    pub first_ns: u64,
    pub deadline: Option<Instant>,
    pub warm_until: u64,
    /// Woken by the pacer thread when a message is due.
    pub wake: Arc<tokio::sync::Notify>,
    pub pacer: Arc<Pacer>,
}

/// What one publisher did.
pub struct Published {
    pub index: u32,
    pub host: usize,
    pub sent: u64,
    pub done_ns: u64,
}

pub async fn publisher(
    mut c: Client,
    job: PubJob,
    counters: Arc<Counters>,
    mut stop: watch::Receiver<bool>,
) -> Published {
    let plan = &job.plan;
    let id = c.index + 1;
    let fixed = plan.topic.replace("%i", &id.to_string());
    let per_message = fixed.contains("%s");
    let interval = plan
        .interval
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let mut seq = 0u64;
    let mut topic = fixed.clone();
    loop {
        if job.share.is_some_and(|n| seq >= n) || counters.stopping.load(Relaxed) {
            break;
        }
        if job.deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let stamp = match interval {
            None => payload::now_ns(),
            Some(iv) => {
                let due = job.first_ns.saturating_add(seq.saturating_mul(iv));
                let mut ended = false;
                while !ended && payload::now_ns() < due {
                    tokio::select! {
                        _ = job.wake.notified() => {}
                        _ = stop.changed() => ended = true,
                        _ = until(job.deadline) => ended = true,
                    }
                }
                if ended || job.deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                due
            }
        };
        let mut flags = 0;
        if stamp < job.warm_until {
            flags |= payload::WARMUP;
        }
        if job.share == Some(seq + 1) {
            flags |= payload::LAST;
        }
        let body = Header {
            run: plan.run_id,
            publisher: id,
            flags,
            seq,
            sent_ns: stamp,
        }
        .encode(plan.size);
        if per_message {
            topic = fixed.replace("%s", &seq.to_string());
        }
        if let Err(e) = c
            .session
            .publish(&topic, body, plan.qos, plan.retain, None)
            .await
        {
            counters.error(e);
            break;
        }
        counters.sent.fetch_add(1, Relaxed);
        seq += 1;
    }
    if interval.is_some() {
        job.pacer.running.fetch_sub(1, Relaxed);
    }
    // After Ctrl-C, do not make the user wait long for the summary; a --duration run ends
    // about on time, and what is unacknowledged then is in flight, not an error.
    let patience = if counters.interrupted.load(Relaxed) {
        std::time::Duration::from_secs(1)
    } else {
        match job.deadline {
            Some(d) => d
                .checked_add(plan.tail())
                .map_or(ACK_TIMEOUT, |t| t.saturating_duration_since(Instant::now())),
            None => ACK_TIMEOUT,
        }
    };
    if let Err(e) = c.session.wait_acks(patience).await {
        if job.deadline.is_none() || e.code == crate::exit::Code::Refused {
            counters.error(e);
        }
    }
    // Sending ends when every message is written and, at QoS 1/2, acknowledged: publish()
    // returns when the message is queued, which says nothing about the rate.
    let done_ns = payload::now_ns();
    let _ = c.session.disconnect().await;
    Published {
        index: c.index,
        host: c.host,
        sent: seq,
        done_ns,
    }
}

/// Sleep until `deadline`, or forever.
pub async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

pub async fn subscriber(
    mut c: Client,
    state: Arc<Mutex<SubState>>,
    run: Option<u32>,
    counters: Arc<Counters>,
    mut stop: watch::Receiver<bool>,
) -> (Client, Arc<Mutex<SubState>>) {
    loop {
        let event = tokio::select! {
            biased;
            _ = stop.changed() => break,
            e = c.session.next_event() => e,
        };
        let m = match event {
            Ok(Event::Message(m)) => m,
            Ok(_) => continue,
            Err(e) => {
                counters.error(e);
                break;
            }
        };
        let now = payload::now_ns();
        // A retained message is an old one (another run's), not part of this measurement.
        let Some(h) = Header::decode(&m.payload).filter(|_| !m.retain) else {
            continue;
        };
        if run.is_some_and(|r| r != h.run) {
            continue;
        }
        {
            let mut s = state.lock().expect("subscriber state lock");
            let track = s.tracks.entry((h.run, h.publisher)).or_default();
            if !track.record(h.seq, h.flags & payload::LAST != 0) {
                continue;
            }
            s.received += 1;
            if h.flags & payload::WARMUP == 0 {
                let us = now.saturating_sub(h.sent_ns) / 1000;
                s.latency.record(us).ok();
                s.interval.record(us).ok();
            }
        }
        counters.received.fetch_add(1, Relaxed);
        let _ = counters.first_rx.compare_exchange(0, now, Relaxed, Relaxed);
        counters.last_rx.fetch_max(now, Relaxed);
    }
    (c, state)
}
