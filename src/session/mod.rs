//! The one module that talks to rumqttc.
//!
//! rumqttc has two type families, v4 (MQTT 3.1.1) and v5. `Session` hides both behind one API:
//! connect (MQTT 5 first, 3.1.1 when the broker refuses 5), CONNACK facts, publish with
//! acknowledgement tracking, subscribe with per-filter SUBACK results, a stream of `Message`s
//! (each with the token that acknowledges it), subscriptions renewed after a reconnect, and a
//! clean DISCONNECT. The event loop runs on its own task (the driver); commands never see
//! rumqttc types and never poll the network themselves.
//!
//! Files, one idea each: `types` (the public vocabulary), this file (the `Session` API),
//! `driver` (the task that owns the event loop), `client` (rumqttc's clients and options built
//! from a `ConnectPlan`), `convert` (rumqttc's events and codes in the session's words), `size`
//! (PUBLISH size arithmetic), `transport` (TCP, TLS, websockets), `dial` (the stream mq opens
//! itself for `-A` and `--proxy`), `failure` (connection errors, explained and mapped to exit
//! codes) and `hold` (`bench conn`'s lean held connections on rumqttc's packet codecs, without
//! a `Session`).

use crate::exit::{Code, Error, Result};
use crate::options::{ConnectPlan, Protocol};
use crate::output::debug;
use bytes::Bytes;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

mod client;
mod convert;
pub mod dial;
mod driver;
mod failure;
pub mod hold;
mod outbox;
pub use outbox::HOLD_BUDGET;
mod size;
mod subscribing;
mod transport;
mod types;

pub use types::*;

use client::{Client, Subscription};
use driver::{Driver, Note, Shared};
use failure::{first_failure, Failure};

/// How long an MQTT 5 CONNECT may go unanswered before 3.1.1 is tried (when `-V` is not given):
/// a broker that speaks only 3.1.1 may stay silent instead of refusing.
pub const V5_ANSWER: Duration = Duration::from_secs(3);
/// Largest MQTT packet: 268,435,455 bytes of remaining length plus a 5-byte fixed header.
const MAX_PACKET: usize = 268_435_460;
/// Requests queued between a command and the event loop: enough to keep a `-l` stream busy.
const REQUEST_CHANNEL: usize = 1024;
/// QoS 1/2 publishes in flight on MQTT 5 (the broker's receive maximum may lower it).
const INFLIGHT: u16 = 1000;
/// On 3.1.1 the broker cannot say how many it takes: mosquitto's default is 20, and it drops a
/// QoS 2 client that sends more.
const INFLIGHT_V311: u16 = 20;
/// Received messages buffered before the event loop waits for the command (backpressure).
const MESSAGE_CHANNEL: usize = 1024;
/// MQTT 5 receive maximum: QoS 1/2 messages the broker may send before we acknowledge. Kept
/// below MESSAGE_CHANNEL and REQUEST_CHANNEL so that, with acknowledgements sent only after
/// output, the event loop never waits on a full channel while the command waits on it.
const RECEIVE_MAXIMUM: u16 = 512;
/// Read coalescing, for sessions with `batch_reads`: when a burst of packets has drained the
/// socket, the next read waits this long first, so that a flood is read in batches (a wake-up
/// per millisecond instead of one every few messages). A lone message is read at once; only a
/// message arriving right after a burst waits, by at most this much.
const READ_COALESCING: Duration = Duration::from_millis(1);

pub struct Session {
    client: Client,
    version: Version,
    connack: ConnAckInfo,
    notes: mpsc::Receiver<Note>,
    /// Events that arrived while a reply was awaited, for `next_event`.
    buffered: VecDeque<Event>,
    /// SUBSCRIBEs sent by `request_subscribe` whose SUBACK is still to come, oldest first.
    requested: VecDeque<Subscription>,
    shared: Arc<Shared>,
    acks_changed: watch::Receiver<u64>,
    address: String,
    debug: bool,
    closed: Option<Error>,
    driver: tokio::task::JoinHandle<()>,
}

