//! Command-line definitions and help text. No logic: values are checked by the parsers in
//! `options.rs`, and everything is turned into a plan there.
//!
//! Flags follow mosquitto_pub / mosquitto_sub: `-h` is the host (help is `--help` only), `-V` the
//! protocol version (version is `--version` only), values may start with `-`, and a repeated
//! scalar option keeps its last value.

use clap::{ArgAction, Args, Parser, Subcommand};

mod bench;
mod bridge;
mod capture;
mod check;
mod conditions;
mod connect;
mod deferred;
mod exec;
mod property;
mod pubsub;
mod replay;
mod rr;
mod serve;
mod topics;

pub use bench::{BenchArgs, BenchConnect, BenchMode, BenchOpts, MergeArgs};
pub use bridge::{BridgeArgs, Side};
pub use capture::{CaptureArgs, OnBusy};
pub use check::CheckArgs;
pub use conditions::ConditionArgs;
pub use connect::{ConnectArgs, TlsArgs};
pub use deferred::{defer_subcommands, Deferred};
pub use exec::{ExecArgs, ExecFail};
pub use pubsub::{PubArgs, PubV5Args, SubArgs, SubV5Args};
pub use replay::{ReplayArgs, Timing};
pub use rr::RrArgs;
pub use serve::ServeArgs;
pub use topics::{SortKey, TopicsArgs};

/// Parse the process's command line (see `parse_from`).
pub fn parse() -> crate::exit::Result<Cli> {
    defer_subcommands(std::env::args_os().nth(1).as_deref());
    parse_from(std::env::args_os())
}

/// Parse a command line, `mq` first. The parser's tables are left for the process exit to
/// free: dropping them one by one is a tenth of a one-shot `mq pub`'s start-up.
pub fn parse_from<I, T>(args: I) -> crate::exit::Result<Cli>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::FromArgMatches;
    let mut cmd = command();
    let args = property::end_groups(&cmd, args.into_iter().map(Into::into).collect());
    let parsed = match cmd.try_get_matches_from_mut(args) {
        Ok(mut m) => connect::refuse_embedded_conflicts(&m).and_then(|()| {
            Cli::from_arg_matches_mut(&mut m)
                .map_err(|e| crate::exit::Error::from(e.format(&mut cmd)))
        }),
        Err(e) => Err(help_or_error(e)),
    };
    std::mem::forget(cmd);
    parsed
}

