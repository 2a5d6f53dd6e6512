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
    /// An assertion (`--expect`, `check`) failed.
    Assertion = 6,
    /// `-W` ran out before the wanted messages arrived (mosquitto's code).
    Timeout = 27,
    /// Interrupted by SIGINT (Ctrl-C).
    Interrupted = 130,
    /// Terminated by SIGTERM.
    Terminated = 143,
}

/// An error that knows its exit code and, where we can guess the cause, a hint.
#[derive(Debug)]
pub struct Error {
    pub code: Code,
    /// What failed and why, already joined: `connecting to 127.0.0.1:1883: connection refused`.
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            hint: None,
        }
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
        Error::runtime(e.to_string())
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
