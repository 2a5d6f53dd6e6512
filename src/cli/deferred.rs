//! Start-up cost: a subcommand's flags are added to the parser only when that subcommand runs.

use clap::Args;

/// A subcommand's arguments, added to the parser only when that subcommand is used, once
/// `defer_subcommands` was called: `mq pub` then does not build the flags of every other command
/// at each start. Help, completions and man pages build them all.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

static DEFER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Build only the subcommand that runs (see `Deferred`) when `first_arg` names one of the
/// commands whose arguments are `Deferred`; `help`, `completions` and `man` build everything.
pub fn defer_subcommands(first_arg: Option<&std::ffi::OsStr>) {
    const DEFERRED: [&str; 9] = [
        "pub", "sub", "rr", "check", "capture", "bench", "serve", "topics", "bridge",
    ];
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
