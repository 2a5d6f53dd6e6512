//! `mq pub --ndjson FILE|-`: publish recorded messages, one `mq sub --json` record per line, each
//! to its own topic with its payload, QoS, retain flag and MQTT 5 properties, over one
//! connection (`pub -l`'s pipeline: lines read on a thread, a bounded window in flight, exit 0
//! only when every QoS 1/2 message was acknowledged).
//!
//! A FILE is checked whole before anything is sent: a bad line is a usage error naming it.
//! stdin is checked as it streams (a pipe from a live `mq sub --json` has no end to wait for):
//! a bad line ends the run there, after the lines before it were sent.

use crate::cli::{PubArgs, Timing};
use crate::exit::{Error, Result};
use crate::options::ConnectPlan;
use crate::output;
use crate::session::{Properties, Qos, Session, SessionOptions};
use crate::topic::Topic;
use bytes::Bytes;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// One line of the recording, as `mq sub --json` writes it. Only `topic` is required; fields
/// mq sub writes for readers (`mid`, `payload_length` is checked) are otherwise ignored.
#[derive(Deserialize)]
struct Record {
    time: Option<String>,
    topic: String,
    qos: Option<u8>,
    retain: Option<bool>,
    payload_length: Option<usize>,
    payload_encoding: Option<String>,
    payload: Option<String>,
    properties: Option<RecordProperties>,
}

#[derive(Deserialize, Default)]
struct RecordProperties {
    payload_format_indicator: Option<u8>,
    message_expiry_interval: Option<u32>,
    content_type: Option<String>,
    response_topic: Option<String>,
    correlation_data_encoding: Option<String>,
    correlation_data: Option<String>,
    #[serde(default)]
    user_properties: Vec<(String, String)>,
}

/// A record checked and ready to send.
#[derive(Debug)]
struct Message {
    /// Receive time, nanoseconds since the epoch.
    time: Option<i128>,
    topic: String,
    qos: Qos,
    retain: bool,
    payload: Bytes,
    properties: Option<Properties>,
}

fn decode(encoding: Option<&str>, text: &str, what: &str) -> std::result::Result<Bytes, String> {
    match encoding.unwrap_or("utf-8") {
        "utf-8" => Ok(Bytes::from(text.as_bytes().to_vec())),
        "base64" => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map(Bytes::from)
                .map_err(|e| format!("{what} is not base64: {e}"))
        }
        other => Err(format!(
            "unknown {what} encoding '{other}' (utf-8 or base64)"
        )),
    }
}

/// Parse and check one line (the topic with `prefix`).
fn parse(line: &[u8], prefix: &str) -> std::result::Result<Message, String> {
    let r: Record = serde_json::from_slice(line).map_err(|e| format!("not a record: {e}"))?;
    let topic = format!("{prefix}{}", r.topic);
    Topic::parse(&topic).map_err(|e| format!("topic '{topic}': {e}"))?;
    let qos = match r.qos {
        None => Qos::AtMostOnce,
        Some(n) => Qos::from_u8(n).ok_or_else(|| format!("qos {n} is not 0, 1 or 2"))?,
    };
    let payload = match &r.payload {
        Some(p) => decode(r.payload_encoding.as_deref(), p, "payload")?,
        None => Bytes::new(),
    };
    if let Some(n) = r.payload_length.filter(|&n| n != payload.len()) {
        return Err(format!(
            "payload_length says {n} bytes, the payload has {}",
            payload.len()
        ));
    }
    let time = r
        .time
        .as_deref()
        .map(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .map(|d| d.unix_timestamp_nanos())
                .map_err(|e| format!("time '{t}' is not RFC 3339: {e}"))
        })
        .transpose()?;
    let properties = match r.properties {
        None => None,
        Some(p) => {
            if let Some(t) = &p.response_topic {
                Topic::parse(t).map_err(|e| format!("response_topic '{t}': {e}"))?;
            }
            let correlation_data = p
                .correlation_data
                .as_deref()
                .map(|c| {
                    decode(
                        p.correlation_data_encoding.as_deref(),
                        c,
                        "correlation_data",
                    )
                })
                .transpose()?;
            let props = Properties {
                payload_format_indicator: p.payload_format_indicator,
                message_expiry_interval: p.message_expiry_interval,
                response_topic: p.response_topic,
                correlation_data,
                user_properties: p.user_properties,
                content_type: p.content_type,
                // A topic alias and subscription identifiers belong to the connection that
                // received the message, not to the message.
                ..Default::default()
            };
            (props != Properties::default()).then_some(props)
        }
    };
    Ok(Message {
        time,
        topic,
        qos,
        retain: r.retain.unwrap_or(false),
        payload,
        properties,
    })
}

