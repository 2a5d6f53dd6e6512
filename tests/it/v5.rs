//! MQTT 5 properties: what `mq pub` sends is read back by mosquitto_sub's own `-F` (an
//! independent decoder), both for the named flags and mosquitto's `-D` spelling; topic aliases
//! on `-l` streams; subscription options; and the usage errors around them.

use crate::common::*;

/// Create a persistent QoS 1 session for mosquitto_sub, run `publish`, then read `n`
/// messages from the session with the `-F` format.
fn read_back(b: &Broker, topic: &str, n: usize, format: &str, publish: impl FnOnce()) -> String {
    let id = ["-V", "5", "-c", "-i", "reader", "-q", "1", "-t", topic];
    let mut c = mosquitto_sub(b, &id);
    c.arg("-E");
    let out = run(c, b"", LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
    publish();
    let mut c = mosquitto_sub(b, &id);
    c.args(["-C", &n.to_string(), "-W", "10", "-F", format]);
    let out = run(c, b"", LIMIT);
    assert!(out.status.success(), "mosquitto_sub: {}", stderr(&out));
    stdout(&out)
}

const FORMAT: &str = "%t|%p|C=%C|E=%E|F=%F|P=%P|R=%R|D=%D";

/// `got` with its `E=` field (message expiry) put back to `set` when the broker counted it
/// down by a few seconds while the message waited in the session: a loaded machine may take
/// a second between publishing and reading back.
fn expiry_as_set(got: &str, set: u32) -> String {
    let Some((head, rest)) = got.split_once("|E=") else {
        return got.to_string();
    };
    let (value, tail) = rest.split_once('|').unwrap_or((rest, ""));
    match value.parse::<u32>() {
        Ok(left) if left <= set && left + 10 >= set => format!("{head}|E={set}|{tail}"),
        _ => got.to_string(),
    }
}

#[test]
fn publish_properties_arrive() {
    let b = Broker::start();
    let got = read_back(&b, "v5/p", 1, FORMAT, || {
        publish(
            &b,
            &[
                "-t",
                "v5/p",
                "-m",
                "{\"t\":1}",
                "-q",
                "1",
                "--user-property",
                "k1=v1",
                "--user-property",
                "k2=a=b",
                "--content-type",
                "application/json",
                "--message-expiry",
                "1h",
                "--response-topic",
                "v5/reply",
                "--correlation-data",
                "req-42",
                "--payload-format",
                "utf8",
            ],
        )
    });
    assert_eq!(
        expiry_as_set(&got, 3600),
        "v5/p|{\"t\":1}|C=application/json|E=3600|F=1|P=k1:v1 k2:a=b|R=v5/reply|D=req-42\n"
    );
}

#[test]
fn mosquitto_dash_d_spelling_is_the_same() {
    let b = Broker::start();
    let got = read_back(&b, "v5/d", 1, FORMAT, || {
        publish(
            &b,
            &[
                "-t",
                "v5/d",
                "-m",
                "x",
                "-q",
                "1",
                "-D",
                "publish",
                "user-property",
                "k",
                "v",
                "-D",
                "PUBLISH",
                "content-type",
                "text/plain",
                "-D",
                "publish",
                "message-expiry-interval",
                "60",
                "-D",
                "connect",
                "user-property",
                "c",
                "1",
            ],
        )
    });
    assert_eq!(
        expiry_as_set(&got, 60),
        "v5/d|x|C=text/plain|E=60|F=|P=k:v|R=|D=\n"
    );
}

#[test]
fn line_streams_can_use_a_topic_alias() {
    let b = Broker::with(Config::default().extra("log_type all"));
    let lines: String = (0..50).map(|i| format!("line {i}\n")).collect();
    let got = read_back(&b, "v5/alias", 50, "%t %p", || {
        let out = run(
            mq_on(
                &b,
                "pub",
                &[
                    "-t",
                    "v5/alias",
                    "-l",
                    "-q",
                    "1",
                    "-D",
                    "publish",
                    "topic-alias",
                    "1",
                ],
            ),
            lines.as_bytes(),
            LIMIT,
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    });
    let want: String = (0..50).map(|i| format!("v5/alias line {i}\n")).collect();
    assert_eq!(got, want);
}

/// `mq pub -l` through a byte-counting relay: (bytes mq sent, stderr).
fn stream_through_relay(b: &Broker, topic: &str, lines: &str, extra: &[&str]) -> (u64, String) {
    let (port, sent) = counting_proxy(b.port);
    let mut c = mq();
    c.args(["pub", "-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-t", topic, "-l", "-q", "1", "-d"])
        .args(extra);
    let out = run(c, lines.as_bytes(), LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The relay counts as it forwards: mq exited after its last acknowledgement came back.
    (
        sent.load(std::sync::atomic::Ordering::Relaxed),
        stderr(&out),
    )
}

#[test]
fn line_streams_use_a_topic_alias_without_being_asked() {
    let b = Broker::start();
    let topic = "v5/auto-alias/a-topic-long-enough-to-show-on-the-wire/0123456789";
    let lines: String = (0..200).map(|i| format!("line {i}\n")).collect();
    let mut aliased = (0, String::new());
    let got = read_back(&b, topic, 200, "%t %p", || {
        aliased = stream_through_relay(&b, topic, &lines, &[]);
    });
    let want: String = (0..200).map(|i| format!("{topic} line {i}\n")).collect();
    assert_eq!(got, want);
    assert!(
        aliased
            .1
            .contains(&format!("topic alias 1 stands for '{topic}'")),
        "{}",
        aliased.1
    );

    let mut full = (0, String::new());
    let got = read_back(&b, topic, 200, "%t %p", || {
        full = stream_through_relay(&b, topic, &lines, &["--no-topic-alias"]);
    });
    assert_eq!(got, want);
    assert!(full.1.contains("no topic alias"), "{}", full.1);
    // 199 messages without their 64-byte topic, less the 3-byte alias property on all 200.
    let saved = full.0 as i64 - aliased.0 as i64;
    assert!(
        saved >= 199 * topic.len() as i64 - 200 * 3,
        "{} bytes with aliases, {} without",
        aliased.0,
        full.0
    );
}

#[test]
fn no_alias_when_the_broker_allows_none() {
    let b = Broker::with(Config::default().extra("max_topic_alias 0"));
    let lines: String = (0..20).map(|i| format!("line {i}\n")).collect();
    let mut err = String::new();
    let got = read_back(&b, "v5/no-alias", 20, "%t %p", || {
        err = stream_through_relay(&b, "v5/no-alias", &lines, &[]).1;
    });
    let want: String = (0..20).map(|i| format!("v5/no-alias line {i}\n")).collect();
    assert_eq!(got, want);
    assert!(err.contains("no topic alias"), "{err}");
}

/// "session present" of a persistent connect as `id` (and leaves the session there).
fn session_present(b: &Broker, id: &str) -> bool {
    let out = run(
        mq_on(
            b,
            "pub",
            &["-c", "-i", id, "-x", "1h", "-t", "s", "-m", "x", "-d"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    stderr(&out).contains("session present: true")
}

#[test]
fn disconnect_properties_reach_the_broker() {
    let b = Broker::with(Config::default().extra("log_type all"));
    assert!(!session_present(&b, "dx"));
    assert!(session_present(&b, "dx"), "the session did not outlive mq");
    // DISCONNECT with session expiry 0 ends the session at once (mosquitto_pub's spelling).
    let out = run(
        mq_on(
            &b,
            "pub",
            &[
                "-c",
                "-i",
                "dx",
                "-x",
                "1h",
                "-q",
                "1",
                "-t",
                "s",
                "-m",
                "x",
                "-D",
                "disconnect",
                "session-expiry-interval",
                "0",
                "-D",
                "disconnect",
                "user-property",
                "k",
                "v",
                "-D",
                "disconnect",
                "reason-string",
                "done",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !session_present(&b, "dx"),
        "DISCONNECT's session expiry was ignored"
    );
    // The broker took the DISCONNECT as a normal one, not a malformed packet.
    assert!(b.log().contains("Client dx disconnected."), "{}", b.log());
    assert!(!b.log().contains("malformed"), "{}", b.log());
}

#[test]
fn unsubscribe_user_properties_are_accepted() {
    let b = Broker::with(Config::default().extra("log_type all"));
    let c = mq_on(
        &b,
        "sub",
        &[
            "-i",
            "unsub-props",
            "-t",
            "u/#",
            "-U",
            "u/a",
            "-W",
            "1",
            "-d",
            "-D",
            "unsubscribe",
            "user-property",
            "why",
            "muted",
        ],
    );
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    assert!(
        b.log().contains("Sending UNSUBACK to unsub-props"),
        "{}",
        b.log()
    );
    assert!(!b.log().contains("malformed"), "{}", b.log());
}

#[test]
fn disconnect_and_unsubscribe_properties_are_checked() {
    let bad: [(&[&str], &str); 4] = [
        (
            &[
                "pub",
                "-t",
                "a",
                "-m",
                "b",
                "-D",
                "disconnect",
                "session-expiry-interval",
                "60",
            ],
            "needs a session that outlives the connection",
        ),
        (
            &[
                "pub",
                "-t",
                "a",
                "-m",
                "b",
                "-D",
                "unsubscribe",
                "user-property",
                "k",
                "v",
            ],
            "mq does not send properties on unsubscribe packets",
        ),
        (
            &["sub", "-t", "a", "-D", "disconnect", "topic-alias", "1"],
            "topic-alias is not a property mq can send on disconnect",
        ),
        (
            &[
                "sub",
                "-t",
                "a",
                "-V",
                "311",
                "-D",
                "unsubscribe",
                "user-property",
                "k",
                "v",
            ],
            "needs MQTT 5",
        ),
    ];
    for (args, text) in bad {
        let mut a: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        a.extend(["-p".into(), "1".into()]);
        assert_one_line_error(a, 2, text);
    }
}

#[test]
fn retain_handling_2_skips_retained_messages() {
    let b = Broker::start();
    publish(&b, &["-t", "v5/r", "-m", "kept", "-r", "-q", "1"]);
    let out = run(
        mq_on(
            &b,
            "sub",
            &["-t", "v5/r", "--retain-handling", "2", "-W", "1"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let out = run(
        mq_on(
            &b,
            "sub",
            &["-t", "v5/r", "--retain-handling", "0", "-C", "1", "-W", "5"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(stdout(&out), "kept\n", "{}", stderr(&out));
}

#[test]
fn subscription_options_are_accepted_by_the_broker() {
    let b = Broker::start();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "v5/s",
            "-C",
            "1",
            "--no-local",
            "--retain-as-published",
            "--subscription-id",
            "7",
            "--user-property",
            "who=test",
            "-D",
            "subscribe",
            "user-property",
            "k",
            "v",
        ],
    );
    publish(&b, &["-t", "v5/s", "-m", "hello"]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "hello\n");
}

#[test]
fn properties_need_mqtt_5() {
    let b = Broker::start();
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "pub",
            &["-t", "a", "-m", "x", "-V", "311", "--content-type", "t"],
            "needs MQTT 5, but -V 311 was given",
        ),
        (
            "sub",
            &["-t", "a", "-V", "311", "--no-local"],
            "needs MQTT 5, but -V 311 was given",
        ),
        (
            "pub",
            &["-t", "a", "-m", "x", "--user-property", "novalue"],
            "not KEY=VALUE",
        ),
        (
            "pub",
            &[
                "-t",
                "a",
                "-m",
                "x",
                "-D",
                "subscribe",
                "subscription-identifier",
                "1",
            ],
            "-D subscribe",
        ),
        (
            "pub",
            &["-t", "a", "-m", "x", "-D", "publish", "bogus", "1"],
            "bogus is not a property",
        ),
        (
            "pub",
            &[
                "-t",
                "a",
                "-m",
                "x",
                "-D",
                "publish",
                "message-expiry-interval",
                "soon",
            ],
            "not a valid message-expiry-interval",
        ),
        ("sub", &["-t", "a", "--retain-handling", "3"], "3"),
        ("sub", &["-t", "a", "--subscription-id", "0"], "0"),
    ];
    for (cmd, args, text) in cases {
        let out = run(mq_on(&b, cmd, args), b"", LIMIT);
        assert_eq!(code(&out), 2, "{cmd} {args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(text),
            "{cmd} {args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn utf8_payload_format_is_checked_before_sending() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let bin = temp_file(dir.path(), "bin", b"\xff\xfe");
    let out = run(
        mq_on(
            &b,
            "pub",
            &[
                "-t",
                "a",
                "-f",
                bin.to_str().unwrap(),
                "--payload-format",
                "utf8",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the file is not UTF-8 text"),
        "{}",
        stderr(&out)
    );
    let out = run(
        mq_on(
            &b,
            "pub",
            &["-t", "a", "-m", "\u{fffd}ok", "--payload-format", "utf8"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(
        mq_on(&b, "pub", &["-t", "a", "-l", "--payload-format", "utf8"]),
        b"ok\n\xff\n",
        LIMIT,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("line 2 of stdin is not UTF-8"));
}

#[test]
fn will_properties_arrive_with_the_will() {
    let b = Broker::start();
    let got = read_back(&b, "v5/will", 1, FORMAT, || {
        // A subscriber with a will, killed without a DISCONNECT: the broker publishes the will.
        let mut sub = subscribed(
            &b,
            &[
                "-t",
                "v5/other",
                "--will-topic",
                "v5/will",
                "--will-payload",
                "gone",
                "--will-qos",
                "1",
                "-D",
                "will",
                "content-type",
                "text/plain",
                "-D",
                "will",
                "user-property",
                "why",
                "killed",
            ],
        );
        sub.child.kill().unwrap();
        let _ = sub.child.wait();
    });
    assert_eq!(got, "v5/will|gone|C=text/plain|E=|F=|P=why:killed|R=|D=\n");
    // Without a will there is nothing to put them on.
    let out = run(
        mq_on(
            &b,
            "pub",
            &["-t", "a", "-m", "x", "-D", "will", "content-type", "t"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("-D will ... needs a will"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn mq_sub_shows_what_mq_pub_sent() {
    let b = Broker::start();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "v5/e2e",
            "-C",
            "1",
            "--subscription-id",
            "7",
            "-F",
            "%C|%P|%R|%D|%S|%p",
        ],
    );
    publish(
        &b,
        &[
            "-t",
            "v5/e2e",
            "-m",
            "hi",
            "--content-type",
            "text/plain",
            "--user-property",
            "k=v",
            "--response-topic",
            "v5/reply",
            "--correlation-data",
            "42",
        ],
    );
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "text/plain|k:v|v5/reply|42|7|hi\n");
}
