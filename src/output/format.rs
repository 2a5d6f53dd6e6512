//! `-F` templates, mosquitto_sub's format language: `%[-][0][width][.precision]<conv>` message
//! fields, `@X` strftime time fields (`@N` nanoseconds, `@@` an `@`), and `\` escapes.
//!
//! A template is parsed once at startup (a bad one is a usage error naming the bad sequence);
//! rendering appends to the caller's buffer and allocates nothing else. Where mosquitto 2.0 has
//! bugs mq does not copy them: `%x`/`%X` with a width print every byte, `%j` never truncates
//! at a NUL and writes non-UTF-8 payloads as a byte array, and widths count characters, not
//! bytes, so a multi-byte character is never cut in half.
//!
//! Network strings are escaped as `escape.rs` says: `%t` always loses its control characters
//! (mosquitto refuses such topics), and on a terminal every string field, `%p` and `%C` are
//! shown with control and bidi characters escaped; piped, they are the bytes received.

use super::escape::{self, Escape};
use super::time::Stamp;
use super::{json, plain};
use crate::session::Message;
use std::ffi::CString;
use std::fmt;
use std::io::Write;

/// A parsed `-F` template.
#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
    needs_time: bool,
    /// Rendering for a terminal: network strings escaped (see the module doc).
    terminal: bool,
}

#[derive(Debug, Clone)]
enum Part {
    Literal(Vec<u8>),
    Field(Conv, Spec),
    /// `@X`: one strftime conversion, kept as the C string `%X`.
    Strftime(CString),
    /// `@N`: nanoseconds within the second, 9 digits.
    Nanos,
}

/// Flags, width and precision of a `%` field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Spec {
    left: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conv {
    Topic,
    Payload,
    HexLower,
    HexUpper,
    Length,
    Mid,
    Qos,
    Retain,
    Iso8601,
    Unix,
    Json,
    JsonEmbedded,
    TopicAlias,
    ContentType,
    CorrelationData,
    Expiry,
    FormatIndicator,
    UserProperties,
    ResponseTopic,
    SubscriptionId,
}

impl Conv {
    fn from_char(c: char) -> Option<Conv> {
        Some(match c {
            't' => Conv::Topic,
            'p' => Conv::Payload,
            'x' => Conv::HexLower,
            'X' => Conv::HexUpper,
            'l' => Conv::Length,
            'm' => Conv::Mid,
            'q' => Conv::Qos,
            'r' => Conv::Retain,
            'I' => Conv::Iso8601,
            'U' => Conv::Unix,
            'j' => Conv::Json,
            'J' => Conv::JsonEmbedded,
            'A' => Conv::TopicAlias,
            'C' => Conv::ContentType,
            'D' => Conv::CorrelationData,
            'E' => Conv::Expiry,
            'F' => Conv::FormatIndicator,
            'P' => Conv::UserProperties,
            'R' => Conv::ResponseTopic,
            'S' => Conv::SubscriptionId,
            _ => return None,
        })
    }
}

/// Why a template was rejected: the message names the offending sequence, the hint says
/// what would be accepted there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    pub message: String,
    pub hint: &'static str,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn bad(message: String, hint: &'static str) -> FormatError {
    FormatError { message, hint }
}

const FIELDS: &str = "fields are %t %p %x %X %l %m %q %r %I %U %j %J %A %C %D %E %F %P %R %S, \
                      with optional [-][0][width][.precision]; write %% for a %";

/// What rendering one message noticed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    /// `%J` met a payload that is not JSON: it printed nothing (mosquitto warns on stderr).
    pub not_json: bool,
}

