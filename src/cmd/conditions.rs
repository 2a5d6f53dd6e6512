//! What `mq sub` does with `--where`, `--grep`, `--assert` and `--ready-file`: compile the
//! conditions before connecting, decide for each message whether it is shown, turn a failed
//! assertion into the run's exit 6, and signal a live subscription to scripts.
//!
//! The conditions themselves (jq, regex) live in `crate::matcher`, shared with other commands.

use crate::cli::ConditionArgs;
use crate::exit::{Code, Error, Result};
use crate::matcher::{self, Conditions, Verdict};
use crate::output;
use crate::session::Message;
use std::path::Path;

/// The compiled conditions of one run, and whether `-d` wants to hear why a message was skipped.
#[derive(Debug, Default)]
pub struct Gate {
    conditions: Conditions,
    debug: bool,
}

impl Gate {
    /// Compile the flags; a bad expression or regex is a usage error (exit 2), before connecting.
    pub fn new(args: &ConditionArgs, debug: bool) -> Result<Gate> {
        let conditions = Conditions::compile(
            args.select.as_deref(),
            args.grep.as_deref(),
            args.assert.as_deref(),
        )
        .map_err(|e| {
            let hint = match e.contains("--grep") {
                true => "the regex crate's syntax: 'ERROR|FATAL', '^temp=\\d+'",
                false => {
                    "a jq expression over the JSON payload: '.temp > 30', \
                          '$topic | endswith(\"/alarm\")'"
                }
            };
            Error::usage(e).hint(hint)
        })?;
        Ok(Gate { conditions, debug })
    }

    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Whether only some messages are shown (`--where`/`--grep`): a timeout then says how many
    /// arrived and how many matched.
    pub fn selects(&self) -> bool {
        self.conditions.selects()
    }

    /// `Ok(true)`: show and count the message; `Ok(false)`: skip it (said under `-d`);
    /// `Err`: it fails `--assert`, and the run ends with exit 6.
    pub fn admit(&self, m: &Message) -> Result<bool> {
        if self.conditions.is_empty() {
            return Ok(true);
        }
        match self.conditions.check(m) {
            Verdict::Pass => Ok(true),
            Verdict::Skip(why) => {
                if self.debug {
                    output::debug(&format!("skipped a message on '{}': {why}", m.topic));
                }
                Ok(false)
            }
            Verdict::Fail(why) => Err(self.failed(m, &why)),
        }
    }

    fn failed(&self, m: &Message, why: &str) -> Error {
        let expr = self.conditions.assert.as_ref().map_or("", |e| e.source());
        Error::new(
            Code::Assertion,
            format!(
                "a message on '{}' fails --assert '{expr}': {why}; its payload: {}",
                m.topic,
                matcher::shorten(&m.payload)
            ),
        )
    }
}

/// Before connecting: a `--ready-file` left by an earlier run must not tell a script that this
/// one is subscribed already.
pub fn clear_ready(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::usage(format!(
            "--ready-file {}: {e}",
            path.display()
        ))
        .hint("give a path to a file in a writable directory")),
        _ => Ok(()),
    }
}

/// Every filter of the initial subscribe was granted: create the file, or touch it if a script
/// made it meanwhile.
pub fn signal_ready(path: &Path) -> Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
    file.map_err(|e| Error::runtime(format!("creating --ready-file {}: {e}", path.display())))
}

/// `-W` ran out while `--where`/`--grep` were selecting: how many messages arrived and how
/// many matched (`None` when nothing arrived: the plain timeout message says that best).
pub fn timed_out(after: &str, arrived: u64, matched: u64, wanted: Option<u64>) -> Option<Error> {
    let n = |k: u64| match k {
        1 => "1 message".to_string(),
        k => format!("{k} messages"),
    };
    let message = match (arrived, matched, wanted) {
        (0, _, _) => return None,
        (a, 0, _) => format!(
            "timed out after {after}: {} arrived, none matched --where/--grep",
            n(a)
        ),
        (a, m, Some(c)) => format!(
            "timed out after {after}: {} arrived, {m} matched, {c} wanted (-C)",
            n(a)
        ),
        (a, m, None) => format!("timed out after {after}: {} arrived, {m} matched", n(a)),
    };
    let e = Error::new(Code::Timeout, message);
    Some(match matched {
        0 => e.hint("-d shows why each message was skipped"),
        _ => e,
    })
}
