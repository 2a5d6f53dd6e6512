//! `mq capture`: an agent that runs a capture (a command's stdout, or a file) on each trigger
//! message and publishes the result — one raw message when it is small, a chunked transfer
//! (docs/transfer.md) otherwise — plus a result event and a retained online/offline status.
//! `--request` is the other side: publish a trigger, save what comes back (`request.rs`).
//!
//! The capture runs on its own task, so the event loop (keepalive, incoming triggers) never
//! waits for a camera; triggers that arrive meanwhile are queued or dropped (`--on-busy`).

mod request;
mod source;

use crate::cli::{CaptureArgs, OnBusy};
use crate::exit::{Code, Error, Result};
use crate::options::{self, Will};
use crate::output;
use crate::session::{
    Event, Message, Properties, Qos, RetainHandling, Session, SessionOptions, SubscribeOptions,
};
use crate::topic::{Topic, TopicFilter};
use crate::transfer::{hex, names, send};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use source::{Captured, Source};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tokio::signal::unix::{signal, SignalKind};
use tokio::task::JoinSet;

/// Triggers queued while a capture runs (`--on-busy queue`); more are dropped.
const QUEUE: usize = 100;

pub async fn run(args: CaptureArgs) -> Result<()> {
    let (mut plan, _) = options::plan(&args.conn)?;
    if args.request {
        if args.conn.print_config {
            return crate::cmd::config::print(&args.conn, &plan);
        }
        return request::run(&args, &plan).await;
    }
    let trigger = TopicFilter::parse(&args.trigger)
        .map_err(|e| Error::usage(format!("invalid --trigger filter: {e}")))?;
    expand(&args.topic, "check")?;
    if let Some(spec) = &args.match_json {
        if !spec.starts_with('/') || !spec.contains('=') {
            return Err(Error::usage(format!(
                "--match-json {spec}: expected a JSON pointer and a value, like /cmd=capture"
            )));
        }
    }
    // The same conditions as `mq sub --where`, compiled before connecting.
    let select = args
        .match_where
        .as_deref()
        .map(|e| {
            crate::matcher::Expr::compile(e)
                .map_err(|why| Error::usage(format!("invalid --where expression '{e}': {why}")))
        })
        .transpose()?;
    let source = match (&args.exec, &args.file) {
        (Some(cmd), _) => Source::Exec(cmd.clone()),
        (_, Some(path)) => Source::File(path.clone()),
        _ => {
            return Err(Error::usage("no capture source")
                .hint("add --exec 'COMMAND' (its stdout is the capture) or --file PATH"))
        }
    };
    let status = match &args.status_topic {
        Some(t) => Some(t.clone()),
        None if args.topic.contains('{') => None,
        None => Some(format!("{}/status", args.topic)),
    };
    let status = status
        .map(|t| Topic::parse(&t))
        .transpose()
        .map_err(|e| Error::usage(format!("invalid --status-topic: {e}")))?;
    if let (Some(topic), None) = (&status, &plan.will) {
        // The broker tells the world we are gone when we die without a word.
        plan.will = Some(Will {
            topic: topic.clone(),
            payload: status_json("offline").into_bytes(),
            qos: args.qos,
            retain: true,
        });
    }

    if args.conn.print_config {
        return crate::cmd::config::print(&args.conn, &plan);
    }
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut session =
        Session::connect(&plan, SessionOptions::receiving().reconnecting(true)).await?;
    let agent = Agent {
        args: &args,
        status: status.map(|t| t.as_str().to_string()),
        select,
    };
    agent.set_status(&mut session, "online").await?;
    let filters = [args.trigger.clone()];
    let opts = SubscribeOptions {
        qos: Qos::AtLeastOnce,
        retain_handling: RetainHandling::Never,
    };
    super::subscribe::subscribe(&mut session, &filters, opts, &[]).await?;
    if !args.conn.quiet {
        output::note(&agent.describe());
    }

    let mut running: JoinSet<Done> = JoinSet::new();
    let mut queue: VecDeque<Message> = VecDeque::new();
    let mut dropped = 0u64;
    let busy = usize::from(args.concurrency);
    let stop_code = loop {
        tokio::select! {
            e = session.next_event() => match e? {
                Event::Message(m) => {
                    if m.retain || !trigger.matches(&m.topic) || agent.own(&m.topic) {
                        continue;
                    }
                    if let Err(why) = agent.matches(&m) {
                        if args.conn.debug {
                            output::debug(&format!("trigger on {} ignored: {why}", m.topic));
                        }
                        continue;
                    }
                    if running.len() < busy {
                        agent.start(&mut running, &source, m);
                    } else if args.on_busy == OnBusy::Queue && queue.len() < QUEUE {
                        queue.push_back(m);
                    } else {
                        dropped += 1;
                        if !args.conn.quiet {
                            output::warn(&format!("busy: trigger on {} dropped ({dropped} so far)", m.topic));
                        }
                    }
                }
                event @ (Event::ConnectionLost { .. } | Event::Subscribed(_)) => {
                    output::connection_event(&event, args.conn.quiet)
                }
                event @ Event::Reconnected { .. } => {
                    output::connection_event(&event, args.conn.quiet);
                    // The connection may drop again right away: that is no reason to stop.
                    if let Err(e) = agent.set_status(&mut session, "online").await {
                        output::warn(&format!("publishing the online status: {}", e.message));
                    }
                }
            },
            Some(done) = running.join_next() => {
                agent.deliver(&mut session, done, dropped).await;
                if let Some(m) = queue.pop_front() {
                    agent.start(&mut running, &source, m);
                }
            }
            _ = sigterm.recv() => break None,
            _ = sigint.recv() => break Some(Code::Interrupted),
        }
    };
    // Finish the captures in flight (queued triggers are dropped), then say goodbye. Without
    // a connection there is nowhere to deliver them: they are ended, and the exit says so.
    // With the broker gone, its will says offline for us (there is no one to tell now).
    let mut undelivered = 0;
    if session.is_connected() {
        while let Some(done) = running.join_next().await {
            agent.deliver(&mut session, done, dropped).await;
        }
        // (The connection may have dropped while they were delivered.)
        if session.is_connected() {
            agent.set_status(&mut session, "offline").await?;
        }
    } else {
        undelivered = running.len();
        running.shutdown().await;
    }
    session.disconnect().await?;
    if undelivered > 0 {
        return Err(Error::runtime(format!(
            "stopped while not connected: {undelivered} capture(s) in flight were not delivered"
        )));
    }
    match stop_code {
        None => Ok(()),
        Some(code) => Err(Error::new(code, "interrupted")),
    }
}

