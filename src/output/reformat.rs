//! Re-serialising a JSON payload, streamed from serde_json's parser into an `Emitter` (no
//! tree is built): compact or indented, with numbers printed as cJSON prints them for
//! mosquitto's `%J` (`27.0` -> `27`, `1e3` -> `1000`). Key order and repeated keys are kept.

use super::json::{Emitter, Style};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Write;

/// Re-serialise a JSON document in `style`. On invalid JSON, `out` is left as it was and
/// `false` is returned.
pub fn reformat(out: &mut Vec<u8>, json: &[u8], style: Style) -> bool {
    let start = out.len();
    if embed_value(&mut Emitter::new(out, style), json) {
        return true;
    }
    out.truncate(start);
    false
}

/// A number as cJSON (1.7) prints it: `%1.15g`, or `%1.17g` when 15 digits do not give the
/// same double back. So `27.0` is `27`, `1e3` is `1000`, `-0` stays `-0`.
pub(super) fn cjson_number(out: &mut Vec<u8>, d: f64) {
    let start = out.len();
    c_g(out, d, 15);
    let back = std::str::from_utf8(&out[start..])
        .ok()
        .and_then(|s| s.parse::<f64>().ok());
    let close = back.is_some_and(|b| (b - d).abs() <= b.abs().max(d.abs()) * f64::EPSILON);
    if !close {
        out.truncate(start);
        c_g(out, d, 17);
    }
}

/// C's `%1.<p>g`: `p` significant digits, fixed or exponent form, trailing zeros removed.
fn c_g(out: &mut Vec<u8>, d: f64, p: usize) {
    let e = format!("{:.*e}", p - 1, d);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if x < -4 || x >= p as i32 {
        let sign = if x < 0 { '-' } else { '+' };
        let _ = write!(out, "{}e{sign}{:02}", trim(mant), x.abs());
    } else {
        let decimals = (p as i32 - 1 - x).max(0) as usize;
        let _ = write!(out, "{}", trim(&format!("{d:.decimals$}")));
    }
}

/// Stream the JSON document `json` into `e` as one value; false when it is not exactly one
/// JSON document (what was written is then garbage: the caller truncates).
pub(super) fn embed_value(e: &mut Emitter, json: &[u8]) -> bool {
    let mut de = serde_json::Deserializer::from_slice(json);
    Value(e).deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// Streams one JSON value from a deserializer into an `Emitter`.
struct Value<'e, 'a>(&'e mut Emitter<'a>);
/// Streams one object key.
struct Key<'e, 'a>(&'e mut Emitter<'a>);

impl<'de> DeserializeSeed<'de> for Value<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Value<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.bool(v);
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        if self.0.cjson_numbers {
            self.0.f64(v as f64);
        } else {
            let _ = write!(self.0.out, "{v}");
        }
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        if self.0.cjson_numbers {
            self.0.f64(v as f64);
        } else {
            self.0.u64(v);
        }
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.0.f64(v);
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.str(v);
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.null();
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.begin_array();
        loop {
            // `item` writes the separator, so only call it once an element is known to follow;
            // a trailing separator is removed below.
            let mark = self.0.out.len();
            let was_first = self.0.first;
            self.0.item();
            if seq.next_element_seed(Value(self.0))?.is_none() {
                self.0.out.truncate(mark);
                self.0.first = was_first;
                break;
            }
        }
        self.0.end_array();
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.begin_object();
        while map.next_key_seed(Key(self.0))?.is_some() {
            map.next_value_seed(Value(self.0))?;
        }
        self.0.end_object();
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Key<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.key(v);
        Ok(())
    }
}
