//! `mq capture` against a real mosquitto: the agent's captures (`--exec`, `--file`, matching,
//! topic levels, events, busy and timeout handling) and the request side.

use crate::common::capture::*;
use crate::common::*;
use std::path::Path;
use std::time::Duration;

#[test]
fn a_trigger_publishes_the_capture_and_other_payloads_are_ignored() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let img = temp_file(dir.path(), "fixture.jpg", &jpeg(5000));
    let exec = cat(&img);
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "camera/capture",
            "--match",
            "capture_image",
            "--topic",
            "camera/image",
            "--exec",
            &exec,
        ],
    );
    let sub = subscribed(&b, &["-t", "camera/image", "-C", "2", "-W", "3", "-N"]);
    publish(&b, &["-t", "camera/capture", "-m", "nope"]);
    publish(&b, &["-t", "camera/capture", "-m", "capture_image"]);
    let out = sub.finish(LIMIT);
    // One image, then -W runs out: the "nope" trigger captured nothing.
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    assert!(out.stdout == jpeg(5000));
    let _ = a.child.kill();
}

#[test]
fn file_source_and_topic_levels_in_the_output_topic() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let img = temp_file(dir.path(), "last.jpg", &jpeg(800));
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "cams/+/capture",
            "--topic",
            "cams/{2}/image",
            "--file",
            img.to_str().unwrap(),
        ],
    );
    let sub = subscribed(&b, &["-t", "cams/kitchen/image", "-C", "1", "-N"]);
    publish(&b, &["-t", "cams/kitchen/capture", "-m", "go"]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout == jpeg(800));
    let _ = a.child.kill();
}

#[test]
fn request_fetches_a_large_capture_in_chunks() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let big = jpeg(20 << 20);
    let img = temp_file(dir.path(), "big.jpg", &big);
    let exec = cat(&img);
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "camera/capture",
            "--match",
            "capture_image",
            "--topic",
            "camera/image",
            "--exec",
            &exec,
        ],
    );
    let target = dir.path().join("photo.jpg");
    let out = run(
        mq_on(
            &b,
            "capture",
            &[
                "--request",
                "--trigger",
                "camera/capture",
                "--match",
                "capture_image",
                "--topic",
                "camera/image",
                "-o",
                target.to_str().unwrap(),
                "-W",
                "30s",
            ],
        ),
        b"",
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", target.display()));
    assert!(std::fs::read(&target).unwrap() == big);
    let _ = a.child.kill();
}

#[test]
fn a_failing_command_gives_an_error_event_and_the_agent_goes_on() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let img = temp_file(dir.path(), "i.jpg", &jpeg(100));
    let exec = format!(
        "if [ \"$MQ_TRIGGER_PAYLOAD\" = fail ]; then echo lens cap on >&2; exit 3; fi; cat '{}'",
        img.display()
    );
    let mut a = agent(&b, &["--trigger", "c", "--topic", "img", "--exec", &exec]);
    let sub = subscribed(&b, &["-t", "img/events", "-C", "2"]);
    publish(&b, &["-t", "c", "-m", "fail"]);
    publish(&b, &["-t", "c", "-m", "ok"]);
    let out = sub.finish(LIMIT);
    let ev = events(&out);
    assert_eq!(ev[0]["result"], "error");
    // What failed and why; what the command printed stays in the agent's own log.
    assert_eq!(ev[0]["error"], "capture command exited with status 3");
    assert_eq!(ev[1]["result"], "ok");
    assert_eq!(ev[1]["bytes"], 100);
    // The request side reports the agent's error.
    let out = run(
        mq_on(
            &b,
            "capture",
            &[
                "--request",
                "--trigger",
                "c",
                "--match",
                "fail",
                "--topic",
                "img",
                "-o",
                "/tmp/never-written",
                "-W",
                "10s",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out)
            .contains("the capture failed on the agent: capture command exited with status 3"),
        "{}",
        stderr(&out)
    );
    assert!(!Path::new("/tmp/never-written").exists());
    let _ = a.child.kill();
    let log = stderr(&a.finish(LIMIT));
    assert!(log.contains("lens cap on"), "{log}");
}

#[test]
fn a_hung_command_is_killed_at_the_timeout() {
    let b = Broker::start();
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "c",
            "--topic",
            "img",
            "--exec",
            "sleep 30",
            "--timeout",
            "1s",
        ],
    );
    let sub = subscribed(&b, &["-t", "img/events", "-C", "1", "-W", "10"]);
    publish(&b, &["-t", "c", "-m", "x"]);
    let out = sub.finish(LIMIT);
    let ev = events(&out);
    assert_eq!(
        ev[0]["error"],
        "capture command still running after 1s: killed"
    );
    let _ = a.child.kill();
}

