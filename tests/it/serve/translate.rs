//! What crosses between MQTT 5 and MQTT 3.1.1 clients on `mq serve`: every message reaches every
//! subscriber, whatever the publisher's version, QoS, topic alias or properties; a 3.1.1
//! subscriber gets them without the properties, an MQTT 5 one with them; retained or live. Run
//! with mosquitto's clients and mq's on both sides.

use super::fixture::Serve;
use crate::common::LIMIT;
use crate::common::{mq, run, stderr, stdout, Running};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// One publish of the matrix: who sends it, how, and the messages it must deliver.
struct Publish {
    client: &'static str,
    version: &'static str,
    qos: &'static str,
    kind: &'static str,
}

impl Publish {
    fn topic(&self, retained: bool) -> String {
        let root = if retained { "r" } else { "m" };
        format!(
            "{root}/{}/{}/{}/{}",
            self.client, self.version, self.qos, self.kind
        )
    }

    /// The command, and its stdin (`-l` lines for the alias case).
    fn command(&self, port: u16, retained: bool) -> (Command, &'static [u8]) {
        let topic = self.topic(retained);
        let mut c = match self.client {
            "mq" => {
                let mut c = mq();
                c.args(["pub", "-V", self.version]);
                c
            }
            _ => {
                let mut c = Command::new("mosquitto_pub");
                c.args(["-V", if self.version == "5" { "5" } else { "311" }]);
                c
            }
        };
        c.args(["-h", "127.0.0.1", "-p", &port.to_string(), "-q", self.qos])
            .args(["-t", &topic]);
        if retained {
            c.arg("-r");
        }
        match (self.client, self.kind) {
            // mq pub -l names the topic once, then sends its alias with an empty topic.
            (_, "alias") => {
                c.arg("-l");
                return (c, b"first\nsecond\n");
            }
            ("mq", "props") => {
                c.args(["--content-type", "text/plain", "--user-property", "k=v"]);
            }
            (_, "props") => {
                c.args(["-D", "publish", "content-type", "text/plain"]);
                c.args(["-D", "publish", "user-property", "k", "v"]);
            }
            _ => {}
        }
        c.args(["-m", self.kind]);
        (c, b"")
    }

    /// The `topic payload` lines a subscriber prints for it.
    fn expected(&self, retained: bool) -> Vec<String> {
        let topic = self.topic(retained);
        match (self.kind, retained) {
            ("alias", false) => vec![format!("{topic} first"), format!("{topic} second")],
            // Only the last retained message on a topic is kept: the one sent by alias.
            ("alias", true) => vec![format!("{topic} second")],
            (kind, _) => vec![format!("{topic} {kind}")],
        }
    }
}

fn matrix() -> Vec<Publish> {
    let mut all = Vec::new();
    for client in ["mq", "mosquitto"] {
        for version in ["311", "5"] {
            for qos in ["0", "1", "2"] {
                let mut kinds = vec!["plain"];
                if version == "5" {
                    kinds.push("props");
                    if client == "mq" {
                        kinds.push("alias");
                    }
                }
                for kind in kinds {
                    all.push(Publish {
                        client,
                        version,
                        qos,
                        kind,
                    });
                }
            }
        }
    }
    all
}

/// A subscriber of the matrix, started and subscribed.
enum Sub {
    Mq(Running),
    Mosquitto {
        child: std::process::Child,
        lines: mpsc::Receiver<String>,
    },
}

impl Sub {
    fn start(port: u16, client: &str, version: &str, qos: &str, count: usize) -> Sub {
        let common = [
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-q",
            qos,
            "-t",
            "m/#",
            "-t",
            "r/#",
            "-v",
            "-C",
            &count.to_string(),
        ]
        .map(String::from);
        if client == "mq" {
            let mut c = mq();
            c.args(["sub", "-V", version, "-d", "-W", "30"])
                .args(&common);
            return Sub::Mq(Running::until(c, "received SUBACK"));
        }
        // mosquitto_sub writes its -d log on stdout, block-buffered in a pipe unless told.
        let mut c = Command::new("stdbuf");
        c.args(["-oL", "mosquitto_sub", "-d", "-V", version, "-W", "30"])
            .args(&common)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = c.spawn().expect("spawn mosquitto_sub");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(l) if l.starts_with("Subscribed") => break,
                Ok(_) => {}
                Err(_) => {
                    let _ = child.kill();
                    panic!("mosquitto_sub -V {version} did not subscribe within 10s");
                }
            }
        }
        Sub::Mosquitto { child, lines }
    }

    /// The messages printed, sorted, once the subscriber has exited (bounded).
    fn messages(self) -> Vec<String> {
        let mut got: Vec<String> = match self {
            Sub::Mq(r) => {
                let out = r.finish(LIMIT);
                assert!(out.status.success(), "mq sub: {}", stderr(&out));
                stdout(&out).lines().map(String::from).collect()
            }
            Sub::Mosquitto { child, lines } => {
                let out = crate::common::wait_with_limit(child, LIMIT);
                let all: Vec<String> = lines.try_iter().collect();
                assert!(out.status.success(), "mosquitto_sub: {out:?}: {all:#?}");
                all.into_iter()
                    .filter(|l| l.starts_with("m/") || l.starts_with("r/"))
                    .collect()
            }
        };
        got.sort();
        got
    }
}

