//! `mq pub --ndjson` flags: publish recorded messages (mq sub --json lines).

use clap::Args;
use std::path::PathBuf;

/// When `--ndjson` records are sent.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// As fast as the broker takes them
    Asap,
    /// With the gaps between the records' receive times (divided by --speed)
    Recorded,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Replay")]
pub struct ReplayArgs {
    /// Publish each record of this NDJSON file (mq sub --json lines; - reads stdin) to its
    /// own topic, with its payload, QoS, retain flag and MQTT 5 properties, on one connection
    #[arg(
        long,
        value_name = "FILE",
        group = "payload",
        conflicts_with_all = ["topic", "repeat", "repeat_delay"],
        allow_hyphen_values = true
    )]
    pub ndjson: Option<PathBuf>,

    /// --ndjson: send at once (asap) or keep the recorded gaps (recorded)
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value = "asap",
        requires = "ndjson"
    )]
    pub timing: Timing,

    /// --ndjson --timing recorded: play this many times faster (0.5 is half speed)
    #[arg(long, value_name = "FACTOR", value_parser = parse_speed, default_value = "1", requires = "ndjson")]
    pub speed: f64,

    /// --ndjson: put this before every record's topic (replay/ sends a/b to replay/a/b)
    #[arg(
        long,
        value_name = "PREFIX",
        allow_hyphen_values = true,
        requires = "ndjson"
    )]
    pub topic_prefix: Option<String>,

    /// --ndjson: skip bad lines (counted on stderr) instead of refusing the input
    #[arg(long, requires = "ndjson")]
    pub skip_bad: bool,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 => Ok(f),
        _ => Err(format!(
            "'{s}' is not a speed factor above 0 (like 4 or 0.5)"
        )),
    }
}
