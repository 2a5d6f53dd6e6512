//! `--probe`: what the broker can do, beyond the basics. Each probe runs whatever the others
//! found, costs its own connections, and leaves nothing behind (no retained message, no
//! subscription on the main connection).
//!
//! A feature the broker declares unavailable is a finding, not a failure; a probe fails (exit 6)
//! when the broker misbehaves: a message lost or delivered twice, a will not published.

use super::stages::{receive, received_by_now, Conn};
use super::{ms, Ctx, Kind, Report, Stage};
use crate::exit::{Code, Error, Result};
use crate::options::Will;
use crate::session::{Event, Qos, RetainHandling, Session, SessionOptions, SubscribeOptions};
use crate::topic::Topic;
use bytes::Bytes;
use serde_json::json;
use std::collections::HashMap;
use std::time::Instant;

pub async fn run(cx: &Ctx, conn: &mut Conn, r: &mut Report) {
    let probes = [
        wildcards(cx, conn).await,
        shared(cx, conn).await,
        max_payload(cx, conn).await,
        will(cx, conn).await,
        sys(cx, conn).await,
    ];
    r.stages
        .extend(probes.into_iter().map(|s| s.kind(Kind::Probe)));
}

/// A probe stage from a probe body's result.
fn finish(name: &'static str, t: Instant, r: Result<Stage>) -> Stage {
    match r {
        Ok(s) => Stage {
            duration: t.elapsed(),
            ..s
        },
        Err(e) => Stage::from_error(name, t, e, None),
    }
}

const QOS1: SubscribeOptions = SubscribeOptions {
    qos: Qos::AtLeastOnce,
    retain_handling: RetainHandling::OnSubscribe,
};

/// Subscribe; a refusal is an error naming the filter.
async fn subscribe(session: &mut Session, filters: &[String]) -> Result<()> {
    for (f, r) in filters.iter().zip(session.subscribe(filters, QOS1).await?) {
        if let Err(reason) = r {
            return Err(Error::new(
                Code::Refused,
                format!("subscribing to {f}: {reason}"),
            ));
        }
    }
    Ok(())
}

async fn wildcards(cx: &Ctx, conn: &mut Conn) -> Stage {
    let t = Instant::now();
    if conn.session.connack().wildcard_available == Some(false) {
        return Stage::skipped(
            "wildcards",
            "the broker says wildcard subscriptions are not available",
        );
    }
    let qos = conn.ack_qos();
    let body = async {
        let filters = vec![cx.topic("w/+/x"), cx.topic("h/#")];
        let cases = [(cx.topic("w/a/x"), "+"), (cx.topic("h/a/b"), "#")];
        subscribe(&mut conn.session, &filters).await?;
        let mut missing = Vec::new();
        for (topic, wildcard) in &cases {
            let payload = Bytes::from(format!("wildcard {wildcard}"));
            conn.session
                .publish(topic, payload.clone(), qos, false, None)
                .await?;
            conn.session.wait_acks(cx.timeout).await?;
            if receive(&mut conn.session, topic, &payload, cx.timeout)
                .await?
                .is_none()
            {
                missing.push(*wildcard);
            }
        }
        conn.session.unsubscribe(&filters).await?;
        Ok(if missing.is_empty() {
            Stage::ok("wildcards", t, "+ and # subscriptions both deliver")
        } else {
            Stage::failed(
                "wildcards",
                t,
                Code::Assertion,
                format!("nothing arrived through the {} wildcard", missing.join(" and ")),
                Some("the broker accepted the wildcard subscription but did not deliver: check its ACL for wildcard reads".into()),
            )
        })
    };
    finish("wildcards", t, body.await)
}

