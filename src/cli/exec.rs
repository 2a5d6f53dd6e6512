//! `mq sub --exec` flags: a command run for each message.

use crate::options::parse_duration;
use clap::Args;
use std::time::Duration;

/// What a failing `--exec` command does to `mq sub`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecFail {
    /// Report it on stderr and go on; the run exits 1 at its end if any failed
    Warn,
    /// End mq sub with the command's exit code (its message stays unacknowledged)
    Exit,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Run a command per message")]
pub struct ExecArgs {
    /// Run this shell command (sh -c) for each message: the payload on its stdin, the topic,
    /// QoS, retain flag and MQTT 5 properties in MQ_* variables; its stdout goes to mq's stdout
    #[arg(
        long,
        value_name = "CMD",
        allow_hyphen_values = true,
        conflicts_with_all = ["save_dir", "count_only", "json", "format_template", "verbose", "output", "payload_format", "exit_after_subscribe", "random_filter", "retained_only", "remove_retained"]
    )]
    pub exec: Option<String>,

    /// --exec: commands running at once; as many messages more wait, then mq stops reading
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..), default_value = "1", requires = "exec")]
    pub concurrency: u16,

    /// --exec: kill a command (and its process group) still running after this long
    #[arg(long = "exec-timeout", value_name = "DURATION", value_parser = parse_duration, default_value = "60s", requires = "exec")]
    pub exec_timeout: Duration,

    /// --exec: publish the command's stdout to the message's response topic, with its
    /// correlation data (MQTT 5 request/response), instead of printing it
    #[arg(long, requires = "exec")]
    pub reply: bool,

    /// --exec: what a failing command does: warn (go on, exit 1 at the end) or exit (with its code)
    #[arg(
        long,
        value_enum,
        value_name = "WHAT",
        default_value = "warn",
        requires = "exec"
    )]
    pub exec_fail: ExecFail,
}
