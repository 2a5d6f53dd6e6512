//! `mq bench` flags and help text. No logic: `cmd::bench` checks values and builds the run.
//!
//! Flag resolution: `mq bench` speaks emqtt-bench's vocabulary where users know it (`-c`
//! clients, `-I` message interval, `-i` connect interval, `-L` message limit, `-s` size). It
//! takes the shared connection flags (`ConnectArgs`: host, port, TLS, websockets, credentials,
//! profiles, `--print-config`) through `BenchConnect`, which gives up the short flags that
//! collide: the URL is `--url`, clean session `--disable-clean-session`, session expiry
//! `--session-expiry`. Client ids are named with `--prefix`.

use super::ConnectArgs;
use crate::options::{parse_duration, parse_qos};
use crate::session::Qos;
use clap::{ArgAction, Args, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub mode: Option<BenchMode>,
    #[command(flatten)]
    pub opts: BenchOpts,
}

#[derive(Subcommand, Debug)]
pub enum BenchMode {
    /// Publishers only (pair with `mq bench sub` elsewhere)
    #[command(
        disable_help_flag = true,
        args_override_self = true,
        after_help = "Examples:\n  mq bench pub -c 10 -I 100ms -t 'bench/%i' --duration 1m\n  mq bench pub -c 4 --rate 20000 -L 200000 -q 1"
    )]
    Pub(BenchOpts),
    /// Subscribers only: latency and loss of what `mq bench pub` sends
    #[command(
        disable_help_flag = true,
        args_override_self = true,
        after_help = "Examples:\n  mq bench sub -t 'bench/%i' --duration 1m --json > sub.json\n  mq bench sub --subscribers 4 --shared -t 'bench/%i' -L 200000"
    )]
    Sub(BenchOpts),
    /// Connections only: connect -c clients, time each CONNECT, hold them for --duration
    #[command(
        disable_help_flag = true,
        args_override_self = true,
        after_help = "Examples:\n  mq bench conn -c 5000 --connect-rate 500 --duration 1m\n  mq bench conn -c 30000 --workers 2 -h a,b --duration 20s --json\n  mq bench conn -c 1000 --source 127.0.0.0/30 --churn 50 --duration 1m"
    )]
    Conn(BenchOpts),
    /// Merge `--json` results of several runs (machines) into one summary
    #[command(
        disable_help_flag = true,
        after_help = "Examples:\n  mq bench merge a.json b.json\n  mq bench merge --json host*.json > all.json"
    )]
    Merge(MergeArgs),
}

/// Options of a bench run.
#[derive(Args, Debug, Clone)]
pub struct BenchOpts {
    #[command(flatten)]
    pub conn: BenchConnect,

    /// Client id prefix (ids are PREFIX-pub-N, PREFIX-sub-N, PREFIX-conn-N) [default: mq-bench-PID]
    #[arg(long, allow_hyphen_values = true, help_heading = "Connection")]
    pub prefix: Option<String>,

    /// Wait this long between connects (emqtt-bench's -i)
    #[arg(short = 'i', long, value_parser = parse_duration, conflicts_with = "connect_rate", help_heading = "Connection")]
    pub connect_interval: Option<Duration>,

    /// Connects per second, instead of -i (emqtt-bench's -R); open loop: connect latency counts
    /// from each connect's scheduled start
    #[arg(short = 'R', long, value_parser = parse_rate, help_heading = "Connection")]
    pub connect_rate: Option<f64>,

    /// `conn`: local addresses to connect from, round-robin: a list (127.0.0.1,127.0.0.2) or a
    /// CIDR block (127.0.0.0/30); each gives one more ephemeral port range per broker
    #[arg(long, value_parser = parse_sources, help_heading = "Connection")]
    pub source: Option<Sources>,

    /// `conn`: disconnect and reconnect this many held clients per second, timing the reconnects
    #[arg(long, value_parser = parse_rate, help_heading = "Connection")]
    pub churn: Option<f64>,

    /// `conn`: run the clients in N worker processes of mq (past one process's file descriptor
    /// limit) and merge their results [default: as many as the limit needs]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256), help_heading = "Connection")]
    pub workers: Option<u32>,

    /// This process is worker K of N (0-based) of a --workers run: its share of the clients
    #[arg(long, value_parser = parse_worker, hide = true)]
    pub worker: Option<(u32, u32)>,

    /// Benchmark a broker started inside mq on a free loopback port (instead of -h/-p)
    #[arg(long, help_heading = "Connection")]
    pub embedded: bool,

    /// Publishers (the clients to connect in `conn` mode)
    #[arg(short = 'c', long, visible_alias = "clients", default_value = "1", value_parser = clap::value_parser!(u32).range(1..), help_heading = "Load")]
    pub publishers: u32,

    /// Subscribers (each gets every message, or one share with --shared)
    #[arg(long, default_value = "1", value_parser = clap::value_parser!(u32).range(1..), help_heading = "Load")]
    pub subscribers: u32,

    /// Message size in bytes (at least 32: publisher id, sequence and timestamp, then padding)
    #[arg(short = 's', long, default_value = "256", help_heading = "Load")]
    pub size: usize,

    /// Quality of service: 0, 1 or 2
    #[arg(short = 'q', long, value_parser = parse_qos, default_value = "0", help_heading = "Load")]
    pub qos: Qos,

    /// Interval between messages of each publisher (open loop) [default: as fast as acked]
    #[arg(short = 'I', long, value_parser = parse_duration, conflicts_with = "rate", help_heading = "Load")]
    pub interval: Option<Duration>,

