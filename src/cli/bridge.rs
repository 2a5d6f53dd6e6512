//! `mq bridge` flags: the two sides (`--from-*`, `--to-*`, one definition for both), the topic
//! lines, and the status options. No logic: `cmd::bridge` turns each side into the shared
//! connection flags and checks the topic lines.

use crate::options::{parse_duration, parse_qos, parse_session_expiry, ProtocolArg};
use crate::session::Qos;
use clap::{ArgAction, Args};
use std::path::PathBuf;
use std::time::Duration;

/// The connection flags of one side, written once: `--from`, `--from-id`, ... and `--to`,
/// `--to-id`, ... are the same flags with another prefix.
macro_rules! side {
    ($name:ident, $p:literal, $heading:literal, $who:literal) => {
        #[derive(Args, Debug, Clone, Default)]
        #[command(next_help_heading = $heading)]
        pub struct $name {
            #[arg(long = $p, id = concat!($p, "_url"), value_name = "URL", allow_hyphen_values = true,
                  help = concat!("The ", $who, " broker's URL: mqtt[s]://[user[:password]@]host[:port], or ws[s]://host[:port]/path [default: mqtt://localhost]"))]
            pub url: Option<String>,

            #[arg(long = concat!($p, "-profile"), id = concat!($p, "_profile"), value_name = "NAME",
                  help = concat!("Take the ", $who, " broker's unset settings from this profile in ~/.config/mq/config.toml"))]
            pub profile: Option<String>,

            #[arg(long = concat!($p, "-id"), id = concat!($p, "_id"), value_name = "ID", allow_hyphen_values = true,
                  help = concat!("Client id base on the ", $who, " broker: its connections are ID-out and ID-in [default: --name]"))]
            pub id: Option<String>,

            #[arg(long = concat!($p, "-username"), id = concat!($p, "_username"), value_name = "USER", allow_hyphen_values = true,
                  help = concat!("User name on the ", $who, " broker (also user@ in the URL)"))]
            pub username: Option<String>,

            #[arg(long = concat!($p, "-password-file"), id = concat!($p, "_password_file"), value_name = "FILE",
                  help = concat!("Password on the ", $who, " broker: the first line of FILE"))]
            pub password_file: Option<PathBuf>,

            #[arg(long = concat!($p, "-cafile"), id = concat!($p, "_cafile"), value_name = "FILE",
                  help = concat!("Trust the CAs in this PEM file for the ", $who, " broker (turns TLS on)"))]
            pub cafile: Option<PathBuf>,

            #[arg(long = concat!($p, "-tls"), id = concat!($p, "_tls"),
                  help = concat!("TLS to the ", $who, " broker, trusting the system's CA store"))]
            pub tls: bool,

            #[arg(long = concat!($p, "-cert"), id = concat!($p, "_cert"), value_name = "FILE",
                  help = concat!("Client certificate (PEM) for the ", $who, " broker; needs the key"))]
            pub cert: Option<PathBuf>,

            #[arg(long = concat!($p, "-key"), id = concat!($p, "_key"), value_name = "FILE",
                  help = concat!("Private key (PEM) of the ", $who, " client certificate"))]
            pub key: Option<PathBuf>,

            #[arg(long = concat!($p, "-insecure"), id = concat!($p, "_insecure"),
                  help = concat!("Do not check the ", $who, " broker's certificate (testing only)"))]
            pub insecure: bool,

            #[arg(long = concat!($p, "-protocol-version"), id = concat!($p, "_protocol_version"), value_enum, value_name = "VERSION",
                  help = concat!("MQTT version to the ", $who, " broker: 5 or 311 [default: 5, else 3.1.1]"))]
            pub protocol_version: Option<ProtocolArg>,
        }

        impl $name {
            /// The flags, whichever side they were given for.
            pub fn side(&self) -> Side {
                Side {
                    url: self.url.clone(),
                    profile: self.profile.clone(),
                    id: self.id.clone(),
                    username: self.username.clone(),
                    password_file: self.password_file.clone(),
                    cafile: self.cafile.clone(),
                    tls: self.tls,
                    cert: self.cert.clone(),
                    key: self.key.clone(),
                    insecure: self.insecure,
                    protocol_version: self.protocol_version,
                }
            }
        }
    };
}

