//! What a new user hit in the field: help that answers, `-W` that tells a dead broker from a
//! quiet topic, `-d` that shows what mosquitto_sub -d shows.

use crate::common::*;
use std::time::Duration;

#[test]
fn help_and_version_answer_on_every_subcommand() {
    for args in [
        &["completions", "--help"][..],
        &["man", "--help"],
        &["pub", "--version"],
        &["sub", "--version"],
        &["bench", "--version"],
    ] {
        let out = mq_out(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(!stdout(&out).is_empty(), "{args:?}");
    }
}

#[test]
fn pub_and_sub_help_show_their_own_flags_before_the_connection_flags() {
    for (cmd, own) in [("pub", "--topic"), ("sub", "--topic")] {
        let help = stdout(&mq_out(&[cmd, "--help"]));
        let own_at = help.find(own).expect(own);
        let host_at = help.find("--host").expect("--host");
        assert!(own_at < host_at, "{cmd} --help: {own} after --host");
    }
}

#[test]
fn help_examples_fit_80_columns_so_a_copied_line_is_a_whole_command() {
    for cmd in [
        "pub",
        "sub",
        "check",
        "capture",
        "bench",
        "serve",
        "completions",
        "man",
    ] {
        let help = stdout(&mq_out(&[cmd, "--help"]));
        let examples = help.split("Examples:").nth(1).unwrap_or("");
        for line in examples.lines() {
            assert!(line.chars().count() <= 80, "{cmd}: {line}");
        }
    }
}

#[test]
fn wait_of_zero_is_refused_before_connecting() {
    let out = mq_out(&["sub", "-t", "a", "-W", "0", "-p", "1"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("would time out at once"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_server_that_never_answers_connect_is_unreachable_not_a_quiet_topic() {
    // Accepts TCP connections and says nothing.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port().to_string();
    let out = mq_out(&["sub", "-h", "127.0.0.1", "-p", &port, "-t", "a", "-W", "2"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 3, "{err}");
    assert!(err.contains("no CONNACK"), "{err}");
    assert!(!err.contains("topic filter"), "{err}");
}

#[test]
fn the_topic_filter_hint_comes_only_when_nothing_arrived() {
    let b = Broker::start();
    let p = b.port.to_string();
    let out = mq_out(&["sub", "-p", &p, "-t", "quiet/topic", "-W", "1"]);
    assert_eq!(code(&out), 27);
    assert!(
        stderr(&out).contains("check the topic filter"),
        "{}",
        stderr(&out)
    );

    let sub = subscribed(&b, &["-t", "some/topic", "-W", "2", "-C", "3"]);
    publish(&b, &["-t", "some/topic", "-m", "one"]);
    let out = sub.finish(LIMIT);
    let err = stderr(&out);
    assert_eq!(code(&out), 27, "{err}");
    assert!(err.contains("1 of the 3 messages wanted"), "{err}");
    assert!(!err.contains("topic filter"), "{err}");
}

#[test]
fn debug_shows_what_mosquitto_sub_debug_shows() {
    let b = Broker::start();
    let p = b.port.to_string();
    // 3.1.1 allows a 1 s keepalive: PINGREQ/PINGRESP within the wait.
    let mut c = mq();
    c.args([
        "sub", "-p", &p, "-V", "311", "-k", "1", "-d", "-t", "dbg/+", "-W", "3",
    ]);
    let sub = Running::until(c, "received SUBACK");
    publish(&b, &["-t", "dbg/x", "-m", "hello"]);
    let out = sub.finish(LIMIT);
    let err = stderr(&out);
    for line in [
        "sending CONNECT",
        "received CONNACK",
        "sending SUBSCRIBE (dbg/+, QoS 0",
        "received SUBACK (QoS 0)",
        "received PUBLISH (d0, q0, r0, m0, 'dbg/x', ... (5 bytes))",
        "sending PINGREQ",
        "received PINGRESP",
    ] {
        assert!(err.contains(line), "missing '{line}' in:\n{err}");
    }
}

#[test]
fn keepalive_one_and_zero_on_mqtt_5() {
    // MQTT 5 as 3.1.1: -k 1 pings every second, -k 0 sends keep alive 0 and never pings.
    let b = Broker::start();
    let p = b.port.to_string();
    for (k, pings) in [("1", true), ("0", false)] {
        let mut c = mq();
        c.args(["sub", "-p", &p, "-k", k, "-d", "-t", "ka", "-W", "3"]);
        let out = run(c, b"", LIMIT);
        let err = stderr(&out);
        assert_eq!(code(&out), 27, "{err}");
        assert!(err.contains(&format!("keepalive {k}s")), "{err}");
        assert_eq!(
            err.matches("sending PINGREQ").count() >= 2,
            pings,
            "-k {k}: {err}"
        );
    }
}

#[test]
fn a_lost_connection_under_debug_is_one_clean_line() {
    let mut b = Broker::start();
    let p = b.port.to_string();
    let mut c = mq();
    c.args(["sub", "-p", &p, "-d", "-t", "x", "-W", "4"]);
    let mut sub = Running::until(c, "received SUBACK");
    b.stop();
    sub.wait_for("reconnecting in", Duration::from_secs(10));
    let out = sub.finish(LIMIT);
    let err = stderr(&out);
    assert!(!err.contains("debug: mq:"), "{err}");
}

/// What a 3.1.1-only broker does with an MQTT 5 CONNECT.
#[derive(Clone, Copy, Debug)]
enum V5Answer {
    /// A 3.1.1 CONNACK "unacceptable protocol version" (aedes: `20 02 00 01`), then close.
    Refuse311,
    /// Nothing at all (amqtt).
    Silence,
    /// Close the connection.
    Close,
}

/// A relay to `broker` that passes MQTT 3.1.1 connections and answers MQTT 5 ones as `answer`.
fn only_311(broker: u16, answer: V5Answer) -> u16 {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming().take(20) {
            let Ok(mut client) = conn else { return };
            std::thread::spawn(move || {
                let mut head = [0u8; 9]; // fixed header (2) + "\0\x04MQTT" (6) + level (1)
                if client.read_exact(&mut head).is_err() {
                    return;
                }
                if head[8] == 5 {
                    match answer {
                        V5Answer::Refuse311 => {
                            let _ = client.write_all(&[0x20, 0x02, 0x00, 0x01]);
                        }
                        V5Answer::Silence => std::thread::sleep(Duration::from_secs(15)),
                        V5Answer::Close => {}
                    }
                    return;
                }
                let Ok(mut up) = std::net::TcpStream::connect(("127.0.0.1", broker)) else {
                    return;
                };
                let _ = up.write_all(&head);
                let (mut c2, mut u2) = (client.try_clone().unwrap(), up.try_clone().unwrap());
                // A client that goes away abruptly is gone for the broker too (its will).
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut u2);
                    let _ = u2.shutdown(std::net::Shutdown::Both);
                });
                let _ = std::io::copy(&mut up, &mut client);
            });
        }
    });
    port
}

#[test]
fn a_broker_that_speaks_only_3_1_1_is_reached_without_v() {
    let b = Broker::start();
    for answer in [V5Answer::Refuse311, V5Answer::Silence, V5Answer::Close] {
        let port = only_311(b.port, answer).to_string();
        let topic = format!("fallback/{answer:?}");
        let mut c = mq();
        c.args([
            "sub",
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            &topic,
            "-C",
            "1",
            "-d",
        ]);
        c.args(["-W", "15"]);
        let sub = Running::until(c, "received SUBACK");
        let mut p = mq();
        p.args([
            "pub",
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            &topic,
            "-m",
            "hi",
            "-d",
        ]);
        let started = std::time::Instant::now();
        let out = run(p, b"", LIMIT);
        assert_eq!(code(&out), 0, "{answer:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("trying 3.1.1"),
            "{answer:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("CONNACK (MQTT 3.1.1"),
            "{}",
            stderr(&out)
        );
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{answer:?}: too slow"
        );
        let out = sub.finish(LIMIT);
        assert_eq!(code(&out), 0, "{answer:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "hi\n");
    }
}

/// Send `signal` to a running mq and return how long it took to exit, and its exit code.
fn signal_and_time(run: &mut Running, signal: &str) -> (Duration, Option<i32>) {
    let pid = run.pid().to_string();
    let started = std::time::Instant::now();
    std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    let deadline = started + Duration::from_secs(10);
    loop {
        if let Ok(Some(status)) = run.child.try_wait() {
            return (started.elapsed(), status.code());
        }
        if std::time::Instant::now() > deadline {
            let _ = run.child.kill();
            return (started.elapsed(), None);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn signals_end_sub_save_dir_and_capture_promptly_while_the_broker_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().to_str().unwrap().to_string();
    let cases: [(&str, Vec<&str>, &str, i32); 4] = [
        ("sub", vec!["-t", "s/#"], "TERM", 143),
        ("sub", vec!["-t", "s/#"], "INT", 130),
        ("sub", vec!["-t", "f/#", "--save-dir", &save], "TERM", 143),
        (
            "capture",
            vec!["--trigger", "c/go", "--topic", "c/img", "--exec", "echo x"],
            "TERM",
            0,
        ),
    ];
    for (cmd, args, signal, want) in cases {
        let mut b = Broker::start();
        let mut c = mq_on(&b, cmd, &args);
        c.arg("-d");
        let mut running = Running::until(c, "received SUBACK");
        b.stop();
        running.wait_for("reconnecting in", Duration::from_secs(10));
        let (took, code) = signal_and_time(&mut running, signal);
        assert_eq!(code, Some(want), "{cmd} {args:?} SIG{signal}");
        assert!(
            took < Duration::from_secs(2),
            "{cmd} {args:?}: {took:?} after SIG{signal}"
        );
    }
}

#[test]
fn mosquitto_s_unix_max_inflight_and_random_filter_flags_work() {
    // A unix socket listener beside the TCP one (the broker's temp dir is writable by it).
    let b = Broker::with(Config::default().extra("listener 0 {dir}/mq.sock"));
    let sock = b.dir().join("mq.sock");
    let sock = sock.to_str().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !std::path::Path::new(sock).exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut c = mq();
    c.args(["sub", "--unix", sock, "-t", "u/#", "-C", "1", "-v", "-d"]);
    let sub = Running::until(c, "received SUBACK");
    let mut p = mq();
    p.args([
        "pub",
        "--unix",
        sock,
        "-t",
        "u/1",
        "-m",
        "over a unix socket",
        "-q",
        "1",
    ]);
    let out = run(p, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&sub.finish(LIMIT)), "u/1 over a unix socket\n");

    // -M bounds the QoS 1 window of a stream; --random-filter shows a share, counting all.
    let lines: String = (0..400).map(|i| format!("{i}\n")).collect();
    let sub = subscribed(
        &b,
        &["-t", "rf", "--random-filter", "25", "-C", "400", "-W", "15"],
    );
    let mut p = mq_on(&b, "pub", &["-t", "rf", "-l", "-q", "1", "-M", "3"]);
    p.arg("-d");
    let out = run(p, lines.as_bytes(), LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown = stdout(&out).lines().count();
    assert!((40..=160).contains(&shown), "{shown} of 400 shown at 25%");

    let out = mq_out(&["pub", "-t", "x", "-m", "y", "-M", "0"]);
    assert_eq!(code(&out), 2);
    let out = mq_out(&["sub", "-t", "x", "--random-filter", "0"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn check_agrees_with_pub_on_a_broker_that_speaks_only_3_1_1() {
    let b = Broker::start();
    for answer in [V5Answer::Refuse311, V5Answer::Silence, V5Answer::Close] {
        let port = only_311(b.port, answer).to_string();
        let out = mq_out(&["check", "-h", "127.0.0.1", "-p", &port, "--probe", "--json"]);
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(code(&out), 0, "{answer:?}: {report}");
        let stages = report["stages"].as_array().unwrap();
        let stage = |name: &str| stages.iter().find(|s| s["name"] == name).cloned();
        let connect = stage("connect").unwrap();
        assert_eq!(connect["facts"]["version"], "3.1.1", "{connect}");
        if let Some(shared) = stage("shared_subscriptions") {
            assert_eq!(shared["skipped"], true, "{shared}");
        }
    }
}

#[test]
fn a_check_failure_is_said_once_and_a_closed_stdout_keeps_the_exit_code() {
    let closed = closed_port();
    let port = closed.port.to_string();
    let mq_path = env!("CARGO_BIN_EXE_mq");
    // On a terminal the report says it; stderr does not repeat it.
    let line = format!("{mq_path} check -h 127.0.0.1 -p {port}; echo exit=$?");
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("failed (exit 3)"), "{text}");
    assert!(!text.contains("mq: check of"), "said twice: {text}");
    assert!(text.contains("exit=3"), "{text}");
    // In a pipe whose reader leaves at once: still exit 3, and said on stderr.
    let line =
        format!("{mq_path} check -h 127.0.0.1 -p {port} | head -c 0; echo exit=${{PIPESTATUS[0]}}");
    let out = std::process::Command::new("bash")
        .args(["-c", &line])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("exit=3"),
        "{out:?}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("mq: check of"),
        "{out:?}"
    );
}

#[test]
fn a_d_value_may_start_with_a_dash_and_a_three_value_d_leaves_the_next_flag_alone() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "dash/#", "-C", "1", "-F", "%t %P|%C|%p"]);
    // As mosquitto_pub: `-v` and `-x-` are values here; `-t` after a three-value -D is a flag.
    publish(
        &b,
        &[
            "-D",
            "publish",
            "user-property",
            "k",
            "-v",
            "-D",
            "publish",
            "content-type",
            "-x-",
            "-t",
            "dash/a",
            "-m",
            "hi",
            "-q",
            "1",
        ],
    );
    let out = sub.finish(LIMIT);
    assert_eq!(stdout(&out), "dash/a k:-v|-x-|hi\n", "{}", stderr(&out));
}

/// One MQTT packet off `r`: its first byte and the whole packet's bytes.
fn read_packet(r: &mut impl std::io::Read) -> Option<(u8, Vec<u8>)> {
    let mut first = [0u8; 1];
    r.read_exact(&mut first).ok()?;
    let mut packet = vec![first[0]];
    let (mut len, mut shift) = (0usize, 0);
    loop {
        let mut b = [0u8; 1];
        r.read_exact(&mut b).ok()?;
        packet.push(b[0]);
        len |= usize::from(b[0] & 0x7f) << shift;
        shift += 7;
        if b[0] & 0x80 == 0 || shift > 21 {
            break;
        }
    }
    let start = packet.len();
    packet.resize(start + len, 0);
    r.read_exact(&mut packet[start..]).ok()?;
    Some((first[0], packet))
}

/// A relay to `broker` that holds each SUBACK until the client has acknowledged every QoS 1
/// message the broker sent before it, as amqtt does for a resumed session.
fn suback_after_pubacks(broker: u16) -> u16 {
    use std::collections::HashSet;
    use std::io::Write;
    use std::net::TcpStream;
    use std::sync::{Arc, Mutex};
    struct State {
        to_client: TcpStream,
        unacked: HashSet<u16>,
        held: Option<Vec<u8>>,
    }
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming().take(10) {
            let Ok(client) = conn else { return };
            let Ok(up) = TcpStream::connect(("127.0.0.1", broker)) else {
                return;
            };
            let state = Arc::new(Mutex::new(State {
                to_client: client.try_clone().unwrap(),
                unacked: HashSet::new(),
                held: None,
            }));
            let (mut from_client, mut to_broker) = (client, up.try_clone().unwrap());
            let s = state.clone();
            std::thread::spawn(move || {
                while let Some((first, p)) = read_packet(&mut from_client) {
                    if to_broker.write_all(&p).is_err() {
                        break;
                    }
                    if first >> 4 == 4 {
                        // PUBACK: the packet id follows the 2-byte fixed header.
                        let mut st = s.lock().unwrap();
                        st.unacked.remove(&u16::from_be_bytes([p[2], p[3]]));
                        if st.unacked.is_empty() {
                            if let Some(suback) = st.held.take() {
                                let _ = st.to_client.write_all(&suback);
                            }
                        }
                    }
                }
                let _ = to_broker.shutdown(std::net::Shutdown::Both);
            });
            std::thread::spawn(move || {
                let mut from_broker = up;
                while let Some((first, p)) = read_packet(&mut from_broker) {
                    let mut st = state.lock().unwrap();
                    match first >> 4 {
                        // A QoS 1 PUBLISH: the packet id follows the topic.
                        3 if (first >> 1) & 3 == 1 => {
                            let header = if p[1] & 0x80 == 0 { 2 } else { 3 };
                            let topic = usize::from(u16::from_be_bytes([p[header], p[header + 1]]));
                            let at = header + 2 + topic;
                            st.unacked.insert(u16::from_be_bytes([p[at], p[at + 1]]));
                        }
                        9 if !st.unacked.is_empty() => {
                            st.held = Some(p);
                            continue;
                        }
                        _ => {}
                    }
                    if st.to_client.write_all(&p).is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

#[test]
fn a_resumed_session_s_queue_is_acknowledged_before_the_suback_arrives() {
    let b = Broker::start();
    let p = b.port.to_string();
    let session = [
        "-c",
        "-i",
        "resume-queue",
        "-q",
        "1",
        "-t",
        "queue/#",
        "-V",
        "311",
    ];
    let mut away = vec!["sub", "-p", &p];
    away.extend(session);
    away.push("-E");
    let out = mq_out(&away);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for i in 1..=3 {
        publish(
            &b,
            &[
                "-t",
                &format!("queue/{i}"),
                "-m",
                &format!("m{i}"),
                "-q",
                "1",
            ],
        );
    }
    let relay = suback_after_pubacks(b.port).to_string();
    let mut back = vec!["sub", "-h", "127.0.0.1", "-p", &relay];
    back.extend(session);
    back.extend(["-C", "3", "-W", "5"]);
    let out = mq_out(&back);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "m1\nm2\nm3\n");
}

#[test]
fn bench_conn_reaches_a_3_1_1_only_broker_without_v() {
    let b = Broker::start();
    for answer in [V5Answer::Refuse311, V5Answer::Silence, V5Answer::Close] {
        let port = only_311(b.port, answer).to_string();
        let mut c = mq();
        c.args(["bench", "conn", "-h", "127.0.0.1", "-p", &port, "-c", "5"]);
        c.args(["--json", "--quiet"]);
        let out = run(c, b"", LIMIT);
        assert_eq!(code(&out), 0, "{answer:?}: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["connected"], 5, "{answer:?}: {v}");
        assert_eq!(v["connect_failures"], 0, "{answer:?}: {v}");
    }
}
