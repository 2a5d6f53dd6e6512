//! The one module that talks to rumqttc.
//!
//! rumqttc has two type families, v4 (MQTT 3.1.1) and v5. `Session` hides both behind one API:
//! connect (MQTT 5 first, 3.1.1 when the broker refuses 5), CONNACK facts, publish with
//! acknowledgement tracking, subscribe with per-filter SUBACK results, a stream of `Message`s,
//! and a clean DISCONNECT. The event loop runs on its own task (the "driver"); commands never
//! see rumqttc types and never poll the network themselves.
//!
//! Submodules: `transport` (TCP, TLS, websockets for rumqttc) and `failure` (rumqttc's
//! connection errors, explained and mapped to exit codes).

use crate::exit::{Code, Error, Result};
use crate::options::{ConnectPlan, Protocol};
use crate::output::debug;
use bytes::Bytes;
use rumqttc::v5 as r5;
use rumqttc::v5::mqttbytes::v5 as p5;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

mod failure;
mod transport;
use failure::{failure_v4, failure_v5, first_failure, lost_error, Failure};

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
/// Read coalescing, for plans with `batch_reads`: when a burst of packets has
/// drained the socket, the next read waits this long first, so that a flood is read in batches
/// (a wake-up per millisecond instead of one every few messages). A lone message is read at
/// once; only a message arriving right after a burst waits, by at most this much.
const READ_COALESCING: Duration = Duration::from_millis(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V311,
    V5,
}

impl Version {
    pub fn name(self) -> &'static str {
        match self {
            Version::V311 => "3.1.1",
            Version::V5 => "5",
        }
    }
}

/// MQTT 5 publish properties, received or to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties {
    pub payload_format_indicator: Option<u8>,
    pub message_expiry_interval: Option<u32>,
    pub topic_alias: Option<u16>,
    pub response_topic: Option<String>,
    pub correlation_data: Option<Bytes>,
    pub user_properties: Vec<(String, String)>,
    pub subscription_identifiers: Vec<usize>,
    pub content_type: Option<String>,
}

/// A received message, whatever the protocol version.
#[derive(Debug, Clone)]
pub struct Message {
    pub topic: String,
    pub payload: Bytes,
    pub qos: u8,
    pub retain: bool,
    /// Packet id (0 at QoS 0).
    pub pkid: u16,
    /// MQTT 5 properties, when the message carried any.
    pub properties: Option<Properties>,
}

/// What the broker said in its CONNACK.
#[derive(Debug, Clone, Default)]
pub struct ConnAckInfo {
    pub session_present: bool,
    pub max_packet_size: Option<u32>,
    pub receive_maximum: Option<u16>,
    pub maximum_qos: Option<u8>,
    pub retain_available: Option<bool>,
    pub assigned_client_id: Option<String>,
    pub topic_alias_maximum: Option<u16>,
    pub server_keep_alive: Option<u16>,
    pub wildcard_available: Option<bool>,
    pub shared_available: Option<bool>,
    pub subscription_ids_available: Option<bool>,
    pub reason_string: Option<String>,
    pub session_expiry_interval: Option<u32>,
    pub user_properties: Vec<(String, String)>,
    pub response_information: Option<String>,
    pub server_reference: Option<String>,
    pub authentication_method: Option<String>,
}

/// Options of one subscription.
#[derive(Debug, Clone)]
pub struct SubscribeOptions {
    pub qos: u8,
    /// MQTT 5 retain handling: 0 send retained, 1 only on new subscriptions, 2 never.
    pub retain_handling: u8,
}

/// MQTT 5 subscription options and SUBSCRIBE properties.
#[derive(Debug, Clone, Default)]
pub struct SubscribeV5 {
    /// Do not receive our own publishes.
    pub no_local: bool,
    /// Keep the retain flag as published.
    pub retain_as_published: bool,
    pub properties: crate::properties::SubscribeProperties,
    /// User properties of the UNSUBSCRIBE.
    pub unsubscribe_user_properties: Vec<(String, String)>,
}

/// What the driver tells a command.
#[derive(Debug)]
pub enum Event {
    Message(Message),
    /// The connection dropped; the driver tries again after `retry_in`.
    ConnectionLost {
        error: Error,
        retry_in: Duration,
    },
    /// Connected again (subscriptions of a clean session must be renewed).
    Reconnected {
        session_present: bool,
    },
}

/// What the driver sends on the message channel.
enum Note {
    Event(Event),
    SubAck(Vec<Result<u8, String>>),
    UnsubAck,
    /// The connection is gone for good.
    Closed(Error),
}

/// Acknowledgement bookkeeping shared between the command and the driver.
#[derive(Default)]
struct Acks {
    /// Publishes handed to the event loop.
    requested: u64,
    /// Publishes written to the network for the first time.
    written: u64,
    /// Packet ids of QoS 1/2 publishes awaiting PUBACK / PUBCOMP.
    outstanding: HashSet<u16>,
    /// The first publish the broker refused.
    refused: Option<String>,
    /// Why the connection ended, if it did.
    closed: Option<String>,
}

#[derive(Clone)]
enum Client {
    V4(rumqttc::AsyncClient),
    V5(r5::AsyncClient),
}

