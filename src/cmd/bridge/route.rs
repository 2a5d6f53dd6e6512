//! `mq bridge`'s topic lines, as mosquitto's `topic` lines: which filter each direction
//! subscribes to, how a topic is renamed on the way, and whether two directions could send a
//! message back where it came from.

use crate::exit::{Error, Result};
use crate::session::Qos;
use crate::topic::TopicFilter;

/// Which way a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// From the `--from` broker to the `--to` broker.
    Out,
    /// From the `--to` broker to the `--from` broker.
    In,
}

impl Dir {
    pub fn name(self) -> &'static str {
        match self {
            Dir::Out => "out",
            Dir::In => "in",
        }
    }
}

/// One direction of one topic line.
#[derive(Debug, Clone)]
pub struct Route {
    pub dir: Dir,
    pub qos: Qos,
    /// What the source side subscribes to: its prefix, then the pattern.
    pub source: TopicFilter,
    /// The topics it becomes on the destination side: its prefix, then the pattern.
    pub dest: TopicFilter,
    source_prefix: String,
    dest_prefix: String,
}

impl Route {
    /// The topic a message on `topic` (matched by `source`) gets on the destination.
    pub fn map(&self, topic: &str) -> String {
        let rest = topic.strip_prefix(&self.source_prefix).unwrap_or(topic);
        format!("{}{rest}", self.dest_prefix)
    }
}

/// Parse one `-t` line: `PATTERN [out|in|both [QOS [FROM-PREFIX TO-PREFIX]]]`, where `""`
/// stands for an empty prefix. `default` is the direction of a line that names none.
pub fn parse(line: &str, default: &[Dir], default_qos: Qos) -> Result<Vec<Route>> {
    let bad = |why: String| {
        Error::usage(format!("invalid -t '{line}': {why}")).hint(
            "-t 'PATTERN [out|in|both [QOS [FROM-PREFIX TO-PREFIX]]]', as mosquitto's topic line",
        )
    };
    let words: Vec<&str> = line
        .split_whitespace()
        .map(|w| if w == "\"\"" { "" } else { w })
        .collect();
    let (pattern, rest) = match words.split_first() {
        Some((p, rest)) if !p.is_empty() => (*p, rest),
        _ => return Err(bad("no topic pattern".into())),
    };
    let dirs: Vec<Dir> = match rest.first() {
        None => default.to_vec(),
        Some(&"out") => vec![Dir::Out],
        Some(&"in") => vec![Dir::In],
        Some(&"both") => vec![Dir::Out, Dir::In],
        Some(other) => return Err(bad(format!("'{other}' is not a direction (out, in, both)"))),
    };
    let qos = match rest.get(1) {
        None => default_qos,
        Some(q) => crate::options::parse_qos(q).map_err(bad)?,
    };
    let (from_prefix, to_prefix) = match &rest[rest.len().min(2)..] {
        [] => ("", ""),
        [f, t] => (*f, *t),
        _ => {
            return Err(bad(
                "give both prefixes (\"\" for none): the --from side's, then the --to side's"
                    .into(),
            ))
        }
    };
    dirs.into_iter()
        .map(|dir| {
            let (sp, dp) = match dir {
                Dir::Out => (from_prefix, to_prefix),
                Dir::In => (to_prefix, from_prefix),
            };
            let filter = |prefix: &str| {
                TopicFilter::parse(&format!("{prefix}{pattern}")).map_err(|e| bad(e.to_string()))
            };
            Ok(Route {
                dir,
                qos,
                source: filter(sp)?,
                dest: filter(dp)?,
                source_prefix: sp.to_string(),
                dest_prefix: dp.to_string(),
            })
        })
        .collect()
}

/// A message forwarded by `out` that the `back` route would forward again, when one exists:
/// some topic `out` publishes matches what `back` subscribes to (on the same broker).
pub fn loop_between<'a>(out: &'a [Route], back: &'a [Route]) -> Option<(&'a Route, &'a Route)> {
    out.iter()
        .flat_map(|a| back.iter().map(move |b| (a, b)))
        .find(|(a, b)| a.dir != b.dir && overlap(a.dest.as_str(), b.source.as_str()))
}

