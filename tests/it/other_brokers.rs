//! mq against brokers that are not mosquitto and speak only MQTT 3.1.1: aedes and amqtt. Plain
//! `mq pub`, `mq sub` and `mq check`, without `-V`, fall back to 3.1.1 and work, as
//! mosquitto_pub (3.1.1 by default) does.

use crate::common::others::OtherBroker;
use crate::common::*;

/// pub, sub and check on `b`, with no protocol flag.
fn pub_sub_and_check(b: &OtherBroker, name: &str) {
    let p = b.port.to_string();
    let mut c = mq();
    c.args([
        "sub",
        "-h",
        "127.0.0.1",
        "-p",
        &p,
        "-t",
        "field/#",
        "-q",
        "1",
        "-C",
        "2",
        "-v",
        "-d",
    ]);
    let sub = Running::until(c, "received SUBACK");
    for (topic, qos) in [("field/a", "0"), ("field/b", "1")] {
        let out = mq_out(&[
            "pub",
            "-h",
            "127.0.0.1",
            "-p",
            &p,
            "-t",
            topic,
            "-m",
            name,
            "-q",
            qos,
            "-d",
        ]);
        let err = stderr(&out);
        assert_eq!(code(&out), 0, "{name}: {err}");
        assert!(err.contains("(MQTT 3.1.1"), "{name}: {err}");
    }
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
    assert_eq!(stdout(&out), format!("field/a {name}\nfield/b {name}\n"));

    let out = mq_out(&["check", "-h", "127.0.0.1", "-p", &p, "--json"]);
    assert_eq!(code(&out), 0, "{name}: {}{}", stdout(&out), stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let connect = r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "connect")
        .unwrap();
    assert_eq!(connect["facts"]["version"], "3.1.1", "{name}: {connect:#}");
    assert_eq!(
        connect["facts"]["mqtt5"]["accepted"], false,
        "{name}: {connect:#}"
    );
}

#[test]
fn pub_sub_and_check_reach_aedes_without_v() {
    if let Some(b) = OtherBroker::aedes() {
        pub_sub_and_check(&b, "aedes");
    }
}

#[test]
fn pub_sub_and_check_reach_amqtt_without_v() {
    if let Some(b) = OtherBroker::amqtt() {
        pub_sub_and_check(&b, "amqtt");
    }
}

#[test]
fn a_resumed_session_on_amqtt_with_a_user_name_gets_its_queued_messages() {
    let Some(b) = OtherBroker::amqtt_with_user("alice", "amqtt-pw") else {
        return;
    };
    let p = b.port.to_string();
    let session = [
        "-h",
        "127.0.0.1",
        "-p",
        &p,
        "-V",
        "311",
        "-u",
        "alice",
        "-P",
        "amqtt-pw",
        "-c",
        "-i",
        "resumed",
        "-q",
        "1",
        "-t",
        "queue/#",
    ];
    let away: Vec<&str> = ["sub"]
        .iter()
        .chain(&session)
        .chain(&["-E"])
        .copied()
        .collect();
    let out = mq_out(&away);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for i in 1..=3 {
        let (topic, payload) = (format!("queue/{i}"), format!("m{i}"));
        let out = mq_out(&[
            "pub",
            "-h",
            "127.0.0.1",
            "-p",
            &p,
            "-V",
            "311",
            "-u",
            "alice",
            "-P",
            "amqtt-pw",
            "-t",
            &topic,
            "-m",
            &payload,
            "-q",
            "1",
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    // amqtt sends the SUBACK only once the queued messages are acknowledged.
    let back: Vec<&str> = ["sub"]
        .iter()
        .chain(&session)
        .chain(&["-C", "3", "-W", "10"])
        .copied()
        .collect();
    let out = mq_out(&back);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "m1\nm2\nm3\n");
}
