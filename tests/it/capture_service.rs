//! `mq capture` as a service: status and last will, signals, keepalive through long captures,
//! broker restarts, MQTT 5 request/response, and Python paho clients on the other end.

use crate::common::capture::*;
use crate::common::*;
use std::time::Duration;

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
fn a_python_paho_subscriber_receives_a_small_capture() {
    if !python_paho() {
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

#[test]
fn the_agent_survives_a_broker_restart() {
    let mut b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let img = temp_file(dir.path(), "i.jpg", &jpeg(100));
    let mut a = agent(
        &b,
        &["--trigger", "c", "--topic", "img", "--exec", &cat(&img)],
    );
    b.stop();
    a.wait_for("reconnecting", Duration::from_secs(10));
    b.start_again();
    a.wait_for("received SUBACK", Duration::from_secs(40));
    let sub = subscribed(&b, &["-t", "img", "-C", "1", "-N"]);
    publish(&b, &["-t", "c", "-m", "x"]);
    let out = sub.finish(LIMIT);
    assert!(out.stdout == jpeg(100), "{}", stderr(&out));
    let _ = a.child.kill();
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

/// paho-mqtt (MQTT 5) sends a trigger with a response topic and correlation data, and prints
/// the correlation data of the reply.
const PY_REQUEST: &str = r#"
import sys, paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes
port = int(sys.argv[1])
try:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
except AttributeError:
    c = mqtt.Client(protocol=mqtt.MQTTv5)
def on_message(c, u, m):
    print(m.properties.CorrelationData.decode(), m.payload.decode(), flush=True)
    c.disconnect()
def on_subscribe(c, *a):
    p = Properties(PacketTypes.PUBLISH)
    p.ResponseTopic = "replies/py"
    p.CorrelationData = b"req-42"
    c.publish("c", "go", qos=1, properties=p)
c.on_message = on_message
c.on_subscribe = on_subscribe
c.on_connect = lambda c, *a: c.subscribe("replies/py", qos=1)
c.connect("127.0.0.1", port)
c.loop_forever()
"#;

#[test]
fn the_reply_carries_the_triggers_correlation_data() {
    if !python_paho() {
        return;
    }
    let b = Broker::start();
    let mut a = agent(
        &b,
        &["--trigger", "c", "--topic", "img", "--exec", "printf x"],
    );
    let mut py = std::process::Command::new("python3");
    py.args(["-c", PY_REQUEST, &b.port.to_string()]);
    let out = run(py, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let line = stdout(&out);
    let (corr, event) = line.trim().split_once(' ').unwrap();
    assert_eq!(corr, "req-42");
    let ev: serde_json::Value = serde_json::from_str(event).unwrap();
    assert_eq!(ev["result"], "ok");
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
