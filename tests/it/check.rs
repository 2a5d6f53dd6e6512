//! `mq check` against real brokers: healthy, down, not MQTT, unknown host, bad credentials,
//! ACL, size-limited, 3.1.1-only; JSON, assertions, watch mode.

use crate::common::*;
use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

fn check_on(b: &Broker, args: &[&str]) -> Command {
    mq_on(b, "check", args)
}

fn check_at(host: &str, port: u16, args: &[&str]) -> Command {
    let mut c = mq();
    c.args(["check", "-h", host, "-p", &port.to_string()])
        .args(args);
    c
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

fn stage<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stage {name} in {report:#}"))
}

#[test]
fn check_healthy_broker_passes_every_stage_with_json_and_exit_0() {
    let b = Broker::start();
    let out = run(check_on(&b, &["--json"]), b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = json_of(&out);
    assert_eq!(r["ok"], true);
    assert_eq!(r["exit_code"], 0);
    let names: Vec<&str> = r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "dns",
            "tcp",
            "connect",
            "subscribe",
            "round_trip",
            "retained"
        ]
    );
    for s in r["stages"].as_array().unwrap() {
        assert_eq!(s["ok"], true, "{s:#}");
        assert!(s["duration_ms"].as_f64().unwrap() >= 0.0);
        assert!(s["error"].is_null() && s["hint"].is_null(), "{s:#}");
        assert!(s["facts"].is_object());
    }
    let connect = stage(&r, "connect");
    assert_eq!(connect["facts"]["version"], "5");
    assert_eq!(connect["facts"]["mqtt5"]["accepted"], true);
    assert_eq!(connect["facts"]["mqtt311"]["accepted"], true);
    assert_eq!(connect["facts"]["session_present"], false);
    assert_eq!(connect["facts"]["reason"], "success");
    // mosquitto assigns a client id and says how many topic aliases it takes.
    let connack = &connect["facts"]["connack"];
    assert!(connack["assigned_client_id"].is_string(), "{connack:#}");
    assert_eq!(connack["topic_alias_maximum"], 10);
    assert!(connack
        .as_object()
        .unwrap()
        .contains_key("maximum_packet_size"));
    let rt = stage(&r, "round_trip");
    for q in 0..3 {
        assert!(rt["facts"][format!("qos{q}_ms")].is_number(), "{rt:#}");
    }
    assert_eq!(stage(&r, "subscribe")["facts"]["granted_qos"], 2);
}

