//! `mq rr` flags: mosquitto_rr's spellings (`-t`, `-e`, `-m`/`-f`/`-s`/`-n`, `-W`, `-F`, `-v`).

use super::ConnectArgs;
use crate::options::{parse_qos, parse_wait};
use crate::session::Qos;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct RrArgs {
    /// Topic to publish the request to
    #[arg(
        short = 't',
        long,
        allow_hyphen_values = true,
        help_heading = "Request"
    )]
    pub topic: Option<String>,

    /// Topic the response is expected on (sent as the request's response topic)
    #[arg(
        short = 'e',
        long = "response-topic",
        allow_hyphen_values = true,
        help_heading = "Request"
    )]
    pub response_topic: String,

    /// Request payload
    #[arg(
        short = 'm',
        long,
        group = "payload",
        allow_hyphen_values = true,
        help_heading = "Request"
    )]
    pub message: Option<String>,

    /// Send this file as the request payload
    #[arg(
        short = 'f',
        long,
        group = "payload",
        allow_hyphen_values = true,
        help_heading = "Request"
    )]
    pub file: Option<PathBuf>,

    /// Send all of stdin as the request payload
    #[arg(short = 's', long, group = "payload", help_heading = "Request")]
    pub stdin_file: bool,

    /// Send an empty request
    #[arg(short = 'n', long, group = "payload", help_heading = "Request")]
    pub null_message: bool,

    /// Quality of service of the request and of the response subscription: 0, 1 or 2
    #[arg(short = 'q', long, value_parser = parse_qos, default_value = "0", allow_hyphen_values = true, help_heading = "Request")]
    pub qos: Qos,

    /// Correlation data of the request [default: 16 random bytes]; hex:0a1b and base64:Chs=
    /// give binary data, anything else is sent as its UTF-8 bytes
    #[arg(
        long,
        value_name = "DATA",
        allow_hyphen_values = true,
        help_heading = "Request"
    )]
    pub correlation_data: Option<String>,

    /// Exit with code 27 if no response arrived after this long (mosquitto_rr waits forever)
    #[arg(short = 'W', long = "timeout", value_parser = parse_wait, default_value = "30s", allow_hyphen_values = true, help_heading = "Request")]
    pub timeout: Duration,

    /// Print the topic before the response's payload
    #[arg(short = 'v', long, help_heading = "Output")]
    pub verbose: bool,

    /// Do not print a newline after the response
    #[arg(short = 'N', long = "no-eol", help_heading = "Output")]
    pub no_eol: bool,

    /// Print the response with this template, as mq sub -F (see mq sub --help)
    #[arg(
        short = 'F',
        value_name = "FORMAT",
        allow_hyphen_values = true,
        help_heading = "Output"
    )]
    pub format_template: Option<String>,

    /// Print the response as one JSON object (mq sub --json's record)
    #[arg(long, conflicts_with = "format_template", help_heading = "Output")]
    pub json: bool,

    /// Indent JSON: --json records, -F %j/%J
    #[arg(long, help_heading = "Output")]
    pub pretty: bool,

    // Last, so that --help shows the command's own flags first.
    /// --where/--grep select the response among the messages that carry its correlation data;
    /// --assert checks it (exit 6)
    #[command(flatten)]
    pub conditions: super::ConditionArgs,

    #[command(flatten)]
    pub conn: ConnectArgs,
}
