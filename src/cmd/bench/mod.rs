//! `mq bench`: load generation with end-to-end latency, loss accounting and mergeable results.
//!
//! `mod.rs` turns the flags into a `Plan` and dispatches; `run.rs` drives the clients (it is the
//! only part that touches sessions); `stats.rs` holds the measurements and the JSON `Summary`;
//! `report.rs` renders the live view and the final summary. Many clients share the process's
//! multi-thread runtime: one task per client plus its session driver. `conn` over plain TCP is
//! `conn.rs` (held connections from `session::hold`, no session each); past the process's
//! file descriptor limit, `workers.rs` runs worker processes of mq and merges their results.

mod clients;
mod collect;
mod conn;
mod pace;
mod payload;
mod report;
mod run;
mod stats;
mod workers;

use crate::cli::{BenchArgs, BenchMode, BenchOpts, MergeArgs};
use crate::exit::{Code, Error, Result};
use crate::options::ConnectPlan;
use crate::session::Qos;
use crate::topic::{Topic, TopicFilter};
use std::time::Duration;

pub use stats::{HostSummary, Percentiles, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    PubSub,
    Pub,
    Sub,
    Conn,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::PubSub => "pubsub",
            Mode::Pub => "pub",
            Mode::Sub => "sub",
            Mode::Conn => "conn",
        }
    }
}

/// A broker of `-h a,b,c`.
#[derive(Debug, Clone)]
pub struct Host {
    pub host: String,
    pub port: u16,
    /// `host:port`, as the per-host summary names it.
    pub label: String,
}

/// Everything a run needs, checked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mode: Mode,
    pub hosts: Vec<Host>,
    /// Connection settings shared by every client; host, port and id are set per client.
    pub base: ConnectPlan,
    pub prefix: String,
    pub publishers: u32,
    pub subscribers: u32,
    pub size: usize,
    pub qos: Qos,
    pub retain: bool,
    pub inflight: u16,
    /// Per-publisher interval (open loop), or `None`: as fast as the session takes them.
    pub interval: Option<Duration>,
    pub count: Option<u64>,
    pub duration: Option<Duration>,
    pub warmup: Duration,
    pub topic: String,
    pub filter: String,
    pub shared: bool,
    /// Pause between connect starts (for this process's share of the clients).
    pub connect_every: Option<Duration>,
    /// `--connect-rate` as given (all workers together).
    pub connect_rate: Option<f64>,
    /// Open loop: messages per second, all publishers together.
    pub rate: Option<f64>,
    /// `conn`: the clients this process connects (all of them, or a worker's share), 0-based.
    pub range: std::ops::Range<u32>,
    /// `--source`: local addresses to connect from.
    pub sources: Vec<std::net::IpAddr>,
    /// `conn --churn`: reconnects per second.
    pub churn: Option<f64>,
    /// `--workers`, when given.
    pub workers: Option<u32>,
    /// This process is worker K of N.
    pub worker: Option<(u32, u32)>,
    pub run_id: u32,
    pub json: bool,
    pub quiet: bool,
}

impl Plan {
    /// How long a --duration run may go on after its window, for acknowledgements and the
    /// messages on their way: a tenth of the window, 1 to 5 s (a -L run waits for them all).
    pub fn tail(&self) -> Duration {
        match self.duration {
            Some(d) => (d / 10).clamp(Duration::from_secs(1), Duration::from_secs(5)),
            None => Duration::from_secs(30),
        }
    }

    /// Connections held without a `Session` (`session::hold`): plain TCP only.
    pub fn lean(&self) -> bool {
        self.mode == Mode::Conn
            && self.base.tls.is_none()
            && self.base.ws_path.is_none()
            && self.base.proxy.is_none()
    }

    /// The client of `role` number `i` (0-based): host round-robin, id from the prefix.
    pub fn client(&self, role: &str, i: u32) -> (usize, ConnectPlan) {
        let h = i as usize % self.hosts.len();
        let mut p = self.base.clone();
        p.host = self.hosts[h].host.clone();
        p.port = self.hosts[h].port;
        p.client_id = format!("{}-{role}-{}", self.prefix, i + 1);
        (h, p)
    }
}

