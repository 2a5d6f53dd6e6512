//! `mq bench conn` over plain TCP: tens of thousands of connections held by
//! `session::hold` (a socket and a small task each, one keepalive tick for all), connects
//! paced closed loop or open loop (`--connect-rate`: latency from each connect's intended
//! start, so a slow broker shows as latency rather than as a slower schedule), spread over
//! brokers (`-h a,b`) and local source addresses (`--source`), churned (`--churn`), and the
//! client memory each held connection costs, measured as the growth of the resident set.

use super::collect::Done;
use super::run::Counters;
use super::stats;
use super::Plan;
use crate::exit::{Code, Error, Result};
use crate::options::Protocol;
use crate::session::hold::{self, ConnectError, Ended, Signal};
use hdrhistogram::Histogram;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Connects in progress at once: enough to connect thousands quickly, few enough not to
/// overflow a broker's listen backlog.
const CONNECT_CONCURRENCY: usize = 64;
/// Held connections, after being told to stop, get this long to say DISCONNECT.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// Below this many connections the resident set's growth is noise, not a per-connection cost.
const MEMORY_MIN_CONNECTIONS: u64 = 1000;

/// What the connection tasks report, under one lock (a few lock takings per connection).
struct Tally {
    hosts: Vec<(u64, u64, Histogram<u64>)>,
    connect_latency: Histogram<u64>,
    reconnect_latency: Histogram<u64>,
    first_failure: Option<Error>,
}

/// What every connection task shares.
struct Ctx {
    plan: Plan,
    addrs: Vec<SocketAddr>,
    counters: Arc<Counters>,
    tally: Mutex<Tally>,
    /// MQTT 5 until a broker says it speaks only 3.1.1 (`-V` unset), then 3.1.1 for all.
    v5: AtomicBool,
    /// An MQTT 5 connect succeeded: from then on, a slow answer is only slow.
    v5_works: AtomicBool,
    /// Initial connects finished, successful or not.
    settled: AtomicU64,
    reconnects: AtomicU64,
    out_of_fds: AtomicBool,
    churn: Notify,
}

