//! How an inventory becomes text: the table (a tree of topic levels or flat rows), the JSON
//! document and NDJSON records, written as they are rendered. Names and payloads from the
//! network reach the table only through `text.rs`.

use super::inventory::{Inventory, Kind, Row};
use super::text::{escaped, human_bytes, preview, push_hex, terminal_safe, utf8_head};
use crate::cli::SortKey;
use serde::Serialize;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::Instant;

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

/// One table row: a topic or a level of the tree, before alignment.
struct Entry<'a> {
    /// Tree branches and the level, or the topic, escaped for the terminal.
    name: Cow<'a, str>,
    agg: Agg,
    /// The row of the topic itself (none for a level that only has topics below it).
    own: Option<&'a Row>,
}

/// The widths of the aligned columns.
#[derive(Default)]
struct Widths {
    name: usize,
    messages: usize,
    rate: usize,
    bytes: usize,
    last: usize,
    age: usize,
}

impl View<'_> {
    fn rate(&self, live: u64) -> f64 {
        if self.window > 0.0 {
            live as f64 / self.window
        } else {
            0.0
        }
    }

    fn age(&self, agg: &Agg) -> Option<f64> {
        agg.last_seen
            .map(|t| self.now.saturating_duration_since(t).as_secs_f64())
    }

    /// The rows in `--sort` order (flat).
    fn sorted<'i>(&self, inv: &'i Inventory) -> Vec<(&'i str, &'i Row)> {
        // Each row's counters once, not once per comparison.
        let mut rows: Vec<(&str, &Row, Agg)> = inv
            .rows
            .iter()
            .map(|(t, r)| (&**t, r, Agg::of(r)))
            .collect();
        rows.sort_unstable_by(|a, b| order(self.sort, (a.0, &a.2), (b.0, &b.2)));
        rows.into_iter().map(|(t, r, _)| (t, r)).collect()
    }

    /// The table's rows, in order: flat, or the tree's levels depth first.
    fn entries<'i>(&self, inv: &'i Inventory) -> Vec<Entry<'i>> {
        let max = self.max_rows.unwrap_or(usize::MAX);
        if self.flat {
            return self
                .sorted(inv)
                .into_iter()
                .take(max)
                .map(|(t, r)| Entry {
                    name: escaped(t),
                    agg: Agg::of(r),
                    own: Some(r),
                })
                .collect();
        }
        let mut root = Node::default();
        for (t, r) in &inv.rows {
            root.insert(t, r);
        }
        let mut entries = Vec::new();
        self.tree(&root, None, &mut entries, max);
        entries
    }

    /// Depth first; `prefix` is `None` for the first levels, drawn without branches.
    fn tree<'i>(
        &self,
        node: &Node<'i>,
        prefix: Option<&str>,
        out: &mut Vec<Entry<'i>>,
        max: usize,
    ) {
        let mut children: Vec<(&&str, &Node)> = node.children.iter().collect();
        children.sort_by(|a, b| order(self.sort, (a.0, &a.1.agg), (b.0, &b.1.agg)));
        let n = children.len();
        for (i, (level, child)) in children.into_iter().enumerate() {
            if out.len() >= max {
                return;
            }
            let last = i + 1 == n;
            let (branch, below) = match (prefix, last) {
                (None, _) => (String::new(), String::new()),
                (Some(p), true) => (format!("{p}└── "), format!("{p}    ")),
                (Some(p), false) => (format!("{p}├── "), format!("{p}│   ")),
            };
            let mut name = branch;
            if level.is_empty() {
                name.push_str("\"\"");
            } else {
                terminal_safe(&mut name, level);
            }
            out.push(Entry {
                name: Cow::Owned(name),
                agg: child.agg,
                own: child.own,
            });
            self.tree(child, Some(&below), out, max);
        }
    }

    /// Write the table (a tree of levels, or flat rows) and a summary line.
    pub fn table(&self, inv: &Inventory, out: &mut impl Write) -> io::Result<()> {
        let entries = self.entries(inv);
        let show_qos = self.qos > 0;
        let mut w = Widths {
            name: "TOPIC".len(),
            messages: "MSGS".len(),
            rate: "RATE/S".len(),
            bytes: "BYTES".len(),
            last: "LAST".len(),
            age: "AGE".len(),
        };
        let mut cell = String::new();
        let mut width = |w: &mut usize, f: &dyn Fn(&mut String)| {
            cell.clear();
            f(&mut cell);
            *w = (*w).max(cell.chars().count());
        };
        for e in &entries {
            width(&mut w.name, &|s| s.push_str(&e.name));
            width(&mut w.messages, &|s| write_u64(s, e.agg.messages));
            width(&mut w.rate, &|s| write_rate(s, self.rate(e.agg.live)));
            width(&mut w.bytes, &|s| s.push_str(&human_bytes(e.agg.bytes)));
            if let Some(r) = e.own {
                width(&mut w.last, &|s| {
                    s.push_str(&human_bytes(r.last_bytes as u64))
                });
            }
            width(&mut w.age, &|s| write_age(s, self.age(&e.agg)));
        }
        let qos_title = if show_qos { "QOS  " } else { "" };
        writeln!(
            out,
            "{:<nw$}  {:>mw$}  {:>rw$}  {:>bw$}  {:>lw$}  {qos_title}RET  {:>aw$}  PAYLOAD",
            "TOPIC",
            "MSGS",
            "RATE/S",
            "BYTES",
            "LAST",
            "AGE",
            nw = w.name,
            mw = w.messages,
            rw = w.rate,
            bw = w.bytes,
            lw = w.last,
            aw = w.age,
        )?;
        let mut line = String::new();
        for e in &entries {
            line.clear();
            line.push_str(&e.name);
            pad(&mut line, w.name - e.name.chars().count() + 2);
            right(&mut line, w.messages, |s| write_u64(s, e.agg.messages));
            right(&mut line, w.rate, |s| write_rate(s, self.rate(e.agg.live)));
            right(&mut line, w.bytes, |s| {
                s.push_str(&human_bytes(e.agg.bytes))
            });
            right(&mut line, w.last, |s| {
                if let Some(r) = e.own {
                    s.push_str(&human_bytes(r.last_bytes as u64));
                }
            });
            if show_qos {
                right(&mut line, 3, |s| {
                    if let Some(r) = e.own {
                        let _ = write!(s, "{}", r.max_qos);
                    }
                });
            }
            line.push_str(match e.own {
                Some(r) if r.retained => "yes  ",
                Some(_) => "no   ",
                None => "     ",
            });
            right(&mut line, w.age, |s| write_age(s, self.age(&e.agg)));
            match e.own {
                Some(r) => preview(&mut line, r),
                None => {
                    let s = if e.agg.topics == 1 { "" } else { "s" };
                    let _ = write!(line, "({} topic{s})", e.agg.topics);
                }
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        let shown = inv.rows.len();
        let messages = inv.messages();
        write!(
            out,
            "{shown} {}{}, {messages} {} in {:.1}s",
            if self.retained_only { "retained " } else { "" },
            if shown == 1 { "topic" } else { "topics" },
            if messages == 1 { "message" } else { "messages" },
            self.window
        )?;
        if inv.truncated() {
            write!(
                out,
                " ({} messages on topics beyond --max-topics {} not counted)",
                inv.uncounted, inv.max_topics
            )?;
        }
        writeln!(out)
    }

    fn record<'r>(&self, topic: &'r str, r: &'r Row) -> Record<'r> {
        let (payload, payload_encoding) = match r.kind {
            Kind::Binary => {
                let mut hex = String::with_capacity(2 * r.head().len());
                push_hex(&mut hex, r.head());
                (Cow::Owned(hex), "hex")
            }
            _ => (Cow::Borrowed(utf8_head(r.head())), "utf8"),
        };
        Record {
            topic,
            messages: r.messages,
            live_messages: r.live,
            rate: self.rate(r.live),
            bytes: r.bytes,
            last_bytes: r.last_bytes,
            retained: r.retained,
            qos: r.max_qos as u8,
            age_s: self
                .now
                .saturating_duration_since(r.last_seen)
                .as_secs_f64(),
            kind: r.kind.name(),
            payload,
            payload_encoding,
            payload_truncated: r.truncated(),
        }
    }

    /// `--json`: one document, written as it is serialised.
    pub fn json(&self, inv: &Inventory, out: &mut impl Write) -> io::Result<()> {
        let doc = Document {
            filters: self.filters,
            qos: self.qos,
            window_s: self.window,
            retained_only: self.retained_only,
            topic_count: inv.rows.len(),
            message_count: inv.messages(),
            truncated: inv.truncated(),
            uncounted_messages: inv.uncounted,
            topics: Records {
                view: self,
                rows: self.sorted(inv),
            },
        };
        serde_json::to_writer(&mut *out, &doc)?;
        writeln!(out)
    }

    /// `--ndjson`: one topic record per line.
    pub fn ndjson(&self, inv: &Inventory, out: &mut impl Write) -> io::Result<()> {
        for (t, r) in self.sorted(inv) {
            serde_json::to_writer(&mut *out, &self.record(t, r))?;
            writeln!(out)?;
        }
        Ok(())
    }
}

/// The `--json` document (its fields are documented in the README).
#[derive(Serialize)]
struct Document<'a> {
    filters: &'a [String],
    qos: u8,
    window_s: f64,
    retained_only: bool,
    topic_count: usize,
    message_count: u64,
    truncated: bool,
    uncounted_messages: u64,
    topics: Records<'a>,
}

