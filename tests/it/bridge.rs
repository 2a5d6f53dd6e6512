//! `mq bridge` between two real mosquitto brokers: forwarding at each QoS with topics renamed,
//! both ways without echoes, retained messages, and nothing lost when the source broker, the
//! destination broker or the bridge itself goes down mid-stream.

use crate::common::*;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

/// `mq bridge --from A --to B ARGS`, once it has subscribed.
fn bridge(a: &Broker, b: &Broker, args: &[&str]) -> Running {
    let mut c = mq();
    c.arg("bridge")
        .args(["--from", &format!("mqtt://127.0.0.1:{}", a.port)])
        .args(["--to", &format!("mqtt://127.0.0.1:{}", b.port)])
        .args(args);
    Running::until(c, "forwarding")
}

/// Stop a bridge the way a service manager does, and return its output.
fn stop(bridge: Running) -> std::process::Output {
    let _ = Command::new("kill")
        .args(["-TERM", &bridge.pid().to_string()])
        .status();
    bridge.finish(Duration::from_secs(15))
}

/// What a subscriber printed after a fixed window (duplicates must not end it early).
fn window(sub: Running, wait: Duration) -> String {
    std::thread::sleep(wait);
    let _ = Command::new("kill")
        .args(["-TERM", &sub.pid().to_string()])
        .status();
    stdout(&sub.finish(Duration::from_secs(5)))
}

#[test]
fn bridge_forwards_each_qos_under_a_prefix_and_the_in_direction_back() {
    let a = Broker::start();
    let b = Broker::start();
    let on_b = subscribed(&b, &["-t", "site1/#", "-q", "2", "-F", "%q %t %p"]);
    let on_a = subscribed(&a, &["-t", "cmd/#", "-q", "2", "-F", "%q %t %p"]);
    let br = bridge(
        &a,
        &b,
        &[
            "-t",
            "q0/# out 0 \"\" site1/",
            "-t",
            "q1/# out 1 \"\" site1/",
            "-t",
            "q2/# out 2 \"\" site1/",
            "-t",
            "cmd/# in 2 \"\" site1/",
        ],
    );
    publish(&a, &["-t", "q0/x", "-m", "zero", "-q", "0"]);
    publish(&a, &["-t", "q1/x", "-m", "one", "-q", "1"]);
    publish(&a, &["-t", "q2/x", "-m", "two", "-q", "2"]);
    publish(&a, &["-t", "elsewhere", "-m", "not forwarded", "-q", "1"]);
    publish(&b, &["-t", "site1/cmd/led", "-m", "on", "-q", "2"]);
    let got_b = window(on_b, Duration::from_secs(2));
    let got_a = window(on_a, Duration::from_secs(0));
    let out = stop(br);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut lines: Vec<&str> = got_b.lines().collect();
    lines.sort_unstable();
    // The in-direction's own publication on B is seen there too, once.
    assert_eq!(
        lines,
        [
            "0 site1/q0/x zero",
            "1 site1/q1/x one",
            "2 site1/cmd/led on",
            "2 site1/q2/x two"
        ],
        "{}",
        stderr(&out)
    );
    assert_eq!(got_a, "2 cmd/led on\n");
}

#[test]
fn both_ways_on_the_same_filter_each_message_crosses_once() {
    let a = Broker::start();
    let b = Broker::start();
    let on_a = subscribed(&a, &["-t", "chat/#", "-q", "1", "-v"]);
    let on_b = subscribed(&b, &["-t", "chat/#", "-q", "1", "-v"]);
    let br = bridge(&a, &b, &["--both", "-t", "chat/#"]);
    publish(&a, &["-t", "chat/from-a", "-m", "hi", "-q", "1"]);
    publish(&b, &["-t", "chat/from-b", "-m", "hello", "-q", "1"]);
    let got_a = window(on_a, Duration::from_secs(2));
    let got_b = window(on_b, Duration::from_secs(0));
    let out = stop(br);
    for got in [&got_a, &got_b] {
        let mut lines: Vec<&str> = got.lines().collect();
        lines.sort_unstable();
        assert_eq!(
            lines,
            ["chat/from-a hi", "chat/from-b hello"],
            "{}",
            stderr(&out)
        );
    }

    // MQTT 3.1.1 carries no mark: the same lines are refused, and a prefix makes them work.
    let mut c = mq();
    c.arg("bridge")
        .args(["--from", &format!("mqtt://127.0.0.1:{}", a.port)])
        .args(["--to", &format!("mqtt://127.0.0.1:{}", b.port)])
        .args([
            "--from-protocol-version",
            "311",
            "--to-protocol-version",
            "311",
        ])
        .args(["--both", "-t", "chat/#"]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("would come back"), "{}", stderr(&out));
    let br = bridge(
        &a,
        &b,
        &[
            "--from-protocol-version",
            "311",
            "--to-protocol-version",
            "311",
            "-t",
            "chat/# out 1 \"\" a/",
            "-t",
            "chat/# in 1 b/ \"\"",
        ],
    );
    assert_eq!(code(&stop(br)), 0);
}