/// A line that is only white space is no record (a trailing newline, a spacer).
fn blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Bad lines met so far, for `--skip-bad`'s report.
#[derive(Default)]
struct Bad {
    count: u64,
    first: Option<String>,
}

impl Bad {
    fn note(&mut self, line: u64, why: &str) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(format!("line {line}: {why}"));
        }
    }
}

/// The first pass over a FILE: every line parsed, the first bad one refused (or, with
/// `--skip-bad`, all counted). Nothing is kept: the second pass reads the file again.
fn check_file(path: &Path, prefix: &str, skip_bad: bool) -> Result<()> {
    use std::io::BufRead;
    let file = std::fs::File::open(path)
        .map_err(|e| Error::usage(format!("--ndjson {}: {e}", path.display())))?;
    let mut input = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        buf.clear();
        let read = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::usage(format!("reading --ndjson {}: {e}", path.display())))?;
        if read == 0 {
            return Ok(());
        }
        n += 1;
        if blank(&buf) {
            continue;
        }
        if let Err(why) = parse(&buf, prefix) {
            if !skip_bad {
                return Err(bad_line(&path.display().to_string(), n, &why, false));
            }
        }
    }
}

fn bad_line(source: &str, n: u64, why: &str, sent_before: bool) -> Error {
    let mut e = Error::usage(format!("--ndjson {source}, line {n}: {why}"));
    e = match sent_before {
        true => e.hint("the lines before it were sent; --skip-bad skips bad lines"),
        false => e.hint("nothing was sent; --skip-bad skips bad lines"),
    };
    e
}

