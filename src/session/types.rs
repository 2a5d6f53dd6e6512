//! The session's public vocabulary: what commands hand to `Session` and what they get back.
//! Nothing here names rumqttc.

use crate::exit::Error;
use bytes::Bytes;
use std::time::Duration;

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

/// An MQTT quality of service. `as u8` gives its number on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
#[repr(u8)]
pub enum Qos {
    #[default]
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}

impl Qos {
    /// The QoS numbered `n` (0, 1 or 2); flags are validated to that range before they get here.
    pub fn from_u8(n: u8) -> Option<Qos> {
        match n {
            0 => Some(Qos::AtMostOnce),
            1 => Some(Qos::AtLeastOnce),
            2 => Some(Qos::ExactlyOnce),
            _ => None,
        }
    }

    /// Whether a message at this QoS is acknowledged.
    pub fn acknowledged(self) -> bool {
        self != Qos::AtMostOnce
    }
}

/// MQTT 5 retain handling of a subscription.
/// `as u8` gives the option's number on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum RetainHandling {
    /// Send retained messages on every SUBSCRIBE (MQTT 3.1.1 always does).
    #[default]
    OnSubscribe = 0,
    /// Only when the subscription did not exist yet.
    OnNewSubscription = 1,
    /// Never.
    Never = 2,
}

impl RetainHandling {
    /// The option's number on the wire (0, 1, 2), as `--retain-handling` takes it.
    pub fn from_u8(n: u8) -> RetainHandling {
        match n {
            1 => RetainHandling::OnNewSubscription,
            2 => RetainHandling::Never,
            _ => RetainHandling::OnSubscribe,
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
    pub qos: Qos,
    pub retain: bool,
    /// Packet id (0 at QoS 0), for display (`-F %m`, `--json`).
    pub pkid: u16,
    /// MQTT 5 properties, when the message carried any.
    pub properties: Option<Properties>,
}

impl Message {
    /// What to hand back to `Session::ack` once this message is safely written out (sessions
    /// that deliver `AfterOutput`). A QoS 0 message has nothing to acknowledge.
    pub fn ack_token(&self) -> Option<AckToken> {
        self.qos.acknowledged().then_some(AckToken {
            pkid: self.pkid,
            qos: self.qos,
        })
    }
}

/// The acknowledgement owed for one received QoS 1/2 message: opaque to commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckToken {
    pub(super) pkid: u16,
    pub(super) qos: Qos,
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
#[derive(Debug, Clone, Copy, Default)]
pub struct SubscribeOptions {
    pub qos: Qos,
    pub retain_handling: RetainHandling,
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

/// The broker's answer for one filter of a SUBSCRIBE: the QoS granted, or why it refused.
pub type Granted = std::result::Result<Qos, String>;

/// What the session tells a command.
#[derive(Debug)]
pub enum Event {
    Message(Message),
    /// The connection dropped; the session tries again after `retry_in`.
    ConnectionLost {
        error: Error,
        retry_in: Duration,
    },
    /// Connected again. When the broker kept no session, the session has already sent its
    /// subscriptions again (`renewed` filters; a refusal ends the session with exit code 5).
    Reconnected {
        session_present: bool,
        renewed: usize,
    },
    /// The broker's answer, per filter, to a `Session::request_subscribe`.
    Subscribed(Vec<Granted>),
}

/// Who acknowledges received QoS 1/2 messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delivery {
    /// The command wants no messages: any that arrive are acknowledged and dropped.
    #[default]
    None,
    /// Messages are delivered and acknowledged on receipt.
    Auto,
    /// Messages are delivered, and the command acknowledges each (`Session::ack` with the
    /// message's `AckToken`) once it has written it out: a crash then never loses a message
    /// the broker thinks was delivered (a persistent session gets it again).
    AfterOutput,
}

/// How a session behaves, beyond what the connection plan says.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    /// After the first connect, a lost connection is retried with backoff (reported as
    /// `Event::ConnectionLost`); otherwise it ends the session.
    pub reconnect: bool,
    pub delivery: Delivery,
    /// At most this many received messages wait for the command in its channel before the
    /// session stops reading (unless `hold`): a command that keeps large payloads (file
    /// chunks) bounds its memory with it.
    pub buffer: usize,
    /// Read a flood in batches (see `READ_COALESCING`): for commands whose figure of merit is
    /// messages per CPU second (`sub`, `pub -l`), not the latency of each one.
    pub batch_reads: bool,
    /// QoS 1/2 publishes in flight, when not the session's default (bench clients).
    pub inflight: Option<u16>,
    /// Bytes of messages held past a full channel while the session goes on reading and
    /// pinging (see `outbox`): for a command that may take longer than the keepalive over one
    /// message (`sub --exec`). 0: the session stops reading when the channel is full.
    pub hold: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            reconnect: false,
            delivery: Delivery::None,
            buffer: super::MESSAGE_CHANNEL,
            batch_reads: false,
            inflight: None,
            hold: 0,
        }
    }
}

impl SessionOptions {
    /// A session that delivers received messages (acknowledged on receipt).
    pub fn receiving() -> Self {
        Self::default().delivery(Delivery::Auto)
    }

    pub fn delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    pub fn reconnecting(mut self, reconnect: bool) -> Self {
        self.reconnect = reconnect;
        self
    }

    pub fn buffer(mut self, messages: usize) -> Self {
        self.buffer = messages;
        self
    }

    pub fn batch_reads(mut self, batch: bool) -> Self {
        self.batch_reads = batch;
        self
    }

    pub fn hold(mut self, bytes: usize) -> Self {
        self.hold = bytes;
        self
    }

    pub fn inflight(mut self, inflight: u16) -> Self {
        self.inflight = Some(inflight);
        self
    }
}

impl std::fmt::Display for Qos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", *self as u8)
    }
}
