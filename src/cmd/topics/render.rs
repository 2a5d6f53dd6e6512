//! How an inventory becomes text: the table (a tree of topic levels or flat rows), the JSON
//! document and NDJSON records. Everything is rendered into one buffer the caller writes once;
//! topic names and payloads come from the network, so the table escapes them for the terminal.

use super::inventory::{Inventory, Kind, Row};
use crate::cli::SortKey;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

/// Characters of payload preview in the table.
const PREVIEW_CHARS: usize = 40;
/// Bytes of a binary payload shown as hex in the table.
const PREVIEW_HEX_BYTES: usize = 16;

/// How to show one inventory.
pub struct View<'a> {
    pub filters: &'a [String],
    pub now: Instant,
    /// Seconds listened: rates are live messages over this.
    pub window: f64,
    /// Subscription QoS; the QOS column is shown only above 0 (below it says nothing).
    pub qos: u8,
    pub sort: SortKey,
    pub flat: bool,
    /// Show at most this many rows (`--watch` on a small terminal).
    pub max_rows: Option<usize>,
    pub retained_only: bool,
}

/// Counters of a topic, or of a level with everything below it.
#[derive(Default, Clone, Copy)]
struct Agg {
    topics: u64,
    messages: u64,
    live: u64,
    bytes: u64,
    last_seen: Option<Instant>,
}

impl Agg {
    fn add(&mut self, r: &Row) {
        self.topics += 1;
        self.messages += r.messages;
        self.live += r.live;
        self.bytes += r.bytes;
        self.last_seen = self.last_seen.max(Some(r.last_seen));
    }

    fn of(r: &Row) -> Agg {
        let mut a = Agg::default();
        a.add(r);
        a
    }
}

/// `key` order (highest first for amounts, most recent first for age), then by name.
fn order(key: SortKey, a: (&str, &Agg), b: (&str, &Agg)) -> Ordering {
    let by = match key {
        SortKey::Topic => Ordering::Equal,
        SortKey::Rate => b.1.live.cmp(&a.1.live),
        SortKey::Count => b.1.messages.cmp(&a.1.messages),
        SortKey::Bytes => b.1.bytes.cmp(&a.1.bytes),
        SortKey::Age => b.1.last_seen.cmp(&a.1.last_seen),
    };
    by.then_with(|| a.0.cmp(b.0))
}

/// One table line before alignment.
struct Line {
    name: String,
    messages: u64,
    rate: f64,
    bytes: u64,
    last: String,
    qos: String,
    retained: &'static str,
    age: String,
    payload: String,
}