/// Whether some topic matches both filters.
fn overlap(a: &str, b: &str) -> bool {
    let mut a = a.split('/');
    let mut b = b.split('/');
    loop {
        match (a.next(), b.next()) {
            (Some("#"), _) | (_, Some("#")) => return true,
            (None, None) => return true,
            // ("a" and "a/#" were matched by the first arm: "#" matches its parent level too.)
            (None, Some(_)) | (Some(_), None) => return false,
            (Some(x), Some(y)) if x == "+" || y == "+" || x == y => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Route {
        parse(line, &[Dir::Out], Qos::AtLeastOnce)
            .unwrap()
            .remove(0)
    }

    #[test]
    fn topic_lines_read_as_mosquitto_s() {
        let r = one("sensors/#");
        assert_eq!((r.dir, r.qos), (Dir::Out, Qos::AtLeastOnce));
        assert_eq!(
            (r.source.as_str(), r.dest.as_str()),
            ("sensors/#", "sensors/#")
        );
        let r = one("sensors/# out 2 \"\" site1/");
        assert_eq!(r.qos, Qos::ExactlyOnce);
        assert_eq!(r.dest.as_str(), "site1/sensors/#");
        assert_eq!(r.map("sensors/a/t"), "site1/sensors/a/t");
        let r = one("cmd/+ in 0 local/ remote/");
        assert_eq!((r.dir, r.qos), (Dir::In, Qos::AtMostOnce));
        assert_eq!(
            (r.source.as_str(), r.dest.as_str()),
            ("remote/cmd/+", "local/cmd/+")
        );
        assert_eq!(r.map("remote/cmd/x"), "local/cmd/x");
        let both = parse("a/# both", &[Dir::Out], Qos::AtMostOnce).unwrap();
        assert_eq!(both.len(), 2);
        let dflt = parse("a/#", &[Dir::Out, Dir::In], Qos::AtMostOnce).unwrap();
        assert_eq!(dflt.len(), 2);
    }

    #[test]
    fn bad_topic_lines_are_usage_errors() {
        for (line, says) in [
            ("", "no topic pattern"),
            ("a/# sideways", "not a direction"),
            ("a/# out 3", "not a QoS"),
            ("a/# out 1 only-one/", "give both prefixes"),
            ("a/#/b", "#"),
        ] {
            let e = parse(line, &[Dir::Out], Qos::AtLeastOnce).unwrap_err();
            assert_eq!(e.code, crate::exit::Code::Usage);
            assert!(e.message.contains(says), "{line}: {e}");
        }
    }

    #[test]
    fn filters_overlap_when_one_topic_matches_both() {
        for (a, b, want) in [
            ("a/#", "a/b", true),
            ("a/+", "a/b", true),
            ("a/+", "+/c", true),
            ("site1/a/#", "a/#", false),
            ("a/b", "a/c", false),
            ("a", "a/#", true),
            ("a/b/c", "a/+", false),
            ("#", "x", true),
        ] {
            assert_eq!(overlap(a, b), want, "{a} {b}");
            assert_eq!(overlap(b, a), want, "{b} {a}");
        }
    }

    #[test]
    fn both_ways_unmapped_is_a_loop_and_a_prefix_breaks_it() {
        let routes = parse("a/# both", &[Dir::Out], Qos::AtLeastOnce).unwrap();
        let (out, back): (Vec<_>, Vec<_>) = routes.into_iter().partition(|r| r.dir == Dir::Out);
        assert!(loop_between(&out, &back).is_some());
        let out = parse("a/# out 1 \"\" site1/", &[Dir::Out], Qos::AtLeastOnce).unwrap();
        let back = parse("cmd/# in 1 \"\" site1/", &[Dir::Out], Qos::AtLeastOnce).unwrap();
        assert!(loop_between(&out, &back).is_none());
        assert!(loop_between(&back, &out).is_none());
    }
}
