//! Record and replay against real mosquittos: `mq sub --json` records 10 000 mixed messages,
//! `mq pub --ndjson` replays them into a second broker, where `mq sub --json` records the same;
//! `--timing recorded` keeps the gaps; bad lines are refused by line number, or skipped.

use crate::common::*;
use serde_json::{json, Value};
use std::time::Duration;

const BIG: &str = "max_queued_messages 100000";

/// A recorder: `mq sub --json` on `filter` (QoS 2, retain flags as published) for `n` messages.
fn recorder(b: &Broker, filter: &str, n: usize) -> Running {
    subscribed(
        b,
        &[
            "-t",
            filter,
            "-q",
            "2",
            "--retain-as-published",
            "--json",
            "-C",
            &n.to_string(),
            "-W",
            "120",
        ],
    )
}

/// The records of `mq sub --json` output, receive times and packet ids aside, sorted (QoS 0
/// and QoS 1/2 messages may overtake each other in the broker).
fn comparable(out: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = String::from_utf8_lossy(out)
        .lines()
        .map(|l| {
            let mut r: Value = serde_json::from_str(l).expect("a JSON record");
            let o = r.as_object_mut().unwrap();
            o.remove("time");
            o.remove("mid");
            r.to_string()
        })
        .collect();
    v.sort();
    v
}

/// A source recording: binary and text payloads, QoS 0/1/2, retained ones, v5 properties.
fn mixed(n: usize) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = String::new();
    for i in 0..n {
        let mut r = json!({ "topic": format!("rec/{}", i % 50), "qos": i % 3 });
        if i % 4 == 0 {
            let mut bytes: Vec<u8> = (0..(i % 40 + 1)).map(|k| (k * 37 + i) as u8).collect();
            // Never valid UTF-8, so always recorded as base64.
            bytes[0] = 0xff;
            r["payload_encoding"] = "base64".into();
            r["payload"] = b64.encode(bytes).into();
        } else {
            r["payload"] = format!("message {i} ✓").into();
        }
        if i % 100 == 7 {
            r["topic"] = format!("rec/retained/{i}").into();
            r["retain"] = true.into();
        }
        if i % 5 == 1 {
            r["properties"] = json!({
                "content_type": "text/plain",
                "response_topic": format!("reply/{i}"),
                "correlation_data_encoding": "base64",
                "correlation_data": b64.encode([0u8, 255, i as u8]),
                "user_properties": [["n", i.to_string()], ["kind", "test"]],
                "payload_format_indicator": 0,
            });
        }
        out.push_str(&r.to_string());
        out.push('\n');
    }
    out
}