impl Template {
    pub fn parse(format: &str) -> Result<Template, FormatError> {
        let mut parts: Vec<Part> = Vec::new();
        let mut lit: Vec<u8> = Vec::new();
        let mut chars = format.char_indices().peekable();
        let col = |i: usize| format[..i].chars().count() + 1;
        while let Some((i, c)) = chars.next() {
            match c {
                '%' => {
                    let mut spec = Spec::default();
                    if chars.next_if(|&(_, c)| c == '-').is_some() {
                        spec.left = true;
                    }
                    if chars.next_if(|&(_, c)| c == '0').is_some() {
                        spec.zero = true;
                    }
                    while let Some((_, d)) = chars.next_if(|(_, c)| c.is_ascii_digit()) {
                        spec.width = spec.width.saturating_mul(10).saturating_add(digit(d));
                    }
                    if chars.next_if(|&(_, c)| c == '.').is_some() {
                        let mut p = 0usize;
                        while let Some((_, d)) = chars.next_if(|(_, c)| c.is_ascii_digit()) {
                            p = p.saturating_mul(10).saturating_add(digit(d));
                        }
                        spec.precision = Some(p);
                    }
                    let Some((j, conv)) = chars.next() else {
                        return Err(bad(
                            format!(
                                "incomplete format specifier '{}' at the end (column {})",
                                &format[i..],
                                col(i)
                            ),
                            FIELDS,
                        ));
                    };
                    // mosquitto accepts flags on %% (`%5%`) and ignores them.
                    if conv == '%' {
                        lit.push(b'%');
                        continue;
                    }
                    let seq = &format[i..j + conv.len_utf8()];
                    if spec.width > MAX_WIDTH || spec.precision.is_some_and(|p| p > MAX_WIDTH) {
                        return Err(bad(
                            format!(
                                "width or precision too large in '{seq}' at column {}",
                                col(i)
                            ),
                            "widths and precisions go up to 65535",
                        ));
                    }
                    let Some(conv) = Conv::from_char(conv) else {
                        return Err(bad(
                            format!("invalid format specifier '{seq}' at column {}", col(i)),
                            FIELDS,
                        ));
                    };
                    flush(&mut parts, &mut lit);
                    parts.push(Part::Field(conv, spec));
                }
                '@' => match chars.next() {
                    None => {
                        return Err(bad(
                            format!("incomplete time field '@' at the end (column {})", col(i)),
                            "follow @ with a strftime letter (@H, @Y, ...), N, or @ for an @",
                        ))
                    }
                    Some((_, '@')) => lit.push(b'@'),
                    Some((_, 'N')) => {
                        flush(&mut parts, &mut lit);
                        parts.push(Part::Nanos);
                    }
                    Some((_, c)) if c.is_ascii_graphic() => {
                        flush(&mut parts, &mut lit);
                        let f = CString::new(format!("%{c}")).map_err(|_| {
                            bad(
                                format!("invalid time field '@{c}' at column {}", col(i)),
                                "follow @ with a strftime letter (@H, @Y, ...), N, or @ for an @",
                            )
                        })?;
                        parts.push(Part::Strftime(f));
                    }
                    Some((_, c)) => {
                        return Err(bad(
                            format!("invalid time field '@{c}' at column {}", col(i)),
                            "follow @ with a strftime letter (@H, @Y, ...), N, or @ for an @",
                        ))
                    }
                },
                '\\' => {
                    let b = match chars.next() {
                        None => {
                            return Err(bad(
                                format!("incomplete escape '\\' at the end (column {})", col(i)),
                                ESCAPES,
                            ))
                        }
                        Some((_, c)) => match c {
                            '\\' => b'\\',
                            '0' => 0,
                            'a' => 0x07,
                            'e' => 0x1b,
                            'n' => b'\n',
                            'r' => b'\r',
                            't' => b'\t',
                            'v' => 0x0b,
                            c => {
                                return Err(bad(
                                    format!("invalid escape '\\{c}' at column {}", col(i)),
                                    ESCAPES,
                                ))
                            }
                        },
                    };
                    lit.push(b);
                }
                c => {
                    let mut b = [0u8; 4];
                    lit.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                }
            }
        }
        flush(&mut parts, &mut lit);
        let needs_time = parts.iter().any(|p| {
            matches!(
                p,
                Part::Strftime(_)
                    | Part::Nanos
                    | Part::Field(
                        Conv::Iso8601 | Conv::Unix | Conv::Json | Conv::JsonEmbedded,
                        _
                    )
            )
        });
        Ok(Template {
            parts,
            needs_time,
            terminal: false,
        })
    }

    /// Render for a terminal (stdout is one): network strings are escaped.
    pub fn for_terminal(mut self, terminal: bool) -> Template {
        self.terminal = terminal;
        self
    }