#[test]
fn retained_messages_arrive_retained_unless_no_retain() {
    let a = Broker::start();
    let b = Broker::start();
    publish(&a, &["-t", "cfg/led", "-m", "on", "-r", "-q", "1"]);
    let br = bridge(&a, &b, &["-t", "cfg/#"]);
    publish(&a, &["-t", "cfg/fan", "-m", "off", "-r", "-q", "1"]);
    // Once both have reached B (live or retained)...
    let arrived = run(
        mq_on(&b, "sub", &["-t", "cfg/#", "-C", "2", "-W", "10"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&arrived), 0, "{}", stderr(&arrived));
    // ... a new subscriber on B gets both from B's retained store.
    let got = run(
        mq_on(
            &b,
            "sub",
            &["-t", "cfg/#", "-F", "%r %t %p", "-C", "2", "-W", "10"],
        ),
        b"",
        LIMIT,
    );
    let mut lines: Vec<String> = stdout(&got).lines().map(String::from).collect();
    lines.sort_unstable();
    assert_eq!(lines, ["1 cfg/fan off", "1 cfg/led on"], "{}", stderr(&got));
    assert_eq!(code(&stop(br)), 0);

    let br = bridge(&a, &b, &["-t", "cfg/# out 1 \"\" plain/", "--no-retain"]);
    let on_b = subscribed(&b, &["-t", "plain/#", "-F", "%r %t %p"]);
    publish(&a, &["-t", "cfg/door", "-m", "shut", "-r", "-q", "1"]);
    let got = window(on_b, Duration::from_secs(2));
    assert!(got.contains("0 plain/cfg/door shut"), "{got}");
    assert_eq!(code(&stop(br)), 0);
}

#[test]
fn each_side_can_take_its_settings_from_a_profile() {
    let a = Broker::start();
    let b = Broker::start();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".config/mq")).unwrap();
    std::fs::write(
        home.path().join(".config/mq/config.toml"),
        format!(
            "[profiles.plant]\nhost = \"127.0.0.1\"\nport = {}\n\n[profiles.office]\nurl = \"mqtt://127.0.0.1:{}\"\n",
            a.port, b.port
        ),
    )
    .unwrap();
    let on_b = subscribed(&b, &["-t", "p/#", "-v"]);
    let mut c = mq();
    c.env("HOME", home.path())
        .env_remove("XDG_CONFIG_HOME")
        .args([
            "bridge",
            "--from-profile",
            "plant",
            "--to-profile",
            "office",
            "-t",
            "p/#",
        ]);
    let br = Running::until(c, "forwarding");
    publish(&a, &["-t", "p/x", "-m", "through profiles", "-q", "1"]);
    let got = window(on_b, Duration::from_secs(2));
    assert_eq!(code(&stop(br)), 0);
    assert_eq!(got, "p/x through profiles\n");
}

