//! Conditions on what arrives, for scripts and CI: `mq sub --where/--grep/--assert`, the
//! retained trap, `--ready-file` only after the SUBACK, and `mq check --wait` for a broker that
//! is still starting.

use crate::common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

fn os(args: &[&str]) -> Vec<std::ffi::OsString> {
    args.iter().map(Into::into).collect()
}

#[test]
fn where_waits_for_the_first_matching_message() {
    let b = Broker::start();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "sensors/temp",
            "--where",
            ".temp > 30",
            "-C",
            "1",
            "-W",
            "10s",
            "-v",
            "-q",
            "1",
        ],
    );
    for payload in [
        r#"{"temp": 21}"#,
        "hot",
        r#"{"temp": 35}"#,
        r#"{"temp": 40}"#,
    ] {
        publish(&b, &["-t", "sensors/temp", "-q", "1", "-m", payload]);
    }
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "sensors/temp {\"temp\": 35}\n");
    // -d says why each message before it was skipped.
    let err = stderr(&out);
    assert!(
        err.contains("skipped a message on 'sensors/temp': --where: it gave false"),
        "{err}"
    );
    assert!(err.contains("--where: the payload is not JSON"), "{err}");
}

#[test]
fn where_sees_topic_qos_retain_and_properties() {
    let b = Broker::start();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "site/#",
            "-q",
            "1",
            "--where",
            r#"$topic == "site/paris" and $qos == 1 and ($retained | not)
               and ($props.user_properties | any(. == ["line", "2"]))"#,
            "-C",
            "1",
            "-v",
        ],
    );
    publish(
        &b,
        &[
            "-t",
            "site/lyon",
            "-q",
            "1",
            "-m",
            "{}",
            "--user-property",
            "line=2",
        ],
    );
    publish(
        &b,
        &[
            "-t",
            "site/paris",
            "-q",
            "1",
            "-m",
            "{}",
            "--user-property",
            "line=1",
        ],
    );
    publish(
        &b,
        &[
            "-t",
            "site/paris",
            "-q",
            "1",
            "-m",
            "[2]",
            "--user-property",
            "line=2",
        ],
    );
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "site/paris [2]\n");
}