    /// Whether rendering needs the receive time (so the clock is read only when it does).
    pub fn needs_time(&self) -> bool {
        self.needs_time
    }

    /// Append the rendering of `m` to `out` (no line end). `time` is the receive time in local
    /// time; it is required when `needs_time()`.
    pub fn render(
        &self,
        out: &mut Vec<u8>,
        m: &Message,
        time: Option<&Stamp>,
        pretty: bool,
    ) -> Rendered {
        let mut r = Rendered::default();
        let fallback;
        let time = match time {
            Some(t) => t,
            None => {
                fallback = if self.needs_time {
                    Stamp::now(false)
                } else {
                    Stamp::placeholder()
                };
                &fallback
            }
        };
        for p in &self.parts {
            match p {
                Part::Literal(b) => out.extend_from_slice(b),
                Part::Strftime(f) => time.strftime(f, out),
                Part::Nanos => {
                    let _ = write!(out, "{:09}", time.nanos());
                }
                Part::Field(conv, spec) => {
                    field(out, m, time, *conv, *spec, pretty, self.terminal, &mut r)
                }
            }
        }
        r
    }
}

/// Largest width or precision: a topic is at most 65535 bytes, and a bigger pad would only
/// ask for a huge buffer per message.
const MAX_WIDTH: usize = 65535;

const ESCAPES: &str = r"escapes are \\ \0 \a \e \n \r \t \v; write \\ for a backslash";

fn digit(c: char) -> usize {
    (c as u8 - b'0') as usize
}

fn flush(parts: &mut Vec<Part>, lit: &mut Vec<u8>) {
    if !lit.is_empty() {
        parts.push(Part::Literal(std::mem::take(lit)));
    }
}

#[allow(clippy::too_many_arguments)]
fn field(
    out: &mut Vec<u8>,
    m: &Message,
    time: &Stamp,
    conv: Conv,
    spec: Spec,
    pretty: bool,
    terminal: bool,
    r: &mut Rendered,
) {
    let props = m.properties.as_ref();
    let text = Escape::text(terminal);
    match conv {
        Conv::Topic => escaped_string(out, &m.topic, spec, Escape::topic(terminal)),
        Conv::Payload => payload(out, &m.payload, spec, terminal),
        Conv::HexLower => hex(out, &m.payload, spec, plain::HEX_LOWER),
        Conv::HexUpper => hex(out, &m.payload, spec, plain::HEX_UPPER),
        Conv::Length => int(out, m.payload.len() as u64, spec),
        Conv::Mid => int(out, m.pkid as u64, spec),
        Conv::Qos => out.push(b'0' + m.qos as u8),
        Conv::Retain => out.push(if m.retain { b'1' } else { b'0' }),
        Conv::Iso8601 => {
            let start = out.len();
            time.iso8601(out);
            if spec.width > 0 || spec.precision.is_some() {
                // Re-render through the string rules from a stack copy: no allocation.
                let mut buf = [0u8; 64];
                let n = (out.len() - start).min(buf.len());
                buf[..n].copy_from_slice(&out[start..start + n]);
                out.truncate(start);
                string(out, std::str::from_utf8(&buf[..n]).unwrap_or(""), spec);
            }
        }
        Conv::Unix => {
            let _ = write!(out, "{}.{:09}", time.secs(), time.nanos());
        }
        Conv::Json => {
            json::mosquitto_object(out, m, time, false, pretty);
        }
        Conv::JsonEmbedded => {
            if !json::mosquitto_object(out, m, time, true, pretty) {
                r.not_json = true;
            }
        }
        Conv::TopicAlias => opt_int(out, props.and_then(|p| p.topic_alias).map(u64::from), spec),
        Conv::Expiry => opt_int(
            out,
            props.and_then(|p| p.message_expiry_interval).map(u64::from),
            spec,
        ),
        Conv::FormatIndicator => opt_int(
            out,
            props
                .and_then(|p| p.payload_format_indicator)
                .map(u64::from),
            spec,
        ),
        Conv::SubscriptionId => opt_int(
            out,
            props
                .and_then(|p| p.subscription_identifiers.first())
                .map(|&v| v as u64),
            spec,
        ),
        Conv::ContentType => match props.and_then(|p| p.content_type.as_deref()) {
            Some(s) => escaped_string(out, s, spec, text),
            // mosquitto pads a missing content type with spaces, whatever the flags.
            None => pad(out, b' ', spec.width),
        },
        Conv::ResponseTopic => {
            if let Some(s) = props.and_then(|p| p.response_topic.as_deref()) {
                escaped_string(out, s, spec, Escape::topic(terminal));
            }
        }
        Conv::CorrelationData => {
            if let Some(d) = props.and_then(|p| p.correlation_data.as_ref()) {
                escape::push(out, d, text);
            }
        }
        Conv::UserProperties => {
            if let Some(p) = props {
                for (i, (k, v)) in p.user_properties.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    escape::push_str(out, k, text);
                    out.push(b':');
                    escape::push_str(out, v, text);
                }
            }
        }
    }
}