#[test]
fn check_human_report_marks_each_stage_without_colors_off_a_terminal() {
    let b = Broker::start();
    let out = run(check_on(&b, &[]), b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for label in [
        "DNS",
        "TCP",
        "MQTT connect",
        "subscribe",
        "round trip",
        "retained",
    ] {
        assert!(
            text.lines().any(|l| l.contains('✔') && l.contains(label)),
            "{label}: {text}"
        );
    }
    assert!(text.contains("CONNACK: assigned client id"), "{text}");
    assert!(text.contains("healthy: 6 of 6 checks passed"), "{text}");
    assert!(!text.contains('\x1b'), "colors off a terminal: {text:?}");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn check_probes_pass_on_mosquitto_and_leave_nothing_retained() {
    let b = Broker::start();
    let out = run(
        check_on(
            &b,
            &[
                "--probe",
                "--json",
                "--topic-prefix",
                "ci/check",
                "--max-payload",
                "1MiB",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let r = json_of(&out);
    for name in [
        "wildcards",
        "shared_subscriptions",
        "max_payload",
        "will",
        "sys",
    ] {
        let s = stage(&r, name);
        assert_eq!(s["ok"], true, "{s:#}");
        assert_eq!(s["kind"], "probe");
    }
    let shared = &stage(&r, "shared_subscriptions")["facts"];
    assert_eq!(shared["lost"], 0);
    assert_eq!(shared["duplicated"], 0);
    assert_eq!(
        stage(&r, "max_payload")["summary"],
        "accepts 1 MiB (the most tried: --max-payload)"
    );
    assert!(
        stage(&r, "sys")["summary"]
            .as_str()
            .unwrap()
            .contains("mosquitto"),
        "{r:#}"
    );
    // No retained message left under the prefix: a subscriber gets nothing and times out.
    let left = run(
        mq_on(&b, "sub", &["-t", "ci/#", "-v", "-W", "1"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&left), 27, "retained left behind: {}", stdout(&left));
}

#[test]
fn check_closed_port_exits_3_with_refused_hint() {
    let closed = closed_port();
    let out = run(check_at("127.0.0.1", closed.port, &["--json"]), b"", LIMIT);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = json_of(&out);
    let tcp = stage(&r, "tcp");
    assert_eq!(tcp["ok"], false);
    assert_eq!(tcp["facts"]["failure"], "refused");
    assert!(
        tcp["error"].as_str().unwrap().contains("refused"),
        "{tcp:#}"
    );
    assert!(
        tcp["hint"]
            .as_str()
            .unwrap()
            .contains("is the broker running"),
        "{tcp:#}"
    );
    // The one-line error on stderr says the same.
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("failed at TCP: connection refused"), "{err}");
}

#[test]
fn check_listener_that_never_answers_mqtt_exits_3_in_bounded_time() {
    // The kernel completes the TCP handshake for a listener that never accepts nor answers.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let started = Instant::now();
    let out = run(
        check_at("127.0.0.1", port, &["--connect-timeout", "1s"]),
        b"",
        LIMIT,
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("✔ TCP"), "{text}");
    assert!(text.contains("✘ MQTT connect"), "{text}");
    assert!(
        text.contains("not an MQTT broker or the wrong port"),
        "{text}"
    );
    drop(l);
}

#[test]
fn check_unresolvable_host_exits_3_at_dns() {
    let out = run(
        check_at(
            "no-such-host.invalid",
            1884,
            &["--json", "--connect-timeout", "5s"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = json_of(&out);
    assert_eq!(r["stages"].as_array().unwrap().len(), 1);
    let dns = stage(&r, "dns");
    assert_eq!(dns["ok"], false);
    assert!(dns["error"]
        .as_str()
        .unwrap()
        .contains("cannot resolve 'no-such-host.invalid'"));
    assert!(dns["hint"].as_str().unwrap().contains("host name"));
}

#[test]
fn check_wrong_password_exits_4_with_credentials_hint() {
    let b = Broker::with(Config::default().users(&[("alice", "right")]));
    let out = run(
        check_on(&b, &["-u", "alice", "-P", "wrong", "--json"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let r = json_of(&out);
    let c = stage(&r, "connect");
    assert_eq!(c["ok"], false);
    assert!(c["hint"].as_str().unwrap().contains("-u"), "{c:#}");
    // Refused for who we are: 3.1.1 is not tried, it would not help.
    assert!(c["facts"]["mqtt311"].is_null(), "{c:#}");
    // The right password passes.
    let ok = run(check_on(&b, &["-u", "alice", "-P", "right"]), b"", LIMIT);
    assert_eq!(code(&ok), 0, "{}", stdout(&ok));
}

#[test]
fn check_acl_forbidding_the_check_topic_exits_5() {
    let deny_sub = r#"{"defaultACLAccess":{"publishClientSend":true,"publishClientReceive":true,"subscribe":false,"unsubscribe":true},"clients":[],"groups":[],"roles":[]}"#;
    let b = Broker::with(Config::default().dynsec(deny_sub));
    let out = run(check_on(&b, &["--json"]), b"", LIMIT);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let r = json_of(&out);
    let s = stage(&r, "subscribe");
    assert_eq!(s["ok"], false);
    assert!(
        s["error"].as_str().unwrap().contains("not authorized"),
        "{s:#}"
    );
    assert!(
        s["hint"].as_str().unwrap().contains("--topic-prefix"),
        "{s:#}"
    );
}

#[test]
fn check_acl_file_forbidding_writes_exits_5_at_the_round_trip() {
    // mosquitto's ACL file grants the subscription; MQTT 5 PUBACK says the write is refused.
    let acl = "user dave\ntopic read mq-check/#\n";
    let b = Broker::with(Config::default().users(&[("dave", "pw")]).acl(acl));
    let out = run(
        check_on(&b, &["-u", "dave", "-P", "pw", "--timeout", "1s", "--json"]),
        b"",
        LIMIT,
    );
    let r = json_of(&out);
    let rt = stage(&r, "round_trip");
    assert_eq!(rt["ok"], false, "{rt:#}");
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        rt["error"].as_str().unwrap().contains("not authorized"),
        "{rt:#}"
    );
    assert!(rt["hint"].as_str().unwrap().contains("ACL"), "{rt:#}");
    // MQTT 3.1.1 has no refusal to report: the message just never comes back (exit 6).
    let out = run(
        check_on(
            &b,
            &["-u", "dave", "-P", "pw", "--timeout", "1s", "-V", "311"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 6, "{}", stdout(&out));
    assert!(stdout(&out).contains("ACL"), "{}", stdout(&out));
}

#[test]
fn check_probe_finds_the_broker_max_packet_size() {
    let b = Broker::with(Config::default().extra("max_packet_size 10000"));
    let out = run(
        check_on(&b, &["--probe", "--json", "--max-payload", "64KiB"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let r = json_of(&out);
    let s = stage(&r, "max_payload");
    let largest = s["facts"]["largest_accepted"].as_u64().unwrap();
    assert!((9_900..10_000).contains(&largest), "{s:#}");
    assert_eq!(s["facts"]["advertised_max_packet_size"], 10000);
    assert_eq!(
        stage(&r, "connect")["facts"]["connack"]["maximum_packet_size"],
        10000
    );
    // Over MQTT 3.1.1 nothing is advertised: the search measures the broker itself.
    let out = run(
        check_on(
            &b,
            &["--probe", "--json", "--max-payload", "64KiB", "-V", "311"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let r = json_of(&out);
    let largest = stage(&r, "max_payload")["facts"]["largest_accepted"]
        .as_u64()
        .unwrap();
    assert!((9_900..10_000).contains(&largest), "{r:#}");
}

#[test]
fn check_v311_only_broker_is_a_finding_not_a_failure() {
    let b = Broker::start();
    let port = v311_only_proxy(b.port);
    let out = run(check_at("127.0.0.1", port, &["--json"]), b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let r = json_of(&out);
    let c = stage(&r, "connect");
    assert_eq!(c["facts"]["version"], "3.1.1");
    assert_eq!(c["facts"]["mqtt5"]["accepted"], false);
    assert!(c["facts"]["mqtt5"]["error"]
        .as_str()
        .unwrap()
        .contains("unsupported protocol version"));
    assert!(
        c["summary"].as_str().unwrap().contains("MQTT 3.1.1 only"),
        "{c:#}"
    );
    // ... unless MQTT 5 is required.
    let out = run(check_at("127.0.0.1", port, &["--require-v5"]), b"", LIMIT);
    assert_eq!(code(&out), 6, "{}", stdout(&out));
    assert!(stdout(&out).contains("✘ require v5"), "{}", stdout(&out));
}

#[test]
fn check_assertions_pass_and_are_reported() {
    let b = Broker::start();
    let out = run(
        check_on(&b, &["--max-latency", "5s", "--require-v5", "--json"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let r = json_of(&out);
    assert_eq!(stage(&r, "max_latency")["kind"], "assertion");
    assert_eq!(stage(&r, "max_latency")["facts"]["limit_ms"], 5000.0);
    assert_eq!(stage(&r, "require_v5")["ok"], true);
}

#[test]
fn check_quiet_prints_nothing_and_keeps_the_exit_code() {
    let closed = closed_port();
    let out = run(check_at("127.0.0.1", closed.port, &["--quiet"]), b"", LIMIT);
    assert_eq!(code(&out), 3);
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
}

#[test]
fn check_watch_prints_one_line_per_run_and_a_summary() {
    let b = Broker::start();
    let out = run(
        check_on(&b, &["--interval", "100ms", "--runs", "3"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    for l in &lines[..3] {
        assert!(
            l.contains("✔ connect") && l.contains("round trip q0"),
            "{l}"
        );
    }
    assert!(lines[3].starts_with("3 runs, 3 ok, 0 failed"), "{text}");
}

#[test]
fn check_watch_stops_on_ctrl_c_with_a_summary() {
    let closed = closed_port();
    let mut c = check_at("127.0.0.1", closed.port, &["--interval", "200ms"]);
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = c.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = wait_with_limit(child, LIMIT);
    let text = stdout(&out);
    let runs: Vec<&str> = text.lines().filter(|l| l.contains("✘ TCP")).collect();
    assert!(runs.len() >= 2, "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains(&format!("{} runs, 0 ok", runs.len())),
        "{text}"
    );
    // Every run failed to connect: the exit code says so.
    assert_eq!(code(&out), 3, "{}", stderr(&out));
}

#[test]
fn check_bad_arguments_exit_2_with_one_line() {
    for (args, text) in [
        (&["--max-payload", "0"][..], "--max-payload"),
        (&["--max-payload", "lots"], "not a size"),
        (&["--topic-prefix", "a/#"], "--topic-prefix"),
        (&["--runs", "3"], "--interval"),
        (&["--max-latency", "soon"], "not a duration"),
    ] {
        let out = run(check_at("127.0.0.1", 1, args), b"", LIMIT);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: {err}");
    }
}

/// Run `mq check` on a pseudo-terminal (util-linux `script`), with `NO_COLOR` set or not.
fn check_on_a_terminal(b: &Broker, no_color: bool) -> String {
    let line = format!(
        "{} check -h 127.0.0.1 -p {}",
        env!("CARGO_BIN_EXE_mq"),
        b.port
    );
    let mut c = Command::new("script");
    c.args(["-qec", &line, "/dev/null"]).env_remove("NO_COLOR");
    if no_color {
        c.env("NO_COLOR", "1");
    }
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    stdout(&out)
}

#[test]
fn check_colors_on_a_terminal_unless_no_color() {
    let b = Broker::start();
    let colored = check_on_a_terminal(&b, false);
    assert!(colored.contains("\x1b[32m✔"), "{colored:?}");
    let plain = check_on_a_terminal(&b, true);
    assert!(plain.contains("✔ DNS"), "{plain:?}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
}

#[test]
fn check_watch_json_prints_one_object_per_line() {
    let b = Broker::start();
    let out = run(
        check_on(&b, &["--interval", "50ms", "--runs", "2", "--json"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 3, "{}", stdout(&out));
    for run in &lines[..2] {
        assert_eq!(run["ok"], true);
        assert!(run["time"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(lines[2]["summary"]["runs"], 2);
    assert_eq!(lines[2]["summary"]["failed"], 0);
}

#[test]
fn check_with_a_fixed_client_id_or_one_protocol_version_passes() {
    let b = Broker::start();
    // Extra connections get suffixed ids, so the broker never takes the main one over.
    let out = run(
        check_on(&b, &["-i", "probe-me", "--probe", "--max-payload", "64KiB"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    for (v, name, other) in [
        ("311", "3.1.1", "MQTT 5 not tried"),
        ("5", "5", "3.1.1 not tried"),
    ] {
        let out = run(check_on(&b, &["-V", v, "--json"]), b"", LIMIT);
        assert_eq!(code(&out), 0, "{}", stdout(&out));
        let r = json_of(&out);
        let c = stage(&r, "connect");
        assert_eq!(c["facts"]["version"], name);
        assert!(c["summary"].as_str().unwrap().contains(other), "{c:#}");
    }
}

#[test]
fn check_tcp_timeout_is_told_apart_from_refused() {
    // A listener that never accepts, its queue filled: the kernel drops further SYNs, as a
    // firewall would.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let mut held = Vec::new();
    let mut full = false;
    for _ in 0..1000 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(s) => held.push(s),
            Err(_) => {
                full = true;
                break;
            }
        }
    }
    assert!(full, "the accept queue never filled");
    let out = run(
        check_at(
            "127.0.0.1",
            addr.port(),
            &["--connect-timeout", "1s", "--json"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = json_of(&out);
    let tcp = stage(&r, "tcp");
    assert_eq!(tcp["facts"]["failure"], "timed out", "{tcp:#}");
    assert!(
        tcp["hint"].as_str().unwrap().contains("firewall"),
        "{tcp:#}"
    );
    drop(held);
}