/// A capture's trigger, start time and result.
struct Done {
    trigger: Message,
    started: Instant,
    result: std::result::Result<Captured, source::CaptureError>,
}

struct Agent<'a> {
    args: &'a CaptureArgs,
    status: Option<String>,
    /// `--where`, compiled.
    select: Option<crate::matcher::Expr>,
}

impl Agent<'_> {
    /// The start-up line: what the agent listens to, what it runs, where it publishes (the
    /// command itself is not repeated: it may hold credentials).
    fn describe(&self) -> String {
        let a = self.args;
        let mut when = match (&a.match_payload, &a.match_json) {
            (Some(p), _) => format!(" with payload '{p}'"),
            (None, Some(j)) => format!(" matching {j}"),
            (None, None) => String::new(),
        };
        if let Some(e) = &self.select {
            when.push_str(&format!(" where '{}'", e.source()));
        }
        let source = match &a.file {
            Some(f) => format!("publishes {}", f.display()),
            None => "runs the --exec command".to_string(),
        };
        let status = self
            .status
            .as_deref()
            .map_or(String::new(), |s| format!("; status on {s}"));
        format!(
            "mq capture: on each trigger on {}{when}, {source} to {} (events on {}/events{status})",
            a.trigger, a.topic, a.topic
        )
    }

    /// Whether a trigger is one to capture for; `Err` says why not (for `-d`).
    fn matches(&self, m: &Message) -> std::result::Result<(), String> {
        let exact = self
            .args
            .match_payload
            .as_ref()
            .map_or(true, |p| p.as_bytes() == &m.payload[..]);
        let json = || {
            self.args
                .match_json
                .as_ref()
                .map_or(true, |spec| json_matches(spec, &m.payload))
        };
        if !exact || !json() {
            return Err("its payload does not match --match/--match-json".into());
        }
        match &self.select {
            Some(e) => {
                let payload = crate::matcher::Payload::parse(&m.payload);
                e.holds(m, &payload)
                    .map_err(|why| format!("--where: {why}"))
            }
            None => Ok(()),
        }
    }

    /// One of our own publications (a capture, an event, the status), seen through a wide
    /// trigger filter such as `#`: never a trigger, or the agent would feed on itself.
    fn own(&self, topic: &str) -> bool {
        if self.status.as_deref() == Some(topic) {
            return true;
        }
        expand(&self.args.topic, topic)
            .is_ok_and(|out| topic == out || topic.strip_prefix(out.as_str()) == Some("/events"))
    }

    fn start(&self, set: &mut JoinSet<Done>, source: &Source, trigger: Message) {
        let source = source.clone();
        let timeout = self.args.timeout;
        set.spawn(async move {
            let started = Instant::now();
            let result = source::capture(source, &trigger, timeout).await;
            Done {
                trigger,
                started,
                result,
            }
        });
    }

    async fn set_status(&self, session: &mut Session, status: &str) -> Result<()> {
        if let Some(topic) = &self.status {
            let payload = Bytes::from(status_json(status));
            session
                .publish(topic, payload, self.args.qos, true, None)
                .await?;
            session.wait_acks(Duration::from_secs(30)).await?;
        }
        Ok(())
    }

    /// Publish a capture's result and its event. Failures are reported and the agent goes on.
    async fn deliver(
        &self,
        session: &mut Session,
        done: std::result::Result<Done, tokio::task::JoinError>,
        dropped: u64,
    ) {
        let r = match done {
            Ok(r) => r,
            Err(e) => return output::warn(&format!("capture task failed: {e}")),
        };
        let topic = match expand(&self.args.topic, &r.trigger.topic) {
            Ok(t) => t,
            Err(e) => return output::warn(&e.message),
        };
        let result = match &r.result {
            Ok(captured) => self.publish(session, &topic, captured).await,
            Err(e) => {
                if let (Some(line), false) = (&e.last_stderr, self.args.conn.quiet) {
                    output::warn(&format!("capture command's last error line: {line}"));
                }
                Err(e.why.clone())
            }
        };
        let mut event = serde_json::json!({
            "trigger_topic": r.trigger.topic,
            "topic": topic,
            "duration_ms": r.started.elapsed().as_millis() as u64,
            "dropped": dropped,
        });
        match &result {
            Ok((size, sha)) => {
                event["result"] = "ok".into();
                event["bytes"] = (*size).into();
                event["sha256"] = hex(sha).into();
            }
            Err(why) => {
                event["result"] = "error".into();
                event["error"] = why.clone().into();
                if !self.args.conn.quiet {
                    output::warn(&format!("capture for {} failed: {why}", r.trigger.topic));
                }
            }
        }
        let payload = Bytes::from(event.to_string());
        let events = format!("{topic}/events");
        let mut sent = session
            .publish(&events, payload.clone(), self.args.qos, false, None)
            .await;
        // MQTT 5 request/response: the requester hears back on its own topic, if it is one a
        // message can be published to (a filter such as `x/+` is refused, for this trigger only).
        let props = r.trigger.properties.as_ref();
        let reply = props.and_then(|p| p.response_topic.clone());
        let reply = reply.filter(|t| match crate::topic::Topic::parse(t) {
            Ok(_) => true,
            Err(why) => {
                if !self.args.conn.quiet {
                    output::warn(&format!(
                        "trigger on {}: response topic refused: {why}",
                        r.trigger.topic
                    ));
                }
                false
            }
        });
        if let (Ok(()), Some(reply)) = (&sent, reply) {
            let p = Properties {
                correlation_data: props.and_then(|p| p.correlation_data.clone()),
                ..Default::default()
            };
            sent = session
                .publish(&reply, payload, self.args.qos, false, Some(&p))
                .await;
        }
        let sent = match sent {
            Ok(()) => {
                session
                    .wait_acks(self.args.timeout.max(Duration::from_secs(30)))
                    .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = sent {
            output::warn(&format!("publishing the event to {events}: {}", e.message));
        }
    }

    /// Send a captured file to `topic`: raw if it fits in a chunk, else chunked.
    async fn publish(
        &self,
        session: &mut Session,
        topic: &str,
        captured: &Captured,
    ) -> std::result::Result<(u64, [u8; 32]), String> {
        let mut file = send::open(&captured.path).map_err(|e| e.message)?;
        let head = sniff_file(&captured.path);
        if self.args.exec.is_some() {
            let level = topic.rsplit('/').next().unwrap_or("capture");
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let ext = head.map_or(String::new(), |(_, e)| format!(".{e}"));
            file.name = format!("{}-{secs}{ext}", names::from_topic(level));
        }
        let max_packet = session.connack().max_packet_size;
        let chunk = send::chunk_size(self.args.chunk_size, max_packet, topic, &file.name)
            .map_err(|e| e.message)?;
        let ack = self.args.timeout.max(Duration::from_secs(30));
        match send::prepare(file, chunk, false)
            .await
            .map_err(|e| e.message)?
        {
            send::Prepared::Raw(bytes) => {
                let sha: [u8; 32] = Sha256::digest(&bytes).into();
                let size = bytes.len() as u64;
                let props = head.map(|(t, _)| Properties {
                    content_type: Some(t.to_string()),
                    ..Default::default()
                });
                session
                    .publish(topic, bytes, self.args.qos, false, props.as_ref())
                    .await
                    .map_err(|e| e.message)?;
                session.wait_acks(ack).await.map_err(|e| e.message)?;
                Ok((size, sha))
            }
            send::Prepared::Chunked(t) => t
                .send(session, topic, self.args.qos, ack)
                .await
                .map_err(|e| e.message),
        }
    }
}

/// Content type and extension from a file's first bytes.
fn sniff_file(path: &std::path::Path) -> Option<(&'static str, &'static str)> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .ok()?;
    names::sniff(&head[..n])
}

