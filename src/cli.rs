//! Command-line definitions and help text. No logic: values are checked by the parsers in
//! `options.rs`, and everything is turned into a plan there.
//!
//! Flags follow mosquitto_pub / mosquitto_sub: `-h` is the host (help is `--help` only), `-V` the
//! protocol version (version is `--version` only), values may start with `-`, and a repeated
//! scalar option keeps its last value.

use crate::options::{
    parse_byte_size, parse_duration, parse_port, parse_qos, parse_session_expiry, ProtocolArg,
};
use crate::output::{ColorChoice, PayloadFormat, Zone};
use crate::properties::{parse_user_property, PayloadFormat as PayloadFormatIndicator};
use crate::tls::TlsVersion;
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

pub mod bench;
pub mod serve;
pub use bench::{BenchArgs, BenchMode, BenchOpts, MergeArgs};
pub use serve::ServeArgs;

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

/// The flags that say where the broker is and how to reach it: `--embedded` replaces them all.
const BROKER_FLAGS: &[&str] = &[
    "host",
    "port",
    "url",
    "cafile",
    "capath",
    "tls",
    "cert",
    "key",
    "key_password_file",
    "insecure",
    "tls_version",
    "ciphers",
    "tls13_ciphers",
    "alpn",
    "tls_server_name",
    "psk",
    "psk_identity",
    "ws",
    "ws_path",
];

/// One rule clap cannot state, checked on the parsed command line: `--embedded` conflicts with
/// a broker flag typed on the command line, but not with the same setting from the environment
/// or a profile (clap's `conflicts_with` counts those too), which it overrides.
pub fn refuse_embedded_conflicts(
    command: &mut clap::Command,
    matches: &ArgMatches,
) -> Result<(), clap::Error> {
    let mut sub = matches.subcommand();
    while let Some((_, m)) = sub {
        if let Some(flag) = embedded_conflict(m) {
            return Err(command.error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "--embedded cannot be used with {flag}: the embedded broker \
                     listens on a free loopback port of its own, without TLS (hint: drop {flag} \
                     to use the embedded broker, or drop --embedded to use that broker)"
                ),
            ));
        }
        sub = m.subcommand();
    }
    Ok(())
}

/// The broker flag given on the command line together with `--embedded`, spelled as typed.
fn embedded_conflict(m: &ArgMatches) -> Option<String> {
    let ids: Vec<&str> = m.ids().map(|id| id.as_str()).collect();
    if !ids.contains(&"embedded") || !m.get_flag("embedded") {
        return None;
    }
    let id = BROKER_FLAGS
        .iter()
        .find(|id| ids.contains(id) && m.value_source(id) == Some(ValueSource::CommandLine))?;
    Some(match *id {
        "host" => "-h/--host".into(),
        "port" => "-p/--port".into(),
        "url" => "-L/--url".into(),
        other => format!("--{}", other.replace('_', "-")),
    })
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
    Pub(Deferred<PubArgs>),
    /// Subscribe and print messages (like mosquitto_sub)
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        after_help = "Examples:\n  mq sub -t 'sensor/#' -v\n  mq sub -t alarms/door -C 1 -W 30s\n  mq sub -t 'config/#' --retained-only --remove-retained -W 1\n  mq sub -c -i logger -q 1 -t 'events/#'\n\nOutput formats:\n  mq sub -t 'sensor/#' -F '@H:@M:@S %t %p'      # template, as mosquitto_sub -F\n  mq sub -t 'sensor/#' --json | jq .payload     # one JSON object per line\n  mq sub -t 'cam/#' -v --format hex              # raw|text|hex|base64|json payloads\n  mq sub -t 'sensor/#' -v --timestamp=utc --color never\n  mq sub -t 'cam/1' -C 1 --output frame.jpg       # raw payloads appended to a file\n  mq sub -t 'busy/#' --count-only               # messages per second"
    )]
    Sub(Deferred<SubArgs>),
    /// Diagnose a broker stage by stage: DNS, TCP, MQTT connect, subscribe, round trips, retained
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        long_about = "Diagnose a broker stage by stage: DNS, TCP connect, MQTT CONNECT (5 and \
3.1.1), SUBSCRIBE, publish -> receive round trips at QoS 0, 1 and 2, and a retained message read \
back on a new connection. Each stage is timed; a failure says what failed and what to try. \
Exit codes: 0 healthy, 3 unreachable, 4 connection refused, 5 subscribe/publish refused, \
6 a probe or assertion failed.",
        after_help = "Examples:\n  mq check -h broker.local\n  mq check -h broker.local -u alice --probe\n  mq check --json --max-latency 200ms --require-v5\n  mq check --interval 10s"
    )]
    Check(Deferred<CheckArgs>),
    /// Run a capture (a command's output, a file) on each trigger message and publish it; or,
    /// with --request, trigger a capture and save what comes back
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        after_help = "Examples:\n  mq capture --trigger camera/capture --match capture_image --topic camera/image --exec 'rpicam-still -o -'\n  mq capture --trigger 'cams/+/capture' --topic 'cams/{2}/image' --file /run/cam/last.jpg\n  mq capture --request --trigger camera/capture --match capture_image --topic camera/image -o photo.jpg -W 10s"
    )]
    Capture(Deferred<CaptureArgs>),
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
    Bench(Deferred<Box<BenchArgs>>),
    /// Print shell completions: bash, zsh, fish, powershell or elvish
    #[command(
        after_help = "Examples:\n  mq completions bash > ~/.local/share/bash-completion/completions/mq\n  mq completions zsh > ~/.zfunc/_mq\n  mq completions fish > ~/.config/fish/completions/mq.fish"
    )]
    Completions(CompletionsArgs),
    /// Print a man page (roff): mq's, or a subcommand's
    #[command(
        after_help = "Examples:\n  mq man | man -l -\n  mq man pub > ~/.local/share/man/man1/mq-pub.1"
    )]
    Man(ManArgs),
    /// Run an MQTT broker in this process (for demos, CI and workshops)
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        long_about = "Run an MQTT broker (rumqttd, embedded) until Ctrl-C. MQTT 3.1.1 and 5 on \
one port (and over websockets with --ws), QoS 0, 1 and 2, retained messages and wills; sessions \
live in memory only; no $SYS topics. It listens on loopback unless --public is given.",
        after_help = "Examples:\n  mq serve\n  mq serve --bind 127.0.0.1:1884 -u alice -P secret -d\n  mq serve --bind 0.0.0.0:1883 --public -u alice --password-file pw.txt\n  mq serve --ws 8080 --tls-cert cert.pem --tls-key key.pem"
    )]
    Serve(Deferred<ServeArgs>),
}

