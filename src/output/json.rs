//! JSON output, written straight into the output buffer (no intermediate tree):
//! mosquitto's `%j` / `%J` objects, mq's own `--json` NDJSON record, and re-serialising a JSON
//! payload (compact, mosquitto's tab-indented `--pretty`, or two-space indented).
//!
//! Every byte sequence becomes valid JSON: payloads are never truncated at a NUL, and bytes
//! that are not UTF-8 are written as a byte array (`%j`) or base64 (`--json`).

use super::reformat::{cjson_number, embed_value};
use super::time::Stamp;
use crate::session::{Message, Properties};
use std::io::Write;

pub use super::reformat::reformat;

/// Layout of the JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// One line, no spaces: `{"a":1,"b":[1,2]}`.
    Compact,
    /// mosquitto's `--pretty` (cJSON): tab indentation, a tab after `:`, arrays on one line.
    Tabs,
    /// Two-space indentation, like `jq .`.
    Spaces,
}

/// Writes JSON tokens with the separators and indentation of a `Style`.
pub struct Emitter<'a> {
    pub(super) out: &'a mut Vec<u8>,
    style: Style,
    depth: usize,
    pub(super) first: bool,
    /// Numbers as cJSON prints them (mosquitto's `%J`): `27.0` -> `27`.
    pub(super) cjson_numbers: bool,
}

impl<'a> Emitter<'a> {
    pub fn new(out: &'a mut Vec<u8>, style: Style) -> Emitter<'a> {
        Emitter {
            out,
            style,
            depth: 0,
            first: true,
            cjson_numbers: style == Style::Tabs,
        }
    }

    fn indent(&mut self) {
        match self.style {
            Style::Compact => {}
            Style::Tabs => {
                self.out.push(b'\n');
                self.out.resize(self.out.len() + self.depth, b'\t');
            }
            Style::Spaces => {
                self.out.push(b'\n');
                self.out.resize(self.out.len() + 2 * self.depth, b' ');
            }
        }
    }

    pub fn begin_object(&mut self) {
        self.out.push(b'{');
        self.depth += 1;
        self.first = true;
    }

    pub fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.indent();
        string(self.out, k);
        self.out.extend_from_slice(match self.style {
            Style::Compact => b":",
            Style::Tabs => b":\t",
            Style::Spaces => b": ",
        });
    }

    pub fn end_object(&mut self) {
        self.depth -= 1;
        // cJSON writes "{\n}" for an empty object; jq writes "{}".
        if self.style == Style::Tabs || (self.style == Style::Spaces && !self.first) {
            self.indent();
        }
        self.out.push(b'}');
        self.first = false;
    }

    pub fn begin_array(&mut self) {
        self.out.push(b'[');
        self.depth += 1;
        self.first = true;
    }

    pub fn item(&mut self) {
        if !self.first {
            self.out.push(b',');
            if self.style == Style::Tabs {
                self.out.push(b' ');
            }
        }
        if self.style == Style::Spaces {
            self.indent();
        }
        self.first = false;
    }

    pub fn end_array(&mut self) {
        self.depth -= 1;
        if self.style == Style::Spaces && !self.first {
            self.indent();
        }
        self.out.push(b']');
        self.first = false;
    }

    pub fn str(&mut self, s: &str) {
        string(self.out, s);
    }

    pub fn u64(&mut self, n: u64) {
        let _ = write!(self.out, "{n}");
    }

    /// `"k":n` when the value is present.
    fn opt_u64(&mut self, k: &str, v: Option<impl Into<u64>>) {
        if let Some(v) = v {
            self.key(k);
            self.u64(v.into());
        }
    }

    /// `"k":"s"` when the value is present.
    fn opt_str(&mut self, k: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.key(k);
            self.str(v);
        }
    }

    pub fn bool(&mut self, b: bool) {
        self.out
            .extend_from_slice(if b { b"true" } else { b"false" });
    }

    pub fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    pub(super) fn f64(&mut self, d: f64) {
        if !d.is_finite() {
            self.null();
        } else if self.cjson_numbers {
            cjson_number(self.out, d);
        } else {
            let _ = write!(self.out, "{d:?}");
        }
    }

    /// Bytes as a string when they are UTF-8, else as an array of byte values.
    fn bytes_or_array(&mut self, b: &[u8]) {
        match std::str::from_utf8(b) {
            Ok(s) => self.str(s),
            Err(_) => {
                self.begin_array();
                for &x in b {
                    self.item();
                    self.u64(x as u64);
                }
                self.end_array();
            }
        }
    }
}

