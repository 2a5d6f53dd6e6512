//! The connection flags every command that talks to a broker shares: where the broker is, how
//! to reach it (TLS, websockets), who we are, and the `--embedded` rule that replaces them.

use crate::options::{
    parse_bind_address, parse_duration, parse_port, parse_qos, parse_session_expiry, ProtocolArg,
};
use crate::session::Qos;
use crate::tls::TlsVersion;
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Args};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// One rule clap cannot state, checked on the parsed command line: `--embedded` conflicts with
/// a broker flag typed on the command line (`-h`, `-p`, `-L`, `--unix`, `--proxy`, `-A`, any
/// TLS or websocket flag), but not with the same setting from the environment or a profile
/// (clap's `conflicts_with` counts those too), which it overrides.
pub fn refuse_embedded_conflicts(matches: &ArgMatches) -> crate::exit::Result<()> {
    let mut sub = matches.subcommand();
    while let Some((_, m)) = sub {
        if let Some(flag) = embedded_conflict(m) {
            return Err(crate::exit::Error::usage(format!(
                "--embedded cannot be used with {flag}: the embedded broker listens on a free \
                 loopback port of its own, without TLS"
            ))
            .hint(format!(
                "drop {flag} to use the embedded broker, or drop --embedded to use that broker"
            )));
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
    // Where the broker is, and every TLS and websocket flag (read from `TlsArgs` itself, so a
    // flag added there is covered).
    let tls = TlsArgs::augment_args(clap::Command::new("tls"));
    let broker = ["host", "port", "url", "unix", "proxy", "bind_address"]
        .into_iter()
        .map(String::from)
        .chain(tls.get_arguments().map(|a| a.get_id().to_string()));
    let id = broker
        .filter(|id| ids.contains(&id.as_str()))
        .find(|id| m.value_source(id) == Some(ValueSource::CommandLine))?;
    Some(match id.as_str() {
        "host" => "-h/--host".into(),
        "port" => "-p/--port".into(),
        "url" => "-L/--url".into(),
        "bind_address" => "-A/--bind-address".into(),
        other => format!("--{}", other.replace('_', "-")),
    })
}

/// How to reach the broker and who we are: shared by every subcommand.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Connection")]
pub struct ConnectArgs {
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// Print version (the protocol version is -V)
    #[arg(long, action = ArgAction::Version)]
    pub version: Option<bool>,

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

    /// Connect through this unix domain socket instead of TCP (mosquitto's --unix)
    #[arg(long, value_name = "PATH", conflicts_with_all = ["url", "port"])]
    pub unix: Option<PathBuf>,

    /// Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy
    /// resolves the broker's name; socks5:// resolves it here) [default port: 1080]
    #[arg(
        long,
        env = "MQ_PROXY",
        hide_env_values = true,
        value_name = "URL",
        conflicts_with = "unix"
    )]
    pub proxy: Option<String>,

    /// Connect from this local IP address (mosquitto's -A); with --proxy, to the proxy
    #[arg(
        short = 'A',
        long,
        value_name = "ADDRESS",
        value_parser = parse_bind_address,
        conflicts_with = "unix"
    )]
    pub bind_address: Option<IpAddr>,

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

    /// Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)
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
    pub will_qos: Qos,

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
