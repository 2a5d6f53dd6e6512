//! rumqttc's two type families behind one enum each: `Client` sends requests to the event loop,
//! `Loop` is the event loop. Both are built here from a `ConnectPlan` and `SessionOptions`.

use super::convert::{qos4, qos5, to_p5_props};
use super::types::{AckToken, Delivery, Properties, RetainHandling, SessionOptions};
use super::types::{SubscribeOptions, SubscribeV5, Version};
use super::{transport, INFLIGHT, INFLIGHT_V311, MAX_PACKET, READ_COALESCING};
use super::{RECEIVE_MAXIMUM, REQUEST_CHANNEL};
use crate::options::ConnectPlan;
use bytes::Bytes;
use rumqttc::v5 as r5;
use rumqttc::v5::mqttbytes::v5 as p5;

#[derive(Clone)]
pub(super) enum Client {
    V4(rumqttc::AsyncClient),
    V5(r5::AsyncClient),
}

pub(super) enum Loop {
    V4(Box<rumqttc::EventLoop>),
    V5(Box<r5::EventLoop>),
}

/// One SUBSCRIBE as the session keeps it: sent again after a reconnect that found no session.
#[derive(Clone)]
pub(super) struct Subscription {
    pub filters: Vec<String>,
    pub opts: SubscribeOptions,
    pub v5: SubscribeV5,
}

impl Client {
    /// Each request returns whether the event loop took it (false: the loop is gone).
    pub async fn publish(
        &self,
        topic: &str,
        payload: Bytes,
        qos: super::Qos,
        retain: bool,
        props: Option<&Properties>,
    ) -> bool {
        match self {
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
        }
    }

    pub async fn subscribe(&self, s: &Subscription) -> bool {
        match self {
            Client::V4(c) => c.subscribe_many(filters_v4(s)).await.is_ok(),
            Client::V5(c) => match properties_v5(&s.v5) {
                None => c.subscribe_many(filters_v5(s)).await.is_ok(),
                Some(p) => c
                    .subscribe_many_with_properties(filters_v5(s), p)
                    .await
                    .is_ok(),
            },
        }
    }

    /// `subscribe` without waiting for room in the request channel (for the event loop's own
    /// task, which is the one that makes room).
    pub fn try_subscribe(&self, s: &Subscription) -> bool {
        match self {
            Client::V4(c) => c.try_subscribe_many(filters_v4(s)).is_ok(),
            Client::V5(c) => match properties_v5(&s.v5) {
                None => c.try_subscribe_many(filters_v5(s)).is_ok(),
                Some(p) => c
                    .try_subscribe_many_with_properties(filters_v5(s), p)
                    .is_ok(),
            },
        }
    }

    pub async fn unsubscribe(&self, filter: &str, user_properties: &[(String, String)]) -> bool {
        match self {
            Client::V4(c) => c.unsubscribe(filter).await.is_ok(),
            Client::V5(c) if user_properties.is_empty() => c.unsubscribe(filter).await.is_ok(),
            Client::V5(c) => {
                let props = p5::UnsubscribeProperties {
                    user_properties: user_properties.to_vec(),
                };
                c.unsubscribe_with_properties(filter, props).await.is_ok()
            }
        }
    }

    pub async fn disconnect(&self) -> bool {
        match self {
            Client::V4(c) => c.disconnect().await.is_ok(),
            Client::V5(c) => c.disconnect().await.is_ok(),
        }
    }

    /// Hand acknowledgements to the event loop without waiting; returns how many of `tokens`
    /// (from the front) were taken. The rest must be retried later, in order.
    pub fn try_ack(&self, tokens: &[AckToken]) -> usize {
        for (i, t) in tokens.iter().enumerate() {
            // rumqttc builds an acknowledgement from a `Publish`: only its packet id and QoS
            // matter.
            let taken = match self {
                Client::V4(c) => {
                    let mut p = rumqttc::Publish::new("", qos4(t.qos), Vec::new());
                    p.pkid = t.pkid;
                    c.try_ack(&p).is_ok()
                }
                Client::V5(c) => {
                    let mut p = p5::Publish::new("", qos5(t.qos), Vec::new(), None);
                    p.pkid = t.pkid;
                    c.try_ack(&p).is_ok()
                }
            };
            if !taken {
                return i;
            }
        }
        tokens.len()
    }
}

fn filters_v4(s: &Subscription) -> Vec<rumqttc::SubscribeFilter> {
    s.filters
        .iter()
        .map(|f| rumqttc::SubscribeFilter::new(f.clone(), qos4(s.opts.qos)))
        .collect()
}

fn filters_v5(s: &Subscription) -> Vec<p5::Filter> {
    s.filters
        .iter()
        .map(|f| {
            let mut filter = p5::Filter::new(f.clone(), qos5(s.opts.qos));
            filter.retain_forward_rule = match s.opts.retain_handling {
                RetainHandling::OnSubscribe => p5::RetainForwardRule::OnEverySubscribe,
                RetainHandling::OnNewSubscription => p5::RetainForwardRule::OnNewSubscribe,
                RetainHandling::Never => p5::RetainForwardRule::Never,
            };
            filter.nolocal = s.v5.no_local;
            filter.preserve_retain = s.v5.retain_as_published;
            filter
        })
        .collect()
}

/// SUBSCRIBE properties, when there are any to send.
fn properties_v5(v5: &SubscribeV5) -> Option<p5::SubscribeProperties> {
    let p = &v5.properties;
    (p.id.is_some() || !p.user_properties.is_empty()).then(|| p5::SubscribeProperties {
        id: p.id,
        user_properties: p.user_properties.clone(),
    })
}

/// The client and event loop for one protocol version. Received QoS 1/2 messages are
/// acknowledged by rumqttc on receipt, except with `Delivery::AfterOutput`.
pub(super) fn build(plan: &ConnectPlan, version: Version, opts: &SessionOptions) -> (Client, Loop) {
    let manual_acks = opts.delivery == Delivery::AfterOutput;
    let coalescing = opts.batch_reads.then_some(READ_COALESCING);
    // Our own connect timeout wraps the first connect; rumqttc's only bounds reconnects.
    let conn_timeout = plan.connect_timeout.as_secs().max(1);
    let mut net = rumqttc::NetworkOptions::new();
    net.set_connection_timeout(conn_timeout);
    net.set_tcp_nodelay(true);
    if let Some(dialer) = super::dial::Dialer::of(plan) {
        net.set_socket_connector(transport::connector(dialer));
    }
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
                .set_inflight(opts.inflight.unwrap_or(INFLIGHT_V311).max(1))
                .set_manual_acks(manual_acks)
                .set_read_coalescing(coalescing);
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
            o.set_keep_alive(plan.keep_alive)
                .set_clean_start(plan.clean_start)
                .set_max_packet_size(Some(MAX_PACKET as u32))
                .set_request_channel_capacity(REQUEST_CHANNEL)
                .set_connection_timeout(conn_timeout)
                // rumqttc sizes its in-flight table from this (65535 by default: 13 MiB at
                // start-up); the broker's receive maximum lowers it further.
                .set_outgoing_inflight_upper_limit(opts.inflight.unwrap_or(INFLIGHT).max(1))
                .set_manual_acks(manual_acks)
                .set_read_coalescing(coalescing);
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
pub(super) fn will_properties(
    p: &crate::properties::ConnectProperties,
) -> Option<p5::LastWillProperties> {
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