pub async fn run(args: BenchArgs) -> Result<()> {
    let (mode, opts) = match args.mode {
        None => (Mode::PubSub, args.opts),
        Some(BenchMode::Pub(o)) => (Mode::Pub, o),
        Some(BenchMode::Sub(o)) => (Mode::Sub, o),
        Some(BenchMode::Conn(o)) => (Mode::Conn, o),
        Some(BenchMode::Merge(m)) => return merge(m),
    };
    let mut opts = opts;
    // A broker inside mq, alive until mq exits; see `cmd/serve.rs`.
    let _embedded = match opts.embedded {
        true => Some(crate::cmd::serve::point_at_embedded(&mut opts.conn.0)?),
        false => None,
    };
    let conn = &opts.conn.0;
    if conn.unix.is_some() {
        return Err(Error::usage(
            "mq bench connects over TCP, TLS or websockets, not --unix",
        ));
    }
    if conn.id.is_some() || conn.id_prefix.is_some() {
        return Err(Error::usage("mq bench names its clients itself").hint(
            "give a client id prefix with --prefix (ids are PREFIX-pub-N, PREFIX-sub-N, ...)",
        ));
    }
    let (base, _) = crate::options::plan(conn)?;
    if conn.print_config {
        return crate::cmd::config::print(conn, &base);
    }
    let plan = plan(mode, &opts, base)?;
    let workers = match plan.workers {
        _ if plan.worker.is_some() => None,
        Some(n) if n > 1 && opts.embedded => {
            return Err(Error::usage(
                "--workers needs a broker outside mq (-h), not --embedded",
            ))
        }
        Some(n) if n > 1 => Some(n),
        _ => None,
    };
    let workers = match workers {
        Some(n) => Some(n),
        None => ensure_fd_limit(&plan, opts.embedded || plan.worker.is_some())?,
    };
    let (summary, interrupted) = match workers {
        Some(n) => workers::run(&plan, n).await?,
        None => run::run(&plan).await?,
    };
    report::print_summary(&summary, plan.json)?;
    if interrupted {
        return Err(Error::new(Code::Interrupted, "interrupted"));
    }
    Ok(())
}

fn merge(args: MergeArgs) -> Result<()> {
    let mut parts = Vec::new();
    for f in &args.files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| Error::runtime(format!("reading {}: {e}", f.display())))?;
        let s: Summary = serde_json::from_str(&text).map_err(|e| {
            Error::usage(format!(
                "{} is not an mq bench --json result: {e}",
                f.display()
            ))
        })?;
        parts.push(s);
    }
    let merged = stats::merge(&parts)?;
    report::print_summary(&merged, args.json)
}