#[derive(Parser, Debug)]
#[command(
    name = "mq",
    version,
    about = "MQTT from the shell: publish, subscribe, benchmark, capture and diagnose",
    long_about = "MQTT from the shell. Flags follow mosquitto_pub and mosquitto_sub, so old \
scripts keep working; mq adds clear errors, exit codes you can rely on, and never exits 0 after \
losing a message.",
    disable_help_flag = true,
    disable_version_flag = true,
    subcommand_required = true,
    propagate_version = true,
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
        after_help = "Examples:\n  mq pub -t sensors/temp -m 21.5\n  mq pub -t config/led -m on -r -q 1\n  mq pub -t logs/app -q 1 -l < app.log\n  mq pub -t images/cam1 -f frame.jpg\n  mq pub --ndjson recording.ndjson --timing recorded   # replay mq sub --json"
    )]
    Pub(Deferred<PubArgs>),
    /// Subscribe and print messages (like mosquitto_sub)
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        after_help = "Examples:\n  mq sub -t 'sensor/#' -v\n  mq sub -t alarms/door -C 1 -W 30s\n  mq sub -t 'config/#' --retained-only --remove-retained -W 1\n  mq sub -c -i logger -q 1 -t 'events/#'\n\nOutput formats:\n  mq sub -t 'sensor/#' -F '@H:@M:@S %t %p'   # template, as mosquitto_sub -F\n  mq sub -t 'sensor/#' --json | jq .payload     # one JSON object per line\n  mq sub -t 'cam/#' -v --format hex   # raw|text|hex|base64|json payloads\n  mq sub -t 'sensor/#' -v --timestamp=utc --color never\n  mq sub -t 'cam/1' -C 1 --output frame.jpg   # raw payloads appended to a file\n  mq sub -t 'busy/#' --count-only               # messages per second\n\nConditions (jq over the JSON payload; $topic, $qos, $retained, $props):\n  mq sub -t sensors/temp -R --where '.temp > 30' -C 1 -W 10s   # else exit 27\n  mq sub -t sensors/temp -R --assert '.temp <= 50' -C 10 -W 30s  # else exit 6\n  mq sub -t 'logs/#' --grep 'ERROR|FATAL' -v\n\nRun a command per message:\n  mq sub -c -i worker -q 1 -t 'jobs/#' --exec ./job.sh --concurrency 4\n  mq sub -t svc/upper --exec 'tr a-z A-Z' --reply   # a responder for mq rr"
    )]
    Sub(Deferred<SubArgs>),
    /// Publish a request and print its response (like mosquitto_rr, with correlation data)
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        long_about = "Publish a request and print its response, like mosquitto_rr. The response \
topic (-e) is subscribed to before the request goes out. On MQTT 5 the request carries -e as its \
response topic and correlation data (16 random bytes unless --correlation-data is given), and only \
the message that carries the same correlation data is the response: retained messages and other \
messages on -e are ignored. On MQTT 3.1.1 the first live message on -e is the response. \
Exit codes: 0 with the response printed, 27 when none came within -W (30s by default).",
        after_help = "Examples:\n  mq rr -t service/time/get -e client/42/time -m now\n  mq rr -t jobs/run -e jobs/42/done -f job.json --json -W 2m\n  mq rr -t db/query -e db/42/reply -m 'SELECT 1' --correlation-data hex:0042"
    )]
    Rr(Deferred<RrArgs>),
    /// Diagnose a broker stage by stage: DNS, TCP, MQTT connect, subscribe, round trips, retained
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        long_about = "Diagnose a broker stage by stage: DNS, TCP connect, TLS (when the connection \
uses it: the very TLS settings of mq pub, so it passes exactly when pub connects), MQTT CONNECT (5 and \
3.1.1), SUBSCRIBE, publish -> receive round trips at QoS 0, 1 and 2, and a retained message read \
back on a new connection. Each stage is timed; a failure says what failed and what to try. \
Exit codes: 0 healthy, 3 unreachable, 4 connection refused, 5 subscribe/publish refused, \
6 a probe or assertion failed.",
        after_help = "Examples:\n  mq check -h broker.local\n  mq check -h broker.local -u alice --probe\n  mq check --json --max-latency 200ms --require-v5\n  mq check --interval 10s\n  mq check --wait 60s --quiet   # wait for a broker that is still starting"
    )]
    Check(Deferred<CheckArgs>),
    /// Run a capture (a command's output, a file) on each trigger message and publish it; or,
    /// with --request, trigger a capture and save what comes back
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        after_help = "Examples:\n  mq capture --trigger camera/capture --match capture_image \\\n      --topic camera/image --exec 'rpicam-still -o -'\n  mq capture --trigger 'cams/+/capture' --topic 'cams/{2}/image' \\\n      --file /run/cam/last.jpg\n  mq capture --request --trigger camera/capture --match capture_image \\\n      --topic camera/image -o photo.jpg -W 10s"
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
        after_help = "Examples:\n  mq bench -c 4 -L 4000\n  mq bench -c 10 --rate 5000 --duration 30s -q 1\n  mq bench -h 10.0.0.1,10.0.0.2 -c 100 --subscribers 10 --shared \\\n      --json > run.json\n  mq bench merge a.json b.json"
    )]
    Bench(Deferred<Box<BenchArgs>>),
    /// What is on this broker: one row per topic (messages, rate, bytes, retained, last
    /// payload) after listening a few seconds; clears retained messages safely
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        long_about = "What is on this broker: subscribe (to # by default), listen for a window \
(-W, 5s), and print one row per topic as a tree of topic levels whose counts roll up to their \
parents (or --flat): messages, rate per second, bytes, whether the broker holds a retained \
message, seconds since the last message, and a preview of the last payload (escaped, hex for \
binary). --retained-only snapshots the retained store; --clear-retained clears it and verifies \
that nothing is left.",
        after_help = "Examples:\n  mq topics -h broker.local\n  mq topics -t 'sensors/#' -W 30s --flat --sort rate\n  mq topics --retained-only --json | jq '.topics[].topic'\n  mq topics -t 'old/#' --clear-retained --dry-run\n  mq topics --watch"
    )]
    Topics(Deferred<TopicsArgs>),
    /// Forward messages between two brokers, one way or both, losing none (like a mosquitto
    /// bridge, without touching the brokers' configuration)
    #[command(
        disable_help_flag = true,
        disable_version_flag = true,
        args_override_self = true,
        long_about = "Forward messages between two brokers, as a mosquitto bridge does, without \
touching either broker's configuration. Each -t line is mosquitto's topic line: a pattern, a \
direction (out: --from to --to, in: back, both), a QoS and two prefixes that rename topics on the \
way. QoS 1 and 2 messages are acknowledged to the source only once the destination has \
acknowledged the copy, on persistent sessions (client ids NAME-out and NAME-in on each broker), \
so a restart of either broker or of the bridge loses nothing (a QoS 1 message may arrive twice). \
Retained flags and MQTT 5 properties are forwarded as published.",
        after_help = "Examples:\n  mq bridge --from mqtt://localhost --to mqtts://user@cloud.example.com \\\n      --to-password-file pw.txt -t 'sensors/#'\n  mq bridge --from mqtt://pi.local --to mqtt://office -t 'sensors/# out 1 \"\" site1/' \\\n      -t 'cmd/# in 1 \"\" site1/'\n  mq bridge --from mqtt://a --to mqtt://b --both -t 'chat/#' --stats 10s"
    )]
    Bridge(Deferred<BridgeArgs>),
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
        after_help = "Examples:\n  mq serve\n  mq serve --bind 127.0.0.1:1884 -u alice --password-file pw.txt -d\n  mq serve --bind 0.0.0.0:1883 --public -u alice --password-file pw.txt\n  mq serve --ws 8080 --tls-cert cert.pem --tls-key key.pem"
    )]
    Serve(Deferred<ServeArgs>),
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// The subcommand whose page to print (pub, sub, ...); mq's own page without it
    pub subcommand: Option<String>,
}

