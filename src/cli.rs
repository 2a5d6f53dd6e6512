//! Command-line definitions and help text. No logic: values are checked by the parsers in
//! `options.rs`, and everything is turned into a plan there.
//!
//! Flags follow mosquitto_pub / mosquitto_sub: `-h` is the host (help is `--help` only), `-V` the
//! protocol version (version is `--version` only), values may start with `-`, and a repeated
//! scalar option keeps its last value.

use crate::options::{parse_duration, parse_port, parse_qos, parse_session_expiry, ProtocolArg};
use clap::{ArgAction, Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

pub mod bench;
pub use bench::{BenchArgs, BenchMode, BenchOpts, MergeArgs};

#[derive(Parser, Debug)]
#[command(
    name = "mq",
    version,
    about = "MQTT from the shell: publish, subscribe, benchmark, capture and diagnose",
    long_about = "MQTT from the shell. Flags follow mosquitto_pub and mosquitto_sub, so old \
scripts keep working; mq adds clear errors, exit codes you can rely on, and never exits 0 after \
losing a message.",
    after_help = "Examples:\n  mq sub -h broker.local -t 'sensor/#' -v\n  mq pub -h broker.local -t camera/capture -m capture_image\n  mq pub -t logs/app -q 1 -l < app.log",
    disable_help_flag = true,
    disable_version_flag = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,
    /// Print version
    #[arg(long, action = ArgAction::Version)]
    pub version: Option<bool>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Publish messages (like mosquitto_pub)
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        after_help = "Examples:\n  mq pub -t sensors/temp -m 21.5\n  mq pub -t config/led -m on -r -q 1\n  mq pub -t logs/app -q 1 -l < app.log\n  mq pub -t images/cam1 -f frame.jpg"
    )]
    Pub(PubArgs),
    /// Subscribe and print messages (like mosquitto_sub)
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        after_help = "Examples:\n  mq sub -t 'sensor/#' -v\n  mq sub -t alarms/door -C 1 -W 30s\n  mq sub -t 'config/#' --retained-only --remove-retained -W 1\n  mq sub -c -i logger -q 1 -t 'events/#'"
    )]
    Sub(SubArgs),
    /// Load test: publishers and subscribers, end-to-end latency percentiles, loss, JSON results
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        long_about = "Load test a broker. By default one process runs the publishers and the \
subscribers, so it measures end-to-end latency (from the intended send time: open-loop pacing \
shows coordinated omission) and counts lost, duplicated and reordered messages. `pub`, `sub` and \
`conn` run one side only; `merge` combines --json results of several machines.\n\nFlags follow \
emqtt-bench: -c clients, -I message interval, -i connect interval, -R connect rate, -F in flight, \
-L message limit, -s size. \
So the shared connection flags -c (clean session), -i (client id), -I (id prefix) and -L (URL) \
are not available here: client ids are named with --prefix.",
        after_help = "Examples:\n  mq bench -c 4 -L 4000\n  mq bench -c 10 --rate 5000 --duration 30s -q 1\n  mq bench -h 10.0.0.1,10.0.0.2 -c 100 --subscribers 10 --shared --json > run.json\n  mq bench merge a.json b.json"
    )]
    Bench(Box<BenchArgs>),
}

