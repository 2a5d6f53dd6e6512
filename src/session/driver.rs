//! The driver: the task that owns the event loop. It turns what the loop produces into
//! acknowledgement bookkeeping and notes for the command, acknowledges resends itself, and
//! renews the subscriptions when a reconnect finds no session. It hands notes to the command
//! through `outbox`, which, for a session with `hold`, does not make it wait while the command
//! catches up (within that budget): the keepalive goes on however slow the command is.

use super::client::{Client, Loop, Subscription};
use super::convert::Polled;
use super::failure::lost_error;
use super::outbox::Outbox;
use super::types::{AckToken, Delivery, Event, Granted, Message};
use crate::exit::{Code, Error};
use crate::output::debug;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// What the driver sends on the message channel.
pub(super) enum Note {
    Event(Event),
    SubAck(Vec<Granted>),
    UnsubAck,
    /// The connection is gone for good.
    Closed(Error),
}

/// Acknowledgement bookkeeping of publishes, shared between the command and the driver.
#[derive(Default)]
pub(super) struct Acks {
    /// Publishes handed to the event loop.
    pub requested: u64,
    /// Publishes written to the network for the first time.
    pub written: u64,
    /// Packet ids of QoS 1/2 publishes awaiting PUBACK / PUBCOMP, with the publish's place in
    /// the order of requests (0 for the first).
    pub outstanding: HashMap<u16, u64>,
    /// The places of the publishes in `outstanding`, to find the oldest.
    pub unfinished: BTreeSet<u64>,
    /// The first publish the broker refused.
    pub refused: Option<String>,
    /// Why the connection ended, if it did.
    pub closed: Option<String>,
}

impl Acks {
    /// Publishes not yet written or not yet acknowledged.
    pub fn pending(&self) -> u64 {
        self.requested - self.written + self.outstanding.len() as u64
    }

    /// How many publishes, from the first, are finished without a gap: written, and at QoS 1/2
    /// acknowledged (rumqttc writes requests in the order it takes them).
    pub fn finished_in_order(&self) -> u64 {
        self.unfinished.first().copied().unwrap_or(self.written)
    }
}

/// State the command's `Session` and the driver share.
#[derive(Default)]
pub(super) struct Shared {
    pub acks: Mutex<Acks>,
    /// Acknowledgements of received messages the request channel had no room for, in order;
    /// the driver hands them over. Nothing on the command's side ever waits to acknowledge.
    pub backlog: Mutex<Vec<AckToken>>,
    /// Packet ids of QoS 1/2 messages delivered with `Delivery::AfterOutput` whose
    /// acknowledgement the command has not yet given (`Session::ack` removes them). A resend of
    /// one is dropped: the command's own acknowledgement answers it. Acknowledging it in the
    /// driver would tell the broker a message was delivered that the command has not finished
    /// with (a bridge still forwarding it).
    pub owed: Mutex<HashSet<u16>>,
    /// What the command subscribed to, to renew after a reconnect without a session.
    pub subscriptions: Mutex<Vec<Subscription>>,
    /// Whether the network connection is up (false while reconnecting).
    pub connected: std::sync::atomic::AtomicBool,
}

pub(super) struct Driver {
    pub eventloop: Loop,
    /// To acknowledge duplicates and renew subscriptions itself: the command never sees them.
    pub client: Client,
    /// Packet ids of QoS 1/2 messages handed to the command whose exchange is not finished
    /// (no PUBACK sent yet; no PUBREL received yet). After a reconnect the broker resends
    /// them; a resend is acknowledged here and not delivered twice.
    pub delivered: HashSet<u16>,
    pub shared: Arc<Shared>,
    pub delivery: Delivery,
    /// Notes for the command (it may fall behind without stopping the driver).
    pub outbox: Outbox,
    pub changed: watch::Sender<u64>,
    pub reconnect: bool,
    /// SUBSCRIBEs the driver sent to renew subscriptions, whose SUBACK is still to come.
    pub renewing: Vec<Subscription>,
    pub debug: bool,
    pub address: String,
}

