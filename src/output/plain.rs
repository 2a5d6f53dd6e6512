//! The default and `-v` lines: mosquitto_sub's output byte for byte when piped, plus mq's
//! payload formats (`--format`), colours, `--timestamp` prefixes and `--pretty` JSON payloads.
//!
//! Topics lose their control characters (and, on a terminal, their bidi characters) as
//! `escape.rs` says; on a terminal, payloads that would drive it are shown as hex (binary) or
//! escaped text (a carriage return, a bidi override).

use super::escape::{self, Escape};
use super::json::{self, Style};
use super::term::{Paint, Palette};
use super::time::Stamp;
use super::PayloadFormat;
use crate::session::Message;

/// How the plain lines look, resolved once (TTY, colour) at startup.
#[derive(Debug, Clone)]
pub struct Plain {
    pub verbose: bool,
    pub eol: bool,
    pub pretty: bool,
    /// `None`: raw bytes, except binary payloads on a terminal, which are shown as hex.
    pub format: Option<PayloadFormat>,
    pub tty: bool,
    /// Colour codes, when colour is on.
    pub palette: Option<Palette>,
    /// `--timestamp`: prefix each line with the receive time (`Some(utc)`).
    pub timestamp: Option<bool>,
}

impl Plain {
    /// Append the line for `m` (nothing at all for an empty payload without `-v`, as mosquitto).
    pub fn render(&self, out: &mut Vec<u8>, m: &Message) {
        if m.payload.is_empty() && !(self.verbose && self.eol) {
            return;
        }
        self.prefix(out);
        if self.verbose {
            let topic = Escape::topic(self.tty);
            self.paint(
                out,
                |p| &p.topic,
                |out| escape::push_str(out, &m.topic, topic),
            );
            if self.palette.is_some() {
                // Only on a colour terminal: QoS and retained flag as extra, dimmed columns.
                out.push(b' ');
                self.paint(
                    out,
                    |p| &p.dim,
                    |out| {
                        out.extend_from_slice(b"q");
                        out.push(b'0' + m.qos as u8);
                    },
                );
                if m.retain {
                    out.push(b' ');
                    self.paint(
                        out,
                        |p| &p.retained,
                        |out| out.extend_from_slice(b"retained"),
                    );
                }
            }
            if m.payload.is_empty() {
                out.extend_from_slice(b" (null)\n");
                return;
            }
            out.push(b' ');
        }
        self.payload(out, &m.payload);
        if self.eol {
            out.push(b'\n');
        }
    }

    /// `--timestamp`: the receive time and a space, before anything else on the line.
    pub fn prefix(&self, out: &mut Vec<u8>) {
        if let Some(utc) = self.timestamp {
            self.paint(out, |p| &p.dim, |out| Stamp::now(utc).rfc3339_ms(out, utc));
            out.push(b' ');
        }
    }

    fn paint(
        &self,
        out: &mut Vec<u8>,
        color: impl Fn(&Palette) -> &Paint,
        body: impl FnOnce(&mut Vec<u8>),
    ) {
        match &self.palette {
            Some(p) => {
                let paint = color(p);
                out.extend_from_slice(&paint.start);
                body(out);
                out.extend_from_slice(&paint.end);
            }
            None => body(out),
        }
    }

    fn payload(&self, out: &mut Vec<u8>, p: &[u8]) {
        let pretty_json = self.pretty
            && matches!(
                self.format,
                None | Some(PayloadFormat::Raw | PayloadFormat::Text | PayloadFormat::Json)
            );
        if pretty_json && json::reformat(out, p, Style::Spaces) {
            return;
        }
        match self.format {
            None if self.tty && looks_binary(p) => hex(out, p, HEX_LOWER),
            None if self.tty => text(out, p),
            None | Some(PayloadFormat::Raw) => out.extend_from_slice(p),
            Some(PayloadFormat::Text) => text(out, p),
            Some(PayloadFormat::Hex) => hex(out, p, HEX_LOWER),
            Some(PayloadFormat::Base64) => json::base64(out, p),
            Some(PayloadFormat::Json) => {
                if !json::reformat(out, p, Style::Compact) {
                    json::string(out, &String::from_utf8_lossy(p));
                }
            }
        }
    }
}

/// Bytes that would garble a terminal: not UTF-8, or control characters other than tab, CR
/// and newline.
pub fn looks_binary(p: &[u8]) -> bool {
    match std::str::from_utf8(p) {
        Err(_) => true,
        Ok(s) => s
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
    }
}

pub const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
pub const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Two hex digits per byte, no separators.
pub fn hex(out: &mut Vec<u8>, p: &[u8], digits: &[u8; 16]) {
    out.reserve(2 * p.len());
    for &b in p {
        out.push(digits[(b >> 4) as usize]);
        out.push(digits[(b & 15) as usize]);
    }
}

/// UTF-8 text safe for a terminal: invalid bytes and control characters (other than tab and
/// newline) become `\xNN`, bidi characters `\u{NNNN}` (see `escape.rs`).
pub fn text(out: &mut Vec<u8>, p: &[u8]) {
    escape::push_text(out, p);
}