#[test]
fn status_topic_and_json_stats_tell_what_the_bridge_does() {
    let a = Broker::start();
    let b = Broker::start();
    let br = bridge(
        &a,
        &b,
        &[
            "-t",
            "s",
            "--stats",
            "500ms",
            "--json",
            "--status-topic",
            "br/status",
        ],
    );
    let status = |b: &Broker| {
        stdout(&run(
            mq_on(b, "sub", &["-t", "br/status", "-C", "1", "-W", "5"]),
            b"",
            LIMIT,
        ))
    };
    assert_eq!(status(&b), "{\"status\":\"online\"}\n");
    publish(&a, &["-t", "s", "-m", "x", "-q", "1"]);
    std::thread::sleep(Duration::from_millis(1500));
    let out = stop(br);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let last: serde_json::Value = stdout(&out)
        .lines()
        .last()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .expect("stats lines");
    assert_eq!(last["direction"], "out", "{last}");
    assert_eq!(last["forwarded"], 1, "{last}");
    assert_eq!(last["in_flight"], 0, "{last}");
    assert_eq!(status(&b), "{\"status\":\"offline\"}\n");
}

#[test]
fn bad_bridge_command_lines_are_one_line_errors() {
    let free = crate::common::broker::free_port().to_string();
    let to = format!("mqtt://127.0.0.1:{free}");
    for (args, want, text) in [
        (vec!["bridge"], 2, "--topic"),
        (vec!["bridge", "-t", "a/# sideways"], 2, "not a direction"),
        (
            vec!["bridge", "-t", "a/# out 1 x/"],
            2,
            "give both prefixes",
        ),
        (vec!["bridge", "-t", "a/#", "--window", "0"], 2, "--window"),
        (vec!["bridge", "-t", "a/#", "--from", "ftp://x"], 2, "ftp"),
        (
            vec![
                "bridge",
                "-t",
                "a/#",
                "--from",
                &to,
                "--connect-timeout",
                "2s",
            ],
            3,
            &free,
        ),
    ] {
        assert_one_line_error(args.iter().map(Into::into).collect(), want, text);
    }
}

/// What goes down in the middle of a stream.
#[derive(Clone, Copy, Debug)]
enum Outage {
    Source,
    Destination,
    /// `kill -9` of the bridge, started again with the same command line.
    Bridge,
}

/// Messages of the restart tests, as many as the issue asks for.
const N: usize = 50_000;

/// Stream N QoS 1 messages through `mq bridge` from broker A to a persistent subscriber on
/// B, with `outage` once a tenth has arrived (a publisher streams into A meanwhile, except
/// when A itself restarts); returns the subscriber's lines and the bridge's stderr.
fn stream_through(outage: Outage) -> (Vec<usize>, String) {
    let mut a = Broker::with(Config::default().persistent());
    let mut b = Broker::with(Config::default().persistent());
    let out_path = b.dir().join("sub.out");
    let counter = ["-c", "-i", "counter", "-q", "1", "-t", "site1/s"];
    let (mut mq_counter, mut mosquitto_counter) = (None, None);
    if let Outage::Destination = outage {
        // The counter is a subscriber of the broker that restarts: mosquitto_sub, so that the
        // test measures the bridge (mq sub across restarts is reconnect.rs's subject).
        let mut c = mosquitto_sub(&b, &counter);
        c.stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(std::process::Stdio::null());
        mosquitto_counter = Some(c.spawn().expect("mosquitto_sub"));
        // Subscribed once a probe comes through (its lines are not numbers).
        for _ in 0..50 {
            publish(&b, &["-t", "site1/s", "-m", "probe", "-q", "1"]);
            std::thread::sleep(Duration::from_millis(100));
            if std::fs::read_to_string(&out_path).is_ok_and(|s| s.contains("probe")) {
                break;
            }
        }
    } else {
        let mut c = mq_on(&b, "sub", &counter);
        c.arg("-d")
            .stdout(std::fs::File::create(&out_path).unwrap());
        mq_counter = Some(Running::until_keep_stdout(c, "received SUBACK"));
    }
    let args = ["-t", "s out 1 \"\" site1/", "--name", "restarts"];
    let mut br = bridge(&a, &b, &args);
    let all: String = (0..N).map(|i| format!("{i}\n")).collect();
    let mut stderr_before = String::new();
    if let Outage::Source = outage {
        // The source broker restarts while only the bridge reads from it (a publisher across
        // a restart of its own broker is reconnect.rs's subject): the stream waits in the
        // bridge's session on A, and the bridge is started again to forward it.
        stderr_before = stderr(&stop(br));
        let mut p = mq_on(
            &a,
            "pub",
            &["-c", "-i", "feeder", "-q", "1", "-t", "s", "-l"],
        );
        p.args(["--ack-timeout", "60s"]);
        let fed = run(p, all.as_bytes(), Duration::from_secs(120));
        assert_eq!(code(&fed), 0, "feeder: {}", stderr(&fed));
        br = bridge(&a, &b, &args);
        wait_for_line(&out_path, N / 10);
        a.restart();
    } else {
        let mut p = mq_on(&a, "pub", &["-c", "-i", "feeder", "-q", "1", "-t", "s"]);
        p.args(["-l", "-d", "--ack-timeout", "60s"]);
        let mut feeder = Running::until(p, "received CONNACK");
        let mut stdin = feeder.stdin.take().unwrap();
        let (first, rest) = all.split_at(all.find(&format!("\n{}\n", N / 2)).unwrap() + 1);
        stdin.write_all(first.as_bytes()).unwrap();
        stdin.flush().unwrap();
        wait_for_line(&out_path, N / 10);
        if let Outage::Destination = outage {
            b.restart();
        } else {
            let _ = br.child.kill();
            stderr_before = stderr(&br.finish(Duration::from_secs(5)));
            br = bridge(&a, &b, &args);
        }
        stdin.write_all(rest.as_bytes()).unwrap();
        drop(stdin);
        let fed = feeder.finish(Duration::from_secs(120));
        assert_eq!(code(&fed), 0, "feeder: {}", stderr(&fed));
    }
    let got = output_through(&out_path);
    if let Some(sub) = mq_counter {
        let _ = sub.finish(Duration::from_secs(1));
    }
    if let Some(mut sub) = mosquitto_counter {
        let _ = sub.kill();
        let _ = sub.wait();
    }
    let out = stop(br);
    let lines = got.lines().filter_map(|l| l.parse().ok()).collect();
    (lines, stderr_before + &stderr(&out))
}