/// The whole command line definition: `Cli`, with the examples and the exit-code table (from
/// `exit::Code`) after the top-level help.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().after_help(format!(
        "Examples:\n  mq sub -h broker.local -t 'sensor/#' -v\n  mq pub -h broker.local -t camera/capture -m capture_image\n  mq pub -t logs/app -q 1 -l < app.log\n\n{}",
        crate::exit::Code::help_table()
    ))
}

/// `--help` and `--version` print on stdout and exit (0; 2 for help shown because nothing was
/// given); every other clap error becomes mq's one-line usage error.
fn help_or_error(e: clap::Error) -> crate::exit::Error {
    use clap::error::ErrorKind as E;
    match e.kind() {
        E::DisplayHelp | E::DisplayVersion => {
            let _ = e.print();
            std::process::exit(0)
        }
        E::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            std::process::exit(crate::exit::Code::Usage as i32)
        }
        _ => e.into(),
    }
}

impl Command {
    /// `--quiet` of the command that runs: runtime errors are not printed.
    pub fn quiet(&self) -> bool {
        match self {
            Command::Pub(a) => a.0.conn.quiet,
            Command::Sub(a) => a.0.conn.quiet,
            Command::Rr(a) => a.0.conn.quiet,
            Command::Check(a) => a.0.conn.quiet,
            Command::Capture(a) => a.0.conn.quiet,
            Command::Bench(a) => a.0.quiet(),
            Command::Serve(a) => a.0.quiet,
            Command::Topics(a) => a.0.conn.quiet,
            Command::Bridge(a) => a.0.quiet,
            Command::Completions(_) | Command::Man(_) => false,
        }
    }

    /// The runtime the command runs on: one connection starts fastest on a current-thread
    /// runtime; bench drives many on all cores.
    pub fn runtime(&self) -> tokio::runtime::Runtime {
        let mut builder = match self {
            Command::Bench(_) => tokio::runtime::Builder::new_multi_thread(),
            _ => tokio::runtime::Builder::new_current_thread(),
        };
        builder
            .enable_all()
            .build()
            .expect("a tokio runtime can always be built on Linux")
    }
}

#[cfg(test)]
mod tests {
    //! Flag parsing, in process: what needs no broker.
    use super::*;
    use crate::exit::{Code, Error};

    fn parse(args: &[&str]) -> Result<Cli, Error> {
        parse_from(std::iter::once("mq").chain(args.iter().copied()))
    }

    fn usage_error(args: &[&str]) -> Error {
        let e = parse(args).expect_err("a usage error");
        assert_eq!(e.code, Code::Usage, "{e}");
        e
    }

