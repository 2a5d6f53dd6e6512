//! `mq bench`: load generation with end-to-end latency, loss accounting and mergeable results.
//!
//! `mod.rs` turns the flags into a `Plan` and dispatches; `run.rs` drives the clients (it is the
//! only part that touches sessions); `stats.rs` holds the measurements and the JSON `Summary`;
//! `report.rs` renders the live view and the final summary. Many clients share the process's
//! multi-thread runtime: one task per client plus its session driver.

mod clients;
mod collect;
mod pace;
mod payload;
mod report;
mod run;
mod stats;

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
    /// Pause between connect starts.
    pub connect_every: Option<Duration>,
    pub run_id: u32,
    pub json: bool,
    pub quiet: bool,
}

impl Plan {
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
    ensure_fd_limit(&plan)?;
    let (summary, interrupted) = run::run(&plan).await?;
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
    let connect_every = match (o.connect_interval, o.connect_rate) {
        (Some(d), _) if !d.is_zero() => Some(d),
        (None, Some(r)) => Some(
            Duration::try_from_secs_f64(1.0 / r)
                .map_err(|_| Error::usage(format!("--connect-rate {r:e} is too low")))?,
        ),
        _ => None,
    };
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
/// one, and say clearly when even that is not enough (rather than failing connects one by one).
fn ensure_fd_limit(plan: &Plan) -> Result<()> {
    let clients = match plan.mode {
        Mode::PubSub => u64::from(plan.publishers) + u64::from(plan.subscribers),
        Mode::Pub | Mode::Conn => u64::from(plan.publishers),
        Mode::Sub => u64::from(plan.subscribers),
    };
    // stdio, the runtime's own descriptors, DNS lookups: a margin.
    let needed = clients + 32;
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Ok(());
    }
    if lim.rlim_cur >= needed {
        return Ok(());
    }
    if lim.rlim_max >= needed {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit within the hard limit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            return Ok(());
        }
    }
    Err(fd_error(clients, lim.rlim_max))
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
