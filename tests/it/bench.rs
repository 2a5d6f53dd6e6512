//! `mq bench` against real mosquitto brokers: exact counts, loss that is counted and not hidden,
//! mergeable JSON results, per-host figures, and clear errors. No assertion on speed.

use crate::common::*;
use serde_json::Value;
use std::time::Duration;

const BENCH_LIMIT: Duration = Duration::from_secs(40);

/// `mq bench [MODE] <broker> <args>`, as a user types it.
fn bench(b: &Broker, args: &[&str]) -> std::process::Output {
    let mut c = mq();
    c.arg("bench");
    let args = match args.first() {
        Some(&m) if ["pub", "sub", "conn"].contains(&m) => {
            c.arg(m);
            &args[1..]
        }
        _ => args,
    };
    c.args(b.conn()).args(args);
    run(c, b"", BENCH_LIMIT)
}

fn json(o: &std::process::Output) -> Value {
    assert_eq!(code(o), 0, "stderr: {}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn n(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn bench_of_4_publishers_x_1000_receives_exactly_4000() {
    let b = Broker::start();
    let out = bench(&b, &["-c", "4", "-L", "4000", "-q", "1", "--json"]);
    let v = json(&out);
    for key in [
        "format",
        "mode",
        "runs",
        "duration_s",
        "qos",
        "payload_size",
        "publishers",
        "subscribers",
        "connected",
        "connect_failures",
        "sent",
        "received",
        "lost",
        "duplicated",
        "reordered",
        "errors",
        "sent_per_s",
        "received_per_s",
        "sent_mb_per_s",
        "received_mb_per_s",
        "latency_us",
        "latency_histogram",
        "connect_us",
        "connect_histogram",
        "hosts",
    ] {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    assert_eq!(v["mode"], "pubsub");
    assert_eq!(
        (n(&v, "sent"), n(&v, "received"), n(&v, "lost")),
        (4000, 4000, 0)
    );
    assert_eq!((n(&v, "duplicated"), n(&v, "errors")), (0, 0));
    assert_eq!((n(&v, "publishers"), n(&v, "subscribers")), (4, 1));
    let lat = &v["latency_us"];
    assert_eq!(n(lat, "count"), 4000);
    for k in ["min", "p50", "p90", "p99", "p99_9", "max"] {
        assert!(lat[k].is_u64(), "{k} in {lat}");
    }
    assert!(n(lat, "min") <= n(lat, "p50") && n(lat, "p50") <= n(lat, "max"));
    assert!(v["latency_histogram"]
        .as_str()
        .is_some_and(|h| h.starts_with("HISTF")));
}

#[test]
fn bench_text_summary_names_the_figures() {
    let b = Broker::start();
    let out = bench(
        &b,
        &["-c", "2", "--subscribers", "2", "-L", "200", "--quiet"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("mq bench pubsub: 2 publishers, 2 subscribers, QoS 0"),
        "{text}"
    );
    assert!(text.contains("received         400"), "{text}");
    assert!(text.contains("lost 0  duplicated 0  reordered 0"), "{text}");
    assert!(text.contains("p99.9"), "{text}");
    assert_eq!(stderr(&out), "");
}

#[test]
fn bench_counts_messages_the_broker_dropped_as_lost() {
    // One message in flight per subscriber and a queue of 10: the broker drops the rest of a
    // QoS 1 flood for the subscriber (and says nothing to the publishers).
    let b =
        Broker::with(Config::default().extra("max_inflight_messages 1\nmax_queued_messages 10"));
    let v = json(&bench(
        &b,
        &["-c", "4", "-L", "4000", "-q", "1", "--json", "--quiet"],
    ));
    let (received, lost) = (n(&v, "received"), n(&v, "lost"));
    assert_eq!(n(&v, "sent"), 4000);
    assert!(lost > 0, "no loss counted: {v}");
    assert_eq!(received + lost, 4000, "{v}");
    assert_eq!(n(&v, "duplicated"), 0);
}

#[test]
fn bench_sub_attached_late_counts_what_it_missed() {
    let b = Broker::start();
    let mut p = mq();
    p.arg("bench").arg("pub").args(b.conn());
    p.args(["-c", "1", "-L", "300", "-I", "10ms", "-t", "late/%i"]);
    // The publisher's first progress line comes after a second: ~100 messages already gone.
    let publisher = Running::until(p, "sent");
    let sub = bench(
        &b,
        &[
            "sub",
            "-t",
            "late/%i",
            "--duration",
            "5s",
            "--json",
            "--quiet",
        ],
    );
    let out = publisher.finish(BENCH_LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("sent             300"),
        "{}",
        stdout(&out)
    );
    let v = json(&sub);
    let (received, lost) = (n(&v, "received"), n(&v, "lost"));
    assert!(lost > 0 && received > 0, "{v}");
    assert_eq!(received + lost, 300, "{v}");
    assert_eq!(n(&v, "publishers"), 1);
}

#[test]
fn bench_merge_sums_counters_and_combines_histograms() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let mut parts = Vec::new();
    for (name, args) in [
        ("a.json", ["-c", "2", "-L", "300", "-t", "a/%i"]),
        ("b.json", ["-c", "3", "-L", "500", "-t", "b/%i"]),
    ] {
        let out = bench(&b, &[&args[..], &["--json", "--quiet"]].concat());
        let v = json(&out);
        std::fs::write(dir.path().join(name), stdout(&out)).unwrap();
        parts.push(v);
    }
    let files: Vec<String> = ["a.json", "b.json"]
        .iter()
        .map(|f| dir.path().join(f).display().to_string())
        .collect();
    let out = run(
        mq_args(&["bench", "merge", "--json", &files[0], &files[1]]),
        b"",
        LIMIT,
    );
    let m = json(&out);
    assert_eq!(m["mode"], "merged");
    assert_eq!(n(&m, "runs"), 2);
    for k in [
        "sent",
        "received",
        "lost",
        "duplicated",
        "publishers",
        "subscribers",
    ] {
        assert_eq!(n(&m, k), n(&parts[0], k) + n(&parts[1], k), "{k}");
    }
    assert_eq!(n(&m, "sent"), 800);
    let (la, lb, lm) = (
        &parts[0]["latency_us"],
        &parts[1]["latency_us"],
        &m["latency_us"],
    );
    assert_eq!(n(lm, "count"), 800);
    assert_eq!(n(lm, "min"), n(la, "min").min(n(lb, "min")));
    assert_eq!(n(lm, "max"), n(la, "max").max(n(lb, "max")));

    // The text form of the same merge.
    let out = run(
        mq_args(&["bench", "merge", &files[0], &files[1]]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("2 runs merged"), "{}", stdout(&out));
}

#[test]
fn the_sent_rate_is_over_the_whole_run_like_the_received_rate() {
    let b = Broker::start();
    let v = json(&bench(&b, &["-c", "4", "-L", "4000", "--json", "--quiet"]));
    let (sent, received) = (
        v["sent_per_s"].as_f64().unwrap(),
        v["received_per_s"].as_f64().unwrap(),
    );
    // The same messages over the same run: the rates cannot be ten times apart.
    assert!(
        sent <= received * 1.5 + 1.0,
        "sent {sent}/s vs received {received}/s"
    );
}

#[test]
fn bench_over_two_brokers_reports_each_host() {
    let (b1, b2) = (Broker::start(), Broker::start());
    let hosts = format!("127.0.0.1:{},127.0.0.1:{}", b1.port, b2.port);
    let mut c = mq();
    c.args([
        "bench",
        "-h",
        &hosts,
        "-c",
        "4",
        "--subscribers",
        "2",
        "-L",
        "400",
    ]);
    c.args(["--json", "--quiet"]);
    let v = json(&run(c, b"", BENCH_LIMIT));
    let hosts = v["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 2);
    for (h, b) in hosts.iter().zip([&b1, &b2]) {
        assert_eq!(h["host"], format!("127.0.0.1:{}", b.port));
        assert_eq!((n(h, "publishers"), n(h, "subscribers")), (2, 1));
        // Two independent brokers, not a cluster: each subscriber gets its own broker's half,
        // and the other broker's half was never its to get: not lost.
        assert_eq!(
            (n(h, "sent"), n(h, "received"), n(h, "lost")),
            (200, 200, 0)
        );
        assert_eq!(n(&h["latency_us"], "count"), 200);
    }
    assert_eq!((n(&v, "received"), n(&v, "lost")), (400, 0));
    assert!(n(&v, "lost") <= n(&v, "sent"));

    let hosts = format!("127.0.0.1:{},127.0.0.1:{}", b1.port, b2.port);
    let mut c = mq();
    c.args([
        "bench", "conn", "-h", &hosts, "-c", "7", "--json", "--quiet",
    ]);
    let v = json(&run(c, b"", BENCH_LIMIT));
    let per_host: Vec<u64> = v["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| n(&h["connect_us"], "count"))
        .collect();
    assert_eq!(per_host, [4, 3]);
}

#[test]
fn bench_conn_times_every_connect() {
    let b = Broker::start();
    let v = json(&bench(
        &b,
        &[
            "conn",
            "-c",
            "50",
            "--connect-rate",
            "1000",
            "--json",
            "--quiet",
        ],
    ));
    assert_eq!(v["mode"], "conn");
    assert_eq!((n(&v, "connected"), n(&v, "connect_failures")), (50, 0));
    assert_eq!(n(&v["connect_us"], "count"), 50);
}

#[test]
fn bench_says_clearly_when_the_fd_limit_is_too_low() {
    let b = Broker::start();
    let mq_path = env!("CARGO_BIN_EXE_mq");
    let script = format!(
        "ulimit -n 64 && exec {mq_path} bench conn -h 127.0.0.1 -p {} -c 200",
        b.port
    );
    let mut c = std::process::Command::new("sh");
    c.args(["-c", &script]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("mq: 200 connections need about 232 file descriptors")
            && err.contains("ulimit -n")
            && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn bench_bad_input_is_one_line_and_exit_2() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let junk = temp_file(dir.path(), "junk.json", b"{\"not\": \"a result\"}");
    let junk = junk.display().to_string();
    let missing = dir.path().join("missing.json").display().to_string();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["-s", "8"], 2, "mq: -s 8 is too small"),
        (vec!["-I", "1s", "--rate", "5"], 2, "mq: "),
        (vec!["-t", "a/#/%i"], 2, "mq: invalid topic template"),
        (vec!["--rate", "0"], 2, "mq: "),
        (vec!["-k", "70000"], 2, "mq: keepalive must be at most"),
        (vec!["--rate", "1e-300"], 2, "mq: --rate 1e-300 is too low"),
        (vec!["-c", "0"], 2, "mq: "),
    ];
    for (args, want, text) in cases {
        let out = bench(&b, &args);
        let err = stderr(&out);
        assert_eq!(code(&out), want, "{args:?}: {err}");
        assert!(
            err.starts_with(text) && err.lines().count() == 1,
            "{args:?}: {err}"
        );
    }
    for (args, want, text) in [
        (vec!["-h", "127.0.0.1:x"], 2, "mq: invalid host"),
        (vec!["merge", &junk], 2, "mq: "),
        (vec!["merge", &missing], 1, "mq: reading"),
    ] {
        let mut c = mq();
        c.arg("bench").args(&args);
        let out = run(c, b"", LIMIT);
        let err = stderr(&out);
        assert_eq!(code(&out), want, "{args:?}: {err}");
        assert!(
            err.starts_with(text) && err.lines().count() == 1,
            "{args:?}: {err}"
        );
    }
    assert!(
        stderr(&run(mq_args(&["bench", "merge", &junk]), b"", LIMIT))
            .contains("is not an mq bench --json result")
    );
}

#[test]
fn bench_paced_run_with_warmup_and_sequence_topics() {
    let b = Broker::start();
    // 2 publishers every 10 ms, 100 messages each: intended send times are on a fixed schedule,
    // so exactly the 50 + 50 due in the first 500 ms are left out of the latency figures.
    let v = json(&bench(
        &b,
        &[
            "-c",
            "2",
            "-I",
            "10ms",
            "-L",
            "200",
            "--warmup",
            "500ms",
            "-t",
            "paced/%i/%s",
            "--json",
            "--quiet",
        ],
    ));
    assert_eq!(
        (n(&v, "sent"), n(&v, "received"), n(&v, "lost")),
        (200, 200, 0)
    );
    assert_eq!(n(&v["latency_us"], "count"), 100);
}

#[test]
fn bench_reports_why_publishing_failed() {
    let b = Broker::with(Config::default().extra("max_packet_size 1000"));
    let v = json(&bench(
        &b,
        &["-V", "5", "-s", "2000", "-L", "10", "--json", "--quiet"],
    ));
    assert_eq!(n(&v, "sent"), 0);
    assert!(n(&v, "errors") >= 1, "{v}");
    let why = v["first_error"].as_str().unwrap_or_default();
    assert!(why.contains("maximum packet size of 1000 bytes"), "{v}");
}

#[test]
fn bench_shared_subscribers_at_qos_2_on_both_protocol_versions() {
    let b = Broker::start();
    for v in ["311", "5"] {
        let out = bench(
            &b,
            &[
                "-V",
                v,
                "-q",
                "2",
                "-c",
                "3",
                "--subscribers",
                "2",
                "--shared",
                "-L",
                "3000",
                "--json",
                "--quiet",
            ],
        );
        let j = json(&out);
        // One group: each message reaches one of the two subscribers, once.
        assert_eq!(
            (
                n(&j, "received"),
                n(&j, "lost"),
                n(&j, "duplicated"),
                n(&j, "errors")
            ),
            (3000, 0, 0, 0),
            "-V {v}: {j}"
        );
    }
}

#[test]
fn bench_ctrl_c_prints_the_summary_and_exits_130() {
    let b = Broker::start();
    let mut c = mq();
    c.args(["bench", "-h", "127.0.0.1", "-p", &b.port.to_string()]);
    c.args(["-c", "2", "-I", "10ms", "--duration", "60s", "--json"]);
    // The first progress line (after a second) says the run is under way.
    let running = Running::until(c, "mq bench 1s:");
    // SAFETY: plain kill(2) on our own child's pid.
    let rc = unsafe { libc::kill(running.pid() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0);
    let out = running.finish(LIMIT);
    assert_eq!(code(&out), 130, "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("a JSON summary");
    assert!(n(&v, "sent") > 0, "{v}");
    assert_eq!(n(&v, "received"), n(&v, "sent"), "{v}");
    assert_eq!(n(&v, "lost"), 0, "{v}");
}

/// `mq bench conn ARGS --json --quiet` over the given brokers, run through `sh -c` with the
/// shell's `ulimit` settings first.
fn conn_under_limits(limits: &str, hosts: &str, args: &str) -> std::process::Output {
    let script = format!(
        "{limits} exec {} bench conn -h {hosts} {args}",
        env!("CARGO_BIN_EXE_mq")
    );
    let mut c = std::process::Command::new("sh");
    c.args(["-c", &script]);
    run(c, b"", BENCH_LIMIT)
}

#[test]
fn bench_conn_workers_merge_into_one_result_with_each_host() {
    let (b1, b2) = (Broker::start(), Broker::start());
    let hosts = format!("127.0.0.1:{},127.0.0.1:{}", b1.port, b2.port);
    let out = conn_under_limits(
        "",
        &hosts,
        "-c 300 --workers 2 -R 1000 --duration 1s --prefix w --json",
    );
    let v = json(&out);
    assert!(
        stderr(&out).contains("2 worker processes of about 150 clients each"),
        "{}",
        stderr(&out)
    );
    assert_eq!((v["mode"].as_str(), n(&v, "workers")), (Some("conn"), 2));
    // Each worker connects at its share of the rate: together, the rate asked for.
    assert_eq!(v["connect_rate"].as_f64(), Some(1000.0));
    assert_eq!((n(&v, "connected"), n(&v, "connect_failures")), (300, 0));
    assert_eq!((n(&v, "errors"), n(&v["connect_us"], "count")), (0, 300));
    let hosts = v["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 2);
    for (h, b) in hosts.iter().zip([&b1, &b2]) {
        assert_eq!(h["host"], format!("127.0.0.1:{}", b.port));
        assert_eq!(n(h, "publishers"), 150);
        assert_eq!(n(&h["connect_us"], "count"), 150);
    }
    // The workers' shares are ranges of one run: every id once, none twice.
    let mut text = mq();
    text.args(["bench", "conn", "-h", &hosts_arg(&b1, &b2), "-c", "300"]);
    text.args(["--workers", "3", "--duration", "1s", "--quiet"]);
    let out = run(text, b"", BENCH_LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(
        summary.starts_with("mq bench conn: 300 clients, held")
            && summary.contains("3 worker processes")
            && summary.contains("connected 300  connect failures 0")
            && summary.contains(&format!("host 127.0.0.1:{}: 150 connected", b1.port)),
        "{summary}"
    );
}

fn hosts_arg(b1: &Broker, b2: &Broker) -> String {
    format!("127.0.0.1:{},127.0.0.1:{}", b1.port, b2.port)
}

#[test]
fn bench_conn_past_the_fd_limit_says_what_it_does() {
    let b = Broker::start();
    let host = format!("127.0.0.1:{}", b.port);
    // Soft limit under what 200 connections need, hard limit above: raised, and said.
    let out = conn_under_limits(
        "ulimit -Sn 128 && ulimit -Hn 1024 &&",
        &host,
        "-c 200 --json",
    );
    let v = json(&out);
    assert_eq!(n(&v, "connected"), 200);
    assert!(
        stderr(&out)
            .contains("mq bench: raised the open-file limit from 128 to 1024 (the hard limit) for 200 connections"),
        "{}",
        stderr(&out)
    );
    // Past the hard limit: worker processes, their number said, the result whole.
    let out = conn_under_limits("ulimit -n 256 &&", &host, "-c 400 --json");
    let v = json(&out);
    assert!(
        stderr(&out).contains(
            "mq bench: 400 connections need more file descriptors than one process may open (hard limit 256): running 3 worker processes (--workers 3)"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!((n(&v, "connected"), n(&v, "workers")), (400, 3));
    assert_eq!(n(&v, "connect_failures"), 0);
    // --quiet says nothing, and does the same.
    let out = conn_under_limits("ulimit -n 256 &&", &host, "-c 400 --json --quiet");
    assert_eq!(n(&json(&out), "connected"), 400);
    assert_eq!(stderr(&out), "");
}

#[test]
fn bench_conn_spreads_over_source_addresses() {
    let b = Broker::with(Config::default().extra("log_type all"));
    let v = json(&bench(
        &b,
        &[
            "conn",
            "-c",
            "40",
            "--source",
            "127.0.0.0/30",
            "--json",
            "--quiet",
        ],
    ));
    assert_eq!((n(&v, "connected"), n(&v, "connect_failures")), (40, 0));
    let log = b.log();
    for src in ["127.0.0.1", "127.0.0.2"] {
        let from = log
            .lines()
            .filter(|l| l.contains(&format!("New client connected from {src}:")))
            .count();
        assert_eq!(from, 20, "{src}: {log}");
    }
    // A list works as the block does; a wrong one is a one-line usage error.
    let v = json(&bench(
        &b,
        &[
            "conn",
            "-c",
            "4",
            "--source",
            "127.0.0.3,127.0.0.4",
            "--json",
            "--quiet",
        ],
    ));
    assert_eq!(n(&v, "connected"), 4);
    assert!(b.log().contains("New client connected from 127.0.0.4:"));
    for (args, text) in [
        (
            vec!["--source", "not-an-ip"],
            "is not an IP address or a CIDR block",
        ),
        (
            vec!["--source", "127.0.0.1,::1"],
            "--source mixes IPv4 and IPv6",
        ),
    ] {
        let out = bench(&b, &[&["conn", "-c", "2"][..], &args].concat());
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains(text), "{}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    }
    let out = bench(&b, &["pub", "--source", "127.0.0.1", "-L", "1"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--source is for `mq bench conn`"));
}

#[test]
fn bench_conn_without_source_connects_from_the_bind_address() {
    let b = Broker::with(Config::default().extra("log_type all"));
    let v = json(&bench(
        &b,
        &["conn", "-c", "6", "-A", "127.0.0.2", "--json", "--quiet"],
    ));
    assert_eq!((n(&v, "connected"), n(&v, "connect_failures")), (6, 0));
    let log = b.log();
    let from = |src: &str| {
        log.lines()
            .filter(|l| l.contains(&format!("New client connected from {src}:")))
            .count()
    };
    assert_eq!(from("127.0.0.2"), 6, "{log}");
    assert_eq!(from("127.0.0.1"), 0, "{log}");
}

#[test]
fn bench_conn_churn_reconnects_and_times_the_reconnects() {
    let b = Broker::start();
    for version in ["5", "311"] {
        let v = json(&bench(
            &b,
            &[
                "conn",
                "-c",
                "50",
                "-V",
                version,
                "--churn",
                "40",
                "--duration",
                "2s",
                "--json",
                "--quiet",
            ],
        ));
        assert_eq!((n(&v, "connected"), n(&v, "connect_failures")), (50, 0));
        assert_eq!(n(&v, "errors"), 0, "{v}");
        let reconnects = n(&v, "reconnects");
        // 40/s for 2 s: about 80, whatever the machine's load.
        assert!((20..=90).contains(&reconnects), "{reconnects}");
        assert_eq!(n(&v["reconnect_us"], "count"), reconnects);
        assert_eq!(n(&v["connect_us"], "count"), 50);
    }
}

#[test]
fn bench_conn_connect_rate_is_open_loop_and_said() {
    let b = Broker::start();
    let out = bench(&b, &["conn", "-c", "30", "-R", "300", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "open loop: 300 connects/s scheduled; connect latency counts from each connect's scheduled start"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bench_conn_with_workers_ctrl_c_prints_the_merged_summary() {
    let b = Broker::start();
    let mut c = mq();
    c.args([
        "bench",
        "conn",
        "-h",
        "127.0.0.1",
        "-p",
        &b.port.to_string(),
    ]);
    c.args(["-c", "100", "--workers", "2", "--duration", "60s"]);
    let mut running = Running::until(c, "2 worker processes");
    // The workers' progress, summed into one line: Ctrl-C comes when all 100 are held.
    running.wait_for(
        "conn  connected 100  failures 0  (2 workers)",
        Duration::from_secs(15),
    );
    // SAFETY: plain kill(2) on our own child's pid.
    let rc = unsafe { libc::kill(running.pid() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0);
    let started = std::time::Instant::now();
    let out = running.finish(LIMIT);
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(code(&out), 130, "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(
        summary.starts_with("mq bench conn: 100 clients")
            && summary.contains("2 worker processes")
            && summary.contains("connected 100  connect failures 0"),
        "{summary}"
    );
}

#[test]
fn a_timed_bench_ends_on_time_and_says_what_its_latency_is() {
    let b = Broker::start();
    let started = std::time::Instant::now();
    let out = bench(&b, &["--duration", "2s", "--quiet"]);
    // 2 s of sending, at most 1 s for what is on its way, connects and exit.
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let s = stdout(&out);
    assert!(s.contains("closed loop: each publisher sends as fast as the broker takes them, so latency is mostly queueing"), "{s}");
    let out = bench(
        &b,
        &["--duration", "1s", "--rate", "200", "--json", "--quiet"],
    );
    let v = json(&out);
    assert_eq!(v["rate"].as_f64(), Some(200.0));
    assert_eq!(
        n(&v, "lost") + n(&v, "in_flight") + n(&v, "received"),
        n(&v, "sent")
    );
}

#[test]
fn bench_conn_with_no_broker_is_exit_3_at_once() {
    let port = crate::common::broker::free_port().to_string();
    let mut c = mq();
    c.args(["bench", "conn", "-h", "127.0.0.1", "-p", &port, "-c", "20"]);
    c.args(["--duration", "1m", "--quiet"]);
    let started = std::time::Instant::now();
    let out = run(c, b"", BENCH_LIMIT);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
}
