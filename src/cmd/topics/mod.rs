//! `mq topics`: subscribe, listen for a window, and print what is on the broker, one row per
//! topic (`inventory.rs` keeps the rows, `render.rs` draws them, `text.rs` makes what came from
//! the network safe to show). `--retained-only` snapshots
//! the retained store, `--watch` redraws the table every second, and `clear.rs` owns
//! `--clear-retained`.

mod clear;
mod inventory;
mod render;
mod text;

use crate::cli::{SortKey, TopicsArgs};
use crate::exit::{Code, Error, Result};
use crate::options::{self, ConnectPlan};
use crate::output;
use crate::session::{Event, RetainHandling, Session, SessionOptions, SubscribeOptions};
use crate::topic::TopicFilter;
use inventory::{Inventory, Recorded};
use render::View;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};
use tokio::signal::unix::{signal, SignalKind};

/// The listening window when `-W` is not given.
const WINDOW: Duration = Duration::from_secs(5);
/// `--retained-only` ends once no retained message arrived for this long: a broker sends its
/// retained messages right after the SUBACK, back to back.
const QUIET: Duration = Duration::from_secs(1);

pub async fn run(args: TopicsArgs) -> Result<()> {
    let (plan, url_topic) = options::plan(&args.conn)?;
    if args.conn.print_config {
        return crate::cmd::config::print(&args.conn, &plan);
    }
    let mut filters = args.topic.clone();
    filters.extend(url_topic);
    if filters.is_empty() {
        filters.push("#".into());
    }
    let parse = |list: &[String], what: &str| -> Result<Vec<TopicFilter>> {
        list.iter()
            .map(|f| {
                TopicFilter::parse(f).map_err(|e| Error::usage(format!("invalid {what}: {e}")))
            })
            .collect()
    };
    parse(&filters, "topic filter (-t)")?;
    let filter_out = parse(&args.filter_out, "filter-out filter (-T)")?;
    let job = Job {
        args: &args,
        plan: &plan,
        filters: &filters,
        filter_out: &filter_out,
    };
    if args.clear_retained {
        return clear::run(&job).await;
    }
    let (inv, end) = job.listen(args.retained_only, args.watch).await?;
    let view = job.view(&inv);
    if args.watch && std::io::stdout().is_terminal() {
        let mut screen = CLEAR.as_bytes().to_vec();
        view.table(&inv, &mut screen)?;
        write_out(&screen)?;
    } else {
        job.print(&view, &inv)?;
    }
    match end {
        // Ctrl-C is how --watch ends.
        End::Interrupted if args.watch => Ok(()),
        End::Interrupted => Err(Error::new(Code::Interrupted, "interrupted")),
        End::Terminated => Err(Error::new(Code::Terminated, "terminated")),
        End::Done | End::Bound => Ok(()),
    }
}

/// Messages taken from the session between two looks at the timers and signals.
const BATCH: usize = 256;

/// ANSI: cursor home, clear the screen.
const CLEAR: &str = "\x1b[H\x1b[2J";

/// How a listen ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The window ran out, or (`--retained-only`) the retained messages stopped coming.
    Done,
    /// `-W` cut a retained snapshot or a watch short.
    Bound,
    Interrupted,
    Terminated,
}

/// One run's arguments, checked.
struct Job<'a> {
    args: &'a TopicsArgs,
    plan: &'a ConnectPlan,
    filters: &'a [String],
    filter_out: &'a [TopicFilter],
}

