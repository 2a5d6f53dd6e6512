//! Drives the clients of a bench run: paced connects, publisher and subscriber tasks, the
//! drain at the end; the raw results go to `collect.rs`, which makes the `Summary`.

use super::clients::{publisher, subscriber, until, PubJob, SubState};
use super::collect::{self, Done};
use super::pace::{self, Pacer};
use super::payload;
use super::report::Live;
use super::stats::{self, Tracks};
use super::{Mode, Plan};
use crate::exit::{Code, Error, Result};
use crate::session::{Delivery, RetainHandling, Session, SessionOptions, SubscribeOptions};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Connects in progress at once: enough to connect thousands quickly, few enough not to
/// overflow a broker's listen backlog.
const CONNECT_CONCURRENCY: usize = 64;
/// After the publishers are done, stop waiting for stragglers when nothing arrived this long.
const DRAIN_IDLE: Duration = Duration::from_secs(1);
/// ... and in any case after this long (a run of -L messages, which wants them all).
const DRAIN_MAX: Duration = Duration::from_secs(30);
/// A subscriber's in-flight window: the session layer's default for a receiver.
const SUB_INFLIGHT: u16 = 10;

/// Counters every task updates, read by the live view.
#[derive(Default)]
pub struct Counters {
    pub sent: AtomicU64,
    pub received: AtomicU64,
    pub errors: AtomicU64,
    pub connected: AtomicU64,
    pub connect_failures: AtomicU64,
    /// CLOCK_MONOTONIC ns of the first and latest message received.
    pub first_rx: AtomicU64,
    pub last_rx: AtomicU64,
    pub stopping: AtomicBool,
    pub interrupted: AtomicBool,
    /// The first error of the run, for the summary.
    pub first_error: Mutex<Option<String>>,
}

impl Counters {
    pub fn error(&self, e: Error) {
        self.errors.fetch_add(1, Relaxed);
        let mut first = self.first_error.lock().expect("first error lock");
        first.get_or_insert(e.message);
    }
}

/// A connected client of the run.
pub struct Client {
    pub index: u32,
    pub host: usize,
    pub session: Session,
}

/// Run the whole bench; returns the summary and whether Ctrl-C cut it short.
pub async fn run(plan: &Plan) -> Result<(stats::Summary, bool)> {
    let counters = Arc::new(Counters::default());
    let (stop_tx, stop) = watch::channel(false);
    let on_signal = {
        let (c, tx) = (counters.clone(), stop_tx.clone());
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                c.interrupted.store(true, Relaxed);
                c.stopping.store(true, Relaxed);
                let _ = tx.send(true);
                // A second Ctrl-C does not wait for the summary.
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(Code::Interrupted as i32);
                }
            }
        })
    };
    let states: Arc<Mutex<Vec<Arc<Mutex<SubState>>>>> = Arc::default();
    let live = Live::start(plan, counters.clone(), states.clone());
    let result = drive(plan, &counters, &stop_tx, stop, &states).await;
    on_signal.abort();
    live.finish().await;
    let done = result?;
    let interrupted = counters.interrupted.load(Relaxed);
    Ok((collect::summary(plan, &counters, done), interrupted))
}

