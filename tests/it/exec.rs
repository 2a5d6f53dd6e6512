//! `mq sub --exec` against a real mosquitto: what the command gets (payload on stdin, the
//! message in its environment), concurrency, the timeout that kills its process group,
//! `--exec-fail exit`, and at-least-once processing of a persistent session across a kill -9.

use crate::common::*;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

#[test]
fn the_command_gets_the_payload_on_stdin_and_the_message_in_its_environment() {
    let b = Broker::start();
    let cmd = r#"printf '%s|%s|%s|%s|%s|%s|' "$MQ_TOPIC" "$MQ_QOS" "$MQ_RETAINED" "$MQ_RESPONSE_TOPIC" "$MQ_CORRELATION_DATA" "$MQ_USER_PROPERTY_SENSOR_ID"; cat"#;
    let sub = subscribed(&b, &["-t", "cmd/#", "-q", "1", "-C", "1", "--exec", cmd]);
    publish(
        &b,
        &[
            "-t",
            "cmd/a",
            "-q",
            "1",
            "-m",
            "hello\nworld",
            "--user-property",
            "sensor-id=7",
            "--response-topic",
            "back/1",
            "--correlation-data",
            "ab",
        ],
    );
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "cmd/a|1|0|back/1|6162|7|hello\nworld");
}

#[test]
fn commands_run_side_by_side_up_to_the_concurrency() {
    let b = Broker::start();
    let cmd = "sleep 2; echo \"$MQ_PAYLOAD\"";
    let sub = subscribed(
        &b,
        &[
            "-t",
            "work",
            "-q",
            "1",
            "-C",
            "4",
            "--concurrency",
            "4",
            "--exec",
            cmd,
        ],
    );
    let started = Instant::now();
    let out = run(
        mq_on(&b, "pub", &["-t", "work", "-q", "1", "-l"]),
        b"1\n2\n3\n4\n",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = sub.finish(LIMIT);
    let took = started.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: BTreeSet<String> = stdout(&out).lines().map(String::from).collect();
    assert_eq!(lines, ["1", "2", "3", "4"].map(String::from).into());
    // One after the other they would take 8 s.
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_command_past_its_timeout_is_killed_with_what_it_started() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let late = dir.path().join("late");
    // The grandchild would leave a file behind if it outlived the command's process group.
    let cmd = format!("(sleep 2; touch {}) & sleep 30", late.display());
    let sub = subscribed(
        &b,
        &[
            "-t",
            "slow",
            "-C",
            "1",
            "--exec-timeout",
            "500ms",
            "--exec",
            &cmd,
        ],
    );
    let started = Instant::now();
    publish(&b, &["-t", "slow", "-m", "x"]);
    let out = sub.finish(LIMIT);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("still running after 500ms: killed"), "{err}");
    assert!(err.contains("1 of 1 --exec commands failed"), "{err}");
    std::thread::sleep(Duration::from_millis(2500));
    assert!(!late.exists(), "a process of the killed command lived on");
}

#[test]
fn exec_fail_exit_ends_with_the_command_s_exit_code() {
    let b = Broker::start();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "fails",
            "-q",
            "1",
            "-C",
            "3",
            "--exec-fail",
            "exit",
            "--exec",
            "echo 'disk full' >&2; exit 7",
        ],
    );
    publish(&b, &["-t", "fails", "-q", "1", "-m", "x"]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("exited with status 7"), "{err}");
    assert!(err.contains("disk full"), "{err}");
}

#[test]
fn failures_are_counted_and_the_run_goes_on() {
    let b = Broker::start();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "mixed",
            "-C",
            "3",
            "--exec",
            "test \"$MQ_PAYLOAD\" != bad && echo ok",
        ],
    );
    let out = run(
        mq_on(&b, "pub", &["-t", "mixed", "-l"]),
        b"good\nbad\ngood\n",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stdout(&out), "ok\nok\n");
    assert!(stderr(&out).contains("1 of 3 --exec commands failed"));
}

