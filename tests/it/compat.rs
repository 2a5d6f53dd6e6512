//! mosquitto_sub and mq sub side by side on the same messages: the default, `-v` and `-N`
//! outputs must be byte-for-byte identical.
//!
//! Both subscribers first create a persistent session (`-c -i ID -q 1 -E`); the messages are
//! then published at QoS 1 and queued by the broker for both, so each subscriber receives the
//! same messages, in the same order, with no race against the publisher.

use crate::common::*;
use std::process::Command;

/// (topic, payload) published for every case: text, empty, binary with NUL and invalid UTF-8,
/// an embedded newline, a topic with a space, a long payload.
fn messages() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("c/text", b"hello world".to_vec()),
        ("c/empty", Vec::new()),
        ("c/bin", b"a\0b\xff\xfe\n".to_vec()),
        ("c/with space", b"multi\nline".to_vec()),
        ("c/utf8", "ünïcødé ✓".as_bytes().to_vec()),
        ("c/long", vec![b'x'; 70_000]),
        ("c/empty", Vec::new()),
    ]
}

fn compare(flags: &[&str]) {
    let b = Broker::start();
    let n = messages().len().to_string();
    fn session(id: &str) -> Vec<&str> {
        vec!["-c", "-i", id, "-q", "1", "-t", "c/#"]
    }
    // 1. Create both persistent sessions.
    let mut args = session("mosq");
    args.push("-E");
    let out = run(mosquitto_sub(&b, &args), b"", LIMIT);
    assert!(out.status.success(), "mosquitto_sub -E: {}", stderr(&out));
    let mut args = session("mq");
    args.push("-E");
    let out = run(mq_on(&b, "sub", &args), b"", LIMIT);
    assert!(out.status.success(), "mq sub -E: {}", stderr(&out));
    // 2. Publish while both are away.
    for (i, (topic, payload)) in messages().iter().enumerate() {
        let f = temp_file(b.dir(), &format!("m{i}"), payload);
        let out = run(
            {
                let mut c = Command::new("mosquitto_pub");
                c.args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &b.port.to_string(),
                    "-q",
                    "1",
                    "-t",
                    topic,
                ]);
                c.args(["-f", f.to_str().unwrap()]);
                c
            },
            b"",
            LIMIT,
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // 3. Drain both.
    let mut args = session("mosq");
    args.extend(["-C", &n, "-W", "5"]);
    args.extend(flags);
    let theirs = run(mosquitto_sub(&b, &args), b"", LIMIT);
    let mut args = session("mq");
    args.extend(["-C", &n, "-W", "5"]);
    args.extend(flags);
    let ours = run(mq_on(&b, "sub", &args), b"", LIMIT);
    assert_eq!(
        code(&theirs),
        0,
        "mosquitto_sub {flags:?}: {}",
        stderr(&theirs)
    );
    assert_eq!(code(&ours), 0, "mq sub {flags:?}: {}", stderr(&ours));
    assert!(!theirs.stdout.is_empty());
    assert!(
        ours.stdout == theirs.stdout,
        "{flags:?} differs:\n mosquitto_sub: {:?}\n mq sub:        {:?}",
        String::from_utf8_lossy(&theirs.stdout[..theirs.stdout.len().min(300)]),
        String::from_utf8_lossy(&ours.stdout[..ours.stdout.len().min(300)]),
    );
}

#[test]
fn default_output_matches_mosquitto_sub() {
    compare(&[]);
}

#[test]
fn verbose_output_matches_mosquitto_sub() {
    compare(&["-v"]);
}

#[test]
fn no_eol_output_matches_mosquitto_sub() {
    compare(&["-N"]);
}

#[test]
fn verbose_no_eol_output_matches_mosquitto_sub() {
    compare(&["-v", "-N"]);
}

#[test]
fn retained_only_and_remove_retained_match_mosquitto_sub() {
    let b = Broker::start();
    let drain = |cmd: Command| run(cmd, b"", LIMIT);
    for round in ["mosquitto", "mq"] {
        for i in 1..=5 {
            publish(
                &b,
                &[
                    "-t",
                    &format!("rr/{i}"),
                    "-m",
                    &format!("v{i}"),
                    "-r",
                    "-q",
                    "1",
                ],
            );
        }
        let args = [
            "-t",
            "rr/#",
            "--remove-retained",
            "--retained-only",
            "-W",
            "1",
            "-v",
        ];
        let out = if round == "mq" {
            drain(mq_on(&b, "sub", &args))
        } else {
            drain(mosquitto_sub(&b, &args))
        };
        assert_eq!(code(&out), 27, "{round}: {}", stderr(&out));
        let mut lines: Vec<_> = stdout(&out).lines().map(String::from).collect();
        lines.sort();
        assert_eq!(
            lines,
            ["rr/1 v1", "rr/2 v2", "rr/3 v3", "rr/4 v4", "rr/5 v5"],
            "{round}"
        );
        let left = drain(mq_on(&b, "sub", &["-t", "rr/#", "-W", "1"]));
        assert_eq!(stdout(&left), "", "{round} left retained messages behind");
    }
}