    /// Messages per second, all publishers together (open loop, instead of -I)
    #[arg(long, value_parser = parse_rate, help_heading = "Load")]
    pub rate: Option<f64>,

    /// Messages to send in total (`sub`: to receive), shared between publishers
    #[arg(short = 'L', long, value_parser = clap::value_parser!(u64).range(1..), help_heading = "Load")]
    pub count: Option<u64>,

    /// Stop after this long [default: 10s unless -L is given; `conn`: 0, disconnect at once]
    #[arg(long, value_parser = parse_duration, help_heading = "Load")]
    pub duration: Option<Duration>,

    /// Leave messages sent in this first period out of the latency figures
    #[arg(long, value_parser = parse_duration, default_value = "0", help_heading = "Load")]
    pub warmup: Duration,

    /// Topic template: %i is the publisher number, %s the sequence; subscribers use + there
    #[arg(
        short = 't',
        long,
        default_value = "mq-bench/%i",
        allow_hyphen_values = true,
        help_heading = "Load"
    )]
    pub topic: String,

    /// Subscribers share one subscription ($share/mq-bench/...): each message goes to one
    #[arg(long, help_heading = "Load")]
    pub shared: bool,

    /// Publish with the retain flag
    #[arg(short = 'r', long, help_heading = "Load")]
    pub retain: bool,

    /// QoS 1/2 messages in flight per publisher (MQTT 5: the broker's receive maximum caps it;
    /// 3.1.1: above the broker's limit, mosquitto closes QoS 2 connections)
    #[arg(short = 'F', long, default_value = "20", value_parser = clap::value_parser!(u16).range(1..), help_heading = "Load")]
    pub inflight: u16,

    /// Print the summary as one JSON object (histograms included, for `mq bench merge`)
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}

/// The shared connection flags, less the short flags emqtt-bench gives other meanings here
/// (`-L` message count, `-c` clients, `-i` connect interval, `-I` message interval) and less
/// the client id flags (each client is named from `--prefix`).
#[derive(Debug, Clone)]
pub struct BenchConnect(pub ConnectArgs);

impl Args for BenchConnect {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        ConnectArgs::augment_args(cmd)
            .mut_arg("host", |a| {
                a.help("Broker host, or a comma-separated list (host or host:port) to spread clients round-robin")
            })
            .mut_arg("port", |a| a.help("Broker port for hosts given without one [default: 1883, 8883 with TLS]"))
            .mut_arg("url", |a| a.short(None))
            .mut_arg("disable_clean_session", |a| a.short(None))
            .mut_arg("session_expiry", |a| a.short(None))
            .mut_arg("id", |a| a.short(None).hide(true))
            .mut_arg("id_prefix", |a| a.short(None).hide(true))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl clap::FromArgMatches for BenchConnect {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        ConnectArgs::from_arg_matches(m).map(BenchConnect)
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(m)
    }
}

impl BenchArgs {
    /// `--quiet` of whichever mode runs (merge has none).
    pub fn quiet(&self) -> bool {
        match &self.mode {
            None => self.opts.conn.0.quiet,
            Some(BenchMode::Pub(o) | BenchMode::Sub(o) | BenchMode::Conn(o)) => o.conn.0.quiet,
            Some(BenchMode::Merge(_)) => false,
        }
    }
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// Result files written by `mq bench --json`
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    /// Print the merged summary as JSON
    #[arg(long)]
    pub json: bool,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!(
            "'{s}' is not a rate: give a number above 0 (per second)"
        )),
    }
}

/// Local addresses of `--source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources(pub Vec<std::net::IpAddr>);

/// Addresses given one by one are taken as they are; a CIDR block gives its host addresses
/// (127.0.0.0/30: 127.0.0.1 and 127.0.0.2; /31 and /32 all of theirs).
fn parse_sources(s: &str) -> Result<Sources, String> {
    /// More source addresses than any machine needs: a /8 would be 16 million.
    const MAX: usize = 4096;
    let mut out = Vec::new();
    for item in s.split(',').map(str::trim) {
        if let Ok(ip) = item.parse::<std::net::IpAddr>() {
            out.push(ip);
        } else if let Ok(net) = item.parse::<ipnet::IpNet>() {
            out.extend(net.hosts().take(MAX + 1));
        } else {
            return Err(format!(
                "'{item}' is not an IP address or a CIDR block (like 127.0.0.0/30)"
            ));
        }
        if out.len() > MAX {
            return Err(format!("more than {MAX} source addresses"));
        }
    }
    Ok(Sources(out))
}

fn parse_worker(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("'{s}' is not K/N");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_lists_or_blocks() {
        let ips = |s: &str| -> Vec<String> {
            parse_sources(s)
                .unwrap()
                .0
                .iter()
                .map(|a| a.to_string())
                .collect()
        };
        assert_eq!(ips("127.0.0.0/30"), ["127.0.0.1", "127.0.0.2"]);
        assert_eq!(ips("10.0.0.7/32"), ["10.0.0.7"]);
        assert_eq!(ips("127.0.0.1, 127.0.0.3"), ["127.0.0.1", "127.0.0.3"]);
        assert_eq!(ips("::1"), ["::1"]);
        for bad in ["", "a", "127.0.0.1/33", "10.0.0.0/8"] {
            assert!(parse_sources(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_worker_is_k_of_n() {
        assert_eq!(parse_worker("1/3"), Ok((1, 3)));
        for bad in ["3/3", "1", "a/2", "1/0"] {
            assert!(parse_worker(bad).is_err(), "{bad}");
        }
    }
}
