//! Nothing lost across a broker restart or a crashed subscriber: persistent sessions
//! (`-c -i ID`, QoS ≥ 1) resend what was in flight and receive what was queued.

use crate::common::*;
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn lines(n: usize) -> String {
    (0..n).map(|i| format!("{i}\n")).collect()
}

/// Stream `want` (lines) with `mq pub -l` and `args`, restarting the broker once the lines
/// before line `split` are written: the rest is written during the outage. Returns the
/// publisher's output.
fn publish_across_a_restart(
    b: &mut Broker,
    args: &[&str],
    want: &str,
    split: usize,
) -> std::process::Output {
    let mut p = mq_on(b, "pub", args);
    p.args(["-l", "-d", "--ack-timeout", "60s"]);
    let mut publisher = Running::until(p, "received CONNACK");
    let mut stdin = publisher.stdin.take().unwrap();
    let (first, rest) = want.split_at(want.find(&format!("\n{split}\n")).unwrap() + 1);
    stdin.write_all(first.as_bytes()).unwrap();
    stdin.flush().unwrap();
    b.restart();
    stdin.write_all(rest.as_bytes()).unwrap();
    drop(stdin);
    publisher.finish(Duration::from_secs(120))
}

/// The subscriber's output file once it holds `last` (waiting at most 60 s); stops `sub`.
fn output_through(sub: Running, path: &std::path::Path, last: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut got = String::new();
    while Instant::now() < deadline {
        got = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
        if got.contains(last) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = sub.finish(Duration::from_secs(1));
    got
}

/// Publish N lines at `qos` with a persistent session while the broker restarts, into a
/// persistent subscriber; returns the subscriber's lines.
fn through_a_restart(qos: &str, n: usize) -> Vec<usize> {
    let mut b = Broker::with(Config::default().persistent());
    let want = lines(n);
    // -C counts duplicates too (QoS 1 allows them): stop on -W instead.
    let out_path = b.dir().join("sub.out");
    let mut c = mq_on(
        &b,
        "sub",
        &[
            "-c", "-i", "rs-sub", "-q", qos, "-t", "rs", "-W", "60", "-d",
        ],
    );
    c.stdout(std::fs::File::create(&out_path).unwrap());
    let sub = Running::until_keep_stdout(c, "received SUBACK");
    // Restart while the first 30 % are in flight; the rest is written during the outage.
    let args = ["-c", "-i", "rs-pub", "-q", qos, "-t", "rs"];
    let out = publish_across_a_restart(&mut b, &args, &want, n * 3 / 10);
    assert_eq!(code(&out), 0, "publisher: {}", tail(&stderr(&out)));
    assert!(
        stderr(&out).contains("reconnecting"),
        "the restart was not noticed"
    );

    // Wait (bounded) until the last line arrived, then stop the subscriber.
    output_through(sub, &out_path, &format!("\n{}\n", n - 1))
        .lines()
        .map(|l| l.parse().unwrap())
        .collect()
}

#[test]
fn broker_restart_during_a_qos2_stream_loses_nothing_and_duplicates_nothing() {
    let got = through_a_restart("2", 50_000);
    // Exactly once: every line, no line twice. (Order is pinned at QoS 1 below; at QoS 2
    // mosquitto may release a window of messages out of order.)
    let mut sorted = got.clone();
    sorted.sort_unstable();
    let want: Vec<usize> = (0..50_000).collect();
    assert!(sorted == want, "{}", describe(&got, 50_000));
}

#[test]
fn broker_restart_during_a_qos1_stream_loses_nothing_and_keeps_order() {
    let got = through_a_restart("1", 100_000);
    // QoS 1 is at-least-once: an acknowledgement lost in the restart means a resend. Every
    // line must be there, first occurrences in order.
    let mut seen = std::collections::HashSet::new();
    let firsts: Vec<usize> = got.iter().copied().filter(|x| seen.insert(*x)).collect();
    let want: Vec<usize> = (0..100_000).collect();
    assert!(firsts == want, "{}", describe(&got, 100_000));
}

fn describe(got: &[usize], n: usize) -> String {
    let set: std::collections::HashSet<_> = got.iter().collect();
    let missing: Vec<usize> = (0..n).filter(|i| !set.contains(i)).take(10).collect();
    let jumps: Vec<(usize, usize)> = got
        .windows(2)
        .filter(|w| w[1] != w[0] + 1)
        .map(|w| (w[0], w[1]))
        .take(10)
        .collect();
    format!(
        "{} lines, missing {missing:?}..., jumps {jumps:?}...",
        got.len()
    )
}

#[test]
fn a_killed_persistent_subscriber_gets_the_rest_when_it_comes_back() {
    let b = Broker::start();
    const N: usize = 5_000;
    let first_out = b.dir().join("first.out");
    let sub_args = ["-c", "-i", "crashy", "-q", "1", "-t", "k", "-d"];

    let mut c = mq_on(&b, "sub", &sub_args);
    c.stdout(std::fs::File::create(&first_out).unwrap());
    let first = Running::until_keep_stdout(c, "received SUBACK");
    let mut feeder = std::process::Command::new(env!("CARGO_BIN_EXE_mq"));
    feeder
        .arg("pub")
        .args(b.conn())
        .args(["-q", "1", "-t", "k", "-l"]);
    feeder
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut feeder = feeder.spawn().unwrap();
    let mut fin = feeder.stdin.take().unwrap();
    let payload = lines(N);
    let writer = std::thread::spawn(move || {
        let _ = fin.write_all(payload.as_bytes());
    });
    // kill -9 once it has printed something, mid-stream.
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&first_out).map(|m| m.len()).unwrap_or(0) < 1000 {
        assert!(
            Instant::now() < deadline,
            "the first subscriber never received anything"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = std::process::Command::new("kill")
        .args(["-9", &first.pid().to_string()])
        .status();
    let _ = first.finish(LIMIT);
    writer.join().unwrap();
    let f = wait_with_limit(feeder, Duration::from_secs(60));
    assert_eq!(code(&f), 0, "{}", stderr(&f));

    let c = mq_on(
        &b,
        "sub",
        &["-c", "-i", "crashy", "-q", "1", "-t", "k", "-W", "10"],
    );
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    let second = stdout(&out);

    let mut got: Vec<usize> = std::fs::read_to_string(&first_out)
        .unwrap()
        .lines()
        .chain(second.lines())
        .map(|l| l.parse().unwrap())
        .collect();
    got.sort_unstable();
    got.dedup();
    assert_eq!(
        got.len(),
        N,
        "messages missing after the subscriber crashed"
    );
}

#[test]
fn a_stream_whose_broker_goes_away_exits_1_not_0() {
    let mut b = Broker::start();
    let mut publisher = mq_on(
        &b,
        "pub",
        &["-q", "1", "-t", "gone", "-l", "-d", "--ack-timeout", "2s"],
    );
    publisher.stderr(Stdio::piped());
    let mut publisher = Running::until(publisher, "received CONNACK");
    b.stop();
    let mut stdin = publisher.stdin.take().unwrap();
    stdin.write_all(lines(1000).as_bytes()).unwrap();
    drop(stdin);
    let p = publisher.finish(Duration::from_secs(60));
    assert_eq!(code(&p), 1, "{}", tail(&stderr(&p)));
    assert!(
        stderr(&p).contains("not acknowledged"),
        "{}",
        tail(&stderr(&p))
    );
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

#[test]
fn a_topic_aliased_stream_sets_its_alias_up_again_after_a_broker_restart() {
    // mosquitto allows 10 topic aliases by default: mq pub -l uses one without being asked.
    let mut b = Broker::with(Config::default().persistent());
    const N: usize = 20_000;
    let topic = "aliased/stream/with/a/longer/topic";
    let out_path = b.dir().join("sub.out");
    let mut c = mq_on(
        &b,
        "sub",
        &[
            "-c", "-i", "al-sub", "-q", "1", "-t", topic, "-v", "-W", "60", "-d",
        ],
    );
    c.stdout(std::fs::File::create(&out_path).unwrap());
    let sub = Running::until_keep_stdout(c, "received SUBACK");
    let want = lines(N);
    // Restart with QoS 1 messages in flight: their resends must carry the topic, and the
    // alias is set up again on the new connection.
    let args = ["-c", "-i", "al-pub", "-q", "1", "-t", topic];
    let out = publish_across_a_restart(&mut b, &args, &want, N / 2);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "publisher: {}", tail(&err));
    assert!(
        err.contains(&format!("topic alias 1 stands for '{topic}'")),
        "{}",
        tail(&err)
    );
    assert!(
        err.contains("the next message sets topic alias 1 up again"),
        "the restart was not noticed: {}",
        tail(&err)
    );
    assert!(
        !err.contains("protocol error"),
        "the broker refused an alias: {}",
        tail(&err)
    );

    let got = output_through(sub, &out_path, &format!("{topic} {}\n", N - 1));
    let mut seen = std::collections::HashSet::new();
    for line in got.lines() {
        let (t, n) = line.rsplit_once(' ').unwrap();
        assert_eq!(t, topic, "{line}");
        seen.insert(n.parse::<usize>().unwrap());
    }
    assert_eq!(seen.len(), N, "messages missing after the restart");
}

/// One scripted MQTT 3.1.1 connection: answers CONNECT with `session_present`, and a SUBSCRIBE
/// (if one comes first) with a SUBACK, then sends `publish` (raw PUBLISH packets) and either
/// hangs up at once or keeps the connection open for `keep` (reading what the client sends).
fn scripted_connection(
    l: &std::net::TcpListener,
    session_present: bool,
    subscribe: bool,
    publish: &[Vec<u8>],
    keep: Duration,
) {
    use std::io::{Read, Write};
    let (mut s, _) = l.accept().unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let read_packet = |s: &mut std::net::TcpStream| -> Vec<u8> {
        let mut head = [0u8; 2];
        s.read_exact(&mut head).unwrap();
        assert!(head[1] < 0x80, "short packets only: {head:?}");
        let mut body = vec![0u8; usize::from(head[1])];
        s.read_exact(&mut body).unwrap();
        [head.to_vec(), body].concat()
    };
    let connect = read_packet(&mut s);
    assert_eq!(connect[0], 0x10, "{connect:?}");
    s.write_all(&[0x20, 0x02, u8::from(session_present), 0x00])
        .unwrap();
    if subscribe {
        let sub = read_packet(&mut s);
        assert_eq!(sub[0], 0x82, "{sub:?}");
        s.write_all(&[0x90, 0x03, sub[2], sub[3], 0x01]).unwrap();
    }
    for p in publish {
        s.write_all(p).unwrap();
    }
    let end = Instant::now() + keep;
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut sink = [0u8; 256];
    while Instant::now() < end {
        if let Ok(0) = s.read(&mut sink) {
            return;
        }
    }
}

/// A QoS 1 PUBLISH on topic `t`.
fn publish_packet(pkid: u16, dup: bool, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x32 | if dup { 0x08 } else { 0 }, (5 + payload.len()) as u8];
    p.extend_from_slice(&[0x00, 0x01, b't']);
    p.extend_from_slice(&pkid.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

#[test]
fn a_new_message_on_a_packet_id_still_unacknowledged_is_not_taken_for_a_resend() {
    // The broker sends m7, the connection drops before the command has acknowledged it, and
    // on the resumed session the broker sends a *new* message as m7 (no DUP flag: it has
    // reused the packet id). It must be delivered, not dropped as a resend of the first.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    let broker = std::thread::spawn(move || {
        let first = [publish_packet(7, false, b"one")];
        scripted_connection(&l, false, true, &first, Duration::ZERO);
        let second = [publish_packet(7, false, b"two")];
        scripted_connection(&l, true, false, &second, Duration::from_secs(6));
    });
    let cmd = "sleep 1; cat; echo";
    let args = [
        "sub",
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-V",
        "311",
        "-c",
        "-i",
        "reuse",
        "-q",
        "1",
        "-t",
        "t",
        "-C",
        "2",
        "-W",
        "8",
        "-d",
        "--exec",
        cmd,
    ];
    let out = mq_out(&args);
    broker.join().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "one\ntwo\n", "{}", stderr(&out));
}
