//! Conditions on a received message, one vocabulary for every command that waits for or checks
//! what arrives (`sub --where/--grep/--assert`, and the commands that reuse them):
//!
//! - `Expr`: a jq expression (jaq) over the JSON payload. It holds for a message when it
//!   outputs `true`: any of its outputs, checked lazily; `false`, `null`, other values, no
//!   output or an error do not count. The message's topic, QoS, retain flag and MQTT 5
//!   properties are the variables `$topic`, `$qos`, `$retained` and `$props` (the object
//!   `--json` records hold under `"properties"`, `{}` when there are none). A payload that is
//!   not one JSON value never satisfies an expression.
//! - `Conditions`: `--where` and `--grep` select a message (both must hold when both are
//!   given), `--assert` checks the ones selected.
//!
//! Everything is compiled once, before connecting; checking a message allocates only what jaq
//! needs for its value. Nothing here prints: callers get a `Verdict` and say what they want.

use crate::output::escape::{self, Escape};
use crate::session::Message;
use jaq_core::data::JustLut;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars};
use jaq_json::Val;
use std::fmt::Write as _;

/// The variables an expression may use, in the order `Expr::holds` binds them.
const VARS: [&str; 4] = ["$topic", "$qos", "$retained", "$props"];

/// How much of a payload a report quotes.
const QUOTED_BYTES: usize = 80;

/// A compiled jq expression and its source, for reports.
pub struct Expr {
    source: String,
    filter: jaq_core::Filter<JustLut<Val>>,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expr").field(&self.source).finish()
    }
}

