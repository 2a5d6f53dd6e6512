//! `mq`: parse the command line, run the subcommand, turn the result into an exit code.

use mq::exit::{Code, Error};
use mq::{cli, cmd};

fn main() {
    let code = match mq::profile::apply(&std::env::args_os().collect::<Vec<_>>())
        .and_then(|_| cli::parse())
    {
        Ok(cli) => {
            let quiet = cli.command.quiet();
            let runtime = cli.command.runtime();
            let result = runtime.block_on(cmd::run(cli.command));
            // Do not wait for stdin readers or other blocking work still running.
            runtime.shutdown_background();
            result.map_err(|e| report(e, quiet))
        }
        Err(e) => Err(report(e, false)),
    };
    std::process::exit(code.err().unwrap_or(Code::Ok as i32));
}

/// One line on stderr (unless `--quiet`, or an interruption the user asked for), and the code.
/// A reader that closed our stdout (`| head`) is no failure.
fn report(e: Error, quiet: bool) -> i32 {
    if e.is_broken_pipe() {
        return Code::Ok as i32;
    }
    if !quiet && !e.is_shown() && !matches!(e.code, Code::Interrupted | Code::Terminated) {
        mq::output::error(&e);
    }
    e.exit_status()
}