impl View<'_> {
    fn line(&self, name: String, agg: &Agg, own: Option<&Row>) -> Line {
        let age = agg
            .last_seen
            .map(|t| {
                format!(
                    "{:.1}s",
                    self.now.saturating_duration_since(t).as_secs_f64()
                )
            })
            .unwrap_or_default();
        let mut payload = String::new();
        match own {
            Some(r) => preview(&mut payload, r),
            None => {
                let s = if agg.topics == 1 { "" } else { "s" };
                let _ = write!(payload, "({} topic{s})", agg.topics);
            }
        }
        Line {
            name,
            messages: agg.messages,
            rate: self.rate(agg.live),
            bytes: agg.bytes,
            last: own
                .map(|r| human_bytes(r.last_bytes as u64))
                .unwrap_or_default(),
            qos: own.map(|r| r.max_qos.to_string()).unwrap_or_default(),
            retained: match own {
                Some(r) if r.retained => "yes",
                Some(_) => "no",
                None => "",
            },
            age,
            payload,
        }
    }

    fn rate(&self, live: u64) -> f64 {
        if self.window > 0.0 {
            live as f64 / self.window
        } else {
            0.0
        }
    }

    /// The table: a tree of levels (or flat rows) and a summary line.
    pub fn table(&self, inv: &Inventory) -> String {
        let mut lines = Vec::with_capacity(inv.rows.len());
        if self.flat {
            for (t, r) in self
                .sorted(inv)
                .into_iter()
                .take(self.max_rows.unwrap_or(usize::MAX))
            {
                let mut name = String::new();
                terminal_safe(&mut name, t);
                lines.push(self.line(name, &Agg::of(r), Some(r)));
            }
        } else {
            let mut root = Node::default();
            for (t, r) in &inv.rows {
                root.insert(t, r);
            }
            self.tree(&root, "", &mut lines);
            lines.truncate(self.max_rows.unwrap_or(usize::MAX));
        }
        let mut out = self.align(&lines);
        let shown = inv.rows.len();
        let messages = inv.messages();
        let _ = write!(
            out,
            "{shown} {}{}, {messages} {} in {:.1}s",
            if self.retained_only { "retained " } else { "" },
            if shown == 1 { "topic" } else { "topics" },
            if messages == 1 { "message" } else { "messages" },
            self.window
        );
        if inv.truncated() {
            let _ = write!(
                out,
                " ({} messages on topics beyond --max-topics {} not counted)",
                inv.uncounted, inv.max_topics
            );
        }
        out.push('\n');
        out
    }

    fn tree(&self, node: &Node, prefix: &str, lines: &mut Vec<Line>) {
        let mut children: Vec<(&&str, &Node)> = node.children.iter().collect();
        children.sort_by(|a, b| order(self.sort, (a.0, &a.1.agg), (b.0, &b.1.agg)));
        let n = children.len();
        for (i, (level, child)) in children.into_iter().enumerate() {
            let last = i + 1 == n;
            let mut name = String::from(prefix);
            name.push_str(match (prefix.is_empty() && node.top, last) {
                (true, _) => "",
                (false, true) => "└── ",
                (false, false) => "├── ",
            });
            if level.is_empty() {
                name.push_str("\"\"");
            } else {
                terminal_safe(&mut name, level);
            }
            lines.push(self.line(name, &child.agg, child.own));
            let deeper = match (prefix.is_empty() && node.top, last) {
                (true, _) => String::new(),
                (false, true) => format!("{prefix}    "),
                (false, false) => format!("{prefix}│   "),
            };
            self.tree(child, &deeper, lines);
        }
    }

    fn align(&self, lines: &[Line]) -> String {
        let show_qos = self.qos > 0;
        let width = |f: &dyn Fn(&Line) -> usize, title: &str| {
            lines.iter().map(f).max().unwrap_or(0).max(title.len())
        };
        let rate = |l: &Line| format!("{:.1}", l.rate);
        let w_name = width(&|l| l.name.chars().count(), "TOPIC");
        let w_msgs = width(&|l| l.messages.to_string().len(), "MSGS");
        let w_rate = width(&|l| rate(l).len(), "RATE/S");
        let w_bytes = width(&|l| human_bytes(l.bytes).len(), "BYTES");
        let w_last = width(&|l| l.last.len(), "LAST");
        let w_age = width(&|l| l.age.len(), "AGE");
        let mut out = String::new();
        let qos = |q: &str| match show_qos {
            true => format!("{q:>3}  "),
            false => String::new(),
        };
        let _ = writeln!(
            out,
            "{:<w_name$}  {:>w_msgs$}  {:>w_rate$}  {:>w_bytes$}  {:>w_last$}  {}{:<3}  {:>w_age$}  PAYLOAD",
            "TOPIC", "MSGS", "RATE/S", "BYTES", "LAST", qos("QOS"), "RET", "AGE"
        );
        for l in lines {
            let pad = w_name - l.name.chars().count();
            let _ = writeln!(
                out,
                "{}{:pad$}  {:>w_msgs$}  {:>w_rate$}  {:>w_bytes$}  {:>w_last$}  {}{:<3}  {:>w_age$}  {}",
                l.name,
                "",
                l.messages,
                rate(l),
                human_bytes(l.bytes),
                l.last,
                qos(&l.qos),
                l.retained,
                l.age,
                l.payload
            );
        }
        out
    }

    /// The rows in `--sort` order (flat).
    fn sorted<'i>(&self, inv: &'i Inventory) -> Vec<(&'i str, &'i Row)> {
        let mut rows: Vec<(&str, &Row, Agg)> = inv
            .rows
            .iter()
            .map(|(t, r)| (&**t, r, Agg::of(r)))
            .collect();
        rows.sort_unstable_by(|a, b| order(self.sort, (a.0, &a.2), (b.0, &b.2)));
        rows.into_iter().map(|(t, r, _)| (t, r)).collect()
    }

    fn record(&self, topic: &str, r: &Row) -> serde_json::Value {
        let (payload, encoding) = match r.kind {
            Kind::Binary => {
                let mut hex = String::with_capacity(2 * r.head().len());
                for b in r.head() {
                    let _ = write!(hex, "{b:02x}");
                }
                (hex, "hex")
            }
            _ => (utf8_head(r.head()).to_string(), "utf8"),
        };
        serde_json::json!({
            "topic": topic,
            "messages": r.messages,
            "live_messages": r.live,
            "rate": self.rate(r.live),
            "bytes": r.bytes,
            "last_bytes": r.last_bytes,
            "retained": r.retained,
            "qos": r.max_qos as u8,
            "age_s": self.now.saturating_duration_since(r.last_seen).as_secs_f64(),
            "kind": r.kind.name(),
            "payload": payload,
            "payload_encoding": encoding,
            "payload_truncated": r.truncated(),
        })
    }

    /// `--json`: one document.
    pub fn json(&self, inv: &Inventory) -> String {
        let topics: Vec<serde_json::Value> = self
            .sorted(inv)
            .into_iter()
            .map(|(t, r)| self.record(t, r))
            .collect();
        let doc = serde_json::json!({
            "filters": self.filters,
            "qos": self.qos,
            "window_s": self.window,
            "retained_only": self.retained_only,
            "topic_count": inv.rows.len(),
            "message_count": inv.messages(),
            "truncated": inv.truncated(),
            "uncounted_messages": inv.uncounted,
            "topics": topics,
        });
        let mut out = doc.to_string();
        out.push('\n');
        out
    }

    /// `--ndjson`: one topic record per line.
    pub fn ndjson(&self, inv: &Inventory) -> String {
        let mut out = String::new();
        for (t, r) in self.sorted(inv) {
            out.push_str(&self.record(t, r).to_string());
            out.push('\n');
        }
        out
    }
}