impl Expr {
    /// Parse and compile `source`; the error is one line naming the problem and where it is.
    pub fn compile(source: &str) -> Result<Expr, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let arena = Arena::default();
        let program = File {
            code: source,
            path: (),
        };
        let modules = Loader::new(defs)
            .load(&arena, program)
            .map_err(|errs| load_error(source, errs))?;
        let filter = Compiler::default()
            .with_funs(funs)
            .with_global_vars(VARS)
            .compile(modules)
            .map_err(|errs| {
                let (name, what) = errs
                    .into_iter()
                    .flat_map(|(_, e)| e)
                    .next()
                    .map_or(("?", "symbol"), |(name, u)| (name, u.as_str()));
                match what {
                    "variable" => format!(
                        "undefined variable {name} (the message's are {})",
                        VARS.join(", ")
                    ),
                    _ => format!("undefined {what} {name}"),
                }
            })?;
        Ok(Expr {
            source: source.to_string(),
            filter,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the expression outputs `true` for this message; `Err` says, as a clause, what
    /// it gave instead ("it gave false", "the payload is not JSON (...)").
    pub fn holds(&self, m: &Message, payload: &Payload) -> Result<(), String> {
        let input = match payload {
            Payload::Json(v) => v.clone(),
            Payload::NotJson(why) => return Err(format!("the payload is not JSON ({why})")),
        };
        // Most messages carry no properties: `{}` without a trip through JSON text.
        let props = match &m.properties {
            None => Val::obj(jaq_json::Map::default()),
            Some(p) => {
                let mut props = Vec::new();
                crate::output::json::properties(&mut props, Some(p));
                jaq_json::read::parse_single(&props).unwrap_or_default()
            }
        };
        let vars = Vars::new([
            Val::utf8_str(m.topic.clone().into_bytes()),
            Val::from(m.qos as isize),
            Val::from(m.retain),
            props,
        ]);
        let ctx = Ctx::<JustLut<Val>>::new(&self.filter.lut, vars);
        let mut first = None;
        for out in self.filter.id.run((ctx, input)).map(jaq_core::unwrap_valr) {
            match out {
                Ok(Val::Bool(true)) => return Ok(()),
                Ok(v) => {
                    first.get_or_insert(v);
                }
                Err(e) => return Err(format!("it failed: {e}")),
            }
        }
        Err(match first {
            None => "it gave no output".to_string(),
            Some(v) => format!("it gave {}", quoted_val(&v)),
        })
    }
}

/// What a value shows as in a report: short, on one line.
fn quoted_val(v: &Val) -> String {
    let mut s = String::new();
    let _ = write!(s, "{v}");
    shorten(s.as_bytes())
}

/// The payload as expressions see it, parsed once per message.
pub enum Payload {
    Json(Val),
    NotJson(String),
}

impl Payload {
    pub fn parse(bytes: &[u8]) -> Payload {
        match jaq_json::read::parse_single(bytes) {
            Ok(v) => Payload::Json(v),
            Err(e) if bytes.is_empty() => Payload::NotJson(format!("empty: {e}")),
            Err(e) => Payload::NotJson(e.to_string()),
        }
    }
}

/// A jaq load error as one line: what was expected, and where.
fn load_error(source: &str, errs: jaq_core::load::Errors<&str, ()>) -> String {
    use jaq_core::load::Error;
    let at = |rest: &str| {
        let offset = jaq_core::load::span(source, rest).start;
        match rest.chars().next() {
            None => "at the end".to_string(),
            Some(_) => format!("at byte {offset} ('{}')", shorten(rest.as_bytes())),
        }
    };
    let Some((_, e)) = errs.into_iter().next() else {
        return "cannot be parsed".into();
    };
    match e {
        Error::Lex(v) => v.first().map_or("cannot be read".into(), |(expect, rest)| {
            format!("expected {} {}", expect.as_str(), at(rest))
        }),
        Error::Parse(v) => v
            .first()
            .map_or("cannot be parsed".into(), |(expect, found)| {
                format!("expected {} {}", expect.as_str(), at(found))
            }),
        Error::Io(v) => v
            .first()
            .map_or("cannot load a module".into(), |(path, why)| {
                format!("cannot load module {path}: {why}")
            }),
    }
}

/// At most `QUOTED_BYTES` of `bytes`, terminal-escaped, `...` when cut.
pub fn shorten(bytes: &[u8]) -> String {
    let mut cut = bytes.len().min(QUOTED_BYTES);
    // Cut on a character boundary when the text is UTF-8.
    if let Ok(s) = std::str::from_utf8(bytes) {
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
    }
    let mut out = Vec::with_capacity(cut + 8);
    escape::push(&mut out, &bytes[..cut], Escape::All);
    if cut < bytes.len() {
        out.extend_from_slice(b"...");
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `--where`, `--grep` and `--assert`, compiled.
#[derive(Debug, Default)]
pub struct Conditions {
    pub select: Option<Expr>,
    pub grep: Option<regex::Regex>,
    pub assert: Option<Expr>,
}

/// What the conditions say about one message.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Selected, and it satisfies `--assert` (if any).
    Pass,
    /// Not selected by `--where`/`--grep`: why, for `-d`.
    Skip(String),
    /// Selected, but `--assert` does not hold: why.
    Fail(String),
}

impl Conditions {
    /// Compile the flags' values; the error names the flag and the problem (a usage error).
    pub fn compile(
        select: Option<&str>,
        grep: Option<&str>,
        assert: Option<&str>,
    ) -> Result<Conditions, String> {
        let expr = |flag: &str, src: Option<&str>| {
            src.map(|s| {
                Expr::compile(s).map_err(|e| format!("invalid {flag} expression '{s}': {e}"))
            })
            .transpose()
        };
        Ok(Conditions {
            select: expr("--where", select)?,
            grep: grep
                .map(|g| {
                    regex::Regex::new(g).map_err(|e| {
                        let why = e.to_string();
                        // The regex crate's message spans lines, with a caret under the spot.
                        let last = why.lines().last().unwrap_or("").trim();
                        let last = last.trim_start_matches("error: ");
                        format!("invalid --grep regex '{g}': {last}")
                    })
                })
                .transpose()?,
            assert: expr("--assert", assert)?,
        })
    }

    /// No condition given: every message passes.
    pub fn is_empty(&self) -> bool {
        self.select.is_none() && self.grep.is_none() && self.assert.is_none()
    }

    /// Whether something selects (so a timeout reports how many messages matched).
    pub fn selects(&self) -> bool {
        self.select.is_some() || self.grep.is_some()
    }

    pub fn check(&self, m: &Message) -> Verdict {
        if let Some(re) = &self.grep {
            match std::str::from_utf8(&m.payload) {
                Ok(text) if re.is_match(text) => {}
                Ok(_) => return Verdict::Skip("--grep: no match".into()),
                Err(_) => return Verdict::Skip("--grep: the payload is not UTF-8".into()),
            }
        }
        if self.select.is_none() && self.assert.is_none() {
            return Verdict::Pass;
        }
        let payload = Payload::parse(&m.payload);
        if let Some(e) = &self.select {
            if let Err(why) = e.holds(m, &payload) {
                return Verdict::Skip(format!("--where: {why}"));
            }
        }
        match &self.assert {
            Some(e) => match e.holds(m, &payload) {
                Ok(()) => Verdict::Pass,
                Err(why) => Verdict::Fail(why),
            },
            None => Verdict::Pass,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Properties, Qos};
    use bytes::Bytes;

    fn msg(topic: &str, payload: &str) -> Message {
        Message {
            topic: topic.into(),
            payload: Bytes::copy_from_slice(payload.as_bytes()),
            qos: Qos::AtLeastOnce,
            retain: false,
            pkid: 1,
            properties: None,
        }
    }

    fn check(select: Option<&str>, assert: Option<&str>, m: &Message) -> Verdict {
        Conditions::compile(select, None, assert)
            .expect("compiles")
            .check(m)
    }

    #[test]
    fn where_matches_only_on_true() {
        let hot = msg("sensors/temp", r#"{"temp": 31.5}"#);
        let cold = msg("sensors/temp", r#"{"temp": 12}"#);
        assert_eq!(check(Some(".temp > 30"), None, &hot), Verdict::Pass);
        assert_eq!(
            check(Some(".temp > 30"), None, &cold),
            Verdict::Skip("--where: it gave false".into())
        );
        // A truthy value is not `true`.
        assert!(matches!(check(Some(".temp"), None, &hot), Verdict::Skip(_)));
        // Any output `true` is enough.
        let many = msg("t", r#"{"r": [1, 40, 2]}"#);
        assert_eq!(check(Some(".r[] | . > 30"), None, &many), Verdict::Pass);
    }

    #[test]
    fn a_payload_that_is_not_json_never_matches() {
        let text = msg("t", "hot");
        match check(Some("true"), None, &text) {
            Verdict::Skip(why) => assert!(why.contains("not JSON"), "{why}"),
            v => panic!("{v:?}"),
        }
        match check(None, Some("true"), &msg("t", "")) {
            Verdict::Fail(why) => assert!(why.contains("not JSON (empty"), "{why}"),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn message_variables() {
        let mut m = msg("a/b", "{}");
        m.retain = true;
        m.properties = Some(Properties {
            content_type: Some("application/json".into()),
            user_properties: vec![("site".into(), "paris".into())],
            ..Properties::default()
        });
        for e in [
            r#"$topic == "a/b""#,
            "$qos == 1",
            "$retained",
            r#"$props.content_type == "application/json""#,
            r#"$props.user_properties | any(. == ["site", "paris"])"#,
            r#"$topic | startswith("a/")"#,
        ] {
            assert_eq!(check(Some(e), None, &m), Verdict::Pass, "{e}");
        }
        m.properties = None;
        assert_eq!(check(Some("$props == {}"), None, &m), Verdict::Pass);
    }

    #[test]
    fn assert_reports_what_the_expression_gave() {
        let m = msg("t", r#"{"temp": 99, "name": "x"}"#);
        let a = Some(".temp >= 0 and .temp <= 50");
        assert_eq!(check(None, a, &m), Verdict::Fail("it gave false".into()));
        assert_eq!(
            check(Some(".name == \"y\""), a, &m),
            Verdict::Skip("--where: it gave false".into())
        );
        match check(None, Some(".temp | .x"), &m) {
            Verdict::Fail(why) => assert!(why.starts_with("it failed: "), "{why}"),
            v => panic!("{v:?}"),
        }
        assert_eq!(
            check(None, Some("empty"), &m),
            Verdict::Fail("it gave no output".into())
        );
    }

    #[test]
    fn grep_matches_utf8_text() {
        let c = Conditions::compile(None, Some("^ERR(OR)? "), None).expect("compiles");
        assert_eq!(c.check(&msg("log", "ERROR disk full")), Verdict::Pass);
        assert!(matches!(c.check(&msg("log", "ok")), Verdict::Skip(_)));
        let mut bin = msg("log", "");
        bin.payload = Bytes::from_static(b"ERR \xff");
        assert_eq!(
            c.check(&bin),
            Verdict::Skip("--grep: the payload is not UTF-8".into())
        );
    }

    #[test]
    fn bad_expressions_are_one_line_naming_the_problem() {
        for (flags, wanted) in [
            (
                (Some(".temp >"), None, None),
                "invalid --where expression '.temp >': expected term at the end",
            ),
            ((Some(".a | foo(1)"), None, None), "undefined filter foo"),
            (
                (None, None, Some("$nope")),
                "undefined variable $nope (the message's are $topic, $qos, $retained, $props)",
            ),
            ((Some("{a"), None, None), "'{a': expected"),
            ((None, Some("a("), None), "invalid --grep regex 'a(': "),
        ] {
            let e = Conditions::compile(flags.0, flags.1, flags.2).expect_err("refused");
            assert!(e.contains(wanted), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn shorten_escapes_and_cuts() {
        assert_eq!(shorten(b"a\x1bb"), "a\\x1bb");
        let long = "é".repeat(60);
        let s = shorten(long.as_bytes());
        assert!(s.ends_with("...") && s.len() <= QUOTED_BYTES + 3, "{s}");
    }
}