#[test]
fn on_busy_drop_counts_the_triggers_it_drops() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let img = temp_file(dir.path(), "i.jpg", &jpeg(100));
    let exec = format!("sleep 1; cat '{}'", img.display());
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "c",
            "--topic",
            "img",
            "--exec",
            &exec,
            "--on-busy",
            "drop",
        ],
    );
    let sub = subscribed(&b, &["-t", "img/events", "-C", "2", "-W", "4"]);
    publish(&b, &["-t", "c", "-m", "x", "-q", "1", "--repeat", "5"]);
    let out = sub.finish(LIMIT);
    // One capture, four drops, and no second event.
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    let ev = events(&out);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["result"], "ok");
    assert_eq!(ev[0]["dropped"], 4);
    let _ = a.child.kill();
}

#[test]
fn request_without_an_agent_or_with_an_offline_one_says_so_at_once() {
    let b = Broker::start();
    let request = |b: &Broker| {
        let args = [
            "--request",
            "--trigger",
            "c",
            "--topic",
            "img",
            "-o",
            "/tmp/mq-never",
        ];
        let mut c = mq_on(b, "capture", &args);
        c.args(["-W", "20s"]);
        let started = std::time::Instant::now();
        (run(c, b"", LIMIT), started.elapsed())
    };
    // No agent ever announced itself on img/status.
    let (out, took) = request(&b);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no capture agent has announced itself on img/status"),
        "{}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    // An agent that stopped: its retained status says offline.
    let mut a = agent(
        &b,
        &["--trigger", "c", "--topic", "img", "--exec", "echo x"],
    );
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &a.pid().to_string()])
        .status();
    let _ = a.child.wait();
    let (out, took) = request(&b);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("img/status says 'offline'"),
        "{}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn request_with_an_agent_that_does_not_answer_exits_27() {
    let b = Broker::start();
    // The agent captures only for the payload "yes"; the request sends "no".
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "c",
            "--match",
            "yes",
            "--topic",
            "img",
            "--exec",
            "echo x",
        ],
    );
    let args = [
        "--request",
        "--trigger",
        "c",
        "--match",
        "no",
        "--topic",
        "img",
    ];
    let mut c = mq_on(&b, "capture", &args);
    c.args(["-o", "/tmp/mq-never", "-W", "1s"]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("mq: no capture arrived on img within 1s"));
    let _ = a.child.kill();
    // Under -d the agent said why it ignored the trigger; without --quiet it said what it does.
    let log = stderr(&a.finish(LIMIT));
    assert!(log.contains("trigger on c ignored"), "{log}");
    assert!(
        log.contains("mq capture: on each trigger on c with payload 'yes'"),
        "{log}"
    );
}

#[test]
fn json_triggers_and_concurrent_captures() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let img = temp_file(dir.path(), "i.jpg", &jpeg(100));
    let exec = format!("sleep 1; cat '{}'", img.display());
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "c",
            "--topic",
            "img",
            "--exec",
            &exec,
            "--match-json",
            "/cmd=capture",
            "--concurrency",
            "3",
        ],
    );
    let sub = subscribed(&b, &["-t", "img/events", "-C", "3", "-W", "5"]);
    let start = std::time::Instant::now();
    for payload in [
        r#"{"cmd":"capture"}"#,
        r#"{"cmd":"stop"}"#,
        "capture",
        r#"{"cmd":"capture"}"#,
        r#"{"cmd":"capture"}"#,
    ] {
        publish(&b, &["-t", "c", "-m", payload, "-q", "1"]);
    }
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(events(&out).iter().all(|e| e["result"] == "ok"));
    // Three one-second captures side by side, not one after the other.
    assert!(
        start.elapsed() < Duration::from_millis(2900),
        "{:?}",
        start.elapsed()
    );
    let _ = a.child.kill();
}

#[test]
fn a_wide_trigger_filter_does_not_trigger_on_the_agents_own_messages() {
    let b = Broker::start();
    let mut a = agent(
        &b,
        &["--trigger", "#", "--topic", "img", "--exec", "printf x"],
    );
    let sub = subscribed(&b, &["-t", "img/events", "-C", "2", "-W", "2"]);
    publish(&b, &["-t", "go", "-m", "now"]);
    let out = sub.finish(LIMIT);
    // One capture for one trigger; its image, event and status did not trigger more.
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    assert_eq!(events(&out).len(), 1);
    let _ = a.child.kill();
}
