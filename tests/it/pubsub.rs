//! `mq pub` and `mq sub` against a real mosquitto: round trips, stop conditions, retained
//! messages, wills, persistent sessions and payload sources.

use crate::common::*;
use std::io::Write;
use std::time::Duration;

#[test]
fn round_trip_every_qos_on_both_protocol_versions() {
    let b = Broker::start();
    for v in ["311", "5"] {
        for q in ["0", "1", "2"] {
            let topic = format!("rt/{v}/{q}");
            let sub = subscribed(&b, &["-V", v, "-q", q, "-t", &topic, "-C", "1", "-v"]);
            publish(&b, &["-V", v, "-q", q, "-t", &topic, "-m", "hello world"]);
            let out = sub.finish(LIMIT);
            assert_eq!(code(&out), 0, "{}", stderr(&out));
            assert_eq!(stdout(&out), format!("{topic} hello world\n"));
        }
    }
}

#[test]
fn wildcards_plus_and_hash() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "w/+/temp", "-t", "x/#", "-v", "-C", "3"]);
    for t in ["w/a/temp", "w/a/b/temp", "x", "other", "x/y/z"] {
        publish(&b, &["-t", t, "-m", t]);
    }
    let out = sub.finish(LIMIT);
    assert_eq!(stdout(&out), "w/a/temp w/a/temp\nx x\nx/y/z x/y/z\n");
}

#[test]
fn retained_reaches_a_late_subscriber_and_remove_retained_clears_it() {
    let b = Broker::start();
    publish(&b, &["-t", "r/a", "-m", "kept", "-r", "-q", "1"]);
    let out = run(
        mq_on(&b, "sub", &["-t", "r/#", "-v", "-C", "1", "-W", "5"]),
        b"",
        LIMIT,
    );
    assert_eq!(stdout(&out), "r/a kept\n");

    let out = run(
        mq_on(
            &b,
            "sub",
            &[
                "-t",
                "r/#",
                "--remove-retained",
                "--retained-only",
                "-W",
                "1",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(stdout(&out), "kept\n");
    // -W ends the drain: nothing else retained, so it times out with 27.
    assert_eq!(code(&out), 27, "{}", stderr(&out));

    let out = run(mq_on(&b, "sub", &["-t", "r/#", "-W", "1"]), b"", LIMIT);
    assert_eq!(stdout(&out), "", "retained message should be gone");
    assert_eq!(code(&out), 27);
}

#[test]
fn skip_retained_with_r() {
    let b = Broker::start();
    publish(&b, &["-t", "sr/a", "-m", "old", "-r"]);
    for v in ["311", "5"] {
        let sub = subscribed(&b, &["-V", v, "-t", "sr/#", "-R", "-C", "1"]);
        publish(&b, &["-t", "sr/a", "-m", "new"]);
        let out = sub.finish(LIMIT);
        assert_eq!(stdout(&out), "new\n", "-V {v}");
    }
}

#[test]
fn filter_out_with_t() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "f/#", "-T", "f/noise/#", "-C", "1", "-v"]);
    publish(&b, &["-t", "f/noise/x", "-m", "no"]);
    publish(&b, &["-t", "f/signal", "-m", "yes"]);
    assert_eq!(stdout(&sub.finish(LIMIT)), "f/signal yes\n");
}

#[test]
fn sub_exits_27_when_wait_expires() {
    let b = Broker::start();
    let started = std::time::Instant::now();
    let out = run(
        mq_on(&b, "sub", &["-t", "nothing/here", "-W", "500ms"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 27);
    assert!(stderr(&out).contains("timed out"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
    let out = run(
        mq_on(&b, "sub", &["-t", "nothing/here", "-W", "1", "--quiet"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 27);
    assert_eq!(stderr(&out), "");
}

#[test]
fn count_stops_after_n_messages() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "c", "-C", "3"]);
    let out = run(
        mq_on(&b, "pub", &["-t", "c", "-l"]),
        b"1\n2\n3\n4\n5\n",
        LIMIT,
    );
    assert!(out.status.success());
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), "1\n2\n3\n");
}

#[test]
fn stdin_lines_keep_cr_send_empty_lines_and_the_last_line_without_newline() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "l", "-C", "4", "-v", "-q", "1"]);
    let out = run(
        mq_on(&b, "pub", &["-t", "l", "-l", "-q", "1"]),
        b"one\r\n\ntwo\nlast",
        LIMIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&sub.finish(LIMIT)),
        "l one\r\nl (null)\nl two\nl last\n"
    );
}

