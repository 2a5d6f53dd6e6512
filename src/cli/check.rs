//! `mq check` flags: what to probe and what to assert.

use super::ConnectArgs;
use crate::options::{parse_byte_size, parse_duration};
use clap::Args;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub conn: ConnectArgs,

    /// Topics used by the check live under this prefix [default: mq-check/<random>]
    #[arg(long, allow_hyphen_values = true, help_heading = "Check")]
    pub topic_prefix: Option<String>,

    /// Also probe capabilities: wildcards, shared subscriptions, maximum payload, will, $SYS
    #[arg(long, help_heading = "Check")]
    pub probe: bool,

    /// Largest payload the --probe size search tries: bytes, or with a unit (64KiB, 16MiB)
    #[arg(long, value_parser = parse_byte_size, default_value = "16MiB", help_heading = "Check")]
    pub max_payload: u64,

    /// How long to wait for each acknowledgement or message
    #[arg(long, value_parser = parse_duration, default_value = "5s", help_heading = "Check")]
    pub timeout: Duration,

    /// Print one JSON object instead of the report
    #[arg(long, help_heading = "Check")]
    pub json: bool,

    /// Check a broker started inside mq on a free loopback port (instead of -h/-p/-L)
    #[arg(long, help_heading = "Check")]
    pub embedded: bool,

    /// Fail (exit 6) if a round trip takes longer than this
    #[arg(long, value_parser = parse_duration, help_heading = "Assertions")]
    pub max_latency: Option<Duration>,

    /// Fail (exit 6) if the broker does not accept MQTT 5
    #[arg(long, help_heading = "Assertions")]
    pub require_v5: bool,

    /// Fail (exit 6) unless the connection uses TLS
    #[arg(long, help_heading = "Assertions")]
    pub require_tls: bool,

    /// Fail (exit 6) if the broker's certificate expires in fewer days than this
    #[arg(long, value_name = "DAYS", help_heading = "Assertions")]
    pub min_cert_days: Option<u32>,

    /// Retry the whole check until it passes or this long has passed (a broker still starting):
    /// exit 0 at the first pass, else the code of the last failure
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "interval", help_heading = "Check")]
    pub wait: Option<Duration>,

    /// Repeat the check at this interval, one line per run, until Ctrl-C (then a summary)
    #[arg(long, value_parser = parse_duration, help_heading = "Watch")]
    pub interval: Option<Duration>,

    /// With --interval: stop after this many runs
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), help_heading = "Watch")]
    pub runs: Option<u64>,
}
