//! One module per subcommand: each turns its arguments into a plan, drives a `Session` and hands
//! results to `output`. `save` (`sub --save-dir`), `config` (`--print-config`) and `docs`
//! (`completions`, `man`) are modes the subcommands share, not subcommands of their own.

pub mod bench;
pub mod bridge;
pub mod capture;
pub mod check;
pub mod conditions;
pub mod config;
pub mod docs;
pub mod exec;
pub mod publish;
pub mod replay;
pub mod rr;
pub mod save;
pub mod serve;
pub mod subscribe;
pub mod topics;

use crate::cli::Command;
use crate::exit::Result;

/// Run one subcommand to its end.
pub async fn run(command: Command) -> Result<()> {
    match command {
        Command::Pub(a) => publish::run(a.0).await,
        Command::Sub(a) => subscribe::run(a.0).await,
        Command::Rr(a) => rr::run(a.0).await,
        Command::Check(a) => check::run(a.0).await,
        Command::Capture(a) => capture::run(a.0).await,
        Command::Bench(a) => bench::run(*a.0).await,
        Command::Serve(a) => serve::run(a.0).await,
        Command::Topics(a) => topics::run(a.0).await,
        Command::Bridge(a) => bridge::run(a.0).await,
        Command::Completions(a) => docs::completions(&a),
        Command::Man(a) => docs::man(&a),
    }
}