pub async fn run(
    plan: &Plan,
    counters: &Arc<Counters>,
    mut stop: watch::Receiver<bool>,
    done: &mut Done,
) -> Result<()> {
    let addrs = resolve(plan).await?;
    let ctx = Arc::new(Ctx {
        plan: plan.clone(),
        addrs,
        counters: counters.clone(),
        tally: Mutex::new(Tally {
            hosts: plan
                .hosts
                .iter()
                .map(|_| (0, 0, stats::histogram()))
                .collect(),
            connect_latency: stats::histogram(),
            reconnect_latency: stats::histogram(),
            first_failure: None,
        }),
        v5: AtomicBool::new(plan.base.protocol != Protocol::V311),
        v5_works: AtomicBool::new(false),
        settled: AtomicU64::new(0),
        reconnects: AtomicU64::new(0),
        out_of_fds: AtomicBool::new(false),
        churn: Notify::new(),
    });
    let (signal_tx, signals) = watch::channel(Signal::Ping(0));
    let keepalive = (!plan.base.keep_alive.is_zero()).then(|| {
        let every = (plan.base.keep_alive / 2).max(Duration::from_secs(1));
        let tx = signal_tx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(Instant::now() + every, every);
            for n in 1u64.. {
                tick.tick().await;
                if tx.send(Signal::Ping(n)).is_err() {
                    break;
                }
            }
        })
    });

    let rss_before = rss_bytes();
    let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let mut tasks = JoinSet::new();
    let start = Instant::now();
    let mut spawned = 0u64;
    for (k, i) in plan.range.clone().enumerate() {
        if *stop.borrow() || ctx.out_of_fds.load(Relaxed) {
            break;
        }
        // Open loop: each connect has its time, and its latency counts from then.
        let intended = match plan.connect_every {
            Some(every) => match u32::try_from(k)
                .ok()
                .and_then(|k| every.checked_mul(k))
                .and_then(|d| start.checked_add(d))
            {
                Some(at) => {
                    tokio::time::sleep_until(at).await;
                    Some(at)
                }
                None => break,
            },
            None => None,
        };
        let Ok(permit) = gate.clone().acquire_owned().await else {
            break;
        };
        let (ctx, signals) = (ctx.clone(), signals.clone());
        tasks.spawn(async move {
            let since = intended.unwrap_or_else(Instant::now);
            let held = connect(&ctx, i, since, false).await;
            drop(permit);
            ctx.settled.fetch_add(1, Relaxed);
            hold(ctx, i, held, signals).await;
        });
        spawned += 1;
    }
    // Every connect answered (or timed out), or the run was stopped.
    while ctx.settled.load(Relaxed) < spawned && !*stop.borrow() {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(10)) => {}
            _ = stop.changed() => {}
        }
    }
    let connected = counters.connected.load(Relaxed);
    let connecting = start.elapsed().as_secs_f64();
    if connecting > 0.0 {
        done.connects_per_s = stats::round2(connected as f64 / connecting);
    }
    done.client_kib = kib_per_connection(rss_before, connected);

    done.start_ns = super::payload::now_ns();
    // Nothing to hold: the summary (or the first failure) at once.
    if connected > 0 && !ctx.out_of_fds.load(Relaxed) {
        let deadline = plan.duration.and_then(|d| Instant::now().checked_add(d));
        let churn = plan.churn.map(|rate| {
            let ctx = ctx.clone();
            tokio::spawn(async move {
                // Any rate the flag takes (above 0) gives a period tokio can tick at.
                let every = Duration::try_from_secs_f64(1.0 / rate)
                    .unwrap_or(Duration::MAX)
                    .clamp(Duration::from_micros(1), Duration::from_secs(86_400));
                let mut tick = tokio::time::interval_at(Instant::now() + every, every);
                loop {
                    tick.tick().await;
                    ctx.churn.notify_one();
                }
            })
        });
        tokio::select! {
            _ = super::clients::until(deadline) => {}
            _ = stop.wait_for(|s| *s) => {}
        }
        if let Some(c) = churn {
            c.abort();
        }
    }
    done.publishers_done_ns = super::payload::now_ns();
    let _ = signal_tx.send(Signal::Stop);
    if let Some(k) = keepalive {
        k.abort();
    }
    let all_stopped = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(STOP_GRACE, all_stopped).await.is_err() {
        tasks.abort_all();
    }

    let tally = std::mem::replace(
        &mut *ctx.tally.lock().expect("tally lock"),
        Tally {
            hosts: Vec::new(),
            connect_latency: stats::histogram(),
            reconnect_latency: stats::histogram(),
            first_failure: None,
        },
    );
    for (h, (ok, failed, lat)) in done.hosts.iter_mut().zip(tally.hosts) {
        h.publishers = ok;
        h.connect_failures = failed;
        h.connect_latency = lat;
    }
    done.connect_latency = tally.connect_latency;
    done.reconnect_latency = tally.reconnect_latency;
    done.reconnects = ctx.reconnects.load(Relaxed);
    done.first_failure = tally.first_failure;
    done.publishers_connected = u32::try_from(connected).unwrap_or(u32::MAX);
    if ctx.out_of_fds.load(Relaxed) {
        return Err(super::fd_error(
            u64::from(plan.range.end - plan.range.start),
            super::fd_limits().0,
        ));
    }
    Ok(())
}

/// Each broker's address, looked up once (not once per connection).
async fn resolve(plan: &Plan) -> Result<Vec<SocketAddr>> {
    let want_v6 = plan.sources.first().map(IpAddr::is_ipv6);
    let mut out = Vec::new();
    for h in &plan.hosts {
        let found: Vec<SocketAddr> = tokio::net::lookup_host((h.host.as_str(), h.port))
            .await
            .map_err(|e| {
                Error::new(Code::Unreachable, format!("resolving {}: {e}", h.host))
                    .hint("check the host name (-h)")
            })?
            .collect();
        let pick = found
            .iter()
            .find(|a| want_v6.map_or(true, |v6| a.is_ipv6() == v6))
            .or(found.first())
            .copied()
            .ok_or_else(|| Error::new(Code::Unreachable, format!("{} has no address", h.host)))?;
        out.push(pick);
    }
    Ok(out)
}