/// A subcommand's arguments, added to the parser only when that subcommand is used, once
/// `defer_subcommands` was called: `mq pub` then does not build the flags of every other command
/// at each start. Help, completions and man pages build them all.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

static DEFER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Build only the subcommand that runs (see `Deferred`) when `first_arg` names one of the
/// commands whose arguments are `Deferred`; `help`, `completions` and `man` build everything.
pub fn defer_subcommands(first_arg: Option<&std::ffi::OsStr>) {
    const DEFERRED: [&str; 6] = ["pub", "sub", "check", "capture", "bench", "serve"];
    if first_arg.is_some_and(|a| DEFERRED.iter().any(|d| a == *d)) {
        DEFER.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// `T::augment_args` on a subcommand whose description is already set: the descriptions of the
/// flattened groups must not replace it.
fn augment_later<T: Args>(cmd: clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let cmd = T::augment_args(cmd);
    let cmd = match about {
        Some(a) => cmd.about(a),
        None => cmd.about(None::<&'static str>),
    };
    match long_about {
        Some(a) => cmd.long_about(a),
        None => cmd.long_about(None::<&'static str>),
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        if DEFER.load(std::sync::atomic::Ordering::Relaxed) {
            cmd.defer(augment_later::<T>)
        } else {
            T::augment_args(cmd)
        }
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Deferred<T> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(m).map(Deferred)
    }
    fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(m).map(Deferred)
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(m)
    }
    fn update_from_arg_matches_mut(&mut self, m: &mut clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(m)
    }
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The subcommand whose page to print (pub, sub, ...); mq's own page without it
    pub subcommand: Option<String>,
}

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

    /// Topic for the captures; {1}, {2}... stand for levels of the trigger's topic
    #[arg(long, allow_hyphen_values = true, help_heading = "Capture")]
    pub topic: String,

    /// Source: a shell command whose stdout is the capture (env MQ_TRIGGER_TOPIC, MQ_TRIGGER_PAYLOAD)
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
    pub qos: u8,

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
    #[arg(short = 'W', long = "wait", value_name = "DURATION", value_parser = parse_duration, default_value = "30s", help_heading = "Request")]
    pub wait: Duration,
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

    /// Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path
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
    #[arg(short = 'k', long, env = "MQ_KEEPALIVE", value_parser = parse_duration, default_value = "60", allow_hyphen_values = true)]
    pub keepalive: Duration,

    /// MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]
    #[arg(
        short = 'V',
        long,
        env = "MQ_PROTOCOL_VERSION",
        value_enum,
        allow_hyphen_values = true
    )]
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

    /// Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command
    /// line is visible to other users
    #[arg(short = 'P', long, visible_alias = "pw", allow_hyphen_values = true)]
    pub password: Option<String>,

    /// Read the password from the first line of FILE (which others must not be able to read)
    #[arg(
        long,
        env = "MQ_PASSWORD_FILE",
        value_name = "FILE",
        conflicts_with = "password"
    )]
    pub password_file: Option<PathBuf>,

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
    #[arg(long, env = "MQ_CONNECT_TIMEOUT", value_parser = parse_duration, default_value = "10s", allow_hyphen_values = true)]
    pub connect_timeout: Duration,

    /// Take unset connection options from this profile in ~/.config/mq/config.toml
    #[arg(long, env = "MQ_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

    /// Print the effective connection settings (passwords masked) and exit
    #[arg(long)]
    pub print_config: bool,

    #[command(flatten)]
    pub tls: TlsArgs,

    /// Log MQTT packets on stderr (passwords are never shown)
    #[arg(short = 'd', long)]
    pub debug: bool,

    /// Do not print runtime errors (the exit code still tells)
    #[arg(long)]
    pub quiet: bool,
}