enum Loop {
    V4(Box<rumqttc::EventLoop>),
    V5(Box<r5::EventLoop>),
}

/// One protocol-neutral view of what the event loop produced.
enum Polled {
    ConnAck(ConnAckInfo),
    Publish(Message),
    /// PUBACK / PUBCOMP / failed PUBREC: the publish is finished; `Err` holds a refusal reason.
    PubDone(u16, Result<(), String>),
    SubAck(Vec<Result<u8, String>>),
    UnsubAck,
    /// A received QoS 1/2 exchange is finished (PUBACK sent, or PUBREL received): the broker
    /// will not resend that packet id.
    Finished(u16),
    OutgoingPublish(u16),
    OutgoingDisconnect,
    ServerDisconnect(String),
    Other,
}

pub struct Session {
    client: Client,
    version: Version,
    connack: ConnAckInfo,
    notes: mpsc::Receiver<Note>,
    buffered: VecDeque<Event>,
    acks: Arc<Mutex<Acks>>,
    acks_changed: watch::Receiver<u64>,
    /// Acknowledgements of received messages the request channel had no room for; the driver
    /// hands them over. Nothing on the command's side ever waits to acknowledge.
    backlog: Arc<Mutex<Vec<(u16, u8)>>>,
    address: String,
    debug: bool,
    closed: Option<Error>,
    driver: tokio::task::JoinHandle<()>,
}

impl Session {
    /// Connect and wait for a successful CONNACK. `reconnect`: after this first connect, a lost
    /// connection is retried with backoff (reported as `Event::ConnectionLost`); otherwise it
    /// ends the session. `wants_messages`: received messages are delivered to `next_event`.
    pub async fn connect(
        plan: &ConnectPlan,
        reconnect: bool,
        wants_messages: bool,
    ) -> Result<Session> {
        Self::connect_buffered(plan, reconnect, wants_messages, MESSAGE_CHANNEL).await
    }

    /// `connect`, with at most `buffer` received messages waiting for the command before the
    /// event loop stops reading: a command that keeps large payloads (file chunks) keeps memory
    /// bounded by a few of them.
    pub async fn connect_buffered(
        plan: &ConnectPlan,
        reconnect: bool,
        wants_messages: bool,
        buffer: usize,
    ) -> Result<Session> {
        Self::connect_with(plan, reconnect, wants_messages, buffer, false).await
    }

    /// `connect` for a command that acknowledges each received QoS 1/2 message itself, with
    /// `ack`, once it has written it out: a crash then never loses a message the broker
    /// thinks was delivered (a persistent session gets it again).
    pub async fn connect_acking_after_output(
        plan: &ConnectPlan,
        reconnect: bool,
    ) -> Result<Session> {
        Self::connect_with(plan, reconnect, true, MESSAGE_CHANNEL, true).await
    }

