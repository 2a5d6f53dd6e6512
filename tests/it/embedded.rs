//! `--embedded` on `sub`, `pub`, `check` and `bench`: the broker of `mq serve` on a free loopback
//! port for one command. `sub` and `pub` print what another shell should type to reach it; a
//! broker flag typed with `--embedded` is refused, one from the environment is replaced.

use crate::common::*;
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

#[test]
fn check_embedded_is_healthy() {
    let out = run(
        mq_args(&["check", "--embedded"]),
        b"",
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("healthy: 6 of 6 checks passed"),
        "{}",
        stdout(&out)
    );
    let out = run(
        mq_args(&["check", "--embedded", "--probe", "--max-payload", "1MiB"]),
        b"",
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("no $SYS topics"), "{}", stdout(&out));
}

#[test]
fn bench_embedded_prints_a_summary() {
    let out = run(
        mq_args(&[
            "bench",
            "--embedded",
            "-c",
            "2",
            "-L",
            "2000",
            "-q",
            "1",
            "--quiet",
        ]),
        b"",
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("mq bench pubsub") && text.contains("lost 0"),
        "{text}"
    );
}

/// The command an `--embedded` note suggests for another shell, as arguments after `mq`.
fn suggested(note: &str) -> Vec<String> {
    let cmd = note
        .split("from another shell: mq ")
        .nth(1)
        .unwrap_or_else(|| panic!("no suggestion in {note:?}"));
    cmd.split_whitespace().map(str::to_string).collect()
}

#[test]
fn sub_embedded_receives_from_mq_pub_on_the_printed_port() {
    let mut c = mq_args(&["sub", "--embedded", "-t", "demo/#", "-C", "1", "-v", "-d"]);
    c.stderr(Stdio::piped());
    let sub = Running::until(c, "received SUBACK");
    let note = sub
        .seen()
        .iter()
        .find(|l| l.starts_with("mq sub: a broker runs inside mq on 127.0.0.1:"))
        .unwrap_or_else(|| panic!("no note in {:#?}", sub.seen()))
        .clone();
    let pub_args = suggested(&note);
    assert_eq!(pub_args[..3], ["pub", "-h", "127.0.0.1"], "{note}");
    assert!(
        pub_args.windows(2).any(|w| w == ["-t", "demo/hello"]),
        "{note}"
    );
    let out = run(
        mq_args(&pub_args.iter().map(String::as_str).collect::<Vec<_>>()),
        b"",
        LIMIT,
    );
    assert!(out.status.success(), "{pub_args:?}: {}", stderr(&out));
    let out = sub.finish(LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "demo/hello hello\n");
}

#[test]
fn pub_embedded_streams_lines_until_its_subscribers_leave() {
    let mut c = mq_args(&["pub", "--embedded", "-l", "-q", "1", "-t", "logs/app"]);
    c.stdout(Stdio::null());
    let mut publisher = Running::until_keep_stdout(c, "subscribe to it from another shell");
    let note = publisher.seen().last().unwrap().clone();
    assert!(
        note.starts_with("mq pub: a broker runs inside mq on 127.0.0.1:"),
        "{note}"
    );
    let sub_args = suggested(&note);
    assert_eq!(sub_args[..3], ["sub", "-h", "127.0.0.1"], "{note}");
    let mut c = mq_args(&sub_args.iter().map(String::as_str).collect::<Vec<_>>());
    c.args(["-C", "3", "-q", "1", "-d"]);
    let sub = Running::until(c, "received SUBACK");
    let mut input = publisher.stdin.take().unwrap();
    input.write_all(b"one\ntwo\nthree\n").unwrap();
    drop(input);
    let out = sub.finish(LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "logs/app one\nlogs/app two\nlogs/app three\n");
    let out = publisher.finish(LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn embedded_refuses_a_broker_given_on_the_command_line() {
    let conflict = "--embedded cannot be used with";
    for (args, flag) in [
        (
            &["sub", "--embedded", "-t", "a", "-h", "127.0.0.1"][..],
            "-h/--host",
        ),
        (&["sub", "--embedded", "-t", "a", "-p", "1884"], "-p/--port"),
        (
            &["sub", "--embedded", "-L", "mqtt://127.0.0.1/a"],
            "-L/--url",
        ),
        (
            &["sub", "--embedded", "-t", "a", "--cafile", "ca.pem"],
            "--cafile",
        ),
        (
            &[
                "sub",
                "--embedded",
                "-t",
                "a",
                "--ciphers",
                "ECDHE-RSA-AES128-GCM-SHA256",
            ],
            "--ciphers",
        ),
        (&["sub", "--embedded", "-t", "a", "--ws"], "--ws"),
        (
            &["pub", "--embedded", "-l", "-t", "a", "-h", "127.0.0.1"],
            "-h/--host",
        ),
        (
            &["pub", "--embedded", "-l", "-L", "mqtt://127.0.0.1/a"],
            "-L/--url",
        ),
        (&["check", "--embedded", "-p", "1884"], "-p/--port"),
        (&["bench", "--embedded", "-h", "127.0.0.1"], "-h/--host"),
        (&["bench", "pub", "--embedded", "-p", "1884"], "-p/--port"),
    ] {
        let argv = args.iter().map(Into::into).collect();
        assert_one_line_error(argv, 2, &format!("{conflict} {flag}"));
    }
    let argv = ["pub", "--embedded", "-t", "a", "-m", "x"]
        .iter()
        .map(Into::into)
        .collect();
    assert_one_line_error(argv, 2, "--embedded on mq pub needs -l");
}

#[test]
fn embedded_replaces_the_broker_of_the_environment() {
    let mut c = mq_args(&["sub", "--embedded", "-t", "a", "-E"]);
    c.env("MQ_HOST", "nowhere.invalid")
        .env("MQ_PORT", "1")
        .env("MQ_CAFILE", "/nonexistent/ca.pem")
        .env("MQ_WS", "true");
    let out = run(c, b"", LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
}
