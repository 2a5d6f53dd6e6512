//! `mq pub` and `mq sub` flags, with mosquitto_pub's and mosquitto_sub's spellings.

use super::ConnectArgs;
use crate::options::{parse_byte_size, parse_duration, parse_qos, parse_wait};
use crate::output::{ColorChoice, PayloadFormat, Zone};
use crate::properties::{parse_user_property, PayloadFormat as PayloadFormatIndicator};
use crate::session::Qos;
use clap::{ArgAction, Args};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct PubArgs {
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

    /// Send a file: one message if it fits in a chunk, else a chunked transfer (which only
    /// mq sub --save-dir, or a reader of docs/transfer.md, puts back together); - reads stdin
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

    /// Quality of service: 0, 1 or 2 [default: 0; 1 for chunked transfers]
    #[arg(short = 'q', long, value_parser = parse_qos, allow_hyphen_values = true, help_heading = "Publish")]
    pub qos: Option<Qos>,

    /// Ask the broker to retain the message
    #[arg(short = 'r', long, help_heading = "Publish")]
    pub retain: bool,

    /// Publish the message this many times
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), default_value = "1", help_heading = "Publish")]
    pub repeat: u64,

    /// Wait this long between repeated messages: seconds or a duration
    #[arg(long, value_parser = parse_duration, default_value = "0", allow_hyphen_values = true, help_heading = "Publish")]
    pub repeat_delay: Duration,

    /// Fail if QoS 1/2 acknowledgements have not all arrived this long after the last publish
    #[arg(long, value_parser = parse_duration, default_value = "30s", help_heading = "Publish")]
    pub ack_timeout: Duration,

    /// QoS 1/2 messages in flight at once [default: 1000 on MQTT 5 (the broker's receive
    /// maximum caps it), 20 on 3.1.1]
    #[arg(short = 'M', long = "max-inflight", value_parser = clap::value_parser!(u16).range(1..), help_heading = "Publish")]
    pub max_inflight: Option<u16>,

    /// -f: data bytes per chunk, like 256KiB or 1MiB [default: 256KiB, less if the broker's maximum packet size needs]
    #[arg(long, value_name = "SIZE", value_parser = parse_chunk_size, help_heading = "File transfer")]
    pub chunk_size: Option<u64>,

    /// -f: send as a chunked transfer even if the file fits in one message
    #[arg(long, help_heading = "File transfer")]
    pub chunked: bool,

    /// With -l: start a broker inside mq on a free loopback port and publish to it; prints how
    /// to subscribe from another shell (instead of -h/-p/-L)
    #[arg(long, help_heading = "Connection")]
    pub embedded: bool,

    #[command(flatten)]
    pub replay: super::ReplayArgs,

    #[command(flatten)]
    pub v5: PubV5Args,

    // Last, so that --help shows the command's own flags first.
    #[command(flatten)]
    pub conn: ConnectArgs,
}

#[derive(Args, Debug)]
pub struct SubArgs {
    /// Topic filter to subscribe to (repeatable; + and # wildcards)
    #[arg(short = 't', long, action = ArgAction::Append, allow_hyphen_values = true, help_heading = "Subscribe")]
    pub topic: Vec<String>,

    /// Quality of service for the subscriptions: 0, 1 or 2
    #[arg(short = 'q', long, value_parser = parse_qos, default_value = "0", allow_hyphen_values = true, help_heading = "Subscribe")]
    pub qos: Qos,

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
    #[arg(short = 'W', long = "timeout", value_parser = parse_wait, allow_hyphen_values = true, help_heading = "Subscribe")]
    pub timeout: Option<Duration>,

    /// Skip retained messages
    #[arg(short = 'R', long = "no-retained", help_heading = "Subscribe")]
    pub no_retained: bool,