pub async fn run(args: &PubArgs, plan: &ConnectPlan, path: &Path) -> Result<()> {
    let r = &args.replay;
    let prefix = r.topic_prefix.as_deref().unwrap_or("");
    let stdin = path == Path::new("-");
    let source = match stdin {
        true => "stdin".to_string(),
        false => path.display().to_string(),
    };
    let mut lines = if stdin {
        super::publish::lines(std::io::stdin())
    } else {
        check_file(path, prefix, r.skip_bad)?;
        let file = std::fs::File::open(path)
            .map_err(|e| Error::usage(format!("--ndjson {}: {e}", path.display())))?;
        super::publish::lines(file)
    };
    let mut opts = SessionOptions::default()
        .reconnecting(true)
        .batch_reads(true);
    opts.inflight = args.max_inflight;
    let mut session = Session::connect(plan, opts).await?;

    let mut bad = Bad::default();
    let mut n = 0u64;
    // --timing recorded: the first record's time is played at `start`.
    let start = tokio::time::Instant::now();
    let mut first_time: Option<i128> = None;
    let mut sent = 0u64;
    loop {
        tokio::select! {
            batch = lines.recv() => {
                let Some(batch) = batch else { break };
                let batch = batch.map_err(|e| Error::runtime(format!("reading --ndjson {source}: {e}")))?;
                for line in batch {
                    n += 1;
                    if blank(&line) {
                        continue;
                    }
                    let m = match parse(&line, prefix) {
                        Ok(m) => m,
                        Err(why) if r.skip_bad => {
                            bad.note(n, &why);
                            continue;
                        }
                        Err(why) => {
                            // Only stdin gets here (a FILE was checked): what was sent stays
                            // sent, and is acknowledged before the error.
                            session.wait_acks(args.ack_timeout).await?;
                            let _ = session.disconnect().await;
                            return Err(bad_line(&source, n, &why, sent > 0));
                        }
                    };
                    if let (Timing::Recorded, Some(t)) = (r.timing, m.time) {
                        let t0 = *first_time.get_or_insert(t);
                        let offset = (t - t0).max(0) as f64 / 1e9 / r.speed;
                        tokio::time::sleep_until(start + Duration::from_secs_f64(offset)).await;
                    }
                    let qos = args.qos.unwrap_or(m.qos);
                    session
                        .publish(&m.topic, m.payload, qos, args.retain || m.retain, m.properties.as_ref())
                        .await
                        .map_err(|e| e.context(format!("publishing line {n} to {}", m.topic)))?;
                    sent += 1;
                }
            }
            event = session.next_event() => output::connection_event(&event?, args.conn.quiet),
        }
    }
    session
        .wait_acks(args.ack_timeout)
        .await
        .map_err(|e| e.context(format!("publishing the records of {source}")))?;
    session.sync().await?;
    session.disconnect().await?;
    if let (Some(first), false) = (&bad.first, args.conn.quiet) {
        output::warn(&format!(
            "--skip-bad: {} bad line(s) of {source} skipped (the first: {first}); {sent} record(s) sent",
            bad.count
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_and_a_payload_make_a_record() {
        let m = parse(br#"{"topic":"a/b","payload":"x"}"#, "").unwrap();
        assert_eq!((m.topic.as_str(), &m.payload[..]), ("a/b", &b"x"[..]));
        assert_eq!((m.qos, m.retain, m.time), (Qos::AtMostOnce, false, None));
        let m = parse(br#"{"topic":"a"}"#, "re/").unwrap();
        assert_eq!((m.topic.as_str(), m.payload.len()), ("re/a", 0));
    }

    #[test]
    fn a_sub_json_record_comes_back_whole() {
        let line = br#"{"time":"2026-11-30T19:00:01.250+01:00","topic":"t","qos":2,"retain":true,"mid":4,"properties":{"payload_format_indicator":0,"content_type":"image/x","response_topic":"r","correlation_data_encoding":"base64","correlation_data":"AP8=","topic_alias":3,"user_properties":[["k","v"],["k","w"]]},"payload_length":3,"payload_encoding":"base64","payload":"/wAB"}"#;
        let m = parse(line, "").unwrap();
        assert_eq!((m.qos, m.retain), (Qos::ExactlyOnce, true));
        assert_eq!(&m.payload[..], b"\xff\x00\x01");
        assert_eq!(m.time, Some(1_796_061_601_250_000_000));
        let p = m.properties.unwrap();
        assert_eq!(p.correlation_data.as_deref(), Some(&b"\x00\xff"[..]));
        assert_eq!(p.topic_alias, None);
        assert_eq!(p.user_properties.len(), 2);
        assert_eq!(p.content_type.as_deref(), Some("image/x"));
    }

    #[test]
    fn bad_records_say_why() {
        for (line, why) in [
            (&br#"{"payload":"x"}"#[..], "missing field `topic`"),
            (br#"{"topic":"a/#","payload":"x"}"#, "topic 'a/#'"),
            (br#"{"topic":"a","qos":3}"#, "qos 3"),
            (
                br#"{"topic":"a","payload":"!","payload_encoding":"base64"}"#,
                "not base64",
            ),
            (
                br#"{"topic":"a","payload":"x","payload_encoding":"hex"}"#,
                "unknown payload encoding",
            ),
            (
                br#"{"topic":"a","payload":"xy","payload_length":3}"#,
                "payload_length says 3",
            ),
            (br#"{"topic":"a","time":"yesterday"}"#, "not RFC 3339"),
            (b"not json", "not a record"),
        ] {
            let e = parse(line, "").unwrap_err();
            assert!(e.contains(why), "{e}");
        }
    }
}
