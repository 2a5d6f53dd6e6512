//! What a bench run shows: a live view on stderr (indicatif lines on a terminal, one plain line
//! per second otherwise) and the final summary on stdout (text, or JSON with `--json`).
//!
//! The summary's colours follow `output::term` (through `colored`); the one text in it that
//! came from a broker (the first error) is escaped by `output::escape`.

use super::clients::SubState;
use super::run::Counters;
use super::stats::{self, Percentiles, Summary};
use super::{Mode, Plan};
use crate::exit::Result;
use crate::output::{escape, term::Term, ColorChoice};
use colored::Colorize;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

type States = Arc<Mutex<Vec<Arc<Mutex<SubState>>>>>;

/// The live view's task; `finish` stops it and clears the terminal lines.
pub struct Live {
    task: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
}

impl Live {
    pub fn start(plan: &Plan, counters: Arc<Counters>, states: States) -> Live {
        if plan.quiet {
            return Live { task: None };
        }
        let (tx, rx) = oneshot::channel();
        let mode = plan.mode;
        let task = tokio::spawn(live(mode, counters, states, rx));
        Live {
            task: Some((tx, task)),
        }
    }

    pub async fn finish(self) {
        if let Some((tx, task)) = self.task {
            let _ = tx.send(());
            let _ = task.await;
        }
    }
}

async fn live(mode: Mode, c: Arc<Counters>, states: States, mut stop: oneshot::Receiver<()>) {
    let tty = std::io::stderr().is_terminal();
    let bars = tty.then(|| {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let roles: &[&str] = match mode {
            Mode::PubSub => &["pub", "sub"],
            Mode::Pub => &["pub"],
            Mode::Sub => &["sub"],
            Mode::Conn => &["conn"],
        };
        let bars: Vec<(&str, ProgressBar)> = roles
            .iter()
            .map(|r| {
                let b = multi.add(ProgressBar::new_spinner().with_style(style.clone()));
                b.set_message(format!("{r:<5} connecting"));
                b.enable_steady_tick(Duration::from_millis(200));
                (*r, b)
            })
            .collect();
        (multi, bars)
    });
    let start = tokio::time::Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    let (mut last_sent, mut last_rx) = (0u64, 0u64);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = &mut stop => break,
        }
        let (sent, rx) = (c.sent.load(Relaxed), c.received.load(Relaxed));
        let p99 = {
            let mut h = stats::histogram();
            for s in states.lock().expect("states lock").iter() {
                let mut s = s.lock().expect("subscriber state lock");
                let _ = h.add(&s.interval);
                s.interval.reset();
            }
            (!h.is_empty()).then(|| us(h.value_at_quantile(0.99)))
        };
        let p99 = p99.unwrap_or_else(|| "-".into());
        let (errors, connected, failed) = (
            c.errors.load(Relaxed),
            c.connected.load(Relaxed),
            c.connect_failures.load(Relaxed),
        );
        let pub_line = format!("pub   sent {sent}  {}/s  errors {errors}", sent - last_sent);
        let sub_line = format!("sub   received {rx}  {}/s  p99 {p99}", rx - last_rx);
        let conn_line = format!("conn  connected {connected}  failures {failed}");
        match &bars {
            Some((_, bars)) => {
                for (role, bar) in bars {
                    bar.set_message(match *role {
                        "pub" => pub_line.clone(),
                        "sub" => sub_line.clone(),
                        _ => conn_line.clone(),
                    });
                }
            }
            None => {
                let secs = start.elapsed().as_secs();
                let line = match mode {
                    Mode::PubSub => format!(
                        "{pub_line}  |  {sub_line}  |  connected {connected}  failures {failed}"
                    ),
                    Mode::Pub => format!("{pub_line}  |  connected {connected}  failures {failed}"),
                    Mode::Sub => format!(
                        "{sub_line}  |  connected {connected}  failures {failed}  errors {errors}"
                    ),
                    Mode::Conn => conn_line,
                };
                eprintln!("mq bench {secs}s: {line}");
            }
        }
        (last_sent, last_rx) = (sent, rx);
    }
    if let Some((multi, bars)) = bars {
        for (_, b) in bars {
            b.finish_and_clear();
        }
        let _ = multi.clear();
    }
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A latency in microseconds, readable: `850µs`, `1.25ms`, `2.50s`.
pub fn us(v: u64) -> String {
    match v {
        0..=999 => format!("{v}µs"),
        1000..=999_999 => format!("{:.2}ms", v as f64 / 1e3),
        _ => format!("{:.2}s", v as f64 / 1e6),
    }
}

fn percentiles(p: &Option<Percentiles>) -> String {
    match p {
        None => "-".into(),
        Some(p) => format!(
            "min {}  p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  ({} samples)",
            us(p.min),
            us(p.p50),
            us(p.p90),
            us(p.p99),
            us(p.p99_9),
            us(p.max),
            p.count
        ),
    }
}

