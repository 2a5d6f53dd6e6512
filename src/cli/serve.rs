//! `mq serve` flags. Help text only: checks live in `cmd/serve.rs`.

use crate::options::parse_byte_size;
use clap::{ArgAction, Args};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// Address to listen on for MQTT (3.1.1 and 5 on one port)
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:1883")]
    pub bind: String,

    /// Allow --bind on a non-loopback address (reachable from other machines)
    #[arg(long)]
    pub public: bool,

    /// Also listen for MQTT over websockets (ws://, wss:// with --tls-cert) on this port, same
    /// address as --bind
    #[arg(long, value_name = "PORT", value_parser = crate::options::parse_port)]
    pub ws: Option<u16>,

    /// Require this user name (with --password or --password-file)
    #[arg(short = 'u', long, requires = "secret", allow_hyphen_values = true)]
    pub username: Option<String>,

    /// The password clients must give
    #[arg(
        short = 'P',
        long,
        group = "secret",
        requires = "username",
        allow_hyphen_values = true
    )]
    pub password: Option<String>,

    /// Read the password clients must give from the first line of FILE (which others must not
    /// be able to read)
    #[arg(
        long,
        value_name = "FILE",
        group = "secret",
        requires = "username",
        conflicts_with = "password"
    )]
    pub password_file: Option<PathBuf>,

    /// Speak TLS on --bind (and --ws) with this PEM certificate chain (needs --tls-key)
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for --tls-cert
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Largest packet accepted from a client: bytes, or with a unit (64KiB, 16MiB)
    #[arg(long, value_parser = parse_byte_size, default_value = "16MiB")]
    pub max_packet_size: u64,

    /// Clients served at once; the next ones are refused with a "server busy" CONNACK [default:
    /// what the open-file limit allows, at most 100000]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,

    /// Log connections on stderr
    #[arg(short = 'd', long)]
    pub debug: bool,

    /// Do not print where the broker listens, nor error text (the exit code still tells)
    #[arg(long)]
    pub quiet: bool,
}