    #[test]
    fn the_definition_passes_clap_s_own_checks() {
        command().debug_assert();
    }

    #[test]
    fn bench_keeps_emqtt_bench_shorts_and_the_shared_long_flags() {
        let cli = parse(&[
            "bench",
            "-c",
            "5",
            "-L",
            "100",
            "-i",
            "10ms",
            "-I",
            "1s",
            "--url",
            "mqtts://h:8884",
            "--cafile",
            "ca.pem",
            "--disable-clean-session",
        ])
        .unwrap();
        let Command::Bench(b) = cli.command else {
            panic!("not bench")
        };
        let o = &b.0.opts;
        assert_eq!((o.publishers, o.count), (5, Some(100)));
        assert!(o.connect_interval.is_some() && o.interval.is_some());
        assert_eq!(o.conn.0.url.as_deref(), Some("mqtts://h:8884"));
        assert!(o.conn.0.tls.cafile.is_some() && o.conn.0.disable_clean_session);
        // -L is the message count here, not a URL.
        let e = usage_error(&["bench", "-L", "mqtt://h"]);
        assert!(e.message.contains("'mqtt://h'"), "{e}");
    }

    #[test]
    fn a_value_parser_s_hint_is_kept_as_a_hint() {
        let e = usage_error(&["pub", "-t", "a", "-m", "x", "-p", "secret"]);
        assert_eq!(
            e.message,
            "invalid value 'secret' for '--port <PORT>': 'secret' is not a port number"
        );
        assert_eq!(
            e.hint.as_deref(),
            Some("-p is the port; the password flag is -P")
        );
        let e = usage_error(&["sub", "-t", "a", "-q", "3"]);
        assert!(e.message.contains("'3' is not a QoS: use 0, 1 or 2"), "{e}");
    }

    #[test]
    fn unknown_flags_suggest_the_right_one_and_the_subcommand_s_help() {
        let e = usage_error(&["pub", "-t", "a", "--retian"]);
        assert_eq!(e.message, "unexpected argument '--retian' found");
        let hint = e.hint.unwrap();
        assert!(hint.contains("'--retain'"), "{hint}");
        assert!(hint.contains("mq pub --help"), "{hint}");
        let e = usage_error(&["publish"]);
        assert!(e.hint.unwrap().contains("'pub'"));
    }

    #[test]
    fn missing_and_conflicting_flags_are_one_line() {
        let e = usage_error(&["capture", "--topic", "c"]);
        assert!(e.message.contains("--trigger"), "{e}");
        let e = usage_error(&["pub", "-t", "a", "-P", "x", "--password-file", "f"]);
        assert!(e.message.contains("cannot be used with"), "{e}");
        let e = usage_error(&["sub", "-t", "a", "--embedded", "-h", "elsewhere"]);
        assert!(
            e.message
                .contains("--embedded cannot be used with -h/--host"),
            "{e}"
        );
        assert!(e.hint.unwrap().contains("drop -h/--host"));
        for (flag, value, said) in [
            ("--proxy", "socks5h://p", "--proxy"),
            ("-A", "127.0.0.2", "-A/--bind-address"),
            ("--unix", "/run/m.sock", "--unix"),
        ] {
            let e = usage_error(&["sub", "-t", "a", "--embedded", flag, value]);
            let want = format!("--embedded cannot be used with {said}");
            assert!(e.message.contains(&want), "{e}");
        }
        let e = usage_error(&["pub", "-t", "a", "--unix", "/m.sock", "-A", "127.0.0.2"]);
        assert!(e.message.contains("cannot be used with"), "{e}");
    }

    #[test]
    fn print_config_is_a_flag_of_every_command_that_connects() {
        for args in [
            &["pub", "-t", "a", "-m", "x"][..],
            &["sub", "-t", "a"],
            &["rr", "-t", "a", "-e", "r", "-m", "x"],
            &["check"],
            &[
                "capture",
                "--trigger",
                "t",
                "--topic",
                "c",
                "--exec",
                "true",
            ],
            &["bench"],
            &["topics"],
            &["bridge", "-t", "a/#"],
        ] {
            let mut argv = args.to_vec();
            argv.push("--print-config");
            assert!(parse(&argv).is_ok(), "{argv:?}");
        }
    }
}