/// A JSON string literal. Escapes as cJSON and serde_json do: `"`, `\`, and control
/// characters (`\n`-style where one exists, else `\u00XX`); also U+2028 and U+2029 (below);
/// everything else is copied.
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            // U+2028 and U+2029 are valid in JSON strings but end lines for JavaScript and
            // Python's str.splitlines(): written escaped, an NDJSON record stays one line.
            0xe2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
            {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(if bytes[i + 2] == 0xa8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                });
                start = i + 3;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{:04x}", b);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// A `serde_json` rendering with U+2028/U+2029 escaped as `string` writes them (inside JSON
/// text they can only occur in strings, so replacing them keeps the JSON valid).
pub fn separators_escaped(json: String) -> String {
    if !json.contains(['\u{2028}', '\u{2029}']) {
        return json;
    }
    json.replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(out: &mut Vec<u8>, data: &[u8]) {
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let n = (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32;
        out.extend_from_slice(&[
            B64[(n >> 18) as usize & 63],
            B64[(n >> 12) as usize & 63],
            B64[(n >> 6) as usize & 63],
            B64[n as usize & 63],
        ]);
    }
    match *chunks.remainder() {
        [a] => {
            let n = (a as u32) << 16;
            out.extend_from_slice(&[B64[(n >> 18) as usize], B64[(n >> 12) as usize & 63]]);
            out.extend_from_slice(b"==");
        }
        [a, b] => {
            let n = (a as u32) << 16 | (b as u32) << 8;
            out.extend_from_slice(&[
                B64[(n >> 18) as usize],
                B64[(n >> 12) as usize & 63],
                B64[(n >> 6) as usize & 63],
                b'=',
            ]);
        }
        _ => {}
    }
}

/// mosquitto's `%j` (`embed == false`) or `%J` (`embed == true`: the payload must be JSON and
/// is embedded as a value). Returns false, leaving `out` unchanged, when `%J` meets a payload
/// that is not JSON.
pub fn mosquitto_object(
    out: &mut Vec<u8>,
    m: &Message,
    t: &Stamp,
    embed: bool,
    pretty: bool,
) -> bool {
    let start = out.len();
    let mut e = Emitter::new(out, if pretty { Style::Tabs } else { Style::Compact });
    e.cjson_numbers = true;
    e.begin_object();
    e.key("tst");
    e.out.push(b'"');
    t.json_tst(e.out);
    e.out.push(b'"');
    e.key("topic");
    e.str(&m.topic);
    e.key("qos");
    e.u64(m.qos as u64);
    e.key("retain");
    e.u64(m.retain as u64);
    e.key("payloadlen");
    e.u64(m.payload.len() as u64);
    if m.qos.acknowledged() {
        e.key("mid");
        e.u64(m.pkid as u64);
    }
    if let Some(p) = m.properties.as_ref().filter(|p| has_any(p)) {
        mosquitto_properties(&mut e, p);
    }
    e.key("payload");
    if m.payload.is_empty() {
        e.null();
    } else if embed {
        if !embed_value(&mut e, &m.payload) {
            out.truncate(start);
            return false;
        }
    } else {
        e.bytes_or_array(&m.payload);
    }
    e.end_object();
    true
}

fn has_any(p: &Properties) -> bool {
    *p != Properties::default()
}

/// mosquitto's property names and order as its broker forwards them (subscription identifier
/// first, message expiry last; rumqttc does not keep the publisher's order of the others).
fn mosquitto_properties(e: &mut Emitter, p: &Properties) {
    e.key("properties");
    e.begin_object();
    let sub_id = p.subscription_identifiers.first().map(|&id| id as u64);
    e.opt_u64("subscription-identifier", sub_id);
    e.opt_u64("payload-format-indicator", p.payload_format_indicator);
    e.opt_str("content-type", p.content_type.as_deref());
    e.opt_str("response-topic", p.response_topic.as_deref());
    if let Some(v) = &p.correlation_data {
        e.key("correlation-data");
        e.bytes_or_array(v);
    }
    if !p.user_properties.is_empty() {
        // mosquitto writes repeated names as repeated keys; kept for compatibility.
        e.key("user-properties");
        e.begin_object();
        for (k, v) in &p.user_properties {
            e.key(k);
            e.str(v);
        }
        e.end_object();
    }
    e.opt_u64("topic-alias", p.topic_alias);
    e.opt_u64("message-expiry-interval", p.message_expiry_interval);
    e.end_object();
}

/// mq's `--json` record: one object with stable field names, the payload last.
pub fn record(out: &mut Vec<u8>, m: &Message, t: &Stamp, utc: bool, pretty: bool) {
    let mut e = Emitter::new(
        out,
        if pretty {
            Style::Spaces
        } else {
            Style::Compact
        },
    );
    e.begin_object();
    e.key("time");
    e.out.push(b'"');
    t.rfc3339_ms(e.out, utc);
    e.out.push(b'"');
    e.key("topic");
    e.str(&m.topic);
    e.key("qos");
    e.u64(m.qos as u64);
    e.key("retain");
    e.bool(m.retain);
    if m.qos.acknowledged() {
        e.key("mid");
        e.u64(m.pkid as u64);
    }
    if let Some(p) = m.properties.as_ref().filter(|p| has_any(p)) {
        record_properties(&mut e, p);
    }
    e.key("payload_length");
    e.u64(m.payload.len() as u64);
    exact_bytes(&mut e, ("payload_encoding", "payload"), &m.payload);
    e.end_object();
}

/// `"<name>_encoding":"utf-8"|"base64","<name>":"..."`: exact bytes, always valid JSON.
fn exact_bytes(e: &mut Emitter, (encoding, name): (&str, &str), b: &[u8]) {
    let utf8 = std::str::from_utf8(b).ok();
    e.key(encoding);
    e.str(if utf8.is_some() { "utf-8" } else { "base64" });
    e.key(name);
    match utf8 {
        Some(s) => e.str(s),
        None => {
            e.out.push(b'"');
            base64(e.out, b);
            e.out.push(b'"');
        }
    }
}

/// A message's MQTT 5 properties as the object `--json` records hold under `"properties"`
/// (`{}` when there are none): what `--where`/`--assert` see as `$props`.
pub fn properties(out: &mut Vec<u8>, p: Option<&Properties>) {
    let mut e = Emitter::new(out, Style::Compact);
    match p.filter(|p| has_any(p)) {
        Some(p) => properties_object(&mut e, p),
        None => {
            e.begin_object();
            e.end_object();
        }
    }
}

fn record_properties(e: &mut Emitter, p: &Properties) {
    e.key("properties");
    properties_object(e, p);
}

fn properties_object(e: &mut Emitter, p: &Properties) {
    e.begin_object();
    e.opt_u64("payload_format_indicator", p.payload_format_indicator);
    e.opt_u64("message_expiry_interval", p.message_expiry_interval);
    e.opt_str("content_type", p.content_type.as_deref());
    e.opt_str("response_topic", p.response_topic.as_deref());
    if let Some(v) = &p.correlation_data {
        exact_bytes(e, ("correlation_data_encoding", "correlation_data"), v);
    }
    e.opt_u64("topic_alias", p.topic_alias);
    if !p.subscription_identifiers.is_empty() {
        e.key("subscription_identifiers");
        e.begin_array();
        for &id in &p.subscription_identifiers {
            e.item();
            e.u64(id as u64);
        }
        e.end_array();
    }
    if !p.user_properties.is_empty() {
        e.key("user_properties");
        e.begin_array();
        for (k, v) in &p.user_properties {
            e.item();
            e.begin_array();
            e.item();
            e.str(k);
            e.item();
            e.str(v);
            e.end_array();
        }
        e.end_array();
    }
    e.end_object();
}