/// Wait (at most 60 s) until the subscriber's file holds line `n`.
fn wait_for_line(path: &std::path::Path, n: usize) {
    let want = format!("\n{n}\n");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).contains(&want) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("line {n} did not arrive within 60 s");
}

/// The subscriber's output once it holds all N messages (waiting at most 90 s), plus a
/// second for late duplicates.
fn output_through(path: &std::path::Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        let got = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
        let distinct: std::collections::HashSet<usize> =
            got.lines().filter_map(|l| l.parse().ok()).collect();
        if distinct.len() >= N {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1));
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// Every message arrived, first occurrences in order; duplicates (QoS 1) are allowed.
fn assert_all_in_order(got: &[usize], log: &str) {
    let mut seen = std::collections::HashSet::new();
    let firsts: Vec<usize> = got.iter().copied().filter(|x| seen.insert(*x)).collect();
    let missing: Vec<usize> = (0..N).filter(|i| !seen.contains(i)).take(10).collect();
    assert!(
        firsts.len() == N && firsts.iter().enumerate().all(|(i, &x)| i == x),
        "{} lines ({} distinct), missing {missing:?}...; bridge: {}",
        got.len(),
        firsts.len(),
        log.lines().rev().take(10).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn source_broker_restart_mid_stream_loses_nothing() {
    let (got, log) = stream_through(Outage::Source);
    assert!(
        log.contains("out source") && log.contains("reconnected"),
        "{log}"
    );
    assert_all_in_order(&got, &log);
}

// 1-2 of the 50,000 used to go missing in about 1 loaded run in 10. Not mosquitto's doing: the
// same restart without a bridge (50,000 lines straight into the broker, the same counter) lost
// none in 5 runs of mosquitto_pub, and 3 and 12 lines in 2 of 38 runs of `mq pub -l`, lines the
// MQTT client never wrote after the reconnect (`-d`); the bridge publishes through the same
// client (rumqttc patch 0010 and its tests).
#[test]
fn destination_broker_restart_mid_stream_loses_nothing() {
    let (got, log) = stream_through(Outage::Destination);
    assert!(
        log.contains("out destination") && log.contains("reconnected"),
        "{log}"
    );
    assert_all_in_order(&got, &log);
}

#[test]
fn a_killed_bridge_started_again_loses_nothing() {
    let (got, log) = stream_through(Outage::Bridge);
    assert_all_in_order(&got, &log);
}