#[test]
fn ten_thousand_recorded_messages_replay_into_another_broker_as_they_were() {
    const N: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let source = temp_file(dir.path(), "source.ndjson", mixed(N).as_bytes());

    let a = Broker::with(Config::default().extra(BIG));
    let rec = recorder(&a, "rec/#", N);
    let out = run(
        mq_on(&a, "pub", &["--ndjson", source.to_str().unwrap()]),
        b"",
        Duration::from_secs(120),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let recorded = rec.finish(Duration::from_secs(120));
    assert_eq!(code(&recorded), 0, "{}", stderr(&recorded));
    let recording = temp_file(dir.path(), "recording.ndjson", &recorded.stdout);
    let first = comparable(&recorded.stdout);
    assert_eq!(first.len(), N);
    // What was recorded is what was sent: binary, retained, properties, all QoS.
    let all = String::from_utf8_lossy(&recorded.stdout);
    assert_eq!(all.matches(r#""payload_encoding":"base64""#).count(), N / 4);
    assert_eq!(all.matches(r#""retain":true"#).count(), N / 100);
    assert_eq!(all.matches(r#""user_properties":[["n","#).count(), N / 5);
    assert!(all.contains(r#""qos":2"#) && all.contains(r#""qos":0"#));

    let b = Broker::with(Config::default().extra(BIG));
    let rec = recorder(&b, "rec/#", N);
    let out = run(
        mq_on(&b, "pub", &["--ndjson", recording.to_str().unwrap()]),
        b"",
        Duration::from_secs(120),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let replayed = rec.finish(Duration::from_secs(120));
    assert_eq!(code(&replayed), 0, "{}", stderr(&replayed));
    let second = comparable(&replayed.stdout);
    assert!(first == second, "the replay differs from the recording");
}

/// Receive times (ms since the epoch) of `mq sub --json` records.
fn times(out: &[u8]) -> Vec<i64> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap();
            let t = r["time"].as_str().unwrap();
            let d = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .unwrap();
            (d.unix_timestamp_nanos() / 1_000_000) as i64
        })
        .collect()
}

fn gaps_kept(speed: &str, recorded_ms: &[i64], want_ms: &[i64]) {
    let b = Broker::start();
    let mut lines = String::new();
    let base = 1_800_000_000_000i64;
    for (i, at) in recorded_ms.iter().enumerate() {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(((base + at) * 1_000_000) as i128)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        lines.push_str(&json!({"time": t, "topic": "paced", "payload": i.to_string()}).to_string());
        lines.push('\n');
    }
    let rec = recorder(&b, "paced", recorded_ms.len());
    let out = run(
        mq_on(
            &b,
            "pub",
            &["--ndjson", "-", "--timing", "recorded", "--speed", speed],
        ),
        lines.as_bytes(),
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = rec.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let got = times(&out.stdout);
    for (i, want) in want_ms.iter().enumerate() {
        let gap = got[i + 1] - got[i];
        assert!(
            (gap - want).abs() * 10 <= *want,
            "gap {i}: {gap} ms, recorded {want} ms (speed {speed}): {got:?}"
        );
    }
}

#[test]
fn timing_recorded_keeps_the_gaps_and_speed_divides_them() {
    gaps_kept("1", &[0, 500, 1300, 2300], &[500, 800, 1000]);
    gaps_kept("4", &[0, 2000, 5200], &[500, 800]);
}

#[test]
fn a_bad_line_in_a_file_is_refused_by_number_before_anything_is_sent() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let file = temp_file(
        dir.path(),
        "bad.ndjson",
        b"{\"topic\":\"bulk/a\",\"payload\":\"1\"}\n\n{\"topic\":\"bulk/b\",\"payload\":\"2\"}\n{\"topic\":\"bulk/#\",\"payload\":\"3\"}\n",
    );
    let sub = subscribed(&b, &["-t", "bulk/#", "-v", "-W", "2"]);
    let out = run(
        mq_on(&b, "pub", &["--ndjson", file.to_str().unwrap()]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("line 4: topic 'bulk/#'"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    let got = sub.finish(LIMIT);
    assert_eq!(code(&got), 27, "something was sent: {}", stdout(&got));

    // --skip-bad: the good lines go, the bad one is counted.
    let sub = subscribed(&b, &["-t", "bulk/#", "-v", "-C", "2", "-W", "5"]);
    let out = run(
        mq_on(
            &b,
            "pub",
            &["--ndjson", file.to_str().unwrap(), "--skip-bad"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("1 bad line(s)"), "{}", stderr(&out));
    let got = sub.finish(LIMIT);
    assert_eq!(stdout(&got), "bulk/a 1\nbulk/b 2\n");
}

#[test]
fn minimal_records_from_stdin_with_a_prefix_and_overrides() {
    let b = Broker::start();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "copy/#",
            "-q",
            "1",
            "-C",
            "2",
            "--json",
            "--retain-as-published",
        ],
    );
    let input =
        b"{\"topic\":\"a/b\",\"payload\":\"x\"}\n{\"topic\":\"c\",\"payload\":\"y\",\"qos\":0}\n";
    let out = run(
        mq_on(
            &b,
            "pub",
            &["--ndjson", "-", "--topic-prefix", "copy/", "-q", "1", "-r"],
        ),
        input,
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let got = sub.finish(LIMIT);
    let records: Vec<Value> = stdout(&got)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{}", stderr(&got));
    assert_eq!(records[0]["topic"], "copy/a/b");
    assert_eq!(records[1]["topic"], "copy/c");
    for r in &records {
        assert_eq!(r["qos"], 1);
        assert_eq!(r["retain"], true);
    }
    // stdin is checked as it streams: a bad line ends the run there, the lines before it sent.
    let out = run(
        mq_on(&b, "pub", &["--ndjson", "-", "--topic-prefix", "copy/"]),
        b"{\"topic\":\"d\",\"payload\":\"1\"}\n{\"topic\":\"e\",\"payload\":1}\n",
        LIMIT,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--ndjson stdin, line 2"), "{err}");
    assert!(err.contains("the lines before it were sent"), "{err}");
}
