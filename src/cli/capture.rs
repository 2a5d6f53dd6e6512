//! `mq capture` flags: the agent (trigger, source, output topic) and the request side.

use super::pubsub::parse_chunk_size;
use super::ConnectArgs;
use crate::options::{parse_duration, parse_qos, parse_wait};
use crate::session::Qos;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// What to do with a trigger that arrives while a capture runs.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnBusy {
    Queue,
    Drop,
}

#[derive(Args, Debug)]
pub struct CaptureArgs {
    #[command(flatten)]
    pub conn: ConnectArgs,

    /// Trigger topic filter (agent; + and # allowed), or the topic to publish the trigger to (--request)
    #[arg(long, allow_hyphen_values = true, help_heading = "Capture")]
    pub trigger: String,

    /// Capture only for a trigger with exactly this payload [default: any payload]; --request sends it
    #[arg(long = "match", allow_hyphen_values = true, help_heading = "Capture")]
    pub match_payload: Option<String>,

    /// Capture only for a JSON trigger whose value at this JSON pointer equals VALUE: /cmd=capture
    #[arg(
        long,
        value_name = "POINTER=VALUE",
        allow_hyphen_values = true,
        help_heading = "Capture"
    )]
    pub match_json: Option<String>,

    /// Capture only for a trigger for which this jq expression outputs true, as mq sub --where:
    /// '.cmd == "capture" and .quality > 50' ($topic, $qos, $retained, $props as there)
    #[arg(
        long = "where",
        value_name = "EXPR",
        allow_hyphen_values = true,
        conflicts_with = "request",
        help_heading = "Capture"
    )]
    pub match_where: Option<String>,

    /// Topic for the captures; {1}, {2}... stand for levels of the trigger's topic
    #[arg(long, allow_hyphen_values = true, help_heading = "Capture")]
    pub topic: String,

    /// Source: a shell command whose stdout is the capture; the trigger's payload is on its
    /// stdin and in $MQ_TRIGGER_PAYLOAD_FILE (env MQ_TRIGGER_TOPIC, MQ_TRIGGER_PAYLOAD)
    #[arg(
        long,
        group = "source",
        allow_hyphen_values = true,
        help_heading = "Capture"
    )]
    pub exec: Option<String>,

    /// Source: publish this file (written by another camera tool)
    #[arg(
        long,
        group = "source",
        allow_hyphen_values = true,
        help_heading = "Capture"
    )]
    pub file: Option<PathBuf>,

    /// Kill a capture command still running after this long
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30s", help_heading = "Capture")]
    pub timeout: Duration,

    /// Captures running at once, at most
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..), default_value = "1", help_heading = "Capture")]
    pub concurrency: u16,

    /// A trigger that arrives while --concurrency captures run: queue it (up to 100) or drop it (counted)
    #[arg(long, value_enum, default_value = "queue", help_heading = "Capture")]
    pub on_busy: OnBusy,

    /// Retained online/offline status topic [default: <topic>/status]
    #[arg(long, allow_hyphen_values = true, help_heading = "Capture")]
    pub status_topic: Option<String>,

    /// Quality of service of captures, events and status
    #[arg(short = 'q', long, value_parser = parse_qos, default_value = "1", allow_hyphen_values = true, help_heading = "Capture")]
    pub qos: Qos,

    /// Data bytes per chunk of a chunked capture (as mq pub --chunk-size)
    #[arg(long, value_name = "SIZE", value_parser = parse_chunk_size, help_heading = "Capture")]
    pub chunk_size: Option<u64>,

    /// Request side: publish the trigger, wait for the capture, save it to -o
    #[arg(long, requires = "output", help_heading = "Request")]
    pub request: bool,

    /// --request: where to save the capture (replaced atomically)
    #[arg(short = 'o', long, help_heading = "Request")]
    pub output: Option<PathBuf>,

    /// --request: exit 27 if the capture has not arrived after this long
    #[arg(short = 'W', long = "wait", value_name = "DURATION", value_parser = parse_wait, default_value = "30s", help_heading = "Request")]
    pub wait: Duration,
}