/// Check the flags and build the plan.
pub fn plan(mode: Mode, o: &BenchOpts, base: ConnectPlan) -> Result<Plan> {
    let hosts = parse_hosts(&base.host, base.port)?;
    if o.size < payload::HEADER && mode != Mode::Conn {
        return Err(Error::usage(format!(
            "-s {} is too small: a bench message carries a {}-byte header",
            o.size,
            payload::HEADER
        ))
        .hint(format!("use -s {} or more", payload::HEADER)));
    }
    if o.size > 256 * 1024 * 1024 {
        return Err(Error::usage("-s is over MQTT's 256 MiB message limit"));
    }
    let (topic, filter) = topics(&o.topic)?;
    let filter = if o.shared {
        format!("$share/mq-bench/{filter}")
    } else {
        filter
    };
    let interval = match (o.interval, o.rate) {
        (Some(d), _) if d.is_zero() => None,
        (Some(d), _) => Some(d),
        (None, Some(r)) => Some(
            Duration::try_from_secs_f64(f64::from(o.publishers) / r)
                .map_err(|_| Error::usage(format!("--rate {r:e} is too low")))?,
        ),
        (None, None) => None,
    };
    let duration = match (o.duration, o.count, mode) {
        (Some(d), _, _) => Some(d),
        (None, None, Mode::Conn) => Some(Duration::ZERO),
        (None, None, _) => Some(Duration::from_secs(10)),
        (None, Some(_), _) => None,
    };
    let conn_only = |flag: &str| {
        Error::usage(format!("{flag} is for `mq bench conn`"))
            .hint(format!("mq bench conn {flag} ..."))
    };
    if mode != Mode::Conn {
        for (given, flag) in [
            (o.source.is_some(), "--source"),
            (o.churn.is_some(), "--churn"),
            (o.workers.is_some(), "--workers"),
        ] {
            if given {
                return Err(conn_only(flag));
            }
        }
    }
    if mode == Mode::Conn && (base.tls.is_some() || base.ws_path.is_some() || base.proxy.is_some())
    {
        for (given, flag) in [
            (o.source.is_some(), "--source"),
            (o.churn.is_some(), "--churn"),
        ] {
            if given {
                return Err(Error::usage(format!(
                    "{flag} works on plain TCP connections, not TLS, websockets or --proxy"
                )));
            }
        }
    }
    // A worker connects its share of the clients, at its share of the rate.
    let (k, n) = o.worker.unwrap_or((0, 1));
    let total = o.publishers;
    let share = |k: u32| (u64::from(total) * u64::from(k) / u64::from(n)) as u32;
    let range = share(k)..share(k + 1);
    let connect_every = match (o.connect_interval, o.connect_rate) {
        (Some(d), _) if !d.is_zero() => Some(d.saturating_mul(n)),
        (None, Some(r)) => Some(
            Duration::try_from_secs_f64(f64::from(n) / r)
                .map_err(|_| Error::usage(format!("--connect-rate {r:e} is too low")))?,
        ),
        _ => None,
    };
    // Without --source, held connections come from -A's address, as a session's do.
    let sources = match &o.source {
        Some(s) => s.0.clone(),
        None => base.bind.into_iter().collect(),
    };
    if let Some(a) = sources.iter().find(|a| a.is_ipv6() != sources[0].is_ipv6()) {
        return Err(Error::usage(format!(
            "--source mixes IPv4 and IPv6 ({a}): a broker address is one or the other"
        )));
    }
    let prefix = o
        .prefix
        .clone()
        .unwrap_or_else(|| format!("mq-bench-{}", std::process::id()));
    Ok(Plan {
        mode,
        hosts,
        base,
        prefix,
        publishers: o.publishers,
        subscribers: o.subscribers,
        size: o.size,
        qos: o.qos,
        retain: o.retain,
        inflight: o.inflight,
        interval,
        count: o.count,
        duration,
        warmup: o.warmup,
        topic,
        filter,
        shared: o.shared,
        connect_every,
        connect_rate: o.connect_rate.map(|r| r / f64::from(n)),
        rate: interval.map(|d| f64::from(o.publishers) / d.as_secs_f64()),
        range,
        sources,
        churn: o.churn,
        workers: o.workers,
        worker: o.worker,
        run_id: payload::run_id(),
        json: o.json,
        quiet: o.conn.0.quiet,
    })
}

/// `a,b:1884,[::1]:1885` with `default_port` where none is given.
fn parse_hosts(list: &str, default_port: u16) -> Result<Vec<Host>> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim) {
        let bad = || Error::usage(format!("invalid host '{item}' in -h '{list}'"));
        let (host, port) = if let Some(v6) = item.strip_prefix('[') {
            let (h, rest) = v6.split_once(']').ok_or_else(bad)?;
            match rest.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None if rest.is_empty() => (h, None),
                None => return Err(bad()),
            }
        } else if item.matches(':').count() == 1 {
            let (h, p) = item.split_once(':').ok_or_else(bad)?;
            (h, Some(p))
        } else {
            (item, None)
        };
        if host.is_empty() {
            return Err(bad().hint("give hosts as -h a,b or -h a:1883,b:1884"));
        }
        let port = match port {
            Some(p) => crate::options::parse_port(p)
                .map_err(|e| Error::usage(format!("invalid host '{item}': {}", e.message)))?,
            None => default_port,
        };
        let label = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        out.push(Host {
            host: host.to_string(),
            port,
            label,
        });
    }
    Ok(out)
}