    /// Print only this share of the messages, picked at random: 0.1 to 100 (percent); hidden
    /// ones still count for -C, as with mosquitto_sub
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent, help_heading = "Subscribe")]
    pub random_filter: Option<f64>,

    /// QoS 1/2 messages in flight at once (the clears of --remove-retained), as mosquitto_sub -M
    #[arg(short = 'M', long = "max-inflight", value_parser = clap::value_parser!(u16).range(1..), help_heading = "Subscribe")]
    pub max_inflight: Option<u16>,

    /// Print only retained messages; exit at the first live one
    #[arg(long, conflicts_with = "no_retained", help_heading = "Subscribe")]
    pub retained_only: bool,

    /// Clear each retained message received (publishes an empty retained message to its topic)
    #[arg(long, help_heading = "Subscribe")]
    pub remove_retained: bool,

    /// Exit as soon as the subscriptions are acknowledged
    #[arg(short = 'E', long = "exit-after-subscribe", help_heading = "Subscribe")]
    pub exit_after_subscribe: bool,

    /// Create (or touch) FILE once the broker acknowledged every subscription: a script can
    /// wait for it before publishing (a leftover FILE is removed before connecting)
    #[arg(long, value_name = "FILE", help_heading = "Subscribe")]
    pub ready_file: Option<PathBuf>,

    #[command(flatten)]
    pub conditions: super::ConditionArgs,

    /// Print the topic before each payload
    #[arg(short = 'v', long, help_heading = "Output")]
    pub verbose: bool,

    /// Do not print a newline after each message
    #[arg(short = 'N', long = "no-eol", help_heading = "Output")]
    pub no_eol: bool,

    /// Print each message with this template, as mosquitto_sub -F: '%t %p', '@H:@M:@S %t %x', '%j'
    #[arg(
        short = 'F',
        value_name = "FORMAT",
        allow_hyphen_values = true,
        help_heading = "Output",
        long_help = FORMAT_HELP
    )]
    pub format_template: Option<String>,

    /// Print one JSON object per line (NDJSON): time, topic, qos, retain, payload, properties
    #[arg(long, conflicts_with = "format_template", help_heading = "Output")]
    pub json: bool,

    /// Indent JSON: --json records, -F %j/%J, and JSON payloads in the default and -v output
    #[arg(long, help_heading = "Output")]
    pub pretty: bool,

    /// Payload display in the default and -v output [default: raw, but hex for binary on a terminal]
    #[arg(
        long = "format",
        value_enum,
        value_name = "FORMAT",
        conflicts_with_all = ["format_template", "json"],
        help_heading = "Output"
    )]
    pub payload_format: Option<PayloadFormat>,

    /// Colour the -v output: auto = when stdout is a terminal (CLICOLOR_FORCE=1 forces it, NO_COLOR turns it off)
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value = "auto",
        help_heading = "Output"
    )]
    pub color: ColorChoice,

    /// Prefix each line with its receive time (RFC 3339, ms); --timestamp=utc for UTC
    #[arg(
        long,
        value_enum,
        value_name = "ZONE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "local",
        help_heading = "Output"
    )]
    pub timestamp: Option<Zone>,

    /// Also append every payload, byte-exact with nothing in between, to FILE
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// Print how many messages arrived each second instead of the messages
    #[arg(
        long,
        visible_alias = "message-rate",
        conflicts_with_all = ["format_template", "json"],
        help_heading = "Output"
    )]
    pub count_only: bool,

    /// Save each file (chunked transfer) and each other message as a file in DIR; print its path
    #[arg(long, value_name = "DIR", help_heading = "Save files")]
    pub save_dir: Option<PathBuf>,

    /// --save-dir: replace an existing file of the same name (default: add a number, photo.1.jpg)
    #[arg(long, requires = "save_dir", help_heading = "Save files")]
    pub overwrite: bool,

    /// --save-dir: give up on a transfer when no chunk arrived for this long
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60s", help_heading = "Save files")]
    pub transfer_timeout: Duration,

    /// --save-dir: refuse files announced larger than this
    #[arg(long, value_name = "SIZE", value_parser = parse_max_size, default_value = "4GiB", help_heading = "Save files")]
    pub max_size: u64,

    #[command(flatten)]
    pub exec: super::ExecArgs,

    #[command(flatten)]
    pub v5: SubV5Args,

    /// Start a broker inside mq on a free loopback port and subscribe to it; prints how to
    /// publish to it from another shell (instead of -h/-p/-L)
    #[arg(long, help_heading = "Connection")]
    pub embedded: bool,

    // Last, so that --help shows the command's own flags first.
    #[command(flatten)]
    pub conn: ConnectArgs,
}

