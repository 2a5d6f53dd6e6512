//! Owns stdout and stderr: how a received message becomes bytes, and how diagnostics look.
//!
//! Commands hand messages here and never print directly. The default and `-v` output are
//! byte-for-byte those of mosquitto_sub: raw payload bytes and a newline; `-v` puts the topic
//! and a space first and prints `topic (null)` for an empty payload.

use crate::session::Message;
use std::io::{self, Write};

pub mod progress;
pub mod saved;

/// Where received messages go, and how they look.
pub struct Printer {
    out: io::BufWriter<io::Stdout>,
    verbose: bool,
    eol: bool,
}

/// Outcome of writing to stdout: `Closed` means the reader went away (`| head -1`), which ends
/// a subscription successfully.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    Ok,
    Closed,
}

impl Printer {
    pub fn new(verbose: bool, eol: bool) -> Printer {
        Printer {
            out: io::BufWriter::with_capacity(64 * 1024, io::stdout()),
            verbose,
            eol,
        }
    }

    /// Append one message to the output buffer (call `flush` when no more are waiting).
    pub fn message(&mut self, m: &Message) -> io::Result<Written> {
        let r = render(&mut self.out, m, self.verbose, self.eol);
        closed_is_ok(r)
    }

    pub fn flush(&mut self) -> io::Result<Written> {
        closed_is_ok(self.out.flush())
    }
}

fn closed_is_ok(r: io::Result<()>) -> io::Result<Written> {
    match r {
        Ok(()) => Ok(Written::Ok),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Written::Closed),
        Err(e) => Err(e),
    }
}

/// mosquitto_sub's default and `-v` output.
fn render(out: &mut impl Write, m: &Message, verbose: bool, eol: bool) -> io::Result<()> {
    if verbose {
        if m.payload.is_empty() {
            // mosquitto prints "(null)" only when lines end with a newline.
            if eol {
                out.write_all(m.topic.as_bytes())?;
                out.write_all(b" (null)\n")?;
            }
            return Ok(());
        }
        out.write_all(m.topic.as_bytes())?;
        out.write_all(b" ")?;
    } else if m.payload.is_empty() {
        return Ok(());
    }
    out.write_all(&m.payload)?;
    if eol {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A `-d` packet log line on stderr.
pub fn debug(line: &str) {
    eprintln!("mq: debug: {line}");
}

/// A warning on stderr that does not end the command.
pub fn warn(line: &str) {
    eprintln!("mq: warning: {line}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn msg(topic: &str, payload: &[u8]) -> Message {
        Message {
            topic: topic.into(),
            payload: Bytes::copy_from_slice(payload),
            qos: 0,
            retain: false,
            pkid: 0,
            properties: None,
        }
    }

    #[test]
    fn mosquitto_default_and_verbose() {
        let cases: &[(&[u8], bool, bool, &[u8])] = &[
            (b"hello", false, true, b"hello\n"),
            (b"hello", true, true, b"t/a hello\n"),
            (b"", false, true, b""),
            (b"", true, true, b"t/a (null)\n"),
            (b"", true, false, b""),
            (b"a\0b\xff", false, false, b"a\0b\xff"),
            (b"x", true, false, b"t/a x"),
        ];
        for (payload, verbose, eol, want) in cases {
            let mut out = Vec::new();
            render(&mut out, &msg("t/a", payload), *verbose, *eol).unwrap();
            assert_eq!(&out[..], *want, "{payload:?} v={verbose} eol={eol}");
        }
    }
}
