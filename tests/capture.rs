//! `mq capture` against a real mosquitto: the agent (`--exec`, `--file`, events, status, busy
//! and timeout handling) and the request side.

mod common;
use common::*;
use std::path::Path;
use std::time::Duration;

fn jpeg(n: usize) -> Vec<u8> {
    let mut v = b"\xff\xd8\xff\xe0".to_vec();
    let mut x = 0x9e3779b97f4a7c15u64;
    v.extend((4..n).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    v
}

/// Start an agent and return once its trigger subscription is acknowledged.
fn agent(b: &Broker, args: &[&str]) -> Running {
    let mut c = mq_on(b, "capture", args);
    c.arg("-d");
    Running::until(c, "received SUBACK")
}

fn cat(path: &Path) -> String {
    format!("cat '{}'", path.display())
}

fn events(out: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

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
    assert_eq!(
        ev[0]["error"],
        "capture command exited with status 3: lens cap on"
    );
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
        stderr(&out).contains(
            "the capture failed on the agent: capture command exited with status 3: lens cap on"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!Path::new("/tmp/never-written").exists());
    let _ = a.child.kill();
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
fn the_agent_stays_connected_through_a_capture_longer_than_twice_the_keepalive() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let img = temp_file(dir.path(), "i.jpg", &jpeg(100));
    let exec = format!("sleep 3; cat '{}'", img.display());
    let a = agent(
        &b,
        &[
            // MQTT 3.1.1: rumqttc's MQTT 5 client keeps alive every 5s at the fastest.
            "-V",
            "311",
            "-k",
            "1",
            "--trigger",
            "c",
            "--topic",
            "img",
            "--exec",
            &exec,
        ],
    );
    let sub = subscribed(&b, &["-t", "img/events", "-C", "1"]);
    publish(&b, &["-t", "c", "-m", "x"]);
    let out = sub.finish(LIMIT);
    assert_eq!(events(&out)[0]["result"], "ok");
    let pid = a.pid().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let out = a.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("reconnect"), "{}", stderr(&out));
    assert!(!b.log().contains("exceeded timeout"), "{}", b.log());
}

#[test]
fn status_is_online_then_offline_on_sigterm_and_on_kill_9() {
    let b = Broker::start();
    for (signal, exit) in [("-TERM", Some(0)), ("-KILL", None)] {
        let a = agent(&b, &["--trigger", "c", "--topic", "img", "--exec", "true"]);
        let sub = subscribed(&b, &["-t", "img/status", "-C", "2"]);
        let pid = a.pid().to_string();
        let _ = std::process::Command::new("kill")
            .args([signal, &pid])
            .status();
        let out = sub.finish(LIMIT);
        assert_eq!(
            stdout(&out),
            "{\"status\":\"online\"}\n{\"status\":\"offline\"}\n",
            "{signal}"
        );
        assert_eq!(a.finish(LIMIT).status.code(), exit, "{signal}");
    }
}

#[test]
fn request_without_an_agent_exits_27() {
    let b = Broker::start();
    let out = run(
        mq_on(
            &b,
            "capture",
            &[
                "--request",
                "--trigger",
                "c",
                "--topic",
                "img",
                "-o",
                "/tmp/mq-never",
                "-W",
                "1s",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("mq: no capture arrived on img within 1s"));
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
fn a_python_paho_subscriber_receives_a_small_capture() {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import paho.mqtt.client"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED: python3 with paho-mqtt is not installed (pip install paho-mqtt; .ci/run does)");
        return;
    }
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let img = temp_file(dir.path(), "i.jpg", &jpeg(30_000));
    let exec = cat(&img);
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "camera/capture",
            "--topic",
            "camera/image",
            "--exec",
            &exec,
        ],
    );
    let out_dir = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/receive.py");
    let mut py = std::process::Command::new("python3");
    py.args([
        script,
        "127.0.0.1",
        &b.port.to_string(),
        "camera/image",
        out_dir.path().to_str().unwrap(),
        "1",
    ]);
    py.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = py.spawn().unwrap();
    // The receiver prints "ready" once subscribed; a retry loop keeps this free of that race.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let saved = out_dir.path().join("raw.0");
    while !saved.exists() && std::time::Instant::now() < deadline {
        publish(&b, &["-t", "camera/capture", "-m", "capture_image"]);
        std::thread::sleep(Duration::from_millis(300));
    }
    let out = wait_with_limit(child, LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::read(&saved).unwrap() == jpeg(30_000));
    let _ = a.child.kill();
}