/// The lines of `path`, as a set (a message processed twice is one entry).
fn lines_of(path: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn a_persistent_subscriber_killed_mid_stream_processes_every_message_once_restarted() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("processed");
    let cmd = format!("cat >> {0}; echo >> {0}; sleep 0.02", log.display());
    let args = [
        "-c", "-i", "worker-1", "-q", "1", "-t", "jobs/#", "--exec", &cmd,
    ];
    let mut first = subscribed(&b, &args);
    let lines: Vec<String> = (1..=200).map(|i| i.to_string()).collect();
    let out = run(
        mq_on(&b, "pub", &["-t", "jobs/a", "-q", "1", "-l"]),
        (lines.join("\n") + "\n").as_bytes(),
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let deadline = Instant::now() + Duration::from_secs(15);
    while lines_of(&log).len() < 30 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // kill -9: no goodbye, acknowledgements of what ran last may be lost.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let done_before = lines_of(&log).len();
    assert!(
        (30..200).contains(&done_before),
        "killed mid-stream: {done_before}"
    );
    let mut second = subscribed(&b, &args);
    let want: BTreeSet<String> = lines.into_iter().collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !lines_of(&log).is_superset(&want) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = second.child.kill();
    let _ = second.child.wait();
    let missing: Vec<_> = want.difference(&lines_of(&log)).cloned().collect();
    assert!(missing.is_empty(), "never processed: {missing:?}");
}

#[test]
fn exec_flags_need_exec_and_exclude_other_outputs() {
    assert_one_line_error(
        ["sub", "-t", "a", "--reply"].map(Into::into).to_vec(),
        2,
        "--exec",
    );
    assert_one_line_error(
        ["sub", "-t", "a", "--exec", "cat", "--json"]
            .map(Into::into)
            .to_vec(),
        2,
        "cannot be used with",
    );
}

#[test]
fn sigterm_lets_the_running_command_finish_then_exits_143() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let started = dir.path().join("started");
    let cmd = format!("touch {}; sleep 1; echo finished", started.display());
    let sub = subscribed(&b, &["-t", "long", "-q", "1", "--exec", &cmd]);
    publish(&b, &["-t", "long", "-q", "1", "-m", "x"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !started.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(started.exists(), "the command never started");
    let term = std::process::Command::new("kill")
        .args(["-TERM", &sub.pid().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let at = Instant::now();
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 143, "{}", stderr(&out));
    assert_eq!(stdout(&out), "finished\n");
    assert!(at.elapsed() < Duration::from_secs(5), "{:?}", at.elapsed());
}

#[test]
fn commands_far_behind_do_not_stop_the_keepalive() {
    // Five commands of 2 s one at a time, with a keepalive of 1 s: a session that stopped
    // reading while messages wait for a free slot would send no PINGREQ for seconds, and a
    // broker drops a client silent for 1.5 keepalives (with what it had queued for it).
    let b = Broker::start();
    let cmd = "sleep 2; echo \"$MQ_PAYLOAD\"";
    for v in ["311", "5"] {
        let topic = format!("slow/{v}");
        let sub = subscribed(
            &b,
            &[
                "-V", v, "-t", &topic, "-k", "1", "-C", "5", "-W", "30s", "--exec", cmd,
            ],
        );
        let lines = b"1\n2\n3\n4\n5\n";
        let out = run(mq_on(&b, "pub", &["-t", &topic, "-l"]), lines, LIMIT);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let out = sub.finish(Duration::from_secs(30));
        assert_eq!(code(&out), 0, "v{v}: {}", stderr(&out));
        assert_eq!(stdout(&out).as_bytes(), lines);
        let log = stderr(&out);
        // About 10 in 10 s; none when the keepalive waits for the commands.
        let pings = log.matches("sending PINGREQ").count();
        assert!(pings >= 5, "v{v}: {pings} PINGREQs in 10 s:\n{log}");
        assert!(!log.contains("reconnecting"), "{log}");
    }
}