#[test]
fn stdin_file_file_null_and_repeat() {
    let b = Broker::start();
    let payload: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    let file = temp_file(b.dir(), "blob", &payload);
    let sub = subscribed(&b, &["-t", "p/#", "-C", "5", "-N", "-q", "1"]);
    let out = run(
        mq_on(&b, "pub", &["-t", "p/s", "-s", "-q", "1"]),
        b"from\0stdin",
        LIMIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // 300 kB is over the default chunk (256 KiB): one raw message needs a larger chunk size.
    let f = file.to_str().unwrap();
    publish(
        &b,
        &["-t", "p/f", "-f", f, "-q", "1", "--chunk-size", "1MiB"],
    );
    publish(&b, &["-t", "p/n", "-n", "-q", "1"]);
    publish(
        &b,
        &[
            "-t",
            "p/r",
            "-m",
            "R",
            "--repeat",
            "2",
            "--repeat-delay",
            "10ms",
            "-q",
            "1",
        ],
    );
    let out = sub.finish(LIMIT);
    let mut want = b"from\0stdin".to_vec();
    want.extend_from_slice(&payload);
    want.extend_from_slice(b"RR");
    assert_eq!(out.stdout.len(), want.len());
    assert!(out.stdout == want, "payload bytes differ");
}

#[test]
fn will_is_published_when_the_publisher_dies_but_not_on_clean_exit() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "will/#", "-v", "-C", "1"]);
    let mut c = mq_on(
        &b,
        "pub",
        &[
            "-t",
            "x",
            "-l",
            "-d",
            "--will-topic",
            "will/dead",
            "--will-payload",
            "gone",
        ],
    );
    c.args(["-k", "5"]);
    let publisher = Running::until(c, "received CONNACK");
    // kill -9: no DISCONNECT, so the broker publishes the will.
    let _ = std::process::Command::new("kill")
        .args(["-9", &publisher.pid().to_string()])
        .status();
    let _ = publisher.finish(LIMIT);
    assert_eq!(stdout(&sub.finish(LIMIT)), "will/dead gone\n");

    for v in ["311", "5"] {
        let mut c = mq_on(
            &b,
            "pub",
            &["-V", v, "-t", "x", "-l", "-d", "--will-topic", "will/clean"],
        );
        c.args(["--will-payload", "should-not-arrive"]);
        let publisher = Running::until(c, "received CONNACK");
        let out = publisher.finish(LIMIT); // closes stdin: clean exit
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let out = run(
        mq_on(&b, "sub", &["-t", "will/clean", "-W", "1"]),
        b"",
        LIMIT,
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn persistent_session_receives_what_was_published_while_away() {
    let b = Broker::start();
    for v in ["311", "5"] {
        let id = format!("keeper-{v}");
        let t = format!("ps/{v}");
        let out = run(
            mq_on(
                &b,
                "sub",
                &["-V", v, "-c", "-i", &id, "-q", "1", "-t", &t, "-E"],
            ),
            b"",
            LIMIT,
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        publish(&b, &["-t", &t, "-q", "1", "-m", "while-away-1"]);
        publish(&b, &["-t", &t, "-q", "1", "-m", "while-away-2"]);
        let out = run(
            mq_on(
                &b,
                "sub",
                &[
                    "-V", v, "-c", "-i", &id, "-q", "1", "-t", &t, "-C", "2", "-W", "5",
                ],
            ),
            b"",
            LIMIT,
        );
        assert_eq!(
            stdout(&out),
            "while-away-1\nwhile-away-2\n",
            "-V {v}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn stdout_closed_exits_zero() {
    let b = Broker::start();
    let mut c = mq_on(&b, "sub", &["-t", "pipe", "-d"]);
    c.stdout(std::process::Stdio::piped());
    let mut sub = Running::until_keep_stdout(c, "received SUBACK");
    // Close our end of the pipe: the next write fails with EPIPE.
    drop(sub.child.stdout.take());
    let lines: String = (0..100).map(|i| format!("{i}\n")).collect();
    let _ = run(
        mq_on(&b, "pub", &["-t", "pipe", "-l"]),
        lines.as_bytes(),
        LIMIT,
    );
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn sigint_and_sigterm_disconnect_cleanly_with_documented_codes() {
    let b = Broker::start();
    for (sig, want) in [("-INT", 130), ("-TERM", 143)] {
        let sub = subscribed(
            &b,
            &[
                "-t",
                "sig",
                "--will-topic",
                "sig/will",
                "--will-payload",
                "died",
                "-V",
                "5",
            ],
        );
        let watcher = subscribed(&b, &["-t", "sig/will", "-W", "1"]);
        let _ = std::process::Command::new("kill")
            .args([sig, &sub.pid().to_string()])
            .status();
        let out = sub.finish(LIMIT);
        assert_eq!(code(&out), want, "{sig}: {}", stderr(&out));
        // Reason 0 DISCONNECT: the broker drops the will.
        let w = watcher.finish(LIMIT);
        assert_eq!(stdout(&w), "", "will published after {sig}");
    }
}

#[test]
fn qos1_publish_waits_for_every_ack() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "many", "-q", "1", "-C", "20000"]);
    let lines: String = (0..20000).map(|i| format!("{i}\n")).collect();
    let out = run(
        mq_on(&b, "pub", &["-t", "many", "-l", "-q", "1"]),
        lines.as_bytes(),
        LIMIT,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sub.finish(LIMIT);
    assert_eq!(stdout(&out), lines);
}

#[test]
fn falls_back_to_3_1_1_when_the_broker_refuses_5() {
    let b = Broker::start();
    let port = v311_only_proxy(b.port).to_string();
    let mut c = mq();
    c.args([
        "sub",
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-t",
        "fb",
        "-C",
        "1",
        "-d",
    ]);
    let sub = Running::until(c, "received SUBACK");
    let out = run(
        mq_args(&[
            "pub",
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "fb",
            "-q",
            "1",
            "-m",
            "old",
            "-d",
        ]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("trying 3.1.1"), "{}", stderr(&out));
    let s = sub.finish(LIMIT);
    assert_eq!(stdout(&s), "old\n");
    assert!(
        stderr(&s).contains("received CONNACK (MQTT 3.1.1"),
        "{}",
        stderr(&s)
    );
    // -V 5 forces MQTT 5: no fallback, the refusal is the answer.
    let mut c = mq();
    c.args([
        "pub",
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-V",
        "5",
        "-t",
        "fb",
        "-m",
        "x",
    ]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unsupported protocol version"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_line_written_to_an_open_pipe_is_published_before_stdin_ends() {
    let b = Broker::start();
    let mut sub = subscribed(&b, &["-t", "typed", "-C", "2"]);
    let mut c = mq_on(&b, "pub", &["-t", "typed", "-l", "-d"]);
    c.stdout(std::process::Stdio::null());
    let mut publisher = Running::until_keep_stdout(c, "received CONNACK");
    let mut stdin = publisher.stdin.take().unwrap();
    stdin.write_all(b"first\n").unwrap();
    stdin.flush().unwrap();
    // Delivered while mq pub still waits for more input.
    sub.wait_for("received PUBLISH", LIMIT);
    stdin.write_all(b"second\n").unwrap();
    drop(stdin);
    assert!(publisher.finish(LIMIT).status.success());
    assert_eq!(stdout(&sub.finish(LIMIT)), "first\nsecond\n");
}