/// A mosquitto on a fixed port, to restart it under a running agent.
fn mosquitto_on(port: u16, dir: &Path) -> std::process::Child {
    let conf = dir.join("m.conf");
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
    )
    .unwrap();
    let child = std::process::Command::new("mosquitto")
        .arg("-c")
        .arg(&conf)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "mosquitto not listening on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn the_agent_survives_a_broker_restart() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut broker = mosquitto_on(port, dir.path());
    let img = temp_file(dir.path(), "i.jpg", &jpeg(100));
    let exec = cat(&img);
    let p = port.to_string();
    let mut c = mq();
    c.args([
        "capture",
        "-h",
        "127.0.0.1",
        "-p",
        &p,
        "-d",
        "--trigger",
        "c",
        "--topic",
        "img",
        "--exec",
        &exec,
    ]);
    let mut a = Running::until(c, "received SUBACK");
    let _ = broker.kill();
    let _ = broker.wait();
    a.wait_for("reconnecting", Duration::from_secs(10));
    let mut broker = mosquitto_on(port, dir.path());
    a.wait_for("received SUBACK", Duration::from_secs(40));
    let mut sub = mq();
    sub.args([
        "sub",
        "-h",
        "127.0.0.1",
        "-p",
        &p,
        "-t",
        "img",
        "-C",
        "1",
        "-N",
        "-d",
    ]);
    let sub = Running::until(sub, "received SUBACK");
    let mut trigger = mq();
    trigger.args(["pub", "-h", "127.0.0.1", "-p", &p, "-t", "c", "-m", "x"]);
    assert_eq!(code(&run(trigger, b"", LIMIT)), 0);
    let out = sub.finish(LIMIT);
    assert!(out.stdout == jpeg(100), "{}", stderr(&out));
    let _ = a.child.kill();
    let _ = broker.kill();
    let _ = broker.wait();
}

#[test]
fn an_mqtt5_trigger_with_a_response_topic_gets_the_event_there() {
    let b = Broker::start();
    let mut a = agent(
        &b,
        &["--trigger", "c", "--topic", "img", "--exec", "printf x"],
    );
    let sub = subscribed(&b, &["-t", "replies/me", "-C", "1"]);
    let st = std::process::Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &b.port.to_string(),
            "-V",
            "5",
            "-t",
            "c",
            "-m",
            "go",
        ])
        .args(["-D", "publish", "response-topic", "replies/me"])
        .args(["-D", "publish", "correlation-data", "req-42"])
        .status()
        .unwrap();
    assert!(st.success());
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ev = events(&out);
    assert_eq!(ev[0]["result"], "ok");
    assert_eq!(ev[0]["bytes"], 1);
    let _ = a.child.kill();
}

#[test]
fn sigterm_finishes_the_capture_in_flight_before_going_offline() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let img = temp_file(dir.path(), "i.jpg", &jpeg(1000));
    let exec = format!("sleep 1; cat '{}'", img.display());
    let mut a = agent(&b, &["--trigger", "c", "--topic", "img", "--exec", &exec]);
    let sub = subscribed(&b, &["-t", "img/#", "-C", "3", "-v", "-R"]);
    publish(&b, &["-t", "c", "-m", "x"]);
    // The capture has started (its command runs for a second) when SIGTERM arrives.
    a.wait_for("received PUBLISH", Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(200));
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &a.pid().to_string()])
        .status();
    let out = a.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let got = sub.finish(LIMIT);
    let text = String::from_utf8_lossy(&got.stdout);
    let topics: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split(' ').next())
        .filter(|t| t.starts_with("img"))
        .collect();
    assert_eq!(topics, ["img", "img/events", "img/status"], "{text}");
    assert!(
        text.ends_with("img/status {\"status\":\"offline\"}\n"),
        "{text}"
    );
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