/// Two members of one shared subscription: each message must reach exactly one of them.
async fn shared(cx: &Ctx, conn: &mut Conn) -> Stage {
    let t = Instant::now();
    if conn.session.connack().shared_available == Some(false) {
        return Stage::skipped(
            "shared_subscriptions",
            "the broker says shared subscriptions are not available",
        );
    }
    // Shared subscriptions are an MQTT 5 feature: a 3.1.1-only broker lacks it, it is not
    // broken for lacking it.
    if conn.session.version() == crate::session::Version::V311 {
        return Stage::skipped(
            "shared_subscriptions",
            "skipped on MQTT 3.1.1: shared subscriptions ($share/...) are an MQTT 5 feature",
        );
    }
    const N: usize = 6;
    let qos = conn.ack_qos();
    let body = async {
        let topic = cx.topic("shared");
        let filter = vec![format!("$share/mqcheck{}/{topic}", super::random_hex())];
        let mut a =
            Session::connect(&conn.plan_for("share-a"), SessionOptions::receiving()).await?;
        let mut b =
            Session::connect(&conn.plan_for("share-b"), SessionOptions::receiving()).await?;
        subscribe(&mut a, &filter).await?;
        subscribe(&mut b, &filter).await?;
        // One at a time: a burst of PUBACKs from a broker without TCP_NODELAY (mosquitto's
        // default) stalls 40 ms on delayed ACKs.
        for i in 0..N {
            conn.session
                .publish(&topic, Bytes::from(format!("shared {i}")), qos, false, None)
                .await?;
            conn.session.wait_acks(cx.timeout).await?;
        }
        // A request from each member carries its TCP ACK at once (see `retained`).
        a.sync().await?;
        b.sync().await?;
        let mut got: HashMap<Vec<u8>, Vec<char>> = HashMap::new();
        let deadline = tokio::time::Instant::now() + cx.timeout;
        while got.len() < N {
            let (who, e) = tokio::select! {
                e = a.next_event() => ('a', e?),
                e = b.next_event() => ('b', e?),
                _ = tokio::time::sleep_until(deadline) => break,
            };
            if let Event::Message(m) = e {
                got.entry(m.payload.to_vec()).or_default().push(who);
            }
        }
        // Anything still in flight (a duplicate) is in the buffers after a round trip.
        for (who, s) in [('a', &mut a), ('b', &mut b)] {
            for m in received_by_now(s, cx.timeout).await? {
                got.entry(m.payload.to_vec()).or_default().push(who);
            }
        }
        let _ = a.disconnect().await;
        let _ = b.disconnect().await;
        let to_a = got.values().flatten().filter(|w| **w == 'a').count();
        let to_b = got.values().flatten().filter(|w| **w == 'b').count();
        let twice = got.values().filter(|w| w.len() > 1).count();
        let lost = N - got.len();
        let s = if twice == 0 && lost == 0 {
            Stage::ok(
                "shared_subscriptions",
                t,
                format!("{N} messages, each to exactly one of two members ({to_a} + {to_b})"),
            )
        } else {
            Stage::failed(
                "shared_subscriptions",
                t,
                Code::Assertion,
                format!("{N} messages: {lost} lost, {twice} delivered to both members"),
                Some("the broker does not implement $share/ as MQTT 5 specifies".into()),
            )
        };
        Ok(s.fact("member_a", to_a)
            .fact("member_b", to_b)
            .fact("lost", lost)
            .fact("duplicated", twice))
    };
    finish("shared_subscriptions", t, body.await)
}

/// Does the broker take a QoS 1 publish of `size` bytes? Each try on its own connection: a
/// broker drops the connection over a packet it will not take.
async fn accepts(
    cx: &Ctx,
    conn: &Conn,
    topic: &str,
    payload: &Bytes,
    size: usize,
    tries: &mut u32,
) -> Result<bool> {
    *tries += 1;
    let mut s = Session::connect(&conn.plan_for("size"), SessionOptions::default()).await?;
    let ok = match s
        .publish(topic, payload.slice(..size), conn.ack_qos(), false, None)
        .await
    {
        Ok(()) => s.wait_acks(cx.timeout).await.is_ok(),
        Err(_) => false,
    };
    let _ = s.disconnect().await;
    Ok(ok)
}