async fn drive(
    plan: &Plan,
    counters: &Arc<Counters>,
    stop_tx: &watch::Sender<bool>,
    stop: watch::Receiver<bool>,
    states: &Arc<Mutex<Vec<Arc<Mutex<SubState>>>>>,
) -> Result<Done> {
    let mut done = Done::new(plan);
    if plan.lean() {
        super::conn::run(plan, counters, stop, &mut done).await?;
        counters.stopping.store(true, Relaxed);
        let _ = stop_tx.send(true);
        if done.publishers_connected == 0 {
            if let Some(e) = done.first_failure.take() {
                return Err(e);
            }
        }
        return Ok(done);
    }
    // Subscribers stop after the drain, not at Ctrl-C: messages on their way still count.
    let (subs_stop_tx, subs_stop) = watch::channel(false);
    let subs = match plan.mode {
        Mode::PubSub | Mode::Sub => plan.subscribers,
        _ => 0,
    };
    let pubs = match plan.mode {
        Mode::PubSub | Mode::Pub | Mode::Conn => plan.publishers,
        Mode::Sub => 0,
    };
    let role = if plan.mode == Mode::Conn {
        "conn"
    } else {
        "pub"
    };

    let subscribers =
        connect_all(plan, "sub", subs, SUB_INFLIGHT, counters, &stop, &mut done).await?;
    let mut sub_tasks = JoinSet::new();
    for mut c in subscribers {
        let opts = SubscribeOptions {
            qos: plan.qos,
            // MQTT 5: no retained messages from earlier runs.
            retain_handling: RetainHandling::Never,
        };
        let answer = c
            .session
            .subscribe(std::slice::from_ref(&plan.filter), opts)
            .await?;
        if let Some(Err(why)) = answer.into_iter().next() {
            return Err(Error::new(
                Code::Refused,
                format!(
                    "the broker refused the subscription to {}: {why}",
                    plan.filter
                ),
            ));
        }
        let state = Arc::new(Mutex::new(SubState {
            tracks: Tracks::new(),
            latency: stats::histogram(),
            interval: stats::histogram(),
            received: 0,
        }));
        states.lock().expect("states lock").push(state.clone());
        let run = (plan.mode == Mode::PubSub).then_some(plan.run_id);
        sub_tasks.spawn(subscriber(
            c,
            state,
            run,
            counters.clone(),
            subs_stop.clone(),
        ));
    }

    let inflight = if plan.mode == Mode::Conn {
        1
    } else {
        plan.inflight
    };
    let rss_before = super::conn::rss_bytes();
    let publishers = connect_all(plan, role, pubs, inflight, counters, &stop, &mut done).await?;
    if plan.mode == Mode::Conn {
        // TLS and websocket connections: a session each, and what that costs.
        done.client_kib =
            super::conn::kib_per_connection(rss_before, u64::from(done.publishers_connected));
    }
    if (subs > 0 && done.subscribers_connected == 0) || (pubs > 0 && done.publishers_connected == 0)
    {
        if let Some(e) = done.first_failure.take() {
            return Err(e);
        }
    }

    let t0 = payload::now_ns();
    done.start_ns = t0;
    // A duration too long for the clock is no limit at all.
    let deadline = plan.duration.and_then(|d| Instant::now().checked_add(d));
    match plan.mode {
        Mode::Conn => {
            let mut stop = stop.clone();
            tokio::select! {
                _ = until(deadline) => {}
                _ = stop.wait_for(|s| *s) => {}
            }
            done.publishers_done_ns = payload::now_ns();
            disconnect_all(publishers.into_iter().map(|c| c.session)).await;
        }
        Mode::Pub | Mode::PubSub => {
            let mut pub_tasks = JoinSet::new();
            let n = publishers.len() as u64;
            let pacer = Arc::new(Pacer::default());
            if plan.interval.is_some() {
                pacer.running.store(publishers.len(), Relaxed);
            }
            let mut schedules = Vec::new();
            for (k, c) in publishers.into_iter().enumerate() {
                let share = plan.count.map(|total| {
                    let i = c.index as u64;
                    total / u64::from(plan.publishers)
                        + u64::from(i < total % u64::from(plan.publishers))
                });
                let phase = plan
                    .interval
                    .map_or(0, |d| nanos(d).saturating_mul(k as u64) / n.max(1));
                let wake = Arc::new(tokio::sync::Notify::new());
                if let Some(d) = plan.interval {
                    schedules.push(pace::Schedule {
                        first_ns: t0.saturating_add(phase),
                        interval_ns: nanos(d),
                        wake: wake.clone(),
                    });
                }
                let job = PubJob {
                    plan: plan.clone(),
                    share,
                    first_ns: t0.saturating_add(phase),
                    deadline,
                    warm_until: t0.saturating_add(nanos(plan.warmup)),
                    wake,
                    pacer: pacer.clone(),
                };
                pub_tasks.spawn(publisher(c, job, counters.clone(), stop.clone()));
            }
            if !schedules.is_empty() {
                pace::start(schedules, pacer.clone())
                    .map_err(|e| Error::runtime(format!("starting the pacing thread: {e}")))?;
            }
            while let Some(r) = pub_tasks.join_next().await {
                if let Ok(r) = r {
                    done.published.push(r);
                }
            }
            pacer.stop.store(true, Relaxed);
            done.publishers_done_ns = payload::now_ns();
            if plan.mode == Mode::PubSub {
                let sent: u64 = done.published.iter().map(|p| p.sent).sum();
                let readers = if plan.shared {
                    1
                } else {
                    u64::from(done.subscribers_connected)
                };
                let limit = deadline.and_then(|d| d.checked_add(plan.tail()));
                done.cut_short = drain(counters, sent * readers, limit).await;
            }
        }
        Mode::Sub => {
            let mut stop = stop.clone();
            let target = plan.count.unwrap_or(u64::MAX);
            let received_all = async {
                while counters.received.load(Relaxed) < target {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            };
            tokio::select! {
                _ = received_all => {}
                _ = until(deadline) => {}
                _ = stop.wait_for(|s| *s) => {}
            }
        }
    }
    counters.stopping.store(true, Relaxed);
    let _ = stop_tx.send(true);
    let _ = subs_stop_tx.send(true);
    let mut sessions = Vec::new();
    while let Some(r) = sub_tasks.join_next().await {
        if let Ok((client, state)) = r {
            done.received.push((client.index, client.host, state));
            sessions.push(client.session);
        }
    }
    disconnect_all(sessions.into_iter()).await;
    Ok(done)
}

/// A duration in nanoseconds, saturating (durations from flags can be absurdly long).
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Wait until `expected` messages arrived, or nothing arrived for `DRAIN_IDLE` (after Ctrl-C:
/// a fifth of that, so the summary comes quickly but still counts what was on its way), or
/// `limit` (a --duration run ends about on time). Returns true when the wait was cut short
/// while messages were still arriving: what is missing then is in flight, not known lost.
async fn drain(counters: &Counters, expected: u64, limit: Option<Instant>) -> bool {
    let limit = limit.unwrap_or_else(|| Instant::now() + DRAIN_MAX);
    let mut last = counters.received.load(Relaxed);
    let mut last_change = Instant::now();
    loop {
        if Instant::now() >= limit {
            return counters.received.load(Relaxed) < expected;
        }
        let idle = if counters.interrupted.load(Relaxed) {
            DRAIN_IDLE / 5
        } else {
            DRAIN_IDLE
        };
        let now = counters.received.load(Relaxed);
        if now >= expected || last_change.elapsed() >= idle {
            return false;
        }
        if now != last {
            last = now;
            last_change = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Connect `n` clients of `role`, paced by -i / --connect-rate, at most `CONNECT_CONCURRENCY`
/// at once. Failures are counted; running out of file descriptors ends the run.
async fn connect_all(
    plan: &Plan,
    role: &'static str,
    n: u32,
    inflight: u16,
    counters: &Arc<Counters>,
    stop: &watch::Receiver<bool>,
    done: &mut Done,
) -> Result<Vec<Client>> {
    let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let delivery = match role {
        "sub" => Delivery::Auto,
        _ => Delivery::None,
    };
    let opts = SessionOptions::default()
        .delivery(delivery)
        .inflight(inflight);
    let mut set = JoinSet::new();
    let start = Instant::now();
    // `conn` connects this process's share of the clients (a worker's, with --workers).
    let range = if role == "conn" {
        plan.range.clone()
    } else {
        0..n
    };
    for i in range {
        if *stop.borrow() {
            break;
        }
        if let Some(every) = plan.connect_every {
            if let Some(at) = every.checked_mul(i).and_then(|d| start.checked_add(d)) {
                tokio::time::sleep_until(at).await;
            }
        }
        let Ok(permit) = gate.clone().acquire_owned().await else {
            break;
        };
        let (host, p) = plan.client(role, i);
        set.spawn(async move {
            let t = Instant::now();
            let r = Session::connect(&p, opts).await;
            drop(permit);
            (i, host, t.elapsed(), r)
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        let Ok((index, host, took, r)) = r else {
            continue;
        };
        match r {
            Ok(session) => {
                counters.connected.fetch_add(1, Relaxed);
                let us = took.as_micros() as u64;
                done.connect_latency.record(us).ok();
                done.hosts[host].connected(role, us);
                out.push(Client {
                    index,
                    host,
                    session,
                });
            }
            Err(e) => {
                if e.message.contains("os error 24") {
                    return Err(super::fd_error(u64::from(n), super::fd_limits().0));
                }
                counters.connect_failures.fetch_add(1, Relaxed);
                done.hosts[host].connect_failures += 1;
                let mut first = counters.first_error.lock().expect("first error lock");
                first.get_or_insert_with(|| e.message.clone());
                drop(first);
                done.first_failure.get_or_insert(e);
            }
        }
    }
    if role == "sub" {
        done.subscribers_connected = out.len() as u32;
    } else {
        done.publishers_connected = out.len() as u32;
    }
    out.sort_by_key(|c| c.index);
    Ok(out)
}

async fn disconnect_all(sessions: impl Iterator<Item = Session>) {
    let mut set = JoinSet::new();
    for s in sessions {
        set.spawn(s.disconnect());
    }
    while set.join_next().await.is_some() {}
}