impl Driver {
    pub async fn run(mut self) {
        let mut backoff = Duration::from_secs(1);
        loop {
            {
                let mut backlog = self.shared.backlog.lock().expect("backlog lock");
                if !backlog.is_empty() {
                    let taken = self.client.try_ack(&backlog);
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
                    self.shared
                        .connected
                        .store(false, std::sync::atomic::Ordering::Relaxed);
                    let error = lost_error(f, &self.address);
                    if !self.reconnect {
                        self.close(error).await;
                        return;
                    }
                    if self.debug {
                        debug(&format!(
                            "{}; reconnecting in {}s",
                            error.message,
                            backoff.as_secs()
                        ));
                    }
                    let retry_in = backoff;
                    if !self.send(Event::ConnectionLost { error, retry_in }).await {
                        return;
                    }
                    tokio::time::sleep(retry_in).await;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    async fn send(&mut self, e: Event) -> bool {
        self.outbox.send(Note::Event(e)).await
    }

    fn acks_changed(&self) {
        self.changed.send_modify(|g| *g += 1);
    }

    async fn close(&mut self, error: Error) {
        self.shared.acks.lock().expect("acks lock").closed = Some(error.message.clone());
        self.acks_changed();
        let _ = self.outbox.send(Note::Closed(error)).await;
    }

    /// Returns false when the driver should stop.
    async fn handle(&mut self, p: Polled) -> bool {
        match p {
            Polled::ConnAck(c) => {
                self.shared
                    .connected
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                if self.debug {
                    debug(&format!(
                        "received CONNACK (session present: {})",
                        c.session_present
                    ));
                }
                let mut renewed = 0;
                if !c.session_present {
                    self.delivered.clear();
                    self.shared.owed.lock().expect("owed lock").clear();
                    renewed = self.renew_subscriptions().await;
                }
                return self
                    .send(Event::Reconnected {
                        session_present: c.session_present,
                        renewed,
                    })
                    .await;
            }
            Polled::Publish(m, dup) => {
                if self.debug {
                    debug(&format!(
                        "received PUBLISH (d{}, q{}, r{}, m{}, '{}', ... ({} bytes))",
                        dup as u8,
                        m.qos as u8,
                        m.retain as u8,
                        m.pkid,
                        m.topic,
                        m.payload.len()
                    ));
                }
                if self.delivery == Delivery::None {
                    return true;
                }
                if m.qos.acknowledged() {
                    // A resend carries DUP. A packet id without it is a new message, even if the
                    // id is still marked here: the broker has reused it, so it had the old one's
                    // acknowledgement (a mark can outlive its exchange when a reconnect drops
                    // the PUBACK). Taking it for a resend would drop a new message.
                    if dup && self.delivered.contains(&m.pkid) {
                        self.resent(&m);
                        return true;
                    }
                    self.delivered.insert(m.pkid);
                    if self.delivery == Delivery::AfterOutput {
                        self.shared.owed.lock().expect("owed lock").insert(m.pkid);
                    }
                }
                return self.send(Event::Message(m)).await;
            }
            Polled::OutgoingPublish(pkid) => {
                if self.debug {
                    debug(&format!("sending PUBLISH (m{pkid})"));
                }
                let mut acks = self.shared.acks.lock().expect("acks lock");
                // A resend after a reconnect keeps its first place.
                if pkid == 0 {
                    acks.written += 1;
                } else if !acks.outstanding.contains_key(&pkid) {
                    let place = acks.written;
                    acks.outstanding.insert(pkid, place);
                    acks.unfinished.insert(place);
                    acks.written += 1;
                }
                drop(acks);
                self.acks_changed();
            }
            Polled::PubDone(pkid, result) => {
                if self.debug {
                    debug(&format!(
                        "received ack for m{pkid}: {}",
                        result.as_ref().err().map_or("ok", |s| s)
                    ));
                }
                let mut acks = self.shared.acks.lock().expect("acks lock");
                if let Some(place) = acks.outstanding.remove(&pkid) {
                    acks.unfinished.remove(&place);
                }
                if let Err(reason) = result {
                    acks.refused.get_or_insert(reason);
                }
                drop(acks);
                self.acks_changed();
            }
            Polled::SubAck(r) => {
                if self.debug {
                    let granted: Vec<String> = r
                        .iter()
                        .map(|g| match g {
                            Ok(q) => format!("QoS {q}"),
                            Err(why) => why.clone(),
                        })
                        .collect();
                    debug(&format!("received SUBACK ({})", granted.join(", ")));
                }
                // SUBACKs come in the order of the SUBSCRIBEs: renewals were sent first.
                if !self.renewing.is_empty() {
                    let s = self.renewing.remove(0);
                    if let Some((f, Err(reason))) =
                        s.filters.iter().zip(&r).find(|(_, g)| g.is_err())
                    {
                        let e = Error::new(
                            Code::Refused,
                            format!("the broker refused the subscription to '{f}' after a reconnect: {reason}"),
                        )
                        .hint("check the broker's ACL for this user and filter");
                        self.close(e).await;
                        return false;
                    }
                    return true;
                }
                return self.outbox.send(Note::SubAck(r)).await;
            }
            Polled::UnsubAck => {
                if self.debug {
                    debug("received UNSUBACK");
                }
                return self.outbox.send(Note::UnsubAck).await;
            }
            // Not owed any more either: `Session::ack` cleared that before the PUBACK went out.
            Polled::Finished(pkid) => {
                self.delivered.remove(&pkid);
            }
            Polled::OutgoingDisconnect => {
                self.shared.acks.lock().expect("acks lock").closed = Some("disconnected".into());
                self.acks_changed();
                return false;
            }
            Polled::ServerDisconnect(reason) => {
                let e = Error::runtime(format!("the broker disconnected mq: {reason}"));
                if !self.reconnect {
                    self.close(e).await;
                    return false;
                }
            }
            Polled::Ping(line) => {
                if self.debug {
                    debug(line);
                }
            }
            Polled::Other => {}
        }
        true
    }

    /// A resend of a message already handed to the command: dropped, and acknowledged again if
    /// the command has acknowledged it already.
    fn resent(&self, m: &Message) {
        if self
            .shared
            .owed
            .lock()
            .expect("owed lock")
            .contains(&m.pkid)
        {
            if self.debug {
                debug(&format!(
                    "m{} is a resend of a message not yet acknowledged",
                    m.pkid
                ));
            }
            return;
        }
        // Delivered and acknowledged, but the acknowledgement was lost: a reconnect drops the
        // PUBACKs rumqttc had not written yet. Acknowledge it again.
        if self.debug {
            debug(&format!("m{} is a resend of a delivered message", m.pkid));
        }
        // Never wait on the request channel here: only this task drains it.
        // (Without manual acknowledgements rumqttc has answered already.)
        if let (Delivery::AfterOutput, Some(t)) = (self.delivery, m.ack_token()) {
            self.shared.backlog.lock().expect("backlog lock").push(t);
        }
    }

    /// Send every subscription again (the broker kept no session); returns how many filters.
    async fn renew_subscriptions(&mut self) -> usize {
        let subscriptions = self.shared.subscriptions.lock().expect("subs lock").clone();
        self.renewing.clear();
        let mut renewed = 0;
        for s in subscriptions {
            // Never wait on the request channel from this task: it is the one that drains it.
            if !self.client.try_subscribe(&s) {
                let e = Error::runtime(format!(
                    "renewing the subscriptions after a reconnect to {}: the request queue is full",
                    self.address
                ));
                self.close(e).await;
                return renewed;
            }
            if self.debug {
                debug(&format!("renewing the subscription to {:?}", s.filters));
            }
            renewed += s.filters.len();
            self.renewing.push(s);
        }
        renewed
    }
}