/// How to reach the broker and who we are: shared by every subcommand.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Connection")]
pub struct ConnectArgs {
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// Broker host name or IP address
    #[arg(
        short = 'h',
        long,
        env = "MQ_HOST",
        default_value = "localhost",
        allow_hyphen_values = true
    )]
    pub host: String,

    /// Broker port [default: 1883]
    #[arg(short = 'p', long, env = "MQ_PORT", value_parser = parse_port, allow_hyphen_values = true)]
    pub port: Option<u16>,

    /// Broker URL: mqtt://[user[:password]@]host[:port][/topic]
    #[arg(short = 'L', long, allow_hyphen_values = true)]
    pub url: Option<String>,

    /// Client id [default: assigned by the broker]
    #[arg(
        short = 'i',
        long,
        conflicts_with = "id_prefix",
        allow_hyphen_values = true
    )]
    pub id: Option<String>,

    /// Client id prefix; the process id is appended
    #[arg(short = 'I', long, allow_hyphen_values = true)]
    pub id_prefix: Option<String>,

    /// Keepalive interval: seconds or a duration like 30s
    #[arg(short = 'k', long, value_parser = parse_duration, default_value = "60", allow_hyphen_values = true)]
    pub keepalive: Duration,

    /// MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]
    #[arg(short = 'V', long, value_enum, allow_hyphen_values = true)]
    pub protocol_version: Option<ProtocolArg>,

    /// Keep the session when disconnecting (persistent session; needs -i)
    #[arg(short = 'c', long)]
    pub disable_clean_session: bool,

    /// MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry
    #[arg(short = 'x', long, value_parser = parse_session_expiry, allow_hyphen_values = true)]
    pub session_expiry: Option<u32>,

    /// User name
    #[arg(short = 'u', long, env = "MQ_USERNAME", allow_hyphen_values = true)]
    pub username: Option<String>,

    /// Password (prefer MQ_PASSWORD: a command line is visible to other users)
    #[arg(
        short = 'P',
        long,
        visible_alias = "pw",
        env = "MQ_PASSWORD",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub password: Option<String>,

    /// Topic of the last will, published by the broker if mq dies without disconnecting
    #[arg(long, allow_hyphen_values = true)]
    pub will_topic: Option<String>,

    /// Payload of the last will
    #[arg(long, requires = "will_topic", allow_hyphen_values = true)]
    pub will_payload: Option<String>,

    /// QoS of the last will
    #[arg(long, value_parser = parse_qos, default_value = "0", allow_hyphen_values = true)]
    pub will_qos: u8,

    /// Retain the last will
    #[arg(long, requires = "will_topic")]
    pub will_retain: bool,

    /// Give up connecting after this long
    #[arg(long, value_parser = parse_duration, default_value = "10s", allow_hyphen_values = true)]
    pub connect_timeout: Duration,

    /// Log MQTT packets on stderr (passwords are never shown)
    #[arg(short = 'd', long)]
    pub debug: bool,

    /// Do not print runtime errors (the exit code still tells)
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct PubArgs {
    #[command(flatten)]
    pub conn: ConnectArgs,

    /// Topic to publish to
    #[arg(
        short = 't',
        long,
        allow_hyphen_values = true,
        help_heading = "Publish"
    )]
    pub topic: Option<String>,

    /// Message payload
    #[arg(
        short = 'm',
        long,
        group = "payload",
        allow_hyphen_values = true,
        help_heading = "Publish"
    )]
    pub message: Option<String>,

    /// Send a file as the payload
    #[arg(
        short = 'f',
        long,
        group = "payload",
        allow_hyphen_values = true,
        help_heading = "Publish"
    )]
    pub file: Option<PathBuf>,

    /// Send all of stdin as one message
    #[arg(short = 's', long, group = "payload", help_heading = "Publish")]
    pub stdin_file: bool,

    /// Send one message per line of stdin, on one connection
    #[arg(short = 'l', long, group = "payload", help_heading = "Publish")]
    pub stdin_line: bool,

    /// Send an empty message
    #[arg(short = 'n', long, group = "payload", help_heading = "Publish")]
    pub null_message: bool,

    /// Quality of service: 0, 1 or 2
    #[arg(short = 'q', long, value_parser = parse_qos, default_value = "0", allow_hyphen_values = true, help_heading = "Publish")]
    pub qos: u8,

    /// Ask the broker to retain the message
    #[arg(short = 'r', long, help_heading = "Publish")]
    pub retain: bool,

    /// Publish the message this many times
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), default_value = "1", help_heading = "Publish")]
    pub repeat: u64,

    /// Wait this long between repeated messages: seconds or a duration
    #[arg(long, value_parser = parse_duration, default_value = "0", help_heading = "Publish")]
    pub repeat_delay: Duration,

    /// Fail if QoS 1/2 acknowledgements have not all arrived this long after the last publish
    #[arg(long, value_parser = parse_duration, default_value = "30s", help_heading = "Publish")]
    pub ack_timeout: Duration,
}

#[derive(Args, Debug)]
pub struct SubArgs {
    #[command(flatten)]
    pub conn: ConnectArgs,

    /// Topic filter to subscribe to (repeatable; + and # wildcards)
    #[arg(short = 't', long, action = ArgAction::Append, allow_hyphen_values = true, help_heading = "Subscribe")]
    pub topic: Vec<String>,

    /// Quality of service for the subscriptions: 0, 1 or 2
    #[arg(short = 'q', long, value_parser = parse_qos, default_value = "0", allow_hyphen_values = true, help_heading = "Subscribe")]
    pub qos: u8,

    /// Do not print messages whose topic matches this filter (repeatable)
    #[arg(short = 'T', long, action = ArgAction::Append, allow_hyphen_values = true, help_heading = "Subscribe")]
    pub filter_out: Vec<String>,

    /// Unsubscribe from this filter after subscribing (repeatable; cleans persistent sessions)
    #[arg(short = 'U', long, action = ArgAction::Append, allow_hyphen_values = true, help_heading = "Subscribe")]
    pub unsubscribe: Vec<String>,

    /// Exit after this many messages
    #[arg(short = 'C', long = "count", value_parser = clap::value_parser!(u64).range(1..), allow_hyphen_values = true, help_heading = "Subscribe")]
    pub count: Option<u64>,

    /// Exit with code 27 if the wanted messages have not arrived after this long
    #[arg(short = 'W', long = "timeout", value_parser = parse_duration, allow_hyphen_values = true, help_heading = "Subscribe")]
    pub timeout: Option<Duration>,

    /// Skip retained messages
    #[arg(short = 'R', long = "no-retained", help_heading = "Subscribe")]
    pub no_retained: bool,

    /// Print only retained messages; exit at the first live one
    #[arg(long, conflicts_with = "no_retained", help_heading = "Subscribe")]
    pub retained_only: bool,

    /// Clear each retained message received (publishes an empty retained message to its topic)
    #[arg(long, help_heading = "Subscribe")]
    pub remove_retained: bool,

    /// Exit as soon as the subscriptions are acknowledged
    #[arg(short = 'E', long = "exit-after-subscribe", help_heading = "Subscribe")]
    pub exit_after_subscribe: bool,

    /// Print the topic before each payload
    #[arg(short = 'v', long, help_heading = "Output")]
    pub verbose: bool,

    /// Do not print a newline after each message
    #[arg(short = 'N', long = "no-eol", help_heading = "Output")]
    pub no_eol: bool,
}