/// The connection flags of one side (`--from-*` or `--to-*`), without their prefix.
#[derive(Debug, Clone, Default)]
pub struct Side {
    pub url: Option<String>,
    pub profile: Option<String>,
    pub id: Option<String>,
    pub username: Option<String>,
    pub password_file: Option<PathBuf>,
    pub cafile: Option<PathBuf>,
    pub tls: bool,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub insecure: bool,
    pub protocol_version: Option<ProtocolArg>,
}

side!(FromSide, "from", "The --from broker", "--from");
side!(ToSide, "to", "The --to broker", "--to");

/// Default direction of topic lines that name none.
#[derive(Args, Debug, Clone, Copy, Default)]
#[group(multiple = false)]
pub struct DirectionFlags {
    /// Topic lines without a direction forward from --from to --to (the default)
    #[arg(long = "out", help_heading = "Topics")]
    pub out: bool,
    /// Topic lines without a direction forward from --to to --from
    #[arg(long = "in", help_heading = "Topics")]
    pub inward: bool,
    /// Topic lines without a direction forward both ways (never back: see the README)
    #[arg(long = "both", help_heading = "Topics")]
    pub both: bool,
}

#[derive(Args, Debug)]
pub struct BridgeArgs {
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// Print version
    #[arg(long, action = ArgAction::Version)]
    pub version: Option<bool>,

    #[command(flatten)]
    pub from: FromSide,

    #[command(flatten)]
    pub to: ToSide,

    /// What to forward, as mosquitto's `topic` line: 'PATTERN [out|in|both [QOS [FROM-PREFIX
    /// TO-PREFIX]]]' ("" for an empty prefix); repeatable
    #[arg(short = 't', long = "topic", value_name = "LINE", required = true, action = ArgAction::Append, allow_hyphen_values = true, help_heading = "Topics")]
    pub topics: Vec<String>,

    #[command(flatten)]
    pub direction: DirectionFlags,

    /// QoS of topic lines that name none (the subscription's QoS; a message keeps its own, up to it)
    #[arg(short = 'q', long, value_parser = parse_qos, default_value = "1", allow_hyphen_values = true, help_heading = "Topics")]
    pub qos: Qos,

    /// Forward every message with the retain flag off (retained messages are then not kept
    /// at the destination)
    #[arg(long, help_heading = "Topics")]
    pub no_retain: bool,

    /// Name of this bridge: the base of its client ids, and its mark on messages it forwarded
    /// [default: mq-bridge-HASH of the brokers and topic lines]
    #[arg(long, allow_hyphen_values = true, help_heading = "Sessions")]
    pub name: Option<String>,

    /// How long the brokers keep the bridge's sessions while it is away (MQTT 5): seconds, a
    /// duration, or never
    #[arg(short = 'x', long, value_parser = parse_session_expiry, default_value = "never", allow_hyphen_values = true, help_heading = "Sessions")]
    pub session_expiry: u32,

    /// Messages forwarded but not yet acknowledged by the destination, per direction: past
    /// it the bridge stops reading the source
    #[arg(long, default_value = "1000", value_parser = clap::value_parser!(u16).range(1..), help_heading = "Sessions")]
    pub window: u16,

    /// Keepalive interval: seconds or a duration like 30s
    #[arg(short = 'k', long, value_parser = parse_duration, default_value = "60", allow_hyphen_values = true, help_heading = "Sessions")]
    pub keepalive: Duration,

    /// Give up the first connect to either broker after this long
    #[arg(long, value_parser = parse_duration, default_value = "10s", allow_hyphen_values = true, help_heading = "Sessions")]
    pub connect_timeout: Duration,

    /// Print forwarded/s, in flight, duplicates and lag per direction this often
    #[arg(long, value_name = "INTERVAL", value_parser = parse_duration, help_heading = "Status")]
    pub stats: Option<Duration>,

    /// Print the --stats and connection lines as JSON objects on stdout
    #[arg(long, help_heading = "Status")]
    pub json: bool,

    /// Keep a retained {"status":"online"|"offline"} on this topic of the destination broker
    /// (offline also by will when the bridge dies)
    #[arg(long, allow_hyphen_values = true, help_heading = "Status")]
    pub status_topic: Option<String>,

    /// Print the effective settings of each connection (passwords masked) and exit
    #[arg(long, help_heading = "Status")]
    pub print_config: bool,

    /// Log MQTT packets on stderr (passwords are never shown)
    #[arg(short = 'd', long, help_heading = "Status")]
    pub debug: bool,

    /// Do not print reconnects and runtime errors (the exit code still tells)
    #[arg(long, help_heading = "Status")]
    pub quiet: bool,
}