/// Connect client `i` (0-based over the whole run: its host, source address and id), and
/// record the outcome; `since`: when the connect should have started.
async fn connect(ctx: &Ctx, i: u32, since: Instant, again: bool) -> Option<hold::Held> {
    let plan = &ctx.plan;
    let (host, p) = plan.client("conn", i);
    let source = match plan.sources.len() {
        0 => None,
        // Spread over sources within each host, not in step with the hosts.
        n => Some(plan.sources[(i as usize / plan.hosts.len()) % n]),
    };
    let v5 = ctx.v5.load(Relaxed);
    let attempt = Box::pin(hold::connect(&p, ctx.addrs[host], source, v5));
    // A broker that speaks only 3.1.1 may stay silent at an MQTT 5 CONNECT: until one MQTT 5
    // connect succeeded, silence is a reason to try 3.1.1, as for every other command.
    let mut result = if v5 && plan.base.protocol == Protocol::Auto && !ctx.v5_works.load(Relaxed) {
        tokio::time::timeout(crate::session::V5_ANSWER, attempt)
            .await
            .unwrap_or(Err(ConnectError::BadVersion))
    } else {
        attempt.await
    };
    if v5 && result.is_ok() {
        ctx.v5_works.store(true, Relaxed);
    }
    if matches!(result, Err(ConnectError::BadVersion)) {
        if plan.base.protocol == Protocol::Auto {
            ctx.v5.store(false, Relaxed);
            result = Box::pin(hold::connect(&p, ctx.addrs[host], source, false)).await;
        } else {
            result = Err(ConnectError::Failed(Error::new(
                Code::ConnectRefused,
                "the broker does not speak MQTT 5 (-V 5): try -V 311",
            )));
        }
    }
    let took = since.elapsed().as_micros() as u64;
    let mut t = ctx.tally.lock().expect("tally lock");
    match result {
        Ok(held) => {
            if again {
                t.reconnect_latency.record(took).ok();
                ctx.reconnects.fetch_add(1, Relaxed);
            } else {
                t.connect_latency.record(took).ok();
                t.hosts[host].0 += 1;
                t.hosts[host].2.record(took).ok();
                ctx.counters.connected.fetch_add(1, Relaxed);
            }
            Some(held)
        }
        Err(ConnectError::BadVersion) => None,
        Err(ConnectError::Failed(e)) => {
            if e.message.contains("os error 24") {
                ctx.out_of_fds.store(true, Relaxed);
            }
            t.hosts[host].1 += 1;
            ctx.counters.connect_failures.fetch_add(1, Relaxed);
            let mut first = ctx.counters.first_error.lock().expect("first error lock");
            first.get_or_insert_with(|| e.message.clone());
            t.first_failure.get_or_insert(e);
            None
        }
    }
}

/// Hold client `i` until the run stops; when the churn picks it, connect it again.
async fn hold(
    ctx: Arc<Ctx>,
    i: u32,
    mut held: Option<hold::Held>,
    mut signals: watch::Receiver<Signal>,
) {
    while let Some(h) = held.take() {
        match h.hold(&mut signals, &ctx.churn).await {
            Ended::Stopped => return,
            Ended::Churned => {
                if *signals.borrow() == Signal::Stop {
                    return;
                }
                held = connect(&ctx, i, Instant::now(), true).await;
            }
            Ended::Lost(why) => {
                ctx.counters
                    .error(Error::runtime(format!("connection lost: {why}")));
                return;
            }
        }
    }
}

/// The resident set's growth since `before` per connection, in KiB, when there are enough
/// connections for it to mean something.
pub fn kib_per_connection(before: Option<u64>, connected: u64) -> Option<f64> {
    if connected < MEMORY_MIN_CONNECTIONS {
        return None;
    }
    let grown = rss_bytes()?.saturating_sub(before?);
    Some(stats::round2(grown as f64 / 1024.0 / connected as f64))
}

/// This process's resident set in bytes (Linux: /proc/self/statm), `None` where unknown.
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok()?)
}