/// The template checked as a topic (with numbers in place of %i and %s), and the filter the
/// subscribers use: every level holding a placeholder becomes `+`.
fn topics(template: &str) -> Result<(String, String)> {
    let sample = template.replace("%i", "1").replace("%s", "0");
    Topic::parse(&sample).map_err(|e| Error::usage(format!("invalid topic template (-t): {e}")))?;
    let filter = template
        .split('/')
        .map(|l| {
            if l.contains("%i") || l.contains("%s") {
                "+"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    TopicFilter::parse(&filter)
        .map_err(|e| Error::usage(format!("invalid topic template (-t): {e}")))?;
    Ok((template.to_string(), filter))
}

/// Thousands of connections need as many file descriptors: raise the soft limit up to the hard
/// one (and say so); past the hard one, `conn` runs worker processes (the number returned, and
/// said), and the other modes say clearly that the limit is too low (rather than failing
/// connects one by one). `single`: this process must do it alone (a worker, `--embedded`).
fn ensure_fd_limit(plan: &Plan, single: bool) -> Result<Option<u32>> {
    let clients = match plan.mode {
        Mode::PubSub => u64::from(plan.publishers) + u64::from(plan.subscribers),
        Mode::Pub => u64::from(plan.publishers),
        Mode::Conn => u64::from(plan.range.end - plan.range.start),
        Mode::Sub => u64::from(plan.subscribers),
    };
    // stdio, the runtime's own descriptors, DNS lookups: a margin.
    let needed = clients + FD_MARGIN;
    let (soft, hard) = fd_limits();
    if soft >= needed {
        return Ok(None);
    }
    let say = |line: String| {
        if !plan.quiet {
            crate::output::note(&line);
        }
    };
    if hard >= needed {
        let raised = libc::rlimit {
            rlim_cur: hard,
            rlim_max: hard,
        };
        // SAFETY: `raised` is a valid rlimit within the hard limit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            say(format!(
                "mq bench: raised the open-file limit from {soft} to {hard} (the hard limit) for {clients} connections"
            ));
            return Ok(None);
        }
    }
    // Each worker needs its margin too; below a few dozen clients per worker, something is
    // wrong with the limit rather than too small for the run.
    let per_worker = hard.saturating_sub(2 * FD_MARGIN);
    if plan.mode != Mode::Conn || single || per_worker < 2 * FD_MARGIN {
        return Err(fd_error(clients, hard));
    }
    let n = clients.div_ceil(per_worker);
    let n = match u32::try_from(n) {
        Ok(n) if n <= 256 => n,
        _ => return Err(fd_error(clients, hard)),
    };
    say(format!(
        "mq bench: {clients} connections need more file descriptors than one process may open (hard limit {hard}): running {n} worker processes (--workers {n})"
    ));
    Ok(Some(n))
}

/// Descriptors beyond one per connection: stdio, the runtime's own, DNS lookups.
const FD_MARGIN: u64 = 32;

/// The process's (soft, hard) limits on open files.
pub fn fd_limits() -> (u64, u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return (u64::MAX, u64::MAX);
    }
    (lim.rlim_cur, lim.rlim_max)
}

pub fn fd_error(clients: u64, limit: u64) -> Error {
    Error::runtime(format!(
        "{clients} connections need about {} file descriptors, over this process's limit of {limit}",
        clients + 32
    ))
    .hint(format!(
        "raise the limit: ulimit -n {} (LimitNOFILE= for a systemd service), or run fewer clients per process",
        (clients + 32).next_power_of_two()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_take_ports_and_ipv6() {
        let h = parse_hosts("a, b:1884,[::1]:1885,[::2]", 1883).unwrap();
        let labels: Vec<_> = h.iter().map(|h| h.label.as_str()).collect();
        assert_eq!(labels, ["a:1883", "b:1884", "[::1]:1885", "[::2]:1883"]);
        assert_eq!(h[2].host, "::1");
        for bad in ["", "a,,b", "a:x", "a:0", "[::1", ":5"] {
            assert!(parse_hosts(bad, 1883).is_err(), "{bad}");
        }
    }

    #[test]
    fn topic_templates_give_a_filter() {
        assert_eq!(topics("mq-bench/%i").unwrap().1, "mq-bench/+");
        assert_eq!(topics("a/c%i/x/%s").unwrap().1, "a/+/x/+");
        assert_eq!(topics("fixed").unwrap().1, "fixed");
        assert!(topics("a/#/%i").is_err());
        assert!(topics("a/+").is_err());
    }
}
