//! `mq`: parse the command line, run the subcommand, turn the result into an exit code.

use mq::exit::{Code, Error};
use mq::{cli, cmd};

fn main() {
    // A profile fills in the MQ_* variables that are not set, before clap reads them.
    if let Err(e) = mq::profile::apply(&std::env::args_os().collect::<Vec<_>>()) {
        eprintln!("{e}");
        std::process::exit(e.code as i32);
    }
    let code = match parse() {
        Ok(cli) => run(cli),
        Err(e) => usage_error(e),
    };
    std::process::exit(code as i32);
}

/// `Cli::try_parse`, except that the parser's tables are left for the process exit to free
/// (dropping them one by one is a tenth of a one-shot `mq pub`'s start-up).
fn parse() -> Result<cli::Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    cli::defer_subcommands(std::env::args_os().nth(1).as_deref());
    let mut cmd = cli::Cli::command();
    let parsed = cmd
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|mut m| {
            cli::refuse_embedded_conflicts(&mut cmd, &m)?;
            cli::Cli::from_arg_matches_mut(&mut m).map_err(|e| e.format(&mut cmd))
        });
    std::mem::forget(cmd);
    parsed
}

fn run(cli: cli::Cli) -> Code {
    let quiet = match &cli.command {
        cli::Command::Pub(a) => a.0.conn.quiet,
        cli::Command::Sub(a) => a.0.conn.quiet,
        cli::Command::Check(a) => a.0.conn.quiet,
        cli::Command::Capture(a) => a.0.conn.quiet,
        cli::Command::Bench(a) => cmd::bench::quiet(&a.0),
        cli::Command::Serve(a) => a.0.quiet,
        _ => false,
    };
    // One connection: a current-thread runtime starts fastest; bench drives many on all cores.
    let mut builder = match &cli.command {
        cli::Command::Bench(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = builder
        .enable_all()
        .build()
        .expect("a tokio runtime can always be built on Linux");
    let result = runtime.block_on(async {
        match cli.command {
            cli::Command::Pub(a) => cmd::publish::run(a.0).await,
            cli::Command::Sub(a) => cmd::subscribe::run(a.0).await,
            cli::Command::Check(a) => cmd::check::run(a.0).await,
            cli::Command::Capture(a) => cmd::capture::run(a.0).await,
            cli::Command::Bench(a) => cmd::bench::run(*a.0).await,
            cli::Command::Serve(a) => cmd::serve::run(a.0).await,
            cli::Command::Completions(a) => cmd::docs::completions(&a),
            cli::Command::Man(a) => cmd::docs::man(&a),
        }
    });
    // Do not wait for stdin readers or other blocking work still running.
    runtime.shutdown_background();
    match result {
        Ok(()) => Code::Ok,
        Err(e) => report(e, quiet),
    }
}

fn report(e: Error, quiet: bool) -> Code {
    let silent = quiet || matches!(e.code, Code::Interrupted | Code::Terminated);
    if !silent {
        eprintln!("{e}");
    }
    e.code
}

/// clap's errors become one line, like every other mq error; help and version go to stdout
/// and exit 0.
fn usage_error(e: clap::Error) -> Code {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                Code::Usage
            } else {
                Code::Ok
            };
        }
        _ => {}
    }
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // "the following required arguments were not provided:" lists them on the next lines.
    let listed: Vec<&str> = text
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .collect();
    let joined;
    let first = if first.ends_with(':') && !listed.is_empty() {
        joined = format!("{first} {}", listed.join(", "));
        joined.as_str()
    } else {
        first
    };
    let (message, hint) = match first.split_once(" (hint: ") {
        Some((m, h)) => (m.to_string(), h.trim_end_matches(')').to_string()),
        None => (first.to_string(), "see mq --help".to_string()),
    };
    eprintln!("{}", Error::usage(message).hint(hint));
    Code::Usage
}
