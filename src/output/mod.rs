//! Owns stdout and stderr: how a received message becomes bytes, and how diagnostics look.
//!
//! Commands hand messages here and never print directly. The layouts:
//! - default and `-v` (`plain.rs`): byte-for-byte mosquitto_sub when piped; `--format`,
//!   colours, `--timestamp` and `--pretty` only change them when asked (or on a terminal);
//! - `-F` templates (`format.rs`), mosquitto's format language without its bugs;
//! - `--json` NDJSON records (`json.rs`), valid JSON whatever the payload bytes;
//! - `--count-only`: one count per second instead of messages.
//!
//! `--output FILE` additionally appends every raw payload to FILE. Messages are rendered into
//! one reusable buffer that is written to stdout when the caller flushes (or when it is full).
//!
//! Terminal detection and colour are decided in `term.rs`; how strings from the network are
//! made safe to show, in `escape.rs`. The stderr lines at the end of this file (`debug`,
//! `warn`, `note`, `error`) escape whatever they are given, so no caller has to.

pub mod escape;
pub mod format;
pub mod json;
mod plain;
pub use plain::looks_binary;
mod reformat;
pub mod term;
pub mod time;

use crate::session::Message;
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

pub use format::{FormatError, Template};

/// How the payload is shown in the default and `-v` output (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PayloadFormat {
    /// The bytes as received (mosquitto_sub's output)
    Raw,
    /// UTF-8 text; invalid bytes and control characters shown as \xNN
    Text,
    /// Lowercase hex, two digits per byte
    Hex,
    /// Standard base64
    Base64,
    /// JSON payloads re-serialised on one line (indented with --pretty); others as a JSON string
    Json,
}

/// When to colour the output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is not set
    Auto,
    Always,
    Never,
}

/// Time zone of `--timestamp` and `--json` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Zone {
    Local,
    Utc,
}

/// What a message turns into.
#[derive(Debug, Clone)]
pub enum Layout {
    /// mosquitto_sub's default output, or `-v` (topic first).
    Plain { verbose: bool },
    /// `-F`.
    Template(Template),
    /// `--json`.
    Json,
    /// `--count-only`: messages per second.
    CountOnly,
}

impl Layout {
    /// The layout the flags ask for (`-F` first, then `--json`, `--count-only`, `-v`), as sub
    /// and rr print; a bad `-F` template is a usage error.
    pub fn from_flags(
        template: Option<&str>,
        json: bool,
        count_only: bool,
        verbose: bool,
    ) -> crate::exit::Result<Layout> {
        Ok(match template {
            Some(f) => Layout::Template(Template::parse(f).map_err(|e| {
                crate::exit::Error::usage(format!("invalid -F format: {e}")).hint(e.hint)
            })?),
            None if json => Layout::Json,
            None if count_only => Layout::CountOnly,
            None => Layout::Plain { verbose },
        })
    }
}

/// Everything the output layer needs to know, from the command line.
#[derive(Debug, Clone)]
pub struct Options {
    pub layout: Layout,
    /// End each message with a newline (`-N` turns it off for plain and `-F` output).
    pub eol: bool,
    pub pretty: bool,
    /// `--format`; `None` is raw bytes, except binary payloads on a terminal (shown as hex).
    pub payload_format: Option<PayloadFormat>,
    pub color: ColorChoice,
    /// `--timestamp`: prefix plain lines with the receive time; also the zone of `--json` times.
    pub timestamp: Option<Zone>,
    /// `--output FILE`: append each raw payload to FILE.
    pub output_file: Option<PathBuf>,
    /// Do not warn on stderr (`--quiet`).
    pub quiet: bool,
}

impl Options {
    /// mosquitto_sub's default (`verbose == false`) or `-v` output.
    pub fn plain(verbose: bool, eol: bool) -> Options {
        Options {
            layout: Layout::Plain { verbose },
            eol,
            pretty: false,
            payload_format: None,
            color: ColorChoice::Never,
            timestamp: None,
            output_file: None,
            quiet: false,
        }
    }
}

pub mod progress;
pub mod saved;

/// Where received messages go, and how they look.
pub struct Printer {
    out: io::Stdout,
    buf: Vec<u8>,
    layout: Layout,
    /// Also carries the settings shared by every layout: line ends, `--pretty`, `--timestamp`.
    plain: plain::Plain,
    quiet: bool,
    /// `--output`: the file and its name (for error messages).
    file: Option<(io::BufWriter<File>, PathBuf)>,
    counted: u64,
}

/// Outcome of writing to stdout: `Closed` means the reader went away (`| head -1`), which ends
/// a subscription successfully.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    Ok,
    Closed,
}

/// Rendered output is written out once this much has accumulated, even before a flush.
const BUFFER: usize = 64 * 1024;

impl Printer {
    /// mosquitto_sub's default or `-v` output on stdout.
    pub fn new(verbose: bool, eol: bool) -> Printer {
        // `with` fails only when opening an output file, and these options name none.
        Printer::with(Options::plain(verbose, eol)).expect("no output file to open")
    }