/// Binary search for the largest payload accepted, up to `--max-payload`.
async fn max_payload(cx: &Ctx, conn: &mut Conn) -> Stage {
    let t = Instant::now();
    let body = async {
        let topic = cx.topic("size");
        let max = cx.max_payload as usize;
        let payload = Bytes::from(vec![b'x'; max]);
        let advertised = conn.session.connack().max_packet_size;
        let mut tries = 0;
        let s = if accepts(cx, conn, &topic, &payload, max, &mut tries).await? {
            Stage::ok(
                "max_payload",
                t,
                format!(
                    "accepts {} (the most tried: --max-payload)",
                    size_words(max)
                ),
            )
        } else if !accepts(cx, conn, &topic, &payload, 1, &mut tries).await? {
            Stage::failed(
                "max_payload",
                t,
                Code::Assertion,
                "the broker refused even a 1-byte payload",
                Some("publishing works in the round-trip stage: see the broker's log".into()),
            )
        } else {
            // Invariant: lo is accepted, hi is not.
            let (mut lo, mut hi) = (1usize, max);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if accepts(cx, conn, &topic, &payload, mid, &mut tries).await? {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let said = advertised.map_or(String::new(), |m| {
                format!(" (CONNACK maximum packet size {m})")
            });
            Stage::ok(
                "max_payload",
                t,
                format!("largest payload accepted: {}{said}", size_words(lo)),
            )
            .fact("largest_accepted", lo)
        };
        Ok(s.fact("searched_up_to", max)
            .fact("tries", tries)
            .fact("advertised_max_packet_size", advertised))
    };
    finish("max_payload", t, body.await)
}

fn size_words(n: usize) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// A client that vanishes without DISCONNECT: its will must be published.
async fn will(cx: &Ctx, conn: &mut Conn) -> Stage {
    let t = Instant::now();
    let body = async {
        let topic = cx.topic("will");
        let payload = format!("mq-check will {}", super::random_hex());
        let filters = vec![topic.clone()];
        subscribe(&mut conn.session, &filters).await?;
        let plan_qos = conn.ack_qos();
        let mut plan = conn.plan_for("will");
        plan.will = Some(Will {
            topic: Topic::parse(&topic).map_err(Error::usage)?,
            payload: payload.clone().into_bytes(),
            qos: plan_qos,
            retain: false,
        });
        Session::connect(&plan, SessionOptions::default())
            .await?
            .abort();
        let closed = Instant::now();
        // Our request carries the TCP ACK that mosquitto's Nagle waits for (see `retained`).
        conn.session.sync().await?;
        let got = receive(&mut conn.session, &topic, payload.as_bytes(), cx.timeout).await?;
        conn.session.unsubscribe(&filters).await?;
        Ok(match got {
            Some(_) => Stage::ok(
                "will",
                t,
                format!("published {:.1} ms after an abrupt close", ms(closed.elapsed())),
            ),
            None => Stage::failed(
                "will",
                t,
                Code::Assertion,
                format!("no will on {topic} within {} of an abrupt close", humantime::format_duration(cx.timeout)),
                Some("the broker may delay wills (MQTT 5 will delay) or its ACL forbids the will topic".into()),
            ),
        })
    };
    finish("will", t, body.await)
}

/// `$SYS/broker/...`: what the broker says about itself, when this user may read it.
async fn sys(cx: &Ctx, conn: &mut Conn) -> Stage {
    if cx.embedded {
        return Stage::skipped(
            "sys",
            "the embedded broker (rumqttd) has no $SYS topics: it refuses subscriptions to them",
        );
    }
    let t = Instant::now();
    let body = async {
        let wanted = ["version", "uptime", "clients/connected"];
        let filters: Vec<String> = wanted.iter().map(|w| format!("$SYS/broker/{w}")).collect();
        let results = conn.session.subscribe(&filters, QOS1).await?;
        let mut found: HashMap<String, String> = HashMap::new();
        if results.iter().any(Result::is_ok) {
            // mosquitto retains its $SYS topics: they arrive before the answer to a later
            // request. Topics published only every sys_interval are not waited for.
            for m in received_by_now(&mut conn.session, cx.timeout).await? {
                if let Some(k) = m.topic.strip_prefix("$SYS/broker/") {
                    found.insert(
                        k.to_string(),
                        String::from_utf8_lossy(&m.payload).into_owned(),
                    );
                }
            }
        }
        conn.session.unsubscribe(&filters).await?;
        let summary = if found.is_empty() {
            "not readable (disabled, or the ACL hides it)".to_string()
        } else {
            wanted
                .iter()
                .filter_map(|w| {
                    found
                        .get(*w)
                        .map(|v| format!("{}: {v}", w.replace("clients/", "clients ")))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        Ok(Stage::ok("sys", t, summary).fact("topics", json!(found)))
    };
    finish("sys", t, body.await)
}