#[test]
fn no_match_before_the_timeout_is_27_with_the_counts() {
    let b = Broker::start();
    for (count, payloads, wanted) in [
        (
            "1",
            &[r#"{"temp": 1}"#, r#"{"temp": 2}"#][..],
            "2 messages arrived, none matched --where/--grep",
        ),
        (
            "3",
            &[r#"{"temp": 31}"#, r#"{"temp": 2}"#][..],
            "2 messages arrived, 1 matched, 3 wanted (-C)",
        ),
    ] {
        let sub = subscribed(
            &b,
            &["-t", "t", "--where", ".temp > 30", "-C", count, "-W", "3s"],
        );
        for p in payloads {
            publish(&b, &["-t", "t", "-m", p]);
        }
        let out = sub.finish(LIMIT);
        assert_eq!(code(&out), 27, "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("mq: timed out after 3s: {wanted}")),
            "{err}"
        );
    }
}

#[test]
fn a_failed_assert_is_exit_6_naming_topic_payload_and_expression() {
    let b = Broker::start();
    let range = ".temp >= 0 and .temp <= 50";
    let args = [
        "-t",
        "sensors/+",
        "--assert",
        range,
        "-C",
        "10",
        "-W",
        "10s",
        "-q",
        "1",
    ];
    for (bad, why) in [
        (r#"{"temp":99}"#, "it gave false".to_string()),
        // Not JSON, and a control character shown escaped, not sent to the terminal.
        (
            "\u{1b}[2J hot",
            "the payload is not JSON (byte offset 0: value expected)".to_string(),
        ),
    ] {
        let sub = subscribed(&b, &args);
        publish(&b, &["-t", "sensors/a", "-q", "1", "-m", r#"{"temp":20}"#]);
        publish(&b, &["-t", "sensors/b", "-q", "1", "-m", bad]);
        publish(&b, &["-t", "sensors/a", "-q", "1", "-m", r#"{"temp":21}"#]);
        let out = sub.finish(LIMIT);
        assert_eq!(code(&out), 6, "{}", stderr(&out));
        assert_eq!(stdout(&out), "{\"temp\":20}\n");
        let last = stderr(&out).lines().last().unwrap_or("").to_string();
        let shown = bad.replace('\u{1b}', "\\x1b");
        assert_eq!(
            last,
            format!("mq: a message on 'sensors/b' fails --assert '{range}': {why}; its payload: {shown}")
        );
    }
}

#[test]
fn where_selects_and_assert_checks_only_the_selected() {
    let b = Broker::start();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "m/#",
            "--where",
            r#".kind == "temp""#,
            "--assert",
            ".value < 50",
            "-C",
            "2",
        ],
    );
    publish(
        &b,
        &["-t", "m/1", "-m", r#"{"kind":"humidity","value":80}"#],
    );
    publish(&b, &["-t", "m/2", "-m", r#"{"kind":"temp","value":20}"#]);
    publish(&b, &["-t", "m/3", "-m", r#"{"kind":"temp","value":21}"#]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"kind\":\"temp\",\"value\":20}\n{\"kind\":\"temp\",\"value\":21}\n"
    );
}

#[test]
fn grep_matches_the_payload_as_text() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "log", "--grep", "^ERR(OR)? ", "-C", "2"]);
    publish(&b, &["-t", "log", "-m", "ok all fine"]);
    // Not UTF-8: never matches, even though it starts with "ERR ".
    let out = run(
        mq_on(&b, "pub", &["-t", "log", "-s"]),
        b"ERR \xff\xfe",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    publish(&b, &["-t", "log", "-m", "ERROR disk full"]);
    publish(&b, &["-t", "log", "-m", "ERR fan"]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "ERROR disk full\nERR fan\n");
    assert!(
        stderr(&out).contains("--grep: the payload is not UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn skipped_messages_are_acknowledged_not_redelivered() {
    let b = Broker::start();
    let session = ["-c", "-i", "cond-ack", "-q", "1"];
    // Register the persistent session, then queue messages while it is away.
    let out = run(
        mq_on(&b, "sub", &[&session[..], &["-t", "q", "-E"]].concat()),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for p in ["1", "2", "31", "4"] {
        publish(
            &b,
            &["-t", "q", "-q", "1", "-m", &format!("{{\"temp\":{p}}}")],
        );
    }
    let args = [
        &session[..],
        &["-t", "q", "--where", ".temp > 30", "-C", "1", "-W", "5s"],
    ]
    .concat();
    let out = run(mq_on(&b, "sub", &args), b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"temp\":31}\n");
    // The skipped ones before the match were acknowledged: only the one after it is left.
    let args = [&session[..], &["-t", "q", "-W", "2s"]].concat();
    let out = run(mq_on(&b, "sub", &args), b"", LIMIT);
    assert_eq!(stdout(&out), "{\"temp\":4}\n", "{}", stderr(&out));
}

#[test]
fn bad_conditions_are_exit_2_before_connecting() {
    // Nothing listens: a usage error must come before any connection attempt (exit 3).
    let closed = closed_port();
    let port = closed.port.to_string();
    for (flag, value, text) in [
        (
            "--where",
            ".temp >",
            "invalid --where expression '.temp >': expected term at the end",
        ),
        ("--where", "nosuch(1)", "undefined filter nosuch"),
        (
            "--assert",
            "$temp > 3",
            "undefined variable $temp (the message's are $topic, $qos, $retained, $props)",
        ),
        ("--grep", "a(", "invalid --grep regex 'a(': unclosed group"),
    ] {
        let args = ["sub", "-p", &port, "-t", "t", flag, value];
        assert_one_line_error(os(&args), 2, text);
    }
}

#[test]
fn a_stale_retained_value_passes_a_naive_wait_and_not_one_with_no_retained() {
    let b = Broker::start();
    publish(&b, &["-t", "sensors/temp", "-r", "-m", r#"{"temp": 99}"#]);
    let wait = [
        "-t",
        "sensors/temp",
        "--where",
        ".temp > 30",
        "-C",
        "1",
        "-W",
        "3s",
    ];
    // The trap: the retained reading from long ago satisfies the wait at once.
    let started = Instant::now();
    let out = run(mq_on(&b, "sub", &wait), b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"temp\": 99}\n");
    assert!(started.elapsed() < Duration::from_secs(3));
    // -R: only a live reading counts; none comes, so the wait runs out.
    let out = run(mq_on(&b, "sub", &[&wait[..], &["-R"]].concat()), b"", LIMIT);
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    // ... and a live hot one ends it.
    let sub = subscribed(&b, &[&wait[..], &["-R"]].concat());
    publish(&b, &["-t", "sensors/temp", "-m", r#"{"temp": 31}"#]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"temp\": 31}\n");
}

/// A relay in front of `broker` that passes the broker's first packet (the CONNACK) at once
/// and holds everything after it back for `delay`: a SUBACK that is slow to come.
fn slow_suback_relay(broker: u16, delay: Duration) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming().take(5) {
            let Ok(mut client) = conn else { return };
            let Ok(mut up) = TcpStream::connect(("127.0.0.1", broker)) else {
                return;
            };
            let (mut c2, mut u2) = (client.try_clone().unwrap(), up.try_clone().unwrap());
            std::thread::spawn(move || std::io::copy(&mut c2, &mut u2));
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut first = true;
                while let Ok(n) = up.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if !first {
                        std::thread::sleep(delay);
                    }
                    first = false;
                    if client.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

#[test]
fn ready_file_appears_only_after_the_suback() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("ready");
    // A leftover from an earlier run is removed before connecting.
    std::fs::write(&ready, "old").unwrap();
    let relay = slow_suback_relay(b.port, Duration::from_millis(1500));
    let mut c = mq();
    c.args([
        "sub",
        "-h",
        "127.0.0.1",
        "-p",
        &relay.to_string(),
        "-t",
        "r",
        "-C",
        "1",
        "-d",
    ])
    .arg("--ready-file")
    .arg(&ready);
    let mut sub = Running::until(c, "sending SUBSCRIBE");
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        !ready.exists(),
        "the ready file exists before the SUBACK arrived"
    );
    sub.wait_for("received SUBACK", Duration::from_secs(10));
    assert!(
        appears(&ready, Duration::from_secs(5)),
        "no ready file after the SUBACK"
    );
    assert_eq!(
        std::fs::read(&ready).unwrap(),
        b"",
        "a fresh file, not the leftover"
    );
    // The subscription is live: a message published now arrives.
    publish(&b, &["-t", "r", "-m", "after ready"]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "after ready\n");
}

fn appears(path: &Path, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if path.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn check_wait_passes_once_a_late_broker_is_up() {
    let mut b = Broker::start();
    b.stop();
    let started = Instant::now();
    let check = mq_on(&b, "check", &["--wait", "20s"]);
    let check = std::thread::spawn(move || run(check, b"", LIMIT));
    std::thread::sleep(Duration::from_secs(3));
    b.start_again();
    let out = check.join().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("healthy"), "{}", stdout(&out));
    // The backoff tops out at 2 s: the pass comes soon after the broker does.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(7),
        "{took:?}"
    );
    // Not on a terminal: only the final report, no status line per try.
    assert_eq!(stderr(&out), "");
}

#[test]
fn check_wait_gives_the_last_failure_at_the_deadline() {
    // The issue's figure is --wait 20s; 3 s shows the same behaviour in a seventh of the time.
    let closed = closed_port();
    let started = Instant::now();
    let mut c = mq();
    c.args([
        "check",
        "-h",
        "127.0.0.1",
        "-p",
        &closed.port.to_string(),
        "--wait",
        "3s",
    ]);
    let out = run(c, b"", LIMIT);
    let took = started.elapsed();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(6),
        "{took:?}"
    );
    assert!(
        stdout(&out).contains("connection refused"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(still failing after --wait 3s)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn capture_where_picks_triggers_with_the_same_conditions() {
    let b = Broker::start();
    let c = mq_on(
        &b,
        "capture",
        &[
            "--trigger",
            "cams/+/capture",
            "--topic",
            "cams/{2}/image",
            "--exec",
            "printf shot",
            "--where",
            r#".cmd == "capture" and $topic != "cams/2/capture""#,
            "-d",
        ],
    );
    let agent = Running::until(c, "received SUBACK");
    let sub = subscribed(&b, &["-t", "cams/+/image", "-v", "-C", "1", "-W", "10s"]);
    publish(
        &b,
        &[
            "-t",
            "cams/2/capture",
            "-q",
            "1",
            "-m",
            r#"{"cmd":"capture"}"#,
        ],
    );
    publish(
        &b,
        &["-t", "cams/1/capture", "-q", "1", "-m", r#"{"cmd":"stop"}"#],
    );
    publish(
        &b,
        &[
            "-t",
            "cams/1/capture",
            "-q",
            "1",
            "-m",
            r#"{"cmd":"capture"}"#,
        ],
    );
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "cams/1/image shot\n");
    let mut agent = agent;
    let _ = agent.child.kill();
    let log = stderr(&agent.finish(LIMIT));
    assert!(
        log.contains("trigger on cams/2/capture ignored: --where: it gave false"),
        "{log}"
    );
    // A bad expression is a usage error before connecting, as for mq sub.
    let closed = closed_port();
    let port = closed.port.to_string();
    let args = [
        "capture",
        "-p",
        &port,
        "--trigger",
        "t",
        "--topic",
        "i",
        "--exec",
        "true",
    ];
    assert_one_line_error(
        os(&[&args[..], &["--where", ".a ="]].concat()),
        2,
        "invalid --where expression '.a ='",
    );
}