    async fn connect_with(
        plan: &ConnectPlan,
        reconnect: bool,
        wants_messages: bool,
        buffer: usize,
        manual_acks: bool,
    ) -> Result<Session> {
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
            let (client, mut eventloop) = build(plan, version, manual_acks);
            if plan.debug {
                debug(&describe_connect(plan, version));
            }
            match tokio::time::timeout_at(deadline, first_connack(&mut eventloop)).await {
                Ok(Ok(connack)) => {
                    if plan.debug {
                        debug(&format!(
                            "received CONNACK (MQTT {}, session present: {})",
                            version.name(),
                            connack.session_present
                        ));
                    }
                    return Ok(Self::start(
                        plan,
                        client,
                        eventloop,
                        version,
                        connack,
                        reconnect,
                        wants_messages,
                        buffer,
                        manual_acks,
                    ));
                }
                Ok(Err(Failure::Refused {
                    bad_version: true,
                    reason,
                })) if i + 1 < versions.len() => {
                    if plan.debug {
                        debug(&format!("broker refused MQTT 5 ({reason}); trying 3.1.1"));
                    }
                    last = Some(Failure::Refused {
                        reason,
                        bad_version: true,
                    });
                }
                Ok(Err(Failure::Protocol(reason))) if i + 1 < versions.len() => {
                    if plan.debug {
                        debug(&format!("MQTT 5 connect failed ({reason}); trying 3.1.1"));
                    }
                    last = Some(Failure::Protocol(reason));
                }
                Ok(Err(f)) => return Err(first_failure(f, plan).await),
                Err(_) => return Err(first_failure(Failure::Timeout, plan).await),
            }
        }
        Err(first_failure(last.unwrap_or(Failure::Timeout), plan).await)
    }

    // The connect outcome and the choices of `connect_with`, passed straight on.
    #[allow(clippy::too_many_arguments)]
    fn start(
        plan: &ConnectPlan,
        client: Client,
        eventloop: Loop,
        version: Version,
        connack: ConnAckInfo,
        reconnect: bool,
        wants_messages: bool,
        buffer: usize,
        manual_acks: bool,
    ) -> Session {
        let (tx, rx) = mpsc::channel(buffer.max(1));
        let acks = Arc::new(Mutex::new(Acks::default()));
        let (changed_tx, changed_rx) = watch::channel(0u64);
        let backlog = Arc::new(Mutex::new(Vec::new()));
        let driver = Driver {
            backlog: backlog.clone(),
            manual_acks,
            eventloop,
            client: client.clone(),
            delivered: HashSet::new(),
            tx,
            acks: acks.clone(),
            changed: changed_tx,
            reconnect,
            wants_messages,
            debug: plan.debug,
            address: plan.address(),
        };
        let driver = tokio::spawn(driver.run());
        Session {
            client,
            version,
            connack,
            notes: rx,
            buffered: VecDeque::new(),
            acks,
            acks_changed: changed_rx,
            backlog,
            address: plan.address(),
            debug: plan.debug,
            closed: None,
            driver,
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
        qos: u8,
        retain: bool,
        props: Option<&Properties>,
    ) -> Result<()> {
        if let Some(max) = self.connack.max_packet_size {
            let size = publish_packet_size(topic, payload.len(), qos, props, self.version);
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
        self.acks.lock().expect("acks lock").requested += 1;
        let sent = match &self.client {
            Client::V4(c) => c
                .publish_bytes(topic, qos4(qos), retain, payload)
                .await
                .is_ok(),
            Client::V5(c) => {
                let p = props.map(to_p5_props).unwrap_or_default();
                c.publish_bytes_with_properties(topic, qos5(qos), retain, payload, p)
                    .await
                    .is_ok()
            }
        };
        if sent {
            Ok(())
        } else {
            Err(self.gone_error())
        }
    }

    /// Acknowledge received QoS 1/2 messages (`(pkid, qos)`, in the order received) once they
    /// are safely written out. Never waits: the event loop may itself be waiting for the
    /// command to read, so what the request channel cannot take now is left to the driver.
    pub fn ack(&mut self, received: &mut Vec<(u16, u8)>) {
        if received.is_empty() {
            return;
        }
        if self.debug {
            debug(&format!("acknowledging {} message(s)", received.len()));
        }
        let mut backlog = self.backlog.lock().expect("backlog lock");
        // Keep the order: nothing goes straight out while older ones wait.
        let taken = if backlog.is_empty() {
            try_ack(&self.client, received)
        } else {
            0
        };
        backlog.extend(received.drain(..).skip(taken));
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
                let acks = self.acks.lock().expect("acks lock");
                if let Some(reason) = &acks.refused {
                    return Err(Error::new(
                        Code::Refused,
                        format!("the broker refused a publish: {reason}"),
                    )
                    .hint("check the broker's ACL for this user and topic"));
                }
                let pending = acks.requested - acks.written + acks.outstanding.len() as u64;
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
                    if self.acks.lock().expect("acks lock").closed.is_none() {
                        self.acks.lock().expect("acks lock").closed =
                            Some("connection closed".into());
                    }
                }
                Err(_) => {
                    let acks = self.acks.lock().expect("acks lock");
                    let pending = acks.requested - acks.written + acks.outstanding.len() as u64;
                    return Err(Error::runtime(format!(
                        "{pending} message(s) not acknowledged after {}",
                        humantime::format_duration(timeout)
                    ))
                    .hint("the broker may be overloaded; raise --ack-timeout"));
                }
            }
        }
    }

    /// A round trip to the broker: everything sent before has been read by it. Catches a broker
    /// that dropped the connection over a QoS 0 message it did not accept.
    pub async fn sync(&mut self) -> Result<()> {
        // Unsubscribing from a filter nobody uses is harmless and always answered.
        let filter = "mq-sync/5e0c1d7a/never-subscribed";
        let sent = match &self.client {
            Client::V4(c) => c.unsubscribe(filter).await.is_ok(),
            Client::V5(c) => c.unsubscribe(filter).await.is_ok(),
        };
        if sent { Ok(()) } else { Err(self.gone_error()) }?;
        loop {
            match self.notes.recv().await {
                Some(Note::UnsubAck) => return Ok(()),
                Some(Note::Event(e)) => self.buffered.push_back(e),
                Some(Note::SubAck(_)) => {}
                Some(Note::Closed(e)) => return Err(self.close_with(e)),
                None => return Err(self.gone_error()),
            }
        }
    }

    /// Subscribe to `filters` in one SUBSCRIBE; returns the broker's answer per filter.
    pub async fn subscribe(
        &mut self,
        filters: &[String],
        opts: &SubscribeOptions,
    ) -> Result<Vec<Result<u8, String>>> {
        self.subscribe_v5(filters, opts, &SubscribeV5::default())
            .await
    }

    /// `subscribe` with MQTT 5 subscription options and properties (ignored on 3.1.1).
    pub async fn subscribe_v5(
        &mut self,
        filters: &[String],
        opts: &SubscribeOptions,
        v5: &SubscribeV5,
    ) -> Result<Vec<Result<u8, String>>> {
        let sent = match &self.client {
            Client::V4(c) => {
                let f = filters
                    .iter()
                    .map(|f| rumqttc::SubscribeFilter::new(f.clone(), qos4(opts.qos)));
                c.subscribe_many(f).await.is_ok()
            }
            Client::V5(c) => {
                let f = filters.iter().map(|f| {
                    let mut filter = p5::Filter::new(f.clone(), qos5(opts.qos));
                    filter.retain_forward_rule = match opts.retain_handling {
                        1 => p5::RetainForwardRule::OnNewSubscribe,
                        2 => p5::RetainForwardRule::Never,
                        _ => p5::RetainForwardRule::OnEverySubscribe,
                    };
                    filter.nolocal = v5.no_local;
                    filter.preserve_retain = v5.retain_as_published;
                    filter
                });
                if v5.properties.id.is_none() && v5.properties.user_properties.is_empty() {
                    c.subscribe_many(f).await.is_ok()
                } else {
                    let props = p5::SubscribeProperties {
                        id: v5.properties.id,
                        user_properties: v5.properties.user_properties.clone(),
                    };
                    c.subscribe_many_with_properties(f, props).await.is_ok()
                }
            }
        };
        if sent { Ok(()) } else { Err(self.gone_error()) }?;
        loop {
            match self.notes.recv().await {
                Some(Note::SubAck(r)) => return Ok(r),
                Some(Note::Event(e)) => self.buffered.push_back(e),
                Some(Note::UnsubAck) => {}
                Some(Note::Closed(e)) => return Err(self.close_with(e)),
                None => return Err(self.gone_error()),
            }
        }
    }

    /// Unsubscribe from `filters` and wait for the UNSUBACK.
    pub async fn unsubscribe(&mut self, filters: &[String]) -> Result<()> {
        self.unsubscribe_with(filters, &[]).await
    }

    /// `unsubscribe` with MQTT 5 user properties on each UNSUBSCRIBE (ignored on 3.1.1).
    pub async fn unsubscribe_with(
        &mut self,
        filters: &[String],
        user_properties: &[(String, String)],
    ) -> Result<()> {
        for f in filters {
            let sent = match &self.client {
                Client::V4(c) => c.unsubscribe(f.clone()).await.is_ok(),
                Client::V5(c) if user_properties.is_empty() => {
                    c.unsubscribe(f.clone()).await.is_ok()
                }
                Client::V5(c) => {
                    let props = p5::UnsubscribeProperties {
                        user_properties: user_properties.to_vec(),
                    };
                    c.unsubscribe_with_properties(f.clone(), props)
                        .await
                        .is_ok()
                }
            };
            if sent { Ok(()) } else { Err(self.gone_error()) }?;
            loop {
                match self.notes.recv().await {
                    Some(Note::UnsubAck) => break,
                    Some(Note::Event(e)) => self.buffered.push_back(e),
                    Some(Note::SubAck(_)) => {}
                    Some(Note::Closed(e)) => return Err(self.close_with(e)),
                    None => return Err(self.gone_error()),
                }
            }
        }
        Ok(())
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
                Some(Note::SubAck(_)) | Some(Note::UnsubAck) => {}
                Some(Note::Closed(e)) => return Err(self.close_with(e)),
                None => return Err(self.gone_error()),
            }
        }
    }

    /// Send DISCONNECT (reason 0: the broker discards the will) and wait, briefly, until it is
    /// written.
    pub async fn disconnect(mut self) -> Result<()> {
        // Acknowledgements still in the backlog go out before the DISCONNECT (bounded wait).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while !self.backlog.lock().expect("backlog lock").is_empty()
            && tokio::time::Instant::now() < deadline
        {
            self.buffered.clear();
            let _ = tokio::time::timeout(Duration::from_millis(10), self.notes.recv()).await;
        }
        if self.debug {
            debug("sending DISCONNECT");
        }
        let sent = match &self.client {
            Client::V4(c) => c.disconnect().await.is_ok(),
            Client::V5(c) => c.disconnect().await.is_ok(),
        };
        if !sent {
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

/// Owns the event loop: turns its output into acks bookkeeping and notes for the command.
struct Driver {
    eventloop: Loop,
    /// To acknowledge duplicates itself: the command never sees them.
    client: Client,
    /// Packet ids of QoS 1/2 messages handed to the command whose exchange is not finished
    /// (no PUBACK sent yet; no PUBREL received yet). After a reconnect the broker resends
    /// them; a resend is acknowledged here and not delivered twice.
    delivered: HashSet<u16>,
    /// Acknowledgements not yet taken by the full request channel, in order: the command's,
    /// and those of resends.
    backlog: Arc<Mutex<Vec<(u16, u8)>>>,
    manual_acks: bool,
    tx: mpsc::Sender<Note>,
    acks: Arc<Mutex<Acks>>,
    changed: watch::Sender<u64>,
    reconnect: bool,
    wants_messages: bool,
    debug: bool,
    address: String,
}

impl Driver {
    async fn run(mut self) {
        let mut backoff = Duration::from_secs(1);
        loop {
            {
                let mut backlog = self.backlog.lock().expect("backlog lock");
                if !backlog.is_empty() {
                    let taken = try_ack(&self.client, &backlog);
                    backlog.drain(..taken);
                }
            }
            match self.eventloop.poll().await {
                Ok(p) => {
                    if !self.handle(p).await {
                        return;
                    }
                    backoff = Duration::from_secs(1);
                }
                Err(f) => {
                    let error = lost_error(f, &self.address);
                    if !self.reconnect {
                        self.close(error).await;
                        return;
                    }
                    if self.debug {
                        debug(&format!("{error}; reconnecting in {}s", backoff.as_secs()));
                    }
                    let retry_in = backoff;
                    if self
                        .tx
                        .send(Note::Event(Event::ConnectionLost { error, retry_in }))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    tokio::time::sleep(retry_in).await;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    async fn close(&mut self, error: Error) {
        self.acks.lock().expect("acks lock").closed = Some(error.message.clone());
        self.changed.send_modify(|g| *g += 1);
        let _ = self.tx.send(Note::Closed(error)).await;
    }

    /// Returns false when the driver should stop.
    async fn handle(&mut self, p: Polled) -> bool {
        match p {
            Polled::ConnAck(c) => {
                if !c.session_present {
                    self.delivered.clear();
                }
                if self.debug {
                    debug(&format!(
                        "received CONNACK (session present: {})",
                        c.session_present
                    ));
                }
                let e = Event::Reconnected {
                    session_present: c.session_present,
                };
                return self.tx.send(Note::Event(e)).await.is_ok();
            }
            Polled::Publish(m) => {
                if self.debug {
                    debug(&format!(
                        "received PUBLISH (d0, q{}, r{}, m{}, '{}', ... ({} bytes))",
                        m.qos,
                        m.retain as u8,
                        m.pkid,
                        m.topic,
                        m.payload.len()
                    ));
                }
                if self.wants_messages {
                    if m.qos > 0 && !self.delivered.insert(m.pkid) {
                        // Already delivered: only the acknowledgement is owed.
                        if self.debug {
                            debug(&format!("m{} is a resend of a delivered message", m.pkid));
                        }
                        // Never wait on the request channel here: only this task drains it.
                        // (Without manual acknowledgements rumqttc has answered already.)
                        if self.manual_acks {
                            let mut backlog = self.backlog.lock().expect("backlog lock");
                            backlog.push((m.pkid, m.qos));
                        }
                        return true;
                    }
                    return self.tx.send(Note::Event(Event::Message(m))).await.is_ok();
                }
            }
            Polled::OutgoingPublish(pkid) => {
                if self.debug {
                    debug(&format!("sending PUBLISH (m{pkid})"));
                }
                let mut acks = self.acks.lock().expect("acks lock");
                if pkid == 0 || acks.outstanding.insert(pkid) {
                    acks.written += 1;
                }
                drop(acks);
                self.changed.send_modify(|g| *g += 1);
            }
            Polled::PubDone(pkid, result) => {
                if self.debug {
                    debug(&format!(
                        "received ack for m{pkid}: {}",
                        result.as_ref().err().map_or("ok", |s| s)
                    ));
                }
                let mut acks = self.acks.lock().expect("acks lock");
                acks.outstanding.remove(&pkid);
                if let Err(reason) = result {
                    acks.refused.get_or_insert(reason);
                }
                drop(acks);
                self.changed.send_modify(|g| *g += 1);
            }
            Polled::SubAck(r) => {
                if self.debug {
                    debug(&format!("received SUBACK {r:?}"));
                }
                return self.tx.send(Note::SubAck(r)).await.is_ok();
            }
            Polled::UnsubAck => return self.tx.send(Note::UnsubAck).await.is_ok(),
            Polled::Finished(pkid) => {
                self.delivered.remove(&pkid);
            }
            Polled::OutgoingDisconnect => {
                self.acks.lock().expect("acks lock").closed = Some("disconnected".into());
                self.changed.send_modify(|g| *g += 1);
                return false;
            }
            Polled::ServerDisconnect(reason) => {
                let e = Error::runtime(format!("the broker disconnected mq: {reason}"));
                if !self.reconnect {
                    self.close(e).await;
                    return false;
                }
            }
            Polled::Other => {}
        }
        true
    }
}

/// Hand acknowledgements to the event loop without waiting; returns how many of `received`
/// (from the front) were taken. The rest must be retried later, in order.
fn try_ack(client: &Client, received: &[(u16, u8)]) -> usize {
    for (i, &(pkid, qos)) in received.iter().enumerate() {
        if qos == 0 {
            continue;
        }
        let taken = match client {
            Client::V4(c) => c.try_ack(&ack_of_v4(pkid, qos)).is_ok(),
            Client::V5(c) => c.try_ack(&ack_of_v5(pkid, qos)).is_ok(),
        };
        if !taken {
            return i;
        }
    }
    received.len()
}

/// rumqttc builds an acknowledgement from a `Publish`: only its packet id and QoS matter.
fn ack_of_v4(pkid: u16, qos: u8) -> rumqttc::Publish {
    let mut p = rumqttc::Publish::new("", qos4(qos), Vec::new());
    p.pkid = pkid;
    p
}

fn ack_of_v5(pkid: u16, qos: u8) -> p5::Publish {
    let mut p = p5::Publish::new("", qos5(qos), Vec::new(), None);
    p.pkid = pkid;
    p
}

/// `manual_acks`: received QoS 1/2 messages are acknowledged by `Session::ack`, once the command
/// has written them out, so a crash never loses a message the broker thinks was delivered.
fn build(plan: &ConnectPlan, version: Version, manual_acks: bool) -> (Client, Loop) {
    // Our own connect timeout wraps the first connect; rumqttc's only bounds reconnects.
    let conn_timeout = plan.connect_timeout.as_secs().max(1);
    match version {
        Version::V311 => {
            let mut o = rumqttc::MqttOptions::new(
                plan.client_id.clone(),
                transport::broker_addr(plan),
                plan.port,
            );
            if let Some(t) = transport::transport(plan) {
                o.set_transport(t);
            }
            o.set_tls_server_name(transport::server_name(plan));
            o.set_keep_alive(plan.keep_alive)
                .set_clean_session(plan.clean_start)
                .set_max_packet_size(MAX_PACKET, MAX_PACKET)
                .set_request_channel_capacity(REQUEST_CHANNEL)
                .set_inflight(plan.inflight.unwrap_or(INFLIGHT_V311).max(1))
                .set_manual_acks(manual_acks)
                .set_read_coalescing(plan.batch_reads.then_some(READ_COALESCING));
            if let Some(u) = &plan.username {
                o.set_credentials(u.clone(), plan.password.clone().unwrap_or_default());
            }
            if let Some(w) = &plan.will {
                o.set_last_will(rumqttc::LastWill::new(
                    w.topic.as_str(),
                    w.payload.clone(),
                    qos4(w.qos),
                    w.retain,
                ));
            }
            let (c, mut el) = rumqttc::AsyncClient::new(o, REQUEST_CHANNEL);
            let mut net = rumqttc::NetworkOptions::new();
            net.set_connection_timeout(conn_timeout);
            net.set_tcp_nodelay(true);
            el.set_network_options(net);
            (Client::V4(c), Loop::V4(Box::new(el)))
        }
        Version::V5 => {
            let mut o = r5::MqttOptions::new(
                plan.client_id.clone(),
                transport::broker_addr(plan),
                plan.port,
            );
            if let Some(t) = transport::transport(plan) {
                o.set_transport(t);
            }
            o.set_tls_server_name(transport::server_name(plan));
            // rumqttc's v5 client panics below 5s (and cannot disable keepalive): round up.
            o.set_keep_alive(plan.keep_alive.max(Duration::from_secs(5)))
                .set_clean_start(plan.clean_start)
                .set_max_packet_size(Some(MAX_PACKET as u32))
                .set_request_channel_capacity(REQUEST_CHANNEL)
                .set_connection_timeout(conn_timeout)
                // rumqttc sizes its in-flight table from this (65535 by default: 13 MiB at
                // start-up); the broker's receive maximum lowers it further.
                .set_outgoing_inflight_upper_limit(plan.inflight.unwrap_or(INFLIGHT).max(1))
                .set_manual_acks(manual_acks)
                .set_read_coalescing(plan.batch_reads.then_some(READ_COALESCING));
            if plan.session_expiry.is_some() {
                o.set_session_expiry_interval(plan.session_expiry);
            }
            if manual_acks || plan.receive_maximum.is_some() {
                o.set_receive_maximum(Some(plan.receive_maximum.unwrap_or(RECEIVE_MAXIMUM)));
            }
            connect_properties(&mut o, &plan.properties);
            if let Some(u) = &plan.username {
                o.set_credentials(u.clone(), plan.password.clone().unwrap_or_default());
            }
            if let Some(w) = &plan.will {
                o.set_last_will(p5::LastWill::new(
                    w.topic.as_str(),
                    w.payload.clone(),
                    qos5(w.qos),
                    w.retain,
                    will_properties(&plan.properties),
                ));
            }
            let mut net = rumqttc::NetworkOptions::new();
            net.set_connection_timeout(conn_timeout);
            net.set_tcp_nodelay(true);
            o.set_network_options(net);
            let (c, el) = r5::AsyncClient::new(o, REQUEST_CHANNEL);
            (Client::V5(c), Loop::V5(Box::new(el)))
        }
    }
}

/// `-D connect ...` properties.
fn connect_properties(o: &mut r5::MqttOptions, p: &crate::properties::ConnectProperties) {
    if !p.user_properties.is_empty() {
        o.set_user_properties(p.user_properties.clone());
    }
    if p.max_packet_size.is_some() {
        o.set_max_packet_size(p.max_packet_size);
    }
    if p.topic_alias_max.is_some() {
        o.set_topic_alias_max(p.topic_alias_max);
    }
    if p.request_problem_info.is_some() {
        o.set_request_problem_info(p.request_problem_info);
    }
    if p.request_response_info.is_some() {
        o.set_request_response_info(p.request_response_info);
    }
    let d = &p.disconnect;
    if *d != crate::properties::DisconnectProperties::default() {
        o.set_disconnect_properties(Some(p5::DisconnectProperties {
            session_expiry_interval: d.session_expiry,
            reason_string: d.reason_string.clone(),
            user_properties: d.user_properties.clone(),
            server_reference: None,
        }));
    }
}

/// `-D will ...` properties, when any were given.
fn will_properties(p: &crate::properties::ConnectProperties) -> Option<p5::LastWillProperties> {
    let w = &p.will;
    if *w == Properties::default() && p.will_delay.is_none() {
        return None;
    }
    Some(p5::LastWillProperties {
        delay_interval: p.will_delay,
        payload_format_indicator: w.payload_format_indicator,
        message_expiry_interval: w.message_expiry_interval,
        content_type: w.content_type.clone(),
        response_topic: w.response_topic.clone(),
        correlation_data: w.correlation_data.clone(),
        user_properties: w.user_properties.clone(),
    })
}

fn describe_connect(plan: &ConnectPlan, version: Version) -> String {
    format!(
        "sending CONNECT to {} (MQTT {}, id '{}', clean {}, keepalive {}s, user {}, password {}, will {})",
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

/// Poll until the first CONNACK; any error before it is a failure of the first connect.
async fn first_connack(el: &mut Loop) -> Result<ConnAckInfo, Failure> {
    loop {
        if let Polled::ConnAck(c) = el.poll().await? {
            return Ok(c);
        }
    }
}

impl Loop {
    async fn poll(&mut self) -> Result<Polled, Failure> {
        match self {
            Loop::V4(el) => el.poll().await.map(from_v4).map_err(failure_v4),
            Loop::V5(el) => el.poll().await.map(from_v5).map_err(failure_v5),
        }
    }
}

fn from_v4(e: rumqttc::Event) -> Polled {
    use rumqttc::{Event, Outgoing, Packet};
    match e {
        Event::Incoming(Packet::ConnAck(c)) => Polled::ConnAck(ConnAckInfo {
            session_present: c.session_present,
            ..Default::default()
        }),
        Event::Incoming(Packet::Publish(p)) => Polled::Publish(Message {
            topic: p.topic,
            payload: p.payload,
            qos: p.qos as u8,
            retain: p.retain,
            pkid: p.pkid,
            properties: None,
        }),
        Event::Incoming(Packet::PubAck(a)) => Polled::PubDone(a.pkid, Ok(())),
        Event::Incoming(Packet::PubComp(a)) => Polled::PubDone(a.pkid, Ok(())),
        Event::Incoming(Packet::SubAck(s)) => Polled::SubAck(
            s.return_codes
                .iter()
                .map(|c| match c {
                    rumqttc::SubscribeReasonCode::Success(q) => Ok(*q as u8),
                    rumqttc::SubscribeReasonCode::Failure => Err("refused".to_string()),
                })
                .collect(),
        ),
        Event::Incoming(Packet::UnsubAck(_)) => Polled::UnsubAck,
        Event::Incoming(Packet::PubRel(r)) => Polled::Finished(r.pkid),
        Event::Outgoing(Outgoing::PubAck(pkid)) => Polled::Finished(pkid),
        Event::Outgoing(Outgoing::Publish(pkid)) => Polled::OutgoingPublish(pkid),
        Event::Outgoing(Outgoing::Disconnect) => Polled::OutgoingDisconnect,
        _ => Polled::Other,
    }
}

fn from_v5(e: r5::Event) -> Polled {
    use p5::Packet;
    use rumqttc::Outgoing;
    match e {
        r5::Event::Incoming(Packet::ConnAck(c)) => {
            let Some(p) = c.properties else {
                return Polled::ConnAck(ConnAckInfo {
                    session_present: c.session_present,
                    ..Default::default()
                });
            };
            Polled::ConnAck(ConnAckInfo {
                session_present: c.session_present,
                max_packet_size: p.max_packet_size,
                receive_maximum: p.receive_max,
                maximum_qos: p.max_qos,
                retain_available: p.retain_available.map(|v| v != 0),
                assigned_client_id: p.assigned_client_identifier,
                topic_alias_maximum: p.topic_alias_max,
                server_keep_alive: p.server_keep_alive,
                wildcard_available: p.wildcard_subscription_available.map(|v| v != 0),
                shared_available: p.shared_subscription_available.map(|v| v != 0),
                subscription_ids_available: p.subscription_identifiers_available.map(|v| v != 0),
                reason_string: p.reason_string,
                session_expiry_interval: p.session_expiry_interval,
                user_properties: p.user_properties,
                response_information: p.response_information,
                server_reference: p.server_reference,
                authentication_method: p.authentication_method,
            })
        }
        r5::Event::Incoming(Packet::Publish(p)) => Polled::Publish(Message {
            topic: String::from_utf8_lossy(&p.topic).into_owned(),
            payload: p.payload,
            qos: p.qos as u8,
            retain: p.retain,
            pkid: p.pkid,
            properties: p.properties.map(from_p5_props),
        }),
        r5::Event::Incoming(Packet::PubAck(a)) => {
            use p5::PubAckReason as R;
            let r = match a.reason {
                R::Success | R::NoMatchingSubscribers => Ok(()),
                other => Err(reason_words(
                    &format!("{other:?}"),
                    a.properties.and_then(|p| p.reason_string),
                )),
            };
            Polled::PubDone(a.pkid, r)
        }
        r5::Event::Incoming(Packet::PubRec(a)) => {
            use p5::PubRecReason as R;
            match a.reason {
                R::Success | R::NoMatchingSubscribers => Polled::Other,
                other => Polled::PubDone(
                    a.pkid,
                    Err(reason_words(
                        &format!("{other:?}"),
                        a.properties.and_then(|p| p.reason_string),
                    )),
                ),
            }
        }
        r5::Event::Incoming(Packet::PubComp(a)) => Polled::PubDone(a.pkid, Ok(())),
        r5::Event::Incoming(Packet::SubAck(s)) => Polled::SubAck(
            s.return_codes
                .iter()
                .map(|c| match c {
                    p5::SubscribeReasonCode::Success(q) => Ok(*q as u8),
                    other => Err(reason_words(&format!("{other:?}"), None)),
                })
                .collect(),
        ),
        r5::Event::Incoming(Packet::UnsubAck(_)) => Polled::UnsubAck,
        r5::Event::Incoming(Packet::PubRel(r)) => Polled::Finished(r.pkid),
        r5::Event::Outgoing(Outgoing::PubAck(pkid)) => Polled::Finished(pkid),
        r5::Event::Incoming(Packet::Disconnect(d)) => Polled::ServerDisconnect(reason_words(
            &format!("{:?}", d.reason_code),
            d.properties.and_then(|p| p.reason_string),
        )),
        r5::Event::Outgoing(Outgoing::Publish(pkid)) => Polled::OutgoingPublish(pkid),
        r5::Event::Outgoing(Outgoing::Disconnect) => Polled::OutgoingDisconnect,
        _ => Polled::Other,
    }
}

/// `NotAuthorized` -> `not authorized`, plus the broker's reason string when it sent one.
pub(crate) fn reason_words(debug_name: &str, reason_string: Option<String>) -> String {
    let mut out = String::new();
    for (i, ch) in debug_name.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(ch.to_ascii_lowercase());
    }
    let out = out.replace("qo s", "QoS").replace("user name", "username");
    match reason_string {
        Some(r) if !r.is_empty() => format!("{out} ({r})"),
        _ => out,
    }
}

fn qos4(q: u8) -> rumqttc::QoS {
    match q {
        0 => rumqttc::QoS::AtMostOnce,
        1 => rumqttc::QoS::AtLeastOnce,
        _ => rumqttc::QoS::ExactlyOnce,
    }
}

fn qos5(q: u8) -> r5::mqttbytes::QoS {
    match q {
        0 => r5::mqttbytes::QoS::AtMostOnce,
        1 => r5::mqttbytes::QoS::AtLeastOnce,
        _ => r5::mqttbytes::QoS::ExactlyOnce,
    }
}

fn from_p5_props(p: p5::PublishProperties) -> Properties {
    Properties {
        payload_format_indicator: p.payload_format_indicator,
        message_expiry_interval: p.message_expiry_interval,
        topic_alias: p.topic_alias,
        response_topic: p.response_topic,
        correlation_data: p.correlation_data,
        user_properties: p.user_properties,
        subscription_identifiers: p.subscription_identifiers,
        content_type: p.content_type,
    }
}

fn to_p5_props(p: &Properties) -> p5::PublishProperties {
    p5::PublishProperties {
        payload_format_indicator: p.payload_format_indicator,
        message_expiry_interval: p.message_expiry_interval,
        topic_alias: p.topic_alias,
        response_topic: p.response_topic.clone(),
        correlation_data: p.correlation_data.clone(),
        user_properties: p.user_properties.clone(),
        subscription_identifiers: p.subscription_identifiers.clone(),
        content_type: p.content_type.clone(),
    }
}

fn varint_len(n: usize) -> usize {
    match n {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// Size on the wire of a PUBLISH packet (MQTT 3.1.1 §3.3, MQTT 5 §3.3).
fn publish_packet_size(
    topic: &str,
    payload: usize,
    qos: u8,
    props: Option<&Properties>,
    version: Version,
) -> usize {
    let mut remaining = 2 + topic.len() + payload + if qos > 0 { 2 } else { 0 };
    if version == Version::V5 {
        let plen = props.map_or(0, properties_len);
        remaining += varint_len(plen) + plen;
    }
    1 + varint_len(remaining) + remaining
}

fn properties_len(p: &Properties) -> usize {
    let s = |o: &Option<String>| o.as_ref().map_or(0, |s| 3 + s.len());
    p.payload_format_indicator.map_or(0, |_| 2)
        + p.message_expiry_interval.map_or(0, |_| 5)
        + p.topic_alias.map_or(0, |_| 3)
        + s(&p.response_topic)
        + p.correlation_data.as_ref().map_or(0, |d| 3 + d.len())
        + p.user_properties
            .iter()
            .map(|(k, v)| 5 + k.len() + v.len())
            .sum::<usize>()
        + p.subscription_identifiers
            .iter()
            .map(|&i| 1 + varint_len(i))
            .sum::<usize>()
        + s(&p.content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_size_matches_the_spec() {
        // "a" + "hi" at QoS 0, 3.1.1: header 1 + len 1 + topic 2+1 + payload 2.
        assert_eq!(publish_packet_size("a", 2, 0, None, Version::V311), 7);
        // QoS 1 adds a packet id; v5 adds a property length byte.
        assert_eq!(publish_packet_size("a", 2, 1, None, Version::V5), 10);
        // Remaining length 128 takes two bytes.
        assert_eq!(
            publish_packet_size("a", 125, 0, None, Version::V311),
            1 + 2 + 128
        );
    }

    #[test]
    fn reason_codes_read_as_words() {
        assert_eq!(reason_words("NotAuthorized", None), "not authorized");
        assert_eq!(
            reason_words("BadUserNamePassword", None),
            "bad username password"
        );
        assert_eq!(
            reason_words("QoSNotSupported", Some("no".into())),
            "QoS not supported (no)"
        );
    }
}
