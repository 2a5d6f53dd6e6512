//! `mq capture --request`: publish a trigger, wait for the capture on `--topic` (raw or chunked),
//! save it atomically to `-o`, print where. Exits 27 when nothing arrives within `-W`, and 1 with
//! the agent's words when its result event says the capture failed.

use crate::cli::CaptureArgs;
use crate::exit::{Code, Error, Result};
use crate::options::ConnectPlan;
use crate::output::saved::SavedReport;
use crate::session::{Event, Qos, RetainHandling, Session, SessionOptions, SubscribeOptions};
use crate::topic::Topic;
use crate::transfer::reassemble::{Outcome, SaveOptions, Saver};
use bytes::Bytes;
use std::path::Path;
use std::time::Instant;

/// The agent's retained status must say `online`: an agent that is offline, or never
/// announced itself, will not answer, so say so now instead of after `-W`. (A retained message
/// is sent right after the SUBACK; a round trip later it has arrived if it exists.)
async fn agent_online(session: &mut Session, status: &str) -> Result<()> {
    let opts = SubscribeOptions {
        qos: Qos::AtLeastOnce,
        retain_handling: RetainHandling::OnSubscribe,
    };
    let filter = [status.to_string()];
    super::super::subscribe::subscribe(session, &filter, opts, &[]).await?;
    session.sync().await?;
    let mut said = None;
    while session.has_pending() {
        if let Event::Message(m) = session.next_event().await? {
            if m.topic == status {
                let v: serde_json::Value = serde_json::from_slice(&m.payload).unwrap_or_default();
                said = Some(v["status"].as_str().unwrap_or("unreadable").to_string());
            }
        }
    }
    match said.as_deref() {
        Some("online") => Ok(()),
        Some(other) => Err(Error::new(
            Code::Unreachable,
            format!("the capture agent is not online: {status} says '{other}'"),
        )
        .hint("start the agent (mq capture --trigger ... --topic ...), or check its log")),
        None => Err(Error::new(
            Code::Unreachable,
            format!("no capture agent has announced itself on {status}"),
        )
        .hint("is the agent running with this --topic (or give its --status-topic)?")),
    }
}

pub async fn run(args: &CaptureArgs, plan: &ConnectPlan) -> Result<()> {
    let Some(output) = args.output.as_deref() else {
        return Err(Error::usage("--request needs -o FILE"));
    };
    let trigger = Topic::parse(&args.trigger)
        .map_err(|e| Error::usage(format!("invalid --trigger topic for --request: {e}")))?;
    let topic = Topic::parse(&args.topic)
        .map_err(|e| Error::usage(format!("invalid --topic for --request: {e}")))?;
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // The capture is received in a private directory beside -o, then renamed to -o: whatever
    // name the frames announce, no other file in -o's directory is written or replaced.
    let private = tempfile::Builder::new()
        .prefix(".mq-request-")
        .tempdir_in(dir)
        .map_err(|e| Error::usage(format!("-o {}: {e}", output.display())))?;
    let mut saver = Saver::new(
        private.path(),
        SaveOptions {
            overwrite: true,
            max_size: u64::MAX,
            timeout: args.wait,
        },
    )
    .map_err(|e| Error::usage(format!("-o {}: {e}", output.display())))?;

    let mut session = Session::connect(plan, SessionOptions::receiving().buffer(8)).await?;
    let events = format!("{}/events", topic.as_str());
    let status = args
        .status_topic
        .clone()
        .unwrap_or_else(|| format!("{}/status", topic.as_str()));
    let filters = [topic.as_str().to_string(), events.clone()];
    let opts = SubscribeOptions {
        qos: Qos::AtLeastOnce,
        retain_handling: RetainHandling::Never,
    };
    super::super::subscribe::subscribe(&mut session, &filters, opts, &[]).await?;
    agent_online(&mut session, &status).await?;
    let payload = args
        .match_payload
        .clone()
        .unwrap_or_else(|| "capture".into());
    session
        .publish(
            trigger.as_str(),
            Bytes::from(payload),
            Qos::AtLeastOnce,
            false,
            None,
        )
        .await?;
    session.wait_acks(args.wait).await?;

    let wait = async {
        loop {
            let Event::Message(m) = session.next_event().await? else {
                continue;
            };
            if m.topic == events {
                let v: serde_json::Value = serde_json::from_slice(&m.payload).unwrap_or_default();
                if v["result"] == "error" {
                    let why = v["error"].as_str().unwrap_or("no reason given");
                    return Err(Error::runtime(format!(
                        "the capture failed on the agent: {why}"
                    )));
                }
                continue;
            }
            // Only the image topic carries the capture: whatever else a broker sends (its own
            // $SYS messages, say) is not it.
            if m.topic != topic.as_str() {
                continue;
            }
            if let Some(outcome) = saver.accept(&m.topic, &m.payload, Instant::now()).pop() {
                match outcome {
                    Outcome::Saved(mut s) => {
                        std::fs::rename(&s.path, output).map_err(|e| {
                            Error::runtime(format!("saving to {}: {e}", output.display()))
                        })?;
                        s.path = output.to_path_buf();
                        return Ok(s);
                    }
                    Outcome::Failed(why) => return Err(Error::runtime(why)),
                }
            }
        }
    };
    let saved = match tokio::time::timeout(args.wait, wait).await {
        Ok(r) => r?,
        Err(_) => {
            return Err(Error::new(
                Code::Timeout,
                format!(
                    "no capture arrived on {} within {}",
                    topic.as_str(),
                    humantime::format_duration(args.wait)
                ),
            )
            .hint("is the agent running and subscribed to the trigger topic?"))
        }
    };
    SavedReport::new(false).saved(&saved)?;
    session.disconnect().await
}
