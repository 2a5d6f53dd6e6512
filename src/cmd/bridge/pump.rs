//! One direction of a bridge: messages read from the source session are published on the
//! destination session, and each QoS 1/2 message is acknowledged to the source only once the
//! destination has acknowledged its copy (and every copy before it). At most `window` copies
//! wait for the destination; past that the pump stops reading the source, which then stops
//! sending (its receive maximum, then TCP).

use super::route::{Dir, Route};
use crate::exit::Result;
use crate::output;
use crate::session::{AckToken, Event, Message, Properties, Session};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The user property a bridge running both ways puts on what it forwards, with its name as
/// the value: a message that carries it is not sent back where it came from.
pub const MARK: &str = "mq-bridge";

/// How long a stopping bridge waits for the destination to acknowledge what is in flight.
const DRAIN: Duration = Duration::from_secs(5);

/// Figures of one direction, read by the `--stats` reporter.
#[derive(Default)]
pub struct Counters {
    pub forwarded: AtomicU64,
    pub in_flight: AtomicU64,
    /// Copies written again to the destination after a reconnect: each may arrive twice.
    pub duplicates: AtomicU64,
    /// Messages not forwarded: our own coming back (`MARK`), or on no topic line (a persistent
    /// session keeps the subscriptions of an earlier run).
    pub dropped: AtomicU64,
    /// Age in milliseconds of the oldest message the destination has not acknowledged.
    pub lag_ms: AtomicU64,
}

/// A message read from the source, waiting for the destination.
struct Waiting {
    /// Finished publishes on the destination needed before this one is safe.
    needed: u64,
    token: Option<AckToken>,
    received: Instant,
}

pub struct Pump {
    pub dir: Dir,
    pub src: Session,
    pub dst: Session,
    pub routes: Vec<Route>,
    /// `(MARK, name)` when the bridge runs both ways.
    pub mark: Option<(String, String)>,
    pub no_retain: bool,
    pub window: usize,
    pub counters: Arc<Counters>,
    pub quiet: bool,
    pub json: bool,
}

impl Pump {
    /// Forward until `stop` turns true, then wait (briefly) for what is in flight.
    pub async fn run(&mut self, mut stop: watch::Receiver<bool>) -> Result<()> {
        let mut waiting: VecDeque<Waiting> = VecDeque::new();
        let mut tokens: Vec<AckToken> = Vec::new();
        let mut published = 0u64;
        let mut stopping: Option<tokio::time::Instant> = None;
        let c = self.counters.clone();
        loop {
            let done = self.dst.finished_in_order()?;
            while waiting.front().is_some_and(|w| w.needed <= done) {
                let w = waiting.pop_front().expect("front checked");
                tokens.extend(w.token);
            }
            self.src.ack(&mut tokens);
            c.in_flight.store(waiting.len() as u64, Relaxed);
            c.lag_ms.store(
                waiting
                    .front()
                    .map_or(0, |w| w.received.elapsed().as_millis() as u64),
                Relaxed,
            );
            if stopping.is_some() && waiting.is_empty() {
                return Ok(());
            }
            let room = stopping.is_none() && waiting.len() < self.window;
            let until = stopping.unwrap_or_else(|| tokio::time::Instant::now() + DRAIN);
            tokio::select! {
                _ = stop.changed(), if stopping.is_none() => {
                    stopping = Some(tokio::time::Instant::now() + DRAIN);
                }
                e = self.src.next_event(), if room => match e? {
                    Event::Message(m) => {
                        let token = m.ack_token();
                        let received = Instant::now();
                        if self.forward(m).await? {
                            published += 1;
                            c.forwarded.fetch_add(1, Relaxed);
                        } else {
                            c.dropped.fetch_add(1, Relaxed);
                        }
                        waiting.push_back(Waiting { needed: published, token, received });
                    }
                    other => {
                        if let Event::Reconnected { session_present: false, .. } = other {
                            // The broker lost the session: the packet ids of the old one mean
                            // nothing now, and acknowledging one could acknowledge a new
                            // message not yet forwarded.
                            waiting.iter_mut().for_each(|w| w.token = None);
                        }
                        self.connection_event(&other, "source");
                    }
                },
                e = self.dst.next_event_or_progress() => {
                    if let Some(event) = e? {
                        if let Event::Reconnected { session_present, .. } = event {
                            let unfinished = published - self.dst.finished_in_order()?;
                            if !session_present && unfinished > 0 {
                                return Err(lost_session(self.dir, unfinished));
                            }
                            c.duplicates.fetch_add(unfinished, Relaxed);
                        }
                        self.connection_event(&event, "destination");
                    }
                }
                _ = tokio::time::sleep_until(until), if stopping.is_some() => {
                    // Not acknowledged: the source sends them again to the next run.
                    return Ok(());
                }
            }
        }
    }

    /// Publish `m` on the destination; false when it is not to be forwarded.
    async fn forward(&mut self, m: Message) -> Result<bool> {
        let Some(route) = self.routes.iter().find(|r| r.source.matches(&m.topic)) else {
            return Ok(false);
        };
        if let (Some((key, name)), Some(p)) = (&self.mark, &m.properties) {
            if p.user_properties.iter().any(|(k, v)| k == key && v == name) {
                return Ok(false);
            }
        }
        let topic = route.map(&m.topic);
        let mut props = m.properties.unwrap_or_default();
        // Both belong to the source connection, not to the message.
        props.topic_alias = None;
        props.subscription_identifiers.clear();
        if let Some((key, name)) = &self.mark {
            props.user_properties.push((key.clone(), name.clone()));
        }
        let props = (props != Properties::default()).then_some(props);
        let retain = m.retain && !self.no_retain;
        self.dst
            .publish(&topic, m.payload, m.qos, retain, props.as_ref())
            .await?;
        Ok(true)
    }

    fn connection_event(&self, event: &Event, side: &str) {
        if self.quiet {
            return;
        }
        let what = format!("{} {side}", self.dir.name());
        match event {
            Event::ConnectionLost { error, retry_in } => {
                if self.json {
                    let line = serde_json::json!({
                        "event": "connection_lost",
                        "direction": self.dir.name(),
                        "side": side,
                        "error": error.message,
                        "retry_in_ms": retry_in.as_millis() as u64,
                    });
                    let _ = output::write_stdout(format!("{line}\n").as_bytes());
                } else {
                    output::warn(&format!(
                        "{what}: {}; reconnecting in {}",
                        error.message,
                        humantime::format_duration(*retry_in)
                    ));
                }
            }
            Event::Reconnected {
                session_present, ..
            } => {
                if self.json {
                    let line = serde_json::json!({
                        "event": "reconnected",
                        "direction": self.dir.name(),
                        "side": side,
                        "session_present": session_present,
                    });
                    let _ = output::write_stdout(format!("{line}\n").as_bytes());
                } else {
                    output::warn(&format!(
                        "{what}: reconnected (session present: {session_present})"
                    ));
                }
            }
            Event::Message(_) | Event::Subscribed(_) => {}
        }
    }
}

/// The destination came back without the bridge's session: the MQTT client drops the copies it
/// had not finished sending, so they cannot be told apart from the ones it sends next. Ending
/// without acknowledging them makes the source send them again to the next run.
fn lost_session(dir: Dir, unfinished: u64) -> crate::exit::Error {
    crate::exit::Error::runtime(format!(
        "{}: the destination broker came back without the bridge's session; {unfinished} copies in flight were dropped, and are left unacknowledged at the source",
        dir.name()
    ))
    .hint("start mq bridge again (a service manager does): the source sends them again; keep persistence on at the destination broker")
}
