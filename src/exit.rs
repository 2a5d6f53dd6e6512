//! The exit-code table (DESIGN.md) and the one error type that carries a code.
//!
//! Every failure leaves mq as one line on stderr, `mq: <what failed>: <why> (hint: <what to try>)`,
//! and one of the codes below. Scripts depend on these numbers: change one only on purpose.

use std::fmt;

/// Process exit codes, one table for all subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Code {
    Ok = 0,
    /// Runtime error not listed below (I/O, protocol error, publish not acknowledged).
    Runtime = 1,
    /// Bad flag, bad value, invalid topic.
    Usage = 2,
    /// Could not reach the broker: DNS, TCP, TLS handshake, connect timeout.
    Unreachable = 3,
    /// The broker refused the connection (credentials, authorization, client id).
    ConnectRefused = 4,
    /// The broker refused a subscribe or publish.
    Refused = 5,
    /// An assertion (`check`, `sub --assert`) failed.
    Assertion = 6,
    /// `-W` ran out before the wanted messages arrived (mosquitto's code).
    Timeout = 27,
    /// Interrupted by SIGINT (Ctrl-C).
    Interrupted = 130,
    /// Terminated by SIGTERM.
    Terminated = 143,
}

impl Code {
    /// Every code, in the order of the table.
    pub const ALL: [Code; 10] = [
        Code::Ok,
        Code::Runtime,
        Code::Usage,
        Code::Unreachable,
        Code::ConnectRefused,
        Code::Refused,
        Code::Assertion,
        Code::Timeout,
        Code::Interrupted,
        Code::Terminated,
    ];

    /// What the code means: the one text behind `mq --help`, the man pages' EXIT STATUS and
    /// the README's table (a test compares them).
    pub fn meaning(self) -> &'static str {
        match self {
            Code::Ok => "success",
            Code::Runtime => "runtime error: I/O, protocol error, connection lost, a message not acknowledged in time",
            Code::Usage => "usage error: bad flag or value, invalid topic, missing or unreadable `-f`, certificate, key or password file",
            Code::Unreachable => "could not reach the broker: DNS, TCP refused or unreachable, SOCKS proxy, TLS or websocket handshake, connect timeout",
            Code::ConnectRefused => "the broker refused the connection: bad credentials, not authorized, client id rejected",
            Code::Refused => "the broker refused a subscribe or publish (ACL), or a message is over its maximum packet size",
            Code::Assertion => "an assertion failed: `mq check` (a probe, an assertion, a message that did not come back), `mq sub --assert`",
            Code::Timeout => "`-W` ran out before the wanted messages arrived (mosquitto's code)",
            Code::Interrupted => "interrupted by SIGINT (Ctrl-C), after a clean disconnect",
            Code::Terminated => "terminated by SIGTERM, after a clean disconnect",
        }
    }

    /// The table as `mq --help` ends with it.
    pub fn help_table() -> String {
        let mut out = String::from("Exit codes:\n");
        for c in Code::ALL {
            out.push_str(&format!(
                "  {:>3}  {}\n",
                c as i32,
                c.meaning().replace('`', "")
            ));
        }
        out
    }
}

/// An error that knows its exit code and, where we can guess the cause, a hint.
#[derive(Debug)]
pub struct Error {
    pub code: Code,
    /// What failed and why, already joined: `connecting to 127.0.0.1:1883: connection refused`.
    pub message: String,
    pub hint: Option<String>,
    /// The I/O error behind it, when there was one (a closed stdout is not a failure: `main`
    /// exits 0 quietly, as `head` expects).
    io: Option<std::io::ErrorKind>,
    /// The user has read this failure already (a report on the terminal said it): only the
    /// exit code is left to give.
    shown: bool,
    /// An exit status passed through from a command mq ran (`sub --exec --exec-fail exit`),
    /// in place of `code`'s.
    status: Option<i32>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            hint: None,
            io: None,
            shown: false,
            status: None,
        }
    }

    /// A failure whose exit status is another program's (`status`, 1-255): `code` is Runtime.
    pub fn with_status(status: i32, message: impl Into<String>) -> Self {
        let mut e = Self::runtime(message);
        e.status = Some(status).filter(|s| (1..=255).contains(s));
        e
    }

    /// The process exit status for this error: `code`, or the status passed through.
    pub fn exit_status(&self) -> i32 {
        self.status.unwrap_or(self.code as i32)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Code::Usage, message)
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Self::new(Code::Runtime, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prefix the message with what was being done: `publishing to a/b: <message>`.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

/// The error line, with control and bidi characters escaped: a message often quotes what a
/// broker or a publisher sent (a reason string, a topic).
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::output::escape::shown;
        write!(f, "mq: {}", shown(&self.message))?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {})", shown(h))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        let mut out = Error::runtime(e.to_string());
        out.io = Some(e.kind());
        out
    }
}

