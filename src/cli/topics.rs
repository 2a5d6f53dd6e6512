//! `mq topics` flags: what to listen to, for how long, how to show it, and retained hygiene.

use super::ConnectArgs;
use crate::options::{parse_qos, parse_wait};
use crate::session::Qos;
use clap::{ArgAction, Args, ValueEnum};
use std::time::Duration;

#[derive(Args, Debug)]
pub struct TopicsArgs {
    /// Topic filter to listen to (repeatable; + and # wildcards) [default: #]
    #[arg(short = 't', long, action = ArgAction::Append, allow_hyphen_values = true, help_heading = "Topics")]
    pub topic: Vec<String>,

    /// Leave out topics that match this filter (repeatable)
    #[arg(short = 'T', long, action = ArgAction::Append, allow_hyphen_values = true, help_heading = "Topics")]
    pub filter_out: Vec<String>,

    /// Listen this long [default: 5s]; with --retained-only, --clear-retained or --watch, an
    /// upper bound (they end by themselves, or at Ctrl-C)
    #[arg(short = 'W', long = "timeout", value_name = "DURATION", value_parser = parse_wait, allow_hyphen_values = true, help_heading = "Topics")]
    pub timeout: Option<Duration>,

    /// Subscription QoS: messages arrive at most at this QoS, so the QOS column (shown when
    /// above 0) tells what publishers used only up to it
    #[arg(short = 'q', long, value_parser = parse_qos, default_value = "0", allow_hyphen_values = true, help_heading = "Topics")]
    pub qos: Qos,

    /// Only retained topics: a snapshot of the broker's retained store under the filters,
    /// ending once no retained message arrived for 1s
    #[arg(long, help_heading = "Topics")]
    pub retained_only: bool,

    /// Remember at most this many topics; messages on further topics are not counted
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), default_value = "1000000", help_heading = "Topics")]
    pub max_topics: u64,

    /// One row per topic instead of a tree of topic levels
    #[arg(long, help_heading = "Output")]
    pub flat: bool,

    /// Row order: topic name; rate, count or bytes (highest first); age (most recent first)
    /// [default: topic; rate with --watch]
    #[arg(long, value_enum, value_name = "KEY", help_heading = "Output")]
    pub sort: Option<SortKey>,

    /// Print one JSON document: the filters, the window and one object per topic
    #[arg(long, conflicts_with = "ndjson", help_heading = "Output")]
    pub json: bool,

    /// Print one JSON object per topic, one per line
    #[arg(long, help_heading = "Output")]
    pub ndjson: bool,

    /// On a terminal, redraw the table every second (sorted by rate) until Ctrl-C, which
    /// prints the final table
    #[arg(long, conflicts_with_all = ["json", "ndjson", "retained_only", "clear_retained"], help_heading = "Output")]
    pub watch: bool,

    /// Clear every retained message under the filters (an empty retained message to each
    /// topic), then subscribe again to verify that none is left
    #[arg(long, help_heading = "Retained")]
    pub clear_retained: bool,

    /// With --clear-retained: list what would be cleared and change nothing
    #[arg(long, requires = "clear_retained", help_heading = "Retained")]
    pub dry_run: bool,

    /// With --clear-retained: do not ask for confirmation (needed when stdin is not a terminal)
    #[arg(
        short = 'y',
        long,
        requires = "clear_retained",
        help_heading = "Retained"
    )]
    pub yes: bool,

    // Last, so that --help shows the command's own flags first.
    #[command(flatten)]
    pub conn: ConnectArgs,
}

/// `--sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortKey {
    Topic,
    Rate,
    Count,
    Bytes,
    Age,
}