fn pad(out: &mut Vec<u8>, c: u8, n: usize) {
    out.resize(out.len() + n, c);
}

/// printf `%d` with mosquitto's flags: `-` left-aligns (ignoring `0`), `0` zero-pads.
fn int(out: &mut Vec<u8>, v: u64, spec: Spec) {
    let w = spec.width;
    let _ = if spec.left {
        write!(out, "{v:<w$}")
    } else if spec.zero {
        write!(out, "{v:0w$}")
    } else {
        write!(out, "{v:w$}")
    };
}

/// An integer property, or `width` pad characters when the message does not carry it.
fn opt_int(out: &mut Vec<u8>, v: Option<u64>, spec: Spec) {
    match v {
        Some(v) => int(out, v, spec),
        None => pad(out, if spec.zero { b'0' } else { b' ' }, spec.width),
    }
}

/// `string` of a network string, escaped as `what` says; clean strings (all but hostile ones)
/// are not copied.
fn escaped_string(out: &mut Vec<u8>, s: &str, spec: Spec, what: Escape) {
    if escape::is_clean(s.as_bytes(), what) {
        return string(out, s, spec);
    }
    let mut shown = Vec::with_capacity(s.len() + 16);
    escape::push_str(&mut shown, s, what);
    string(out, &String::from_utf8_lossy(&shown), spec);
}

/// printf `%s` with width (space padding; `0` is ignored) and precision (maximum length), both
/// in characters.
fn string(out: &mut Vec<u8>, s: &str, spec: Spec) {
    let s = match spec.precision {
        Some(p) => match s.char_indices().nth(p) {
            Some((end, _)) => &s[..end],
            None => s,
        },
        None => s,
    };
    let n = if spec.width > 0 { s.chars().count() } else { 0 };
    let fill = spec.width.saturating_sub(n);
    if !spec.left {
        pad(out, b' ', fill);
    }
    out.extend_from_slice(s.as_bytes());
    if spec.left {
        pad(out, b' ', fill);
    }
}

/// `%p`: the raw payload; a width is both minimum and maximum (longer payloads are cut), as
/// in mosquitto. On a terminal, control and bidi characters are escaped (tab and newline
/// stay), as `--format text` shows them.
fn payload(out: &mut Vec<u8>, p: &[u8], spec: Spec, terminal: bool) {
    let p = if spec.width > 0 && p.len() > spec.width {
        &p[..spec.width]
    } else {
        p
    };
    let fill = spec.width.saturating_sub(p.len());
    if !spec.left {
        pad(out, if spec.zero { b'0' } else { b' ' }, fill);
    }
    if terminal {
        escape::push_text(out, p);
    } else {
        out.extend_from_slice(p);
    }
    if spec.left {
        pad(out, b' ', fill);
    }
}

/// `%x` / `%X`: every byte as two hex digits; a width only pads (mosquitto 2.0 printed half
/// the bytes when a width was given).
fn hex(out: &mut Vec<u8>, p: &[u8], spec: Spec, digits: &[u8; 16]) {
    let fill = spec.width.saturating_sub(2 * p.len());
    if !spec.left {
        pad(out, if spec.zero { b'0' } else { b' ' }, fill);
    }
    plain::hex(out, p, digits);
    if spec.left {
        pad(out, b' ', fill);
    }
}