/// A level of the topic tree. Built when printing only: the inventory itself stays flat.
#[derive(Default)]
struct Node<'a> {
    children: BTreeMap<&'a str, Node<'a>>,
    own: Option<&'a Row>,
    agg: Agg,
    /// The root: its children are the first levels, drawn without branches.
    top: bool,
}

impl<'a> Node<'a> {
    fn insert(&mut self, topic: &'a str, row: &'a Row) {
        self.top = true;
        let mut node = self;
        node.agg.add(row);
        for level in topic.split('/') {
            node = node.children.entry(level).or_default();
            node.agg.add(row);
        }
        node.own = Some(row);
    }
}

/// The valid UTF-8 start of a payload head (a cut may split a character).
fn utf8_head(head: &[u8]) -> &str {
    match std::str::from_utf8(head) {
        Ok(s) => s,
        // A cut character at the end only: text payloads are valid UTF-8 in full.
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// The table's preview of a topic's last payload: `(empty)`, hex for binary, else text with
/// control characters escaped; `…` when cut.
fn preview(out: &mut String, r: &Row) {
    match r.kind {
        Kind::Empty => out.push_str("(empty)"),
        Kind::Binary => {
            let head = &r.head()[..r.head().len().min(PREVIEW_HEX_BYTES)];
            out.push_str("hex:");
            for b in head {
                let _ = write!(out, "{b:02x}");
            }
            if r.last_bytes > head.len() {
                out.push('…');
            }
        }
        Kind::Json | Kind::Text => {
            let text = utf8_head(r.head());
            let mut cut = r.truncated();
            for (i, c) in text.chars().enumerate() {
                if i == PREVIEW_CHARS {
                    cut = true;
                    break;
                }
                escape_char(out, c);
            }
            if cut {
                out.push('…');
            }
        }
    }
}

/// `s` with what could garble a terminal escaped: control characters (newlines and tabs too,
/// so a row stays one line) and the invisible characters that reorder text.
pub fn terminal_safe(out: &mut String, s: &str) {
    for c in s.chars() {
        escape_char(out, c);
    }
}

fn escape_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\\' => out.push_str("\\\\"),
        c if c.is_control() && (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Bytes as the table shows them: exact below 10 KiB, else KiB/MiB/GiB with one decimal.
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if n < 10 * 1024 {
        return n.to_string();
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1}{}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_strings_are_escaped_for_the_terminal() {
        let mut out = String::new();
        terminal_safe(&mut out, "a\x1b[2Jb\nc\u{202e}d\\");
        assert_eq!(out, "a\\x1b[2Jb\\nc\\u{202e}d\\\\");
    }

    #[test]
    fn byte_counts_are_short() {
        assert_eq!(human_bytes(10239), "10239");
        assert_eq!(human_bytes(10240), "10.0KiB");
        assert_eq!(human_bytes(3 << 20), "3.0MiB");
    }

    #[test]
    fn a_cut_character_is_left_out_of_the_head() {
        assert_eq!(utf8_head("aé".as_bytes()), "aé");
        assert_eq!(utf8_head(&"aé".as_bytes()[..2]), "a");
    }
}