/// TLS and websockets: part of the connection options.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "TLS and websockets")]
pub struct TlsArgs {
    /// Trust the CAs in this PEM file (turns TLS on; default port 8883)
    #[arg(long, env = "MQ_CAFILE", value_name = "FILE")]
    pub cafile: Option<PathBuf>,

    /// Trust the PEM CA certificates in this directory (turns TLS on)
    #[arg(long, env = "MQ_CAPATH", value_name = "DIR")]
    pub capath: Option<PathBuf>,

    /// Use TLS, trusting the system's CA store (implied by mqtts://, wss:// and -p 8883)
    #[arg(long, env = "MQ_TLS", visible_alias = "tls-use-os-certs")]
    pub tls: bool,

    /// Client certificate (PEM), for brokers that require one; needs --key
    #[arg(long, env = "MQ_CERT", value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)
    #[arg(long, env = "MQ_KEY", value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a
    /// prompt when stdin is a terminal)
    #[arg(long, env = "MQ_KEY_PASSWORD_FILE", value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,

    /// Do not check the broker's certificate at all (warns on every run; for testing only)
    #[arg(long, env = "MQ_INSECURE")]
    pub insecure: bool,

    /// Speak only this TLS version: 1.2 or 1.3
    #[arg(long, env = "MQ_TLS_VERSION", value_enum, value_name = "VERSION")]
    pub tls_version: Option<TlsVersion>,

    /// TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by ':'
    /// (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones
    #[arg(long, env = "MQ_CIPHERS", value_name = "LIST")]
    pub ciphers: Option<String>,

    /// TLS 1.3 cipher suites to offer, separated by ':' (e.g. TLS_AES_256_GCM_SHA384)
    #[arg(long, env = "MQ_TLS13_CIPHERS", value_name = "LIST")]
    pub tls13_ciphers: Option<String>,

    /// Offer this ALPN protocol in the TLS handshake (repeatable)
    #[arg(long, env = "MQ_ALPN", value_delimiter = ',', visible_alias = "tls-alpn", value_name = "PROTOCOL", action = ArgAction::Append)]
    pub alpn: Vec<String>,

    /// Send NAME as SNI and check the broker's certificate against it, instead of the host
    #[arg(
        long,
        env = "MQ_TLS_SERVER_NAME",
        visible_alias = "sni",
        value_name = "NAME"
    )]
    pub tls_server_name: Option<String>,

    /// TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared
    /// keys); mq exits 2 saying so
    #[arg(long, value_name = "HEX")]
    pub psk: Option<String>,

    /// TLS-PSK identity, as mosquitto: not supported, like --psk
    #[arg(long, value_name = "IDENTITY")]
    pub psk_identity: Option<String>,

    /// Connect over websockets (implied by ws:// and wss:// URLs)
    #[arg(long, env = "MQ_WS")]
    pub ws: bool,

    /// HTTP path of the websocket endpoint [default: /mqtt]
    #[arg(long, env = "MQ_WS_PATH", value_name = "PATH")]
    pub ws_path: Option<String>,
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

    /// Send a file: one message if it fits in a chunk, else a chunked transfer; - reads stdin
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
    pub qos: Option<u8>,

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
    pub v5: PubV5Args,
}

#[derive(Args, Debug)]
pub struct SubArgs {
    #[command(flatten)]
    pub conn: ConnectArgs,

    /// Start a broker inside mq on a free loopback port and subscribe to it; prints how to
    /// publish to it from another shell (instead of -h/-p/-L)
    #[arg(long, help_heading = "Connection")]
    pub embedded: bool,

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

    /// Colour the -v output: auto = when stdout is a terminal and NO_COLOR is not set
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
    pub v5: SubV5Args,
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
    /// (COMMAND: connect, will, publish or disconnect; repeatable)
    #[arg(short = 'D', long = "property", num_args = 3..=4, value_names = ["COMMAND", "PROPERTY", "VALUE"], action = ArgAction::Append)]
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
    /// (COMMAND: connect, will, subscribe, unsubscribe or disconnect; repeatable)
    #[arg(short = 'D', long = "property", num_args = 3..=4, value_names = ["COMMAND", "PROPERTY", "VALUE"], action = ArgAction::Append)]
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

    /// Repeat the check at this interval, one line per run, until Ctrl-C (then a summary)
    #[arg(long, value_parser = parse_duration, help_heading = "Watch")]
    pub interval: Option<Duration>,

    /// With --interval: stop after this many runs
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), help_heading = "Watch")]
    pub runs: Option<u64>,
}

fn parse_chunk_size(s: &str) -> Result<u64, String> {
    match parse_byte_size(s)? {
        0 => Err("the chunk size must be at least 1 byte".into()),
        n if n > 256 << 20 => Err("the chunk size must be at most 256MiB".into()),
        n => Ok(n),
    }
}

fn parse_max_size(s: &str) -> Result<u64, String> {
    parse_byte_size(s)
}