    /// A printer for `opts`; fails only when `--output` cannot be opened.
    pub fn with(opts: Options) -> io::Result<Printer> {
        let out = io::stdout();
        let term = term::Term::for_stdout(opts.color);
        let file = match &opts.output_file {
            None => None,
            Some(p) => Some((
                io::BufWriter::new(File::options().create(true).append(true).open(p)?),
                p.clone(),
            )),
        };
        Ok(Printer {
            out,
            buf: Vec::with_capacity(BUFFER * 2),
            plain: plain::Plain {
                verbose: matches!(opts.layout, Layout::Plain { verbose: true }),
                eol: opts.eol,
                pretty: opts.pretty,
                format: opts.payload_format,
                tty: term.tty,
                palette: term.color.then(term::Palette::new),
                timestamp: opts.timestamp.map(|z| z == Zone::Utc),
            },
            layout: match opts.layout {
                Layout::Template(t) => Layout::Template(t.for_terminal(term.tty)),
                other => other,
            },
            quiet: opts.quiet,
            file,
            counted: 0,
        })
    }

    /// Render one message (call `flush` when no more are waiting).
    pub fn message(&mut self, m: &Message) -> io::Result<Written> {
        if let Some((f, path)) = self.file.as_mut() {
            f.write_all(&m.payload).map_err(|e| file_error(path, e))?;
        }
        match &self.layout {
            Layout::Plain { .. } => self.plain.render(&mut self.buf, m),
            Layout::Template(t) => {
                let stamp = t.needs_time().then(|| time::Stamp::now(false));
                self.plain.prefix(&mut self.buf);
                let r = t.render(&mut self.buf, m, stamp.as_ref(), self.plain.pretty);
                if self.plain.eol {
                    self.buf.push(b'\n');
                }
                if r.not_json && !self.quiet {
                    warn(&format!(
                        "the payload on topic '{}' is not valid JSON: %J printed nothing",
                        m.topic
                    ));
                }
            }
            Layout::Json => {
                let utc = self.plain.timestamp == Some(true);
                let stamp = time::Stamp::now(utc);
                json::record(&mut self.buf, m, &stamp, utc, self.plain.pretty);
                self.buf.push(b'\n');
            }
            Layout::CountOnly => self.counted += 1,
        }
        if self.buf.len() >= BUFFER {
            return self.write_out();
        }
        Ok(Written::Ok)
    }

    /// `--count-only`: print the messages counted since the last tick (once a second).
    pub fn tick(&mut self) -> io::Result<Written> {
        if !matches!(self.layout, Layout::CountOnly) {
            return Ok(Written::Ok);
        }
        self.plain.prefix(&mut self.buf);
        let _ = writeln!(self.buf, "{}", self.counted);
        self.counted = 0;
        self.flush()
    }

    /// Write out what is buffered, and the counts of an unfinished `--count-only` second.
    pub fn finish(&mut self) -> io::Result<Written> {
        if matches!(self.layout, Layout::CountOnly) && self.counted > 0 {
            return self.tick();
        }
        self.flush()
    }

    pub fn flush(&mut self) -> io::Result<Written> {
        if let Some((f, path)) = self.file.as_mut() {
            f.flush().map_err(|e| file_error(path, e))?;
        }
        match self.write_out()? {
            Written::Ok => closed_is_ok(self.out.flush()),
            closed => Ok(closed),
        }
    }

    fn write_out(&mut self) -> io::Result<Written> {
        let r = self.out.lock().write_all(&self.buf);
        self.buf.clear();
        closed_is_ok(r)
    }
}

impl Drop for Printer {
    /// A command that ends early (`-W`, an error) still gets out what was rendered.
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let _ = self.write_out();
            let _ = self.out.flush();
        }
    }
}

/// A write error on the `--output` file, saying which file.
fn file_error(path: &std::path::Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("writing {}: {e}", path.display()))
}

fn closed_is_ok(r: io::Result<()>) -> io::Result<Written> {
    match r {
        Ok(()) => Ok(Written::Ok),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Written::Closed),
        Err(e) => Err(e),
    }
}

/// A `-d` packet log line on stderr.
pub fn debug(line: &str) {
    eprintln!("mq: debug: {}", escape::shown(line));
}

/// A lost connection that will be retried.
/// A connection change (`Event::ConnectionLost`, `Event::Reconnected`) as a warning line, the
/// same for every command; messages are not for here.
pub fn connection_event(event: &crate::session::Event, quiet: bool) {
    use crate::session::Event;
    match event {
        _ if quiet => {}
        Event::ConnectionLost { error, retry_in } => warn(&format!(
            "{}; reconnecting in {}",
            error.message,
            humantime::format_duration(*retry_in)
        )),
        Event::Reconnected { .. } => warn("reconnected"),
        Event::Message(_) | Event::Subscribed(_) => {}
    }
}

/// A line for the user on stderr that is neither a warning nor an error (where an embedded
/// broker listens).
pub fn note(line: &str) {
    eprintln!("{}", escape::shown_lines(line));
}

/// A warning on stderr that does not end the command.
pub fn warn(line: &str) {
    eprintln!("mq: warning: {}", escape::shown(line));
}

/// The error that ends mq, as its one line on stderr (`mq: <what failed>: <why> (hint: ...)`),
/// escaped, with `mq:` in red on a colour terminal.
/// Write a whole report (check, bench, completions, man pages) to stdout. A reader that went
/// away (`| head`) is no failure: the command's exit code still says how it went.
pub fn write_stdout(bytes: &[u8]) -> crate::exit::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

pub fn error(e: &crate::exit::Error) {
    use colored::Colorize;
    term::Term::for_stderr(ColorChoice::Auto);
    let line = e.to_string();
    let rest = line.strip_prefix("mq:").unwrap_or(&line);
    eprintln!("{}{}", "mq:".red().bold(), escape::shown(rest));
}

#[cfg(test)]
mod tests;
