//! `mq rr` against a real mosquitto: a request answered by `mq sub --exec --reply` and by a
//! Python paho responder, stale retained and unrelated messages on the response topic ignored,
//! the timeout (27) saying what it ignored, and MQTT 3.1.1's first-live-message fallback.

use crate::common::*;
use std::time::Duration;

/// `mq sub --exec CMD --reply` answering requests on `topic`, subscribed.
fn responder(b: &Broker, topic: &str, cmd: &str) -> Running {
    subscribed(b, &["-t", topic, "-q", "1", "--exec", cmd, "--reply"])
}

#[test]
fn rr_prints_the_response_of_an_exec_reply_responder() {
    let b = Broker::start();
    let mut r = responder(&b, "svc/upper", "tr a-z A-Z");
    let out = run(
        mq_on(
            &b,
            "rr",
            &[
                "-t",
                "svc/upper",
                "-e",
                "client/1/reply",
                "-m",
                "hello",
                "-q",
                "1",
                "-W",
                "10",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "HELLO\n");
    // -v and --json print as mq sub does.
    let out = run(
        mq_on(
            &b,
            "rr",
            &[
                "-t",
                "svc/upper",
                "-e",
                "client/1/reply",
                "-m",
                "abc",
                "--json",
                "--correlation-data",
                "hex:00ff",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["topic"], "client/1/reply");
    assert_eq!(v["payload"], "ABC");
    assert_eq!(v["properties"]["correlation_data"], "AP8=");
    let _ = r.child.kill();
}

#[test]
fn rr_ignores_a_stale_retained_response_and_other_correlation_data() {
    let b = Broker::start();
    // An old answer, retained on the response topic: mosquitto_rr would print it.
    publish(&b, &["-t", "client/2/reply", "-r", "-m", "stale"]);
    // A responder that first answers someone else, then the request.
    let cmd = "sleep 1; echo ours";
    let mut r = subscribed(&b, &["-t", "svc/two", "-q", "1", "--exec", cmd, "--reply"]);
    let mut rr = mq_on(
        &b,
        "rr",
        &[
            "-t",
            "svc/two",
            "-e",
            "client/2/reply",
            "-m",
            "q",
            "-W",
            "10",
            "-d",
        ],
    );
    rr.stdout(std::process::Stdio::piped());
    let waiting = Running::until_keep_stdout(rr, "request to svc/two");
    // Another client's response on the same topic, before ours.
    publish(
        &b,
        &[
            "-t",
            "client/2/reply",
            "-m",
            "not ours",
            "--correlation-data",
            "other",
        ],
    );
    let out = waiting.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "ours\n");
    let _ = r.child.kill();
}

#[test]
fn rr_times_out_with_27_and_says_what_it_ignored() {
    let b = Broker::start();
    publish(&b, &["-t", "client/3/reply", "-r", "-m", "stale"]);
    let mut rr = mq_on(
        &b,
        "rr",
        &[
            "-t",
            "svc/none",
            "-e",
            "client/3/reply",
            "-m",
            "q",
            "-W",
            "2",
            "-V",
            "5",
            "-d",
        ],
    );
    rr.stdout(std::process::Stdio::piped());
    let waiting = Running::until_keep_stdout(rr, "request to svc/none");
    publish(
        &b,
        &[
            "-t",
            "client/3/reply",
            "-m",
            "x",
            "--correlation-data",
            "someone-else",
        ],
    );
    let out = waiting.finish(LIMIT);
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("no response with the request's correlation data on client/3/reply; ignored: 1 with other correlation data"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn rr_on_mqtt_3_1_1_takes_the_first_live_message_and_says_so() {
    let b = Broker::start();
    publish(&b, &["-t", "client/4/reply", "-r", "-m", "stale"]);
    let mut rr = mq_on(
        &b,
        "rr",
        &[
            "-t",
            "svc/old",
            "-e",
            "client/4/reply",
            "-m",
            "q",
            "-W",
            "10",
            "-V",
            "311",
            "-d",
        ],
    );
    rr.stdout(std::process::Stdio::piped());
    let waiting = Running::until_keep_stdout(rr, "request to svc/old");
    publish(&b, &["-t", "client/4/reply", "-m", "live", "-V", "311"]);
    let out = waiting.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "live\n");
    let err = stderr(&out);
    assert_eq!(
        err.matches("MQTT 3.1.1 has no response topic").count(),
        1,
        "{err}"
    );
}

#[test]
fn rr_gets_its_response_from_a_python_paho_responder() {
    if !python_paho() {
        return;
    }
    let b = Broker::start();
    let script = r#"
import sys, paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes
port = int(sys.argv[1])
def on_connect(c, u, f, rc, props=None):
    c.subscribe("svc/py", qos=1)
def on_subscribe(c, u, mid, granted, props=None):
    print("ready", flush=True)
def on_message(c, u, m):
    p = Properties(PacketTypes.PUBLISH)
    p.CorrelationData = m.properties.CorrelationData
    c.publish(m.properties.ResponseTopic, b"py:" + m.payload, qos=1, properties=p)
try:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
except AttributeError:
    c = mqtt.Client(protocol=mqtt.MQTTv5)
c.on_connect = on_connect
c.on_subscribe = on_subscribe
c.on_message = on_message
c.connect("127.0.0.1", port)
c.loop_forever()
"#;
    let mut py = std::process::Command::new("python3")
        .args(["-c", script, &b.port.to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    let mut reader = std::io::BufReader::new(py.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = std::io::BufRead::read_line(&mut reader, &mut ready);
        let _ = tx.send(ready);
    });
    let line = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
    assert_eq!(line.trim(), "ready");
    let out = run(
        mq_on(
            &b,
            "rr",
            &[
                "-t",
                "svc/py",
                "-e",
                "client/py/reply",
                "-m",
                "ping",
                "-q",
                "1",
                "-W",
                "10",
            ],
        ),
        b"",
        LIMIT,
    );
    let _ = py.kill();
    let _ = py.wait();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "py:ping\n");
}

#[test]
fn rr_refuses_bad_input_before_connecting() {
    assert_one_line_error(
        ["rr", "-t", "a", "-e", "r/+", "-m", "x"]
            .map(Into::into)
            .to_vec(),
        2,
        "invalid response topic (-e)",
    );
    assert_one_line_error(
        [
            "rr",
            "-t",
            "a",
            "-e",
            "r",
            "-m",
            "x",
            "--correlation-data",
            "hex:zz",
        ]
        .map(Into::into)
        .to_vec(),
        2,
        "invalid --correlation-data",
    );
    assert_one_line_error(
        ["rr", "-t", "a", "-e", "r"].map(Into::into).to_vec(),
        2,
        "no request payload given",
    );
}

#[test]
fn rr_says_at_once_when_the_broker_refuses_the_request() {
    let acl = "user dave\ntopic readwrite client/#\n";
    let b = Broker::with(Config::default().users(&[("dave", "pw")]).acl(acl));
    let started = std::time::Instant::now();
    let out = run(
        mq_on(
            &b,
            "rr",
            &[
                "-u",
                "dave",
                "-P",
                "pw",
                "-t",
                "svc/secret",
                "-e",
                "client/5/reply",
                "-m",
                "q",
                "-q",
                "1",
                "-W",
                "20",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("publishing the request to svc/secret"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn rr_applies_where_and_assert_to_the_response_and_sub_exec_runs_only_what_where_selects() {
    let b = Broker::start();
    // The responder runs its command only for requests whose JSON has "go": true.
    let mut r = subscribed(
        &b,
        &[
            "-t",
            "svc/json",
            "-q",
            "1",
            "--exec",
            "echo '{\"ok\": true, \"n\": 3}'",
            "--reply",
            "--where",
            ".go == true",
        ],
    );
    let rr = |payload: &str, extra: &[&str]| {
        let mut args = vec!["-t", "svc/json", "-e", "c/json", "-m", payload, "-W", "3"];
        args.extend(extra);
        run(mq_on(&b, "rr", &args), b"", LIMIT)
    };
    // Not selected by the responder's --where: no answer, 27.
    let out = rr(r#"{"go": false}"#, &[]);
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    // Answered, and the answer passes rr's --where and --assert.
    let out = rr(r#"{"go": true}"#, &["--where", ".ok", "--assert", ".n < 5"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"ok\": true, \"n\": 3}\n");
    // The answer fails rr's --assert: exit 6 naming the expression.
    let out = rr(r#"{"go": true}"#, &["--assert", ".n > 5"]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--assert '.n > 5'"),
        "{}",
        stderr(&out)
    );
    // A bad expression is exit 2 before connecting.
    let mut c = mq();
    let closed = closed_port();
    let port = closed.port.to_string();
    c.args([
        "rr", "-p", &port, "-t", "a", "-e", "b", "-m", "x", "--where", ".[",
    ]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let _ = r.child.kill();
}