impl Error {
    /// Mark the failure as already told to the user on their terminal: `main` prints nothing.
    pub fn shown(mut self) -> Self {
        self.shown = true;
        self
    }

    pub fn is_shown(&self) -> bool {
        self.shown
    }

    /// Whoever read our stdout went away (`mq sub ... | head -1`).
    pub fn is_broken_pipe(&self) -> bool {
        self.io == Some(std::io::ErrorKind::BrokenPipe)
    }
}

/// clap's parse errors as mq's one-line usage errors, built from the error's kind and context
/// (never from its rendered text). `--help` and `--version` are not for here: `cli::parse`
/// prints them.
impl From<clap::Error> for Error {
    fn from(e: clap::Error) -> Self {
        use clap::error::{ContextKind as K, ContextValue as V, ErrorKind as E};
        let get = |k: K| match e.get(k) {
            Some(V::String(s)) => Some(s.clone()),
            Some(V::Strings(v)) => Some(v.join(", ")),
            Some(V::StyledStr(s)) => Some(s.to_string()),
            Some(V::StyledStrs(v)) => Some(
                v.iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Some(V::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let arg = get(K::InvalidArg).unwrap_or_default();
        // A value parser's own error: mq's message and hint, as data.
        if let Some(own) = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<Error>()) {
            let value = get(K::InvalidValue).unwrap_or_default();
            let mut out = Error::usage(format!(
                "invalid value '{value}' for '{arg}': {}",
                own.message
            ));
            out.hint = own.hint.clone();
            return out;
        }
        let message = match e.kind() {
            E::InvalidValue | E::ValueValidation => {
                let value = get(K::InvalidValue).unwrap_or_default();
                match std::error::Error::source(&e) {
                    Some(why) => format!("invalid value '{value}' for '{arg}': {why}"),
                    None => format!("invalid value '{value}' for '{arg}'"),
                }
            }
            E::UnknownArgument => format!("unexpected argument '{arg}' found"),
            E::InvalidSubcommand => format!(
                "unrecognized subcommand '{}'",
                get(K::InvalidSubcommand).unwrap_or_default()
            ),
            E::MissingRequiredArgument => {
                format!("the following required arguments were not provided: {arg}")
            }
            E::ArgumentConflict => match get(K::PriorArg) {
                Some(prior) => format!("the argument '{arg}' cannot be used with '{prior}'"),
                None => format!("the argument '{arg}' cannot be used here"),
            },
            E::NoEquals => format!("equal sign is needed when assigning values to '{arg}'"),
            E::TooManyValues => format!("unexpected value for '{arg}'"),
            E::TooFewValues | E::WrongNumberOfValues => {
                format!("'{arg}' takes more values than were given")
            }
            E::MissingSubcommand => "a subcommand is required".to_string(),
            kind => match arg.is_empty() {
                true => kind.as_str().unwrap_or("invalid arguments").to_string(),
                false => format!("{}: {arg}", kind.as_str().unwrap_or("invalid argument")),
            },
        };
        let suggestion = get(K::SuggestedArg)
            .map(|s| format!("a similar argument exists: '{s}'"))
            .or_else(|| {
                get(K::SuggestedSubcommand).map(|s| format!("a similar subcommand exists: '{s}'"))
            })
            .or_else(|| get(K::ValidValue).map(|v| format!("possible values: {v}")));
        let usage = match get(K::Usage) {
            Some(u) => {
                // "Usage: mq pub [OPTIONS]" -> "see mq pub --help"
                let words: Vec<&str> = u
                    .trim()
                    .trim_start_matches("Usage:")
                    .split_whitespace()
                    .take_while(|w| {
                        !w.starts_with('[') && !w.starts_with('<') && !w.starts_with('-')
                    })
                    .collect();
                format!("see {} --help", words.join(" "))
            }
            None => "see mq --help".to_string(),
        };
        let hint = match suggestion {
            Some(s) => format!("{s}; {usage}"),
            None => usage,
        };
        Error::usage(message).hint(hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_one_line_with_hint() {
        let e = Error::new(Code::Unreachable, "connection refused")
            .context("connecting to 127.0.0.1:1883")
            .hint("is the broker running?");
        assert_eq!(
            e.to_string(),
            "mq: connecting to 127.0.0.1:1883: connection refused (hint: is the broker running?)"
        );
        assert_eq!(e.code as i32, 3);
    }
}