/// The topic records, serialised one by one: no copy of the inventory as JSON values.
struct Records<'a> {
    view: &'a View<'a>,
    rows: Vec<(&'a str, &'a Row)>,
}

impl Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.rows.len()))?;
        for (t, r) in &self.rows {
            seq.serialize_element(&self.view.record(t, r))?;
        }
        seq.end()
    }
}

/// One topic in `--json` and `--ndjson`.
#[derive(Serialize)]
struct Record<'a> {
    topic: &'a str,
    messages: u64,
    live_messages: u64,
    rate: f64,
    bytes: u64,
    last_bytes: usize,
    retained: bool,
    qos: u8,
    age_s: f64,
    kind: &'static str,
    payload: Cow<'a, str>,
    payload_encoding: &'static str,
    payload_truncated: bool,
}

fn pad(s: &mut String, n: usize) {
    s.extend(std::iter::repeat(' ').take(n));
}

/// `f`'s text right-aligned in `width`, then the column gap.
fn right(s: &mut String, width: usize, f: impl FnOnce(&mut String)) {
    let start = s.len();
    f(s);
    let n = s[start..].chars().count();
    s.insert_str(start, &" ".repeat(width.saturating_sub(n)));
    s.push_str("  ");
}

fn write_u64(s: &mut String, n: u64) {
    let _ = write!(s, "{n}");
}

fn write_rate(s: &mut String, r: f64) {
    let _ = write!(s, "{r:.1}");
}

fn write_age(s: &mut String, age: Option<f64>) {
    if let Some(a) = age {
        let _ = write!(s, "{a:.1}s");
    }
}

/// A level of the topic tree. Built when printing only: the inventory itself stays flat.
#[derive(Default)]
struct Node<'a> {
    children: BTreeMap<&'a str, Node<'a>>,
    own: Option<&'a Row>,
    agg: Agg,
}

impl<'a> Node<'a> {
    fn insert(&mut self, topic: &'a str, row: &'a Row) {
        let mut node = self;
        node.agg.add(row);
        for level in topic.split('/') {
            node = node.children.entry(level).or_default();
            node.agg.add(row);
        }
        node.own = Some(row);
    }
}