/// MQTT 5 properties of `mq pub` (any of them makes the connection MQTT 5).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "MQTT 5 properties")]
pub struct PubV5Args {
    /// Add a user property to the message: KEY=VALUE (repeatable)
    #[arg(long, value_parser = parse_user_property, value_name = "KEY=VALUE", action = ArgAction::Append)]
    pub user_property: Vec<(String, String)>,

    /// Content type of the payload, e.g. application/json
    #[arg(long, value_name = "TYPE")]
    pub content_type: Option<String>,

    /// The broker discards the message if undelivered after this long: seconds or a duration
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub message_expiry: Option<Duration>,

    /// Topic the receiver should answer on (request/response)
    #[arg(long, value_name = "TOPIC")]
    pub response_topic: Option<String>,

    /// Correlation data for request/response, sent as these bytes
    #[arg(long, value_name = "DATA")]
    pub correlation_data: Option<String>,

    /// Declare the payload format: utf8 (checked before sending) or bytes
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub payload_format: Option<PayloadFormatIndicator>,

    /// Send the topic of every -l line in full (by default, on MQTT 5, a -l stream sends it
    /// once per connection and then a topic alias, when the broker allows aliases)
    #[arg(long)]
    pub no_topic_alias: bool,

    /// mosquitto's spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE
    /// (COMMAND: connect, will, publish or disconnect; repeatable; values may start with -)
    #[arg(short = 'D', long = "property", num_args = 3..=4, value_names = ["COMMAND", "PROPERTY", "VALUE"], action = ArgAction::Append, allow_hyphen_values = true, value_terminator = super::property::END)]
    pub property: Vec<String>,
}

/// MQTT 5 subscription options and properties of `mq sub`.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "MQTT 5 properties")]
pub struct SubV5Args {
    /// Add a user property to the SUBSCRIBE: KEY=VALUE (repeatable)
    #[arg(long, value_parser = parse_user_property, value_name = "KEY=VALUE", action = ArgAction::Append)]
    pub user_property: Vec<(String, String)>,

    /// Do not receive the messages this client publishes itself
    #[arg(long)]
    pub no_local: bool,

    /// Keep the retain flag of messages as published (instead of clearing it on live ones)
    #[arg(long)]
    pub retain_as_published: bool,

    /// Retained messages: 0 send on subscribe, 1 only for a new subscription, 2 never
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=2), value_name = "0|1|2")]
    pub retain_handling: Option<u8>,

    /// Subscription identifier (1-268435455), returned with each matching message
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=268_435_455), value_name = "ID")]
    pub subscription_id: Option<u32>,

    /// mosquitto's spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE
    /// (COMMAND: connect, will, subscribe, unsubscribe or disconnect; repeatable; values may
    /// start with -)
    #[arg(short = 'D', long = "property", num_args = 3..=4, value_names = ["COMMAND", "PROPERTY", "VALUE"], action = ArgAction::Append, allow_hyphen_values = true, value_terminator = super::property::END)]
    pub property: Vec<String>,
}

/// `mq sub --help` text of `-F`.
const FORMAT_HELP: &str = r"Print each message with this template (mosquitto_sub's -F; overrides -v).
  %t topic   %p payload   %x/%X payload in hex   %l payload length   %m message id
  %q QoS   %r retained (0/1)   %I ISO 8601 time   %U Unix time with nanoseconds
  %j JSON object (payload as a string)   %J JSON object (payload embedded as JSON)
  MQTT 5: %A topic alias  %C content type  %D correlation data  %E message expiry
          %F payload format indicator  %P user properties  %R response topic
          %S subscription identifier
  %[-][0][width][.precision]: '-' aligns left, '0' pads with zeros, precision cuts text.
  @X: strftime field X of the local receive time (@Y-@m-@d @H:@M:@S), @N nanoseconds, @@ an @.
  Escapes: \\ \0 \a \e \n \r \t \v.  %% is a %.
Example: -F '@H:@M:@S %-20t %5l %p'";

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.1..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("'{s}' is not a percentage from 0.1 to 100")),
    }
}

pub(super) fn parse_chunk_size(s: &str) -> Result<u64, String> {
    match parse_byte_size(s)? {
        0 => Err("the chunk size must be at least 1 byte".into()),
        n if n > 256 << 20 => Err("the chunk size must be at most 256MiB".into()),
        n => Ok(n),
    }
}

fn parse_max_size(s: &str) -> Result<u64, String> {
    parse_byte_size(s)
}
