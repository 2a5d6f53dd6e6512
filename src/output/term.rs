//! The terminal policy, decided in one place: is stdout (or stderr) a terminal, and is colour
//! wanted. Colour itself comes from the `colored` crate; `Term::for_stdout` sets its switch
//! (`colored::control::set_override`) once, so every report coloured with `colored` follows
//! the same rules:
//!
//! - `--color always` / `never` decide alone;
//! - otherwise `CLICOLOR_FORCE` (set and not `0`) turns colour on, `NO_COLOR` (set and not
//!   empty, no-color.org) turns it off, and else colour is on when the stream is a terminal.
//!
//! `sub`'s hot path writes colour codes as bytes (`Palette`), taken from `colored` once.

use super::ColorChoice;
use colored::{ColoredString, Colorize};
use std::ffi::OsString;
use std::io::IsTerminal;

/// What the environment says about colour (`NO_COLOR`, `CLICOLOR_FORCE`).
#[derive(Debug, Clone, Default)]
pub struct ColorEnv {
    pub no_color: Option<OsString>,
    pub clicolor_force: Option<OsString>,
}

impl ColorEnv {
    pub fn from_env() -> ColorEnv {
        ColorEnv {
            no_color: std::env::var_os("NO_COLOR"),
            clicolor_force: std::env::var_os("CLICOLOR_FORCE"),
        }
    }
}

/// Whether to colour a stream, given the choice, whether it is a terminal, and the environment.
pub fn use_color(choice: ColorChoice, tty: bool, env: &ColorEnv) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env.clicolor_force.as_ref().is_some_and(|v| v != "0") {
                true
            } else if env.no_color.as_ref().is_some_and(|v| !v.is_empty()) {
                false
            } else {
                tty
            }
        }
    }
}

/// The policy for one output stream.
#[derive(Debug, Clone, Copy)]
pub struct Term {
    /// The stream is a terminal: network strings are escaped, binary payloads shown as hex.
    pub tty: bool,
    /// Colour is on.
    pub color: bool,
}

impl Term {
    /// stdout's policy, which `colored` then follows for the whole process.
    pub fn for_stdout(choice: ColorChoice) -> Term {
        let tty = std::io::stdout().is_terminal();
        let term = Term {
            tty,
            color: use_color(choice, tty, &ColorEnv::from_env()),
        };
        colored::control::set_override(term.color);
        term
    }

    /// stderr's policy (the live view and the error line). Sets `colored` for stderr: call it
    /// when nothing more is written to stdout.
    pub fn for_stderr(choice: ColorChoice) -> Term {
        let tty = std::io::stderr().is_terminal();
        let term = Term {
            tty,
            color: use_color(choice, tty, &ColorEnv::from_env()),
        };
        colored::control::set_override(term.color);
        term
    }
}

/// Whether stdout is a terminal (for output that escapes but never colours).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Colour codes as bytes for the per-message path, each an opening code and the reset.
#[derive(Debug, Clone)]
pub struct Palette {
    pub topic: Paint,
    pub dim: Paint,
    pub retained: Paint,
}

/// The bytes around a painted text.
#[derive(Debug, Clone, Default)]
pub struct Paint {
    pub start: Vec<u8>,
    pub end: Vec<u8>,
}

impl Paint {
    /// The codes `colored` writes around a text: paint a marker and keep what surrounds it.
    /// Empty when colour is off.
    fn of(painted: ColoredString) -> Paint {
        let s = painted.to_string();
        match s.split_once(MARK) {
            Some((start, end)) => Paint {
                start: start.as_bytes().to_vec(),
                end: end.as_bytes().to_vec(),
            },
            None => Paint::default(),
        }
    }
}

const MARK: &str = "\u{0}";

impl Palette {
    /// mq's colours for `-v` lines, from `colored` (empty codes when colour is off).
    pub fn new() -> Palette {
        Palette {
            topic: Paint::of(MARK.cyan().bold()),
            dim: Paint::of(MARK.dimmed()),
            retained: Paint::of(MARK.yellow()),
        }
    }
}

impl Default for Palette {
    fn default() -> Self {
        Palette::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(no_color: Option<&str>, force: Option<&str>) -> ColorEnv {
        ColorEnv {
            no_color: no_color.map(Into::into),
            clicolor_force: force.map(Into::into),
        }
    }

    #[test]
    fn color_policy() {
        use ColorChoice::*;
        let none = env(None, None);
        assert!(use_color(Auto, true, &none));
        assert!(!use_color(Auto, false, &none));
        assert!(!use_color(Auto, true, &env(Some("1"), None)));
        // no-color.org: an empty NO_COLOR does not count.
        assert!(use_color(Auto, true, &env(Some(""), None)));
        assert!(use_color(Auto, false, &env(None, Some("1"))));
        assert!(use_color(Auto, false, &env(Some("1"), Some("1"))));
        assert!(!use_color(Auto, false, &env(None, Some("0"))));
        assert!(use_color(Always, false, &env(Some("1"), None)));
        assert!(!use_color(Never, true, &env(None, Some("1"))));
    }

    #[test]
    fn palette_codes_come_from_colored() {
        colored::control::set_override(true);
        let p = Palette::new();
        assert_eq!(p.topic.start, b"\x1b[1;36m");
        assert_eq!(p.topic.end, b"\x1b[0m");
        assert_eq!(p.dim.start, b"\x1b[2m");
        assert_eq!(p.retained.start, b"\x1b[33m");
    }
}