/// The final summary as text (coloured when `colored` is told to).
pub fn render(s: &Summary) -> String {
    let mut o = String::new();
    let mut runs = if s.runs > 1 {
        format!(", {} runs merged", s.runs)
    } else {
        String::new()
    };
    if s.workers > 1 {
        let _ = write!(runs, ", {} worker processes", s.workers);
    }
    let title = if s.mode == "conn" {
        format!(
            "mq bench conn: {}, held {:.3}s{runs}",
            plural(s.connected + s.connect_failures, "client"),
            s.duration_s
        )
    } else {
        format!(
            "mq bench {}: {}, {}, QoS {}, {} B messages, {:.3}s{runs}",
            s.mode,
            plural(s.publishers, "publisher"),
            plural(s.subscribers, "subscriber"),
            s.qos,
            s.payload_size,
            s.duration_s
        )
    };
    let _ = writeln!(o, "{}", title.bold());
    // What ran, and so what the latency means, in words: a reader should not need the manual.
    let how = match (s.mode.as_str(), s.rate, s.connect_rate) {
        ("conn", _, Some(r)) => format!(
            "  open loop: {r} connects/s scheduled; connect latency counts from each connect's scheduled start"
        ),
        ("conn", _, None) => {
            "  connects as fast as they complete (64 at a time); connect latency is CONNECT to CONNACK".into()
        }
        ("sub", _, _) => "  latency: from each message's send time (in its payload) to its arrival".into(),
        (_, Some(r), _) => format!(
            "  open loop at {r} msg/s: latency is the broker's delivery time, from each message's scheduled send"
        ),
        (_, None, _) => "  closed loop: each publisher sends as fast as the broker takes them, so latency is mostly queueing (give --rate for delivery latency)".into(),
    };
    let _ = writeln!(o, "{}", how.dimmed());
    let (sends, receives) = match s.mode.as_str() {
        "conn" => (false, false),
        "pub" => (true, false),
        "sub" => (false, true),
        _ => (true, true),
    };
    if sends {
        let _ = writeln!(
            o,
            "  sent      {:>10}  {:>12.1} msg/s  {:>8.2} MB/s",
            s.sent, s.sent_per_s, s.sent_mb_per_s
        );
    }
    if receives {
        let _ = writeln!(
            o,
            "  received  {:>10}  {:>12.1} msg/s  {:>8.2} MB/s",
            s.received, s.received_per_s, s.received_mb_per_s
        );
        let in_flight = if s.in_flight > 0 {
            format!("  still in flight at the end {}", s.in_flight)
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "  lost {}  duplicated {}  reordered {}  errors {}{in_flight}",
            s.lost, s.duplicated, s.reordered, s.errors
        );
        let _ = writeln!(o, "  latency   {}", percentiles(&s.latency_us));
    } else if sends {
        let _ = writeln!(o, "  errors {}", s.errors);
    }
    let rate = if s.mode == "conn" && s.connects_per_s > 0.0 {
        format!("  ({:.0} connects/s)", s.connects_per_s)
    } else {
        String::new()
    };
    let _ = writeln!(
        o,
        "  connected {}  connect failures {}{rate}",
        s.connected, s.connect_failures
    );
    let _ = writeln!(o, "  connect   {}", percentiles(&s.connect_us));
    if s.reconnects > 0 {
        let _ = writeln!(
            o,
            "  reconnect {}  ({} churned)",
            percentiles(&s.reconnect_us),
            s.reconnects
        );
    }
    if s.mode == "conn" {
        if s.errors > 0 {
            let _ = writeln!(o, "  connections lost while held {}", s.errors);
        }
        if let Some(k) = s.client_kib_per_connection {
            let _ = writeln!(o, "  client memory: {k:.1} KiB per connection");
        }
    }
    if let Some(e) = &s.first_error {
        let _ = writeln!(
            o,
            "  {}",
            format!("first error: {}", escape::shown(e)).red()
        );
    }
    if s.hosts.len() > 1 && s.mode == "conn" {
        for h in &s.hosts {
            let _ = writeln!(
                o,
                "  host {}: {} connected, {} failed, connect {}",
                h.host,
                h.publishers,
                h.connect_failures,
                percentiles(&h.connect_us)
            );
        }
    } else if s.hosts.len() > 1 {
        for h in &s.hosts {
            let p = h.latency_us.as_ref();
            let _ = writeln!(
                o,
                "  host {}: {} pub, {} sub, sent {}, received {}, lost {}, dup {}, p50 {}, p99 {}, connect failures {}",
                h.host,
                h.publishers,
                h.subscribers,
                h.sent,
                h.received,
                h.lost,
                h.duplicated,
                p.map_or("-".into(), |p| us(p.p50)),
                p.map_or("-".into(), |p| us(p.p99)),
                h.connect_failures
            );
        }
    }
    o
}

pub fn print_summary(s: &Summary, json: bool) -> Result<()> {
    let text = if json {
        let mut t = serde_json::to_string_pretty(s)
            .map_err(|e| crate::exit::Error::runtime(format!("writing JSON: {e}")))?;
        t.push('\n');
        crate::output::json::separators_escaped(t)
    } else {
        Term::for_stdout(ColorChoice::Auto);
        render(s)
    };
    crate::output::write_stdout(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_read_well() {
        assert_eq!(us(850), "850µs");
        assert_eq!(us(1250), "1.25ms");
        assert_eq!(us(2_500_000), "2.50s");
    }
}