impl Job<'_> {
    fn view<'v>(&'v self, inv: &Inventory) -> View<'v> {
        View {
            filters: self.filters,
            now: Instant::now(),
            window: inv.started.elapsed().as_secs_f64(),
            qos: self.args.qos as u8,
            sort: self.args.sort.unwrap_or(match self.args.watch {
                true => SortKey::Rate,
                false => SortKey::Topic,
            }),
            // --watch is top-like: one row per topic.
            flat: self.args.flat || self.args.watch,
            max_rows: None,
            retained_only: self.args.retained_only || self.args.clear_retained,
        }
    }

    /// The table, `--json` or `--ndjson`, on stdout.
    fn print(&self, view: &View, inv: &Inventory) -> Result<()> {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
        let written = if self.args.json {
            view.json(inv, &mut out)
        } else if self.args.ndjson {
            view.ndjson(inv, &mut out)
        } else {
            view.table(inv, &mut out)
        };
        closed_is_ok(written.and_then(|()| out.flush()))
    }

    /// Connect, subscribe, and count what arrives until the window ends: `-W` (5s), or with
    /// `retained_only` the end of the retained messages, or with `watch` Ctrl-C.
    async fn listen(&self, retained_only: bool, watch: bool) -> Result<(Inventory, End)> {
        let args = self.args;
        let mut sigint = signal(SignalKind::interrupt())?;
        let mut sigterm = signal(SignalKind::terminate())?;
        let opts = SessionOptions::receiving()
            .batch_reads(true)
            .reconnecting(watch);
        let mut session = Session::connect(self.plan, opts).await?;
        let sub = SubscribeOptions {
            qos: args.qos,
            retain_handling: RetainHandling::OnSubscribe,
        };
        super::subscribe::subscribe(&mut session, self.filters, sub, &[]).await?;
        let mut inv = Inventory::new(args.max_topics.try_into().unwrap_or(usize::MAX));
        let bound = match (args.timeout, retained_only || watch) {
            (Some(w), _) => Some(w),
            (None, false) => Some(WINDOW),
            (None, true) => None,
        };
        let far = tokio::time::Instant::now() + Duration::from_secs(100 * 365 * 86400);
        let deadline = bound.map_or(far, |b| tokio::time::Instant::now() + b);
        let mut quiet_until = tokio::time::Instant::now() + QUIET;
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let tty = std::io::stdout().is_terminal();
        let mut warned = false;
        let end = loop {
            let event = tokio::select! {
                e = session.next_event() => e?,
                _ = tokio::time::sleep_until(deadline) => break match retained_only || watch {
                    true => End::Bound,
                    false => End::Done,
                },
                _ = tokio::time::sleep_until(quiet_until), if retained_only => break End::Done,
                _ = ticks.tick(), if watch => {
                    self.redraw(&inv, tty)?;
                    continue;
                }
                _ = sigint.recv() => break End::Interrupted,
                _ = sigterm.recv() => break End::Terminated,
            };
            // Take what is already waiting without going back to the timers, a batch at most,
            // so that a flood that never pauses still lets the window end and Ctrl-C through.
            let mut next = Some(event);
            let mut batch = 0;
            while let Some(event) = next.take() {
                batch += 1;
                match event {
                    Event::Message(m) => {
                        let skip = self.filter_out.iter().any(|f| f.matches(&m.topic))
                            || (retained_only && !m.retain);
                        if !skip {
                            if m.retain {
                                quiet_until = tokio::time::Instant::now() + QUIET;
                            }
                            if inv.record(&m, Instant::now()) == Recorded::OverCap && !warned {
                                warned = true;
                                if !args.conn.quiet {
                                    output::warn(&format!(
                                        "--max-topics {} reached: messages on further topics are not counted",
                                        inv.max_topics
                                    ));
                                }
                            }
                        }
                    }
                    other => output::connection_event(&other, args.conn.quiet),
                }
                if batch < BATCH && session.has_pending() {
                    next = Some(session.next_event().await?);
                }
            }
        };
        if end == End::Bound && retained_only && !args.conn.quiet {
            output::warn("-W ended the retained snapshot while retained messages were still arriving: more may exist");
        }
        session.disconnect().await?;
        Ok((inv, end))
    }

    /// `--watch`: the table so far, in place on a terminal (as many rows as fit).
    fn redraw(&self, inv: &Inventory, tty: bool) -> Result<()> {
        let mut view = self.view(inv);
        let mut screen = Vec::new();
        if tty {
            view.max_rows = terminal_rows().map(|r| r.saturating_sub(3).max(1));
            screen.extend_from_slice(CLEAR.as_bytes());
            writeln!(
                screen,
                "mq topics {} (Ctrl-C to stop)",
                self.filters.join(" ")
            )?;
        }
        view.table(inv, &mut screen)?;
        if !tty {
            screen.push(b'\n');
        }
        write_out(&screen)
    }
}

/// The terminal's height, when stdout is one.
fn terminal_rows() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills the winsize struct it is given, or fails and leaves it alone.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_row > 0).then_some(ws.ws_row as usize)
}

/// Write `screen` to stdout at once.
fn write_out(screen: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    closed_is_ok(out.write_all(screen).and_then(|()| out.flush()))
}

/// A reader that went away (`| head`) is not an error.
fn closed_is_ok(r: std::io::Result<()>) -> Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}
