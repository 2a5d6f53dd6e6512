//! Open-loop pacing with sub-millisecond precision.
//!
//! tokio's timer has a 1 ms resolution: a publisher sleeping until its next intended send time
//! wakes up to 1 ms late, and since latency is measured from the intended time, that lag would
//! show as broker latency. One OS thread sleeps with `nanosleep` precision (tens of µs) until the
//! earliest due time of any publisher (at least `MIN_NAP`) and wakes those that are due; a
//! publisher that falls behind sends its late messages back to back, each stamped with its
//! intended time.

use super::payload::now_ns;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The longest the pacer sleeps before looking at the stop flags again.
const MAX_NAP: Duration = Duration::from_millis(20);
/// The shortest: at high rates, waking publishers at most every 100 µs lets each send a small
/// burst (one write, one wake-up) instead of one message per wake-up: a third less CPU at
/// 50k msg/s, for at most ~0.1 ms of schedule lag in the measured latency.
const MIN_NAP: Duration = Duration::from_micros(100);

/// One publisher's schedule: message k is due at `first_ns + k * interval_ns`.
pub struct Schedule {
    pub first_ns: u64,
    pub interval_ns: u64,
    pub wake: Arc<Notify>,
}

/// Shared with the publishers: they count themselves out when done.
#[derive(Default)]
pub struct Pacer {
    pub running: AtomicUsize,
    pub stop: AtomicBool,
}

/// Start the pacer thread for `schedules`; it ends when `pacer.stop` is set or every
/// publisher has counted itself out of `pacer.running` (set by the caller).
pub fn start(schedules: Vec<Schedule>, pacer: Arc<Pacer>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("mq-bench-pacer".into())
        .spawn(move || run(schedules, &pacer))
        .map(|_| ())
}

fn run(schedules: Vec<Schedule>, pacer: &Pacer) {
    // (next due time, publisher, k of that due time)
    let mut heap: BinaryHeap<Reverse<(u64, usize, u64)>> = schedules
        .iter()
        .enumerate()
        .map(|(i, s)| Reverse((s.first_ns, i, 0)))
        .collect();
    while !pacer.stop.load(Relaxed) && pacer.running.load(Relaxed) > 0 {
        let Some(&Reverse((due, _, _))) = heap.peek() else {
            return;
        };
        let now = now_ns();
        if due > now {
            std::thread::sleep(Duration::from_nanos(due - now).clamp(MIN_NAP, MAX_NAP));
            continue;
        }
        while let Some(&Reverse((due, i, k))) = heap.peek() {
            if due > now {
                break;
            }
            heap.pop();
            let s = &schedules[i];
            s.wake.notify_one();
            // Skip the due times already past: one wake-up lets the publisher catch up.
            let behind = (now - s.first_ns) / s.interval_ns.max(1) + 1;
            let k = behind.max(k + 1);
            heap.push(Reverse((
                s.first_ns.saturating_add(k.saturating_mul(s.interval_ns)),
                i,
                k,
            )));
        }
    }
}