#[test]
fn every_message_reaches_3_1_1_and_5_subscribers_whatever_the_publisher_sent() {
    let s = Serve::start(&[]);
    let matrix = matrix();
    let publish_all = |retained: bool| {
        for p in &matrix {
            let (cmd, stdin) = p.command(s.port, retained);
            let out = run(cmd, stdin, LIMIT);
            assert!(
                out.status.success(),
                "{} -V {} -q {} {}: {}",
                p.client,
                p.version,
                p.qos,
                p.kind,
                stderr(&out)
            );
        }
    };
    publish_all(true);
    let mut want: Vec<String> = [true, false]
        .iter()
        .flat_map(|&retained| matrix.iter().flat_map(move |p| p.expected(retained)))
        .collect();
    want.sort();

    let mut subs = Vec::new();
    for client in ["mq", "mosquitto"] {
        for version in ["311", "5"] {
            for qos in ["0", "1", "2"] {
                let sub = Sub::start(s.port, client, version, qos, want.len());
                subs.push((format!("{client} sub -V {version} -q {qos}"), sub));
            }
        }
    }
    publish_all(false);
    for (name, sub) in subs {
        assert_eq!(sub.messages(), want, "{name}");
    }
}

#[test]
fn properties_reach_mqtt_5_subscribers_unchanged() {
    let s = Serve::start(&[]);
    let sub = s.sub_until_subscribed(&["-t", "p/#", "-C", "2", "--json"]);
    s.publish(&[
        "-t",
        "p/mq",
        "-m",
        "x",
        "--content-type",
        "text/plain",
        "--user-property",
        "k=v",
    ]);
    let out = Command::new("mosquitto_pub")
        .args(["-V", "5", "-p", &s.port.to_string(), "-t", "p/mosquitto"])
        .args(["-D", "publish", "content-type", "image/jpeg", "-m", "y"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = sub.finish(LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = stdout(&out);
    assert!(lines.contains("text/plain"), "{lines}");
    assert!(lines.contains("\"k\""), "{lines}");
    assert!(lines.contains("image/jpeg"), "{lines}");
}

#[test]
fn a_subscriber_that_allows_topic_aliases_gets_every_topic_by_name() {
    let s = Serve::start(&[]);
    let sub = s.sub_until_subscribed(&[
        "-D",
        "connect",
        "topic-alias-maximum",
        "10",
        "-t",
        "a/#",
        "-v",
        "-C",
        "4",
    ]);
    for (topic, message) in [
        ("a/x", "one"),
        ("a/x", "two"),
        ("a/y", "three"),
        ("a/x", "four"),
    ] {
        s.publish(&["-t", topic, "-m", message]);
    }
    let out = sub.finish(LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "a/x one\na/x two\na/y three\na/x four\n");
}

#[test]
fn retained_messages_past_the_inflight_window_all_reach_a_new_subscriber() {
    let s = Serve::start(&[]);
    let port = s.port.to_string();
    for i in 0..150 {
        let out = Command::new("mosquitto_pub")
            .args([
                "-p",
                &port,
                "-q",
                "1",
                "-r",
                "-t",
                &format!("many/{i}"),
                "-m",
                "x",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    // MQTT 5 with mosquitto_sub's Receive Maximum (20), and mq's (up to 100 in flight).
    let mosquitto = Command::new("mosquitto_sub")
        .args([
            "-V", "5", "-p", &port, "-q", "2", "-t", "many/#", "-C", "150", "-W", "20",
        ])
        .output()
        .unwrap();
    assert!(mosquitto.status.success(), "{mosquitto:?}");
    assert_eq!(
        String::from_utf8_lossy(&mosquitto.stdout).lines().count(),
        150
    );
    let out = run(
        s.on("sub", &["-q", "1", "-t", "many/#", "-C", "150", "-W", "20"]),
        b"",
        LIMIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 150);
}
