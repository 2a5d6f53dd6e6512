//! Topic names and topic filters: validation (MQTT 3.1.1 §4.7, MQTT 5 §4.7) and matching.
//!
//! A `Topic` or `TopicFilter` can only be built valid, so code past argument parsing never
//! re-checks. Matching follows the spec, including the rule that a filter starting with a
//! wildcard does not match topics starting with `$`.

use std::fmt;

/// Longest topic the protocol can carry: a two-byte length prefix.
pub const MAX_TOPIC_LEN: usize = 65535;

/// A topic name a message can be published to: non-empty, no wildcards, no NUL, ≤ 65535 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic(String);

/// A subscription filter: `+` fills a whole level, `#` only as the whole last level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicFilter(String);

fn check_common(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("a topic cannot be empty".into());
    }
    if s.len() > MAX_TOPIC_LEN {
        return Err(format!(
            "a topic is at most {MAX_TOPIC_LEN} bytes long, this one has {}",
            s.len()
        ));
    }
    if s.contains('\0') {
        return Err("a topic cannot contain a NUL character".into());
    }
    Ok(())
}

impl Topic {
    pub fn parse(s: &str) -> Result<Topic, String> {
        check_common(s)?;
        if s.contains(['+', '#']) {
            return Err(format!(
                "'{s}' contains a wildcard ('+' or '#'), which is only allowed when subscribing"
            ));
        }
        Ok(Topic(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TopicFilter {
    pub fn parse(s: &str) -> Result<TopicFilter, String> {
        check_common(s)?;
        let levels: Vec<&str> = s.split('/').collect();
        for (i, level) in levels.iter().enumerate() {
            if level.contains('#') && (*level != "#" || i != levels.len() - 1) {
                return Err(format!(
                    "'{s}': '#' must be the whole last level of a filter (like 'a/b/#')"
                ));
            }
            if level.contains('+') && *level != "+" {
                return Err(format!(
                    "'{s}': '+' must fill a whole level of a filter (like 'a/+/c')"
                ));
            }
        }
        Ok(TopicFilter(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The filter without a `$share/<group>/` prefix: what topics are matched against.
    fn match_part(&self) -> &str {
        if let Some(rest) = self.0.strip_prefix("$share/") {
            if let Some((_, filter)) = rest.split_once('/') {
                return filter;
            }
        }
        &self.0
    }

    /// Does a received topic match this filter?
    pub fn matches(&self, topic: &str) -> bool {
        let filter = self.match_part();
        if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
            return false;
        }
        let mut f = filter.split('/');
        let mut t = topic.split('/');
        loop {
            match (f.next(), t.next()) {
                (Some("#"), _) => return true,
                (Some("+"), Some(_)) => {}
                (Some(a), Some(b)) if a == b => {}
                (None, None) => return true,
                _ => return false,
            }
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for TopicFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_topics() {
        for ok in ["a", "a/b", "/", "a//b", "$SYS/x", "sp ace", "ünï"] {
            assert!(Topic::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a/+", "#", "a/#", "a+b", "nul\0"] {
            assert!(Topic::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Topic::parse(&"x".repeat(65536)).is_err());
        assert!(Topic::parse(&"x".repeat(65535)).is_ok());
    }

    #[test]
    fn filters() {
        for ok in ["#", "+", "a/+/c", "a/#", "+/+", "/#", "$share/g/a/#"] {
            assert!(TopicFilter::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a/#/b", "a#", "a/b#", "a+/b", "++", "#/"] {
            assert!(TopicFilter::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn matching() {
        let cases = [
            ("#", "a/b", true),
            ("a/#", "a", true),
            ("a/#", "a/b/c", true),
            ("a/+", "a/b", true),
            ("a/+", "a/b/c", false),
            ("a/+/c", "a/x/c", true),
            ("+", "/a", false),
            ("+/+", "/a", true),
            ("#", "$SYS/x", false),
            ("+/x", "$SYS/x", false),
            ("$SYS/#", "$SYS/x", true),
            ("a/b", "a/b", true),
            ("a/b", "a/bc", false),
            ("$share/g/a/+", "a/b", true),
        ];
        for (f, t, want) in cases {
            assert_eq!(TopicFilter::parse(f).unwrap().matches(t), want, "{f} ~ {t}");
        }
    }
}