impl Session {
    /// Connect and wait for a successful CONNACK.
    pub async fn connect(plan: &ConnectPlan, opts: SessionOptions) -> Result<Session> {
        let versions: &[Version] = match plan.protocol {
            Protocol::Auto => &[Version::V5, Version::V311],
            Protocol::V5 => &[Version::V5],
            Protocol::V311 => &[Version::V311],
        };
        if plan.tls.as_ref().is_some_and(|t| t.insecure) {
            // Once per run, however many connections a command opens.
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                crate::output::warn(
                    "--insecure: the broker's certificate is not checked; anyone on the network path can read and change this connection",
                );
            });
        }
        let deadline = tokio::time::Instant::now() + plan.connect_timeout;
        let mut last = None;
        for (i, &version) in versions.iter().enumerate() {
            let retry = i + 1 < versions.len();
            let (client, mut eventloop) = client::build(plan, version, &opts);
            if plan.debug {
                debug(&describe_connect(plan, version));
            }
            let until = match retry {
                true => deadline.min(tokio::time::Instant::now() + V5_ANSWER),
                false => deadline,
            };
            let failure = match tokio::time::timeout_at(until, eventloop.first_connack()).await {
                Ok(Ok(connack)) => {
                    if plan.debug {
                        debug(&format!(
                            "received CONNACK (MQTT {}, session present: {})",
                            version.name(),
                            connack.session_present
                        ));
                    }
                    return Ok(Self::start(
                        plan, client, eventloop, version, connack, &opts,
                    ));
                }
                Ok(Err(f)) => f,
                Err(_) => Failure::Timeout,
            };
            match failure {
                Failure::Refused {
                    bad_version: true,
                    reason,
                } if retry => {
                    if plan.debug {
                        debug(&format!("broker refused MQTT 5 ({reason}); trying 3.1.1"));
                    }
                    last = Some(Failure::Refused {
                        reason,
                        bad_version: true,
                    });
                }
                Failure::Protocol(reason) if retry => {
                    if plan.debug {
                        debug(&format!("MQTT 5 connect failed ({reason}); trying 3.1.1"));
                    }
                    last = Some(Failure::Protocol(reason));
                }
                // A 3.1.1-only broker may answer an MQTT 5 CONNECT with a 3.1.1 refusal that
                // does not parse as MQTT 5, with silence, or by closing the connection.
                Failure::Timeout if retry && tokio::time::Instant::now() < deadline => {
                    if plan.debug {
                        debug(&format!(
                            "no answer to the MQTT 5 CONNECT within {}s; trying 3.1.1",
                            V5_ANSWER.as_secs()
                        ));
                    }
                    last = Some(Failure::Timeout);
                }
                Failure::Io(e) if retry && closed_without_answer(&e) => {
                    if plan.debug {
                        debug(&format!(
                            "the broker closed the connection after the MQTT 5 CONNECT ({e}); trying 3.1.1"
                        ));
                    }
                    last = Some(Failure::Io(e));
                }
                f => return Err(first_failure(f, plan).await),
            }
        }
        Err(first_failure(last.unwrap_or(Failure::Timeout), plan).await)
    }

    /// Hand the connected event loop to its driver task.
    fn start(
        plan: &ConnectPlan,
        client: Client,
        eventloop: client::Loop,
        version: Version,
        connack: ConnAckInfo,
        opts: &SessionOptions,
    ) -> Self {
        let (tx, notes) = mpsc::channel(opts.buffer.max(1));
        let (changed, acks_changed) = watch::channel(0u64);
        let shared = Arc::new(Shared::default());
        shared
            .connected
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let driver = Driver {
            eventloop,
            client: client.clone(),
            delivered: Default::default(),
            shared: shared.clone(),
            delivery: opts.delivery,
            outbox: outbox::Outbox::new(tx, opts.hold),
            changed,
            reconnect: opts.reconnect,
            renewing: Vec::new(),
            debug: plan.debug,
            address: plan.address(),
        };
        Session {
            client,
            version,
            connack,
            notes,
            buffered: VecDeque::new(),
            requested: VecDeque::new(),
            shared,
            acks_changed,
            address: plan.address(),
            debug: plan.debug,
            closed: None,
            driver: tokio::spawn(driver.run()),
        }
    }

    pub fn version(&self) -> Version {
        self.version
    }

    pub fn connack(&self) -> &ConnAckInfo {
        &self.connack
    }

    /// Publish one message. Returns once the event loop has taken it; use `wait_acks` to know it
    /// arrived. A message over the broker's maximum packet size is refused here, before sending.
    pub async fn publish(
        &mut self,
        topic: &str,
        payload: Bytes,
        qos: Qos,
        retain: bool,
        props: Option<&Properties>,
    ) -> Result<()> {
        if let Some(max) = self.connack.max_packet_size {
            let size = size::publish_packet_size(topic, payload.len(), qos, props, self.version);
            if size > max as usize {
                return Err(Error::new(
                    Code::Refused,
                    format!(
                        "publishing to {topic}: the message needs a {size}-byte packet, over the broker's maximum packet size of {max} bytes"
                    ),
                )
                .hint("send a smaller payload, or raise max_packet_size on the broker"));
            }
        }
        if let Some(e) = &self.closed {
            return Err(Error::new(e.code, e.message.clone()));
        }
        self.shared.acks.lock().expect("acks lock").requested += 1;
        let sent = self
            .client
            .publish(topic, payload, qos, retain, props)
            .await;
        if !sent {
            // Not handed over (rumqttc refuses an invalid topic the same way as a closed loop):
            // nothing to wait for.
            self.shared.acks.lock().expect("acks lock").requested -= 1;
        }
        self.sent(sent)
    }

    /// Acknowledge received QoS 1/2 messages (with `Delivery::AfterOutput`), in the order
    /// received, once they are safely written out; `tokens` is left empty. Never waits: the
    /// event loop may itself be waiting for the command to read, so what the request channel
    /// cannot take now is left to the driver.
    pub fn ack(&mut self, tokens: &mut Vec<AckToken>) {
        if tokens.is_empty() {
            return;
        }
        if self.debug {
            debug(&format!("acknowledging {} message(s)", tokens.len()));
        }
        // No longer owed: a resend of one after a reconnect (which drops the PUBACKs rumqttc
        // had not written) is acknowledged by the driver.
        let mut owed = self.shared.owed.lock().expect("owed lock");
        for t in tokens.iter() {
            owed.remove(&t.pkid);
        }
        drop(owed);
        let mut backlog = self.shared.backlog.lock().expect("backlog lock");
        // Keep the order: nothing goes straight out while older ones wait.
        let taken = if backlog.is_empty() {
            self.client.try_ack(tokens)
        } else {
            0
        };
        backlog.extend(tokens.drain(..).skip(taken));
    }

    /// Wait until every publish so far was written and, at QoS 1/2, acknowledged. A refusal by
    /// the broker is exit code 5; a lost connection or `timeout` with messages unacknowledged is 1.
    pub async fn wait_acks(&mut self, timeout: Duration) -> Result<()> {
        self.wait_pending_at_most(0, timeout).await
    }

    /// `wait_acks`, but return as soon as at most `max` publishes are unwritten or
    /// unacknowledged: a sender keeps a bounded window of messages in flight. `timeout` bounds
    /// the wait for the next acknowledgement.
    pub async fn wait_pending_at_most(&mut self, max: u64, timeout: Duration) -> Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            {
                let acks = self.shared.acks.lock().expect("acks lock");
                if let Some(reason) = &acks.refused {
                    return Err(Error::new(
                        Code::Refused,
                        format!("the broker refused a publish: {reason}"),
                    )
                    .hint("check the broker's ACL for this user and topic"));
                }
                let pending = acks.pending();
                if pending <= max {
                    return Ok(());
                }
                if let Some(why) = &acks.closed {
                    return Err(Error::runtime(format!(
                        "{pending} message(s) not acknowledged: {why}"
                    )));
                }
            }
            match tokio::time::timeout_at(deadline, self.acks_changed.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    // The driver ended: one more look at the final state.
                    let mut acks = self.shared.acks.lock().expect("acks lock");
                    acks.closed
                        .get_or_insert_with(|| "connection closed".into());
                }
                Err(_) => {
                    let pending = self.shared.acks.lock().expect("acks lock").pending();
                    return Err(Error::runtime(format!(
                        "{pending} message(s) not acknowledged after {}",
                        humantime::format_duration(timeout)
                    ))
                    .hint("the broker may be overloaded; raise --ack-timeout"));
                }
            }
        }
    }

    /// How many publishes, from the first, are finished with none unfinished before them:
    /// written and, at QoS 1/2, acknowledged. A command that must not let go of what it
    /// publishes (a bridge acknowledging the source) releases that many. A refusal by the
    /// broker is exit code 5.
    pub fn finished_in_order(&self) -> Result<u64> {
        let acks = self.shared.acks.lock().expect("acks lock");
        if let Some(reason) = &acks.refused {
            return Err(Error::new(
                Code::Refused,
                format!("{} refused a publish: {reason}", self.address),
            )
            .hint("check the broker's ACL for this user and topic"));
        }
        Ok(acks.finished_in_order())
    }

    /// `next_event`, or `None` as soon as a publish was written or acknowledged: for a command
    /// that waits for events and releases what the broker has acknowledged (`finished_in_order`).
    pub async fn next_event_or_progress(&mut self) -> Result<Option<Event>> {
        if let Some(e) = self.buffered.pop_front() {
            return Ok(Some(e));
        }
        tokio::select! {
            note = self.notes.recv() => match note {
                Some(Note::Event(e)) => Ok(Some(e)),
                Some(Note::SubAck(_)) | Some(Note::UnsubAck) => Ok(None),
                Some(Note::Closed(e)) => Err(self.close_with(e)),
                None => Err(self.gone_error()),
            },
            changed = self.acks_changed.changed() => match changed {
                Ok(()) => Ok(None),
                // The driver ended: its last note says why.
                Err(_) => self.next_event().await.map(Some),
            },
        }
    }

    /// A round trip to the broker: everything sent before has been read by it. Catches a broker
    /// that dropped the connection over a QoS 0 message it did not accept.
    pub async fn sync(&mut self) -> Result<()> {
        // Unsubscribing from a filter nobody uses is harmless and always answered.
        let sent = self
            .client
            .unsubscribe("mq-sync/5e0c1d7a/never-subscribed", &[])
            .await;
        self.sent(sent)?;
        self.await_reply(|n| matches!(n, Note::UnsubAck).then_some(()))
            .await
    }

    /// Is another event ready without waiting? (Output is flushed when none is.)
    pub fn has_pending(&self) -> bool {
        !self.buffered.is_empty() || !self.notes.is_empty()
    }

    /// The next message or connection event. An error means the connection is gone for good.
    pub async fn next_event(&mut self) -> Result<Event> {
        if let Some(e) = self.buffered.pop_front() {
            return Ok(e);
        }
        loop {
            match self.notes.recv().await {
                Some(Note::Event(e)) => return Ok(e),
                Some(Note::SubAck(r)) => {
                    if let Some(e) = self.requested_suback(r) {
                        return Ok(e);
                    }
                }
                Some(Note::UnsubAck) => {}
                Some(Note::Closed(e)) => return Err(self.close_with(e)),
                None => return Err(self.gone_error()),
            }
        }
    }

    /// Whether the network connection is up right now (false while a reconnecting session
    /// waits for the broker).
    pub fn is_connected(&self) -> bool {
        self.shared
            .connected
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Send DISCONNECT (reason 0: the broker discards the will) and wait, briefly, until it is
    /// written. While the connection is down there is no one to tell: the session just ends.
    pub async fn disconnect(mut self) -> Result<()> {
        if !self.is_connected() {
            if self.debug {
                debug("not connected: no DISCONNECT to send");
            }
            self.driver.abort();
            return Ok(());
        }
        // Acknowledgements still in the backlog go out before the DISCONNECT (bounded wait).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while !self.shared.backlog.lock().expect("backlog lock").is_empty()
            && tokio::time::Instant::now() < deadline
        {
            self.buffered.clear();
            let _ = tokio::time::timeout(Duration::from_millis(10), self.notes.recv()).await;
        }
        if self.debug {
            debug("sending DISCONNECT");
        }
        if !self.client.disconnect().await {
            return Ok(());
        }
        // The driver stops after writing DISCONNECT; bound the wait in case the network is stuck.
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.driver).await;
        Ok(())
    }

    /// Drop the network connection without a DISCONNECT, as a crashing client would: the broker
    /// publishes the will. (`mq check --probe` tests will delivery with it.)
    pub fn abort(self) {
        self.driver.abort();
    }

    /// Wait for the reply `pick` recognises, keeping the events that arrive meanwhile for
    /// `next_event`.
    async fn await_reply<T>(&mut self, mut pick: impl FnMut(Note) -> Option<T>) -> Result<T> {
        loop {
            match self.notes.recv().await {
                Some(Note::Event(e)) => self.buffered.push_back(e),
                // SUBACKs come in the order of the SUBSCRIBEs: a requested one's is its event.
                Some(Note::SubAck(r)) if !self.requested.is_empty() => {
                    let e = self.requested_suback(r);
                    self.buffered.extend(e);
                }
                Some(Note::Closed(e)) => return Err(self.close_with(e)),
                None => return Err(self.gone_error()),
                Some(other) => {
                    if let Some(reply) = pick(other) {
                        return Ok(reply);
                    }
                }
            }
        }
    }

    /// Whether the event loop took a request; if not, the connection is gone.
    fn sent(&self, taken: bool) -> Result<()> {
        if taken {
            Ok(())
        } else {
            Err(self.gone_error())
        }
    }

    fn close_with(&mut self, e: Error) -> Error {
        let out = Error::new(e.code, e.message.clone());
        self.closed = Some(e);
        out
    }

    fn gone_error(&self) -> Error {
        match &self.closed {
            Some(e) => Error::new(e.code, e.message.clone()),
            None => Error::runtime(format!("connection to {} closed", self.address)),
        }
    }
}

/// The connection ended before any answer: what a 3.1.1-only broker may do to an MQTT 5 CONNECT.
fn closed_without_answer(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::ConnectionAborted | K::ConnectionReset | K::UnexpectedEof | K::BrokenPipe
    )
}

fn describe_connect(plan: &ConnectPlan, version: Version) -> String {
    // The route, when mq dials itself: the proxy without its password, the -A address.
    let via = plan
        .proxy
        .as_ref()
        .map(|p| format!(" through {}", p.describe()))
        .unwrap_or_default();
    let from = plan
        .bind
        .map(|ip| format!(" from {ip}"))
        .unwrap_or_default();
    format!(
        "sending CONNECT to {}{via}{from} (MQTT {}, id '{}', clean {}, keepalive {}s, user {}, password {}, will {})",
        plan.describe(),
        version.name(),
        plan.client_id,
        plan.clean_start,
        plan.keep_alive.as_secs(),
        plan.username.as_deref().unwrap_or("-"),
        if plan.password.is_some() { "****" } else { "-" },
        plan.will.as_ref().map_or("-", |w| w.topic.as_str()),
    )
}