/// `--match-json /cmd=capture`: the payload is JSON and the value at the pointer is `capture`
/// (a string compared as text, anything else as its JSON form).
fn json_matches(spec: &str, payload: &[u8]) -> bool {
    let Some((pointer, want)) = spec.split_once('=') else {
        return false;
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(payload) else {
        return false;
    };
    match v.pointer(pointer) {
        Some(serde_json::Value::String(s)) => s == want,
        Some(other) => {
            // 3, true, null: compared as their JSON text.
            let text = other.to_string();
            text == want
        }
        None => false,
    }
}

fn status_json(status: &str) -> String {
    serde_json::json!({ "status": status }).to_string()
}

/// `cams/{1}/image` for a trigger on `cams/kitchen/capture` -> `cams/kitchen/image`.
fn expand(template: &str, trigger_topic: &str) -> Result<String> {
    let levels: Vec<&str> = trigger_topic.split('/').collect();
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| Error::usage(format!("--topic {template}: '{{' without '}}'")))?;
        let n: usize = after[..close].parse().map_err(|_| {
            Error::usage(format!(
                "--topic {template}: use {{1}}, {{2}}... for trigger topic levels"
            ))
        })?;
        let level = match n.checked_sub(1).and_then(|i| levels.get(i)) {
            Some(l) => *l,
            // Validation runs before any trigger: a placeholder stands in for every level.
            None if trigger_topic == "check" => "check",
            None => {
                return Err(Error::runtime(format!(
                    "--topic {template}: the trigger topic {trigger_topic} has no level {n}"
                )))
            }
        };
        out.push_str(level);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Topic::parse(&out).map_err(|e| Error::usage(format!("invalid --topic: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_triggers() {
        assert!(json_matches("/cmd=capture", br#"{"cmd":"capture"}"#));
        assert!(json_matches("/n=3", br#"{"n":3}"#));
        assert!(json_matches("/a/0=x", br#"{"a":["x"]}"#));
        assert!(!json_matches("/cmd=capture", br#"{"cmd":"stop"}"#));
        assert!(!json_matches("/cmd=capture", b"capture"));
        assert!(!json_matches("no-equals", br#"{}"#));
    }

    #[test]
    fn topic_templates() {
        assert_eq!(
            expand("camera/image", "camera/capture").unwrap(),
            "camera/image"
        );
        assert_eq!(
            expand("cams/{2}/image", "cams/kitchen/capture").unwrap(),
            "cams/kitchen/image"
        );
        assert_eq!(expand("{1}-{3}", "a/b/c").unwrap(), "a-c");
        assert!(expand("x/{4}", "a/b").is_err());
        assert!(expand("x/{one}", "a/b").is_err());
        assert!(expand("x/{1", "a/b").is_err());
        assert!(expand("x/#", "a/b").is_err());
        assert!(expand("cams/{9}/image", "check").is_ok());
    }
}
