//! `mq sub` output beyond mosquitto's: NDJSON that round-trips any payload, `--output` files
//! byte-identical to what was published, payload formats, colours only on request, counts.

use crate::common::*;
use std::process::Command;
use std::time::Duration;

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
fn random_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Payloads that break naive JSON output: NUL, invalid UTF-8, control characters, random bytes.
fn hostile_payloads() -> Vec<Vec<u8>> {
    vec![
        b"plain text".to_vec(),
        Vec::new(),
        vec![0],
        b"a\0b\0".to_vec(),
        b"\xff\xfe\xfd".to_vec(),
        b"ok then \xc3\x28 broken".to_vec(),
        "ünïcødé \u{2713} \"quoted\" \\ \x01\x1b[31m"
            .as_bytes()
            .to_vec(),
        b"{\"looks\": \"like json\"}".to_vec(),
        random_bytes(1, 1),
        random_bytes(2, 255),
        random_bytes(3, 4096),
        random_bytes(4, 100_000),
    ]
}

/// Publish each payload with mosquitto_pub -f at QoS 1 on `topic`.
fn publish_files(b: &Broker, topic: &str, payloads: &[Vec<u8>]) {
    for (i, p) in payloads.iter().enumerate() {
        let f = temp_file(b.dir(), &format!("p{i}"), p);
        let mut c = Command::new("mosquitto_pub");
        c.args(["-h", "127.0.0.1", "-p", &b.port.to_string(), "-q", "1"])
            .args(["-t", topic, "-f", f.to_str().unwrap()]);
        let out = run(c, b"", LIMIT);
        assert!(out.status.success(), "mosquitto_pub: {}", stderr(&out));
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let mut out = Vec::new();
    for chunk in s.as_bytes().chunks(4) {
        let data: Vec<u8> = chunk
            .iter()
            .filter(|&&c| c != b'=')
            .map(|&c| val(c))
            .collect();
        let n = data
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &v)| n | (v as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..data.len()]);
    }
    out
}

fn payload_of(v: &serde_json::Value) -> Vec<u8> {
    let p = v["payload"].as_str().expect("payload is a string");
    match v["payload_encoding"].as_str() {
        Some("utf-8") => p.as_bytes().to_vec(),
        Some("base64") => base64_decode(p),
        e => panic!("unknown payload_encoding {e:?}"),
    }
}

#[test]
fn json_round_trips_any_payload_exactly() {
    let b = Broker::start();
    let payloads = hostile_payloads();
    let n = payloads.len().to_string();
    let sub = subscribed(&b, &["-t", "bin/x", "-q", "1", "-C", &n, "--json"]);
    publish_files(&b, "bin/x", &payloads);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<&[u8]> = out.stdout.split(|&c| c == b'\n').collect();
    assert_eq!(lines.len(), payloads.len() + 1, "one line per message");
    assert!(lines.last().unwrap().is_empty());
    for (line, want) in lines.iter().zip(&payloads) {
        let v: serde_json::Value = serde_json::from_slice(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(line)));
        assert_eq!(payload_of(&v), *want);
        assert_eq!(v["payload_length"], want.len());
        assert_eq!(v["topic"], "bin/x");
        assert_eq!(v["qos"], 1);
        assert_eq!(v["retain"], false);
        assert!(v["mid"].as_u64().is_some_and(|m| m > 0));
        let t = v["time"].as_str().unwrap();
        assert!(
            t.len() == 29 && &t[10..11] == "T" && &t[19..20] == ".",
            "{t}"
        );
    }
}

#[test]
fn json_pretty_records_parse_as_a_stream() {
    let b = Broker::start();
    let payloads = hostile_payloads();
    let n = payloads.len().to_string();
    let sub = subscribed(
        &b,
        &["-t", "bin/y", "-q", "1", "-C", &n, "--json", "--pretty"],
    );
    publish_files(&b, "bin/y", &payloads);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let values: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("a stream of JSON values");
    assert_eq!(values.len(), payloads.len());
    for (v, want) in values.iter().zip(&payloads) {
        assert_eq!(payload_of(v), *want);
    }
    assert!(stdout(&out).starts_with("{\n  \"time\": "));
}

#[test]
fn json_carries_v5_properties_and_retain() {
    let b = Broker::start();
    let mut c = Command::new("mosquitto_pub");
    c.args(["-h", "127.0.0.1", "-p", &b.port.to_string(), "-V", "5"])
        .args(["-t", "p/a", "-m", "{\"t\":21.5}", "-r", "-q", "1"])
        .args(["-D", "publish", "content-type", "application/json"])
        .args(["-D", "publish", "user-property", "unit", "C"])
        .args(["-D", "publish", "correlation-data", "id-1"]);
    assert!(run(c, b"", LIMIT).status.success());
    let out = run(
        mq_on(&b, "sub", &["-t", "p/#", "-C", "1", "--json", "-V", "5"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["retain"], true);
    assert_eq!(v["qos"], 0);
    assert!(v.get("mid").is_none(), "no message id at QoS 0");
    let p = &v["properties"];
    assert_eq!(p["content_type"], "application/json");
    assert_eq!(p["user_properties"], serde_json::json!([["unit", "C"]]));
    assert_eq!(p["correlation_data"], "id-1");
    assert_eq!(p["correlation_data_encoding"], "utf-8");
    assert_eq!(v["payload"], "{\"t\":21.5}");
}

#[test]
fn output_file_is_byte_identical_to_what_was_published() {
    let b = Broker::start();
    let payloads = hostile_payloads();
    let file = b.dir().join("saved.bin");
    let f = file.to_str().unwrap();
    // One message: the file is exactly that payload.
    let sub = subscribed(&b, &["-t", "cam/1", "-q", "1", "-C", "1", "--output", f]);
    publish_files(&b, "cam/1", &payloads[11..12]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).unwrap(), payloads[11]);
    // Many messages, appended after what is there: the concatenation, nothing in between.
    let n = payloads.len().to_string();
    let sub = subscribed(&b, &["-t", "cam/1", "-q", "1", "-C", &n, "--output", f]);
    publish_files(&b, "cam/1", &payloads);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut want = payloads[11].clone();
    for p in &payloads {
        want.extend_from_slice(p);
    }
    assert!(std::fs::read(&file).unwrap() == want, "file differs");
    // stdout still shows the messages, mosquitto-style.
    assert!(out.stdout.starts_with(b"plain text\n\0\n"));
}

#[test]
fn no_escape_codes_when_piped_unless_asked() {
    let b = Broker::start();
    let runs: [(&[&str], Option<&str>, bool); 5] = [
        (&["-v"], None, false),
        (&["-v", "--color", "auto"], None, false),
        (&["-v", "--timestamp", "--format", "text"], None, false),
        (&["-v", "--color", "always"], Some("1"), true),
        (&["-v", "--color", "always"], None, true),
    ];
    for (flags, no_color, colored) in runs {
        let mut args = vec!["-t", "c/#", "-C", "2"];
        args.extend(flags);
        let mut cmd = mq_on(&b, "sub", &args);
        cmd.arg("-d");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let sub = Running::until(cmd, "received SUBACK");
        publish(&b, &["-t", "c/a", "-m", "hello"]);
        publish(&b, &["-t", "c/b", "-m", "ret", "-r"]);
        let out = sub.finish(LIMIT);
        assert_eq!(code(&out), 0, "{flags:?}: {}", stderr(&out));
        assert_eq!(
            out.stdout.contains(&0x1b),
            colored,
            "{flags:?}: {:?}",
            stdout(&out)
        );
        if !colored && flags.len() == 1 {
            assert_eq!(stdout(&out), "c/a hello\nc/b ret\n");
        }
        publish(&b, &["-t", "c/b", "-n", "-r"]);
    }
}

#[test]
fn payload_formats_and_timestamps() {
    let b = Broker::start();
    let cases: [(&[&str], &str); 6] = [
        (&["--format", "hex"], "t/f 610062ff0a\n"),
        (&["--format", "base64"], "t/f YQBi/wo=\n"),
        (&["--format", "text"], "t/f a\\x00b\\xff\n\n"),
        (&["--format", "raw"], "t/f a\0b\u{fffd}\n\n"),
        (&["--format", "json"], "t/f \"a\\u0000b\u{fffd}\\n\"\n"),
        (&["-N", "--format", "hex"], "t/f 610062ff0a"),
    ];
    for (flags, want) in cases {
        let mut args = vec!["-t", "t/f", "-C", "1", "-v"];
        args.extend(flags);
        let sub = subscribed(&b, &args);
        publish_files(&b, "t/f", &[b"a\0b\xff\n".to_vec()]);
        let out = sub.finish(LIMIT);
        assert_eq!(code(&out), 0, "{flags:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), want, "{flags:?}");
    }
    // --timestamp: an RFC 3339 time with milliseconds, then the usual line.
    for (zone, len) in [("--timestamp", 29), ("--timestamp=utc", 24)] {
        let mut cmd = mq_on(&b, "sub", &["-t", "t/s", "-C", "1", "-v", zone, "-d"]);
        cmd.env("TZ", "MQT+3:30");
        let sub = Running::until(cmd, "received SUBACK");
        publish(&b, &["-t", "t/s", "-m", "hi"]);
        let out = sub.finish(LIMIT);
        let line = stdout(&out);
        let (time, rest) = line.split_once(' ').unwrap();
        assert_eq!(rest, "t/s hi\n");
        // 2026-11-25T12:05:29.123+01:00 (local) or 2026-11-25T12:05:29.123Z (UTC).
        assert_eq!(time.len(), len, "{line}");
        assert_eq!(&time[19..20], ".", "{line}");
        assert_eq!(time.ends_with('Z'), len == 24, "{line}");
        assert_eq!(time.ends_with("-03:30"), len == 29, "{line}");
    }
    // --pretty indents JSON payloads in the plain output; other payloads are unchanged.
    let sub = subscribed(&b, &["-t", "t/j", "-C", "2", "--pretty"]);
    publish(&b, &["-t", "t/j", "-m", "{\"a\":[1,2]}"]);
    publish(&b, &["-t", "t/j", "-m", "not json"]);
    let out = sub.finish(LIMIT);
    assert_eq!(
        stdout(&out),
        "{\n  \"a\": [\n    1,\n    2\n  ]\n}\nnot json\n"
    );
}

#[test]
fn json_embedded_warns_when_the_payload_is_not_json() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "w/#", "-C", "2", "-F", "%t:%J|"]);
    publish(&b, &["-t", "w/a", "-m", "{\"ok\":true}"]);
    publish(&b, &["-t", "w/b", "-m", "nope"]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("w/a:{\"tst\":\"")
            && lines[0].ends_with("\"payload\":{\"ok\":true}}|")
    );
    assert_eq!(lines[1], "w/b:|");
    assert!(
        stderr(&out).contains("mq: warning: the payload on topic 'w/b' is not valid JSON"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn count_only_prints_messages_per_second() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "busy/#", "-C", "30", "--count-only"]);
    for i in 0..30 {
        publish(&b, &["-t", &format!("busy/{i}"), "-m", "x"]);
        if i == 14 {
            std::thread::sleep(Duration::from_millis(1100));
        }
    }
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let counts: Vec<u64> = stdout(&out)
        .lines()
        .map(|l| l.parse().expect("a count per line"))
        .collect();
    assert!(counts.len() >= 2, "at least two seconds: {counts:?}");
    assert_eq!(counts.iter().sum::<u64>(), 30, "{counts:?}");
}

#[test]
fn output_before_a_timeout_is_written() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "w/#", "-W", "1", "-F", "%t %p"]);
    publish(&b, &["-t", "w/a", "-m", "one"]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 27, "{}", stderr(&out));
    assert_eq!(stdout(&out), "w/a one\n");
}

/// Run `mq sub` on a pseudo-terminal (util-linux `script`) and return what it printed.
fn on_a_terminal(b: &Broker, args: &str, no_color: Option<&str>) -> String {
    let cmd = format!(
        "{} sub -h 127.0.0.1 -p {} {args}",
        env!("CARGO_BIN_EXE_mq"),
        b.port
    );
    let mut c = Command::new("script");
    c.args(["-qefc", &cmd, "/dev/null"]);
    for (k, _) in std::env::vars() {
        if k.starts_with("MQ_") || k == "NO_COLOR" {
            c.env_remove(k);
        }
    }
    if let Some(v) = no_color {
        c.env("NO_COLOR", v);
    }
    let out = run(c, b"", LIMIT);
    assert!(out.status.success(), "{cmd}: {}", stderr(&out));
    // The terminal turns each \n into \r\n.
    String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
}

#[test]
fn on_a_terminal_binary_is_hex_and_colour_follows_no_color() {
    let b = Broker::start();
    // Retained, so each subscriber on the terminal gets both at once.
    publish(&b, &["-t", "tty/txt", "-m", "hello", "-r"]);
    let mut c = Command::new("mosquitto_pub");
    c.args(["-h", "127.0.0.1", "-p", &b.port.to_string()])
        .args(["-t", "tty/bin", "-r", "-f"])
        .arg(temp_file(b.dir(), "bin", b"a\0b\xff"));
    assert!(run(c, b"", LIMIT).status.success());
    let args = "-t tty/# -C 2 -v";
    let colored = on_a_terminal(&b, args, None);
    assert!(
        colored.contains(
            "\x1b[1;36mtty/bin\x1b[0m \x1b[2mq0\x1b[0m \x1b[33mretained\x1b[0m 610062ff\n"
        ),
        "{colored:?}"
    );
    let plain = on_a_terminal(&b, args, Some("1"));
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(
        plain.contains("tty/bin 610062ff\n") && plain.contains("tty/txt hello\n"),
        "{plain:?}"
    );
    let raw = on_a_terminal(&b, &format!("{args} --format raw --color never"), None);
    assert!(raw.contains("tty/bin a\0b\u{fffd}\n"), "{raw:?}");
}

#[test]
fn finding_8_bidi_topics_and_control_payloads_are_escaped_on_a_terminal_only() {
    let b = Broker::start();
    let port = b.port.to_string();
    // mosquitto refuses a topic with control characters, not one with U+202E.
    for (topic, payload) in [
        ("tty8/\u{202e}gnp.exe", "harmless\rEVIL"),
        ("tty8/esc", "\x1b]0;PWNED\x07"),
    ] {
        let mut c = Command::new("mosquitto_pub");
        c.args([
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-r",
            "-t",
            topic,
            "-m",
            payload,
        ]);
        assert!(run(c, b"", LIMIT).status.success());
    }
    let shown = on_a_terminal(&b, "-t 'tty8/#' -C 2 -v --color never", None);
    assert!(
        shown.contains("tty8/\\u{202e}gnp.exe harmless\\x0dEVIL\n"),
        "{shown:?}"
    );
    assert!(
        shown.contains("tty8/esc 1b5d303b50574e454407\n"),
        "{shown:?}"
    );
    assert!(!shown.contains(['\x1b', '\r', '\u{202e}']), "{shown:?}");
    let shown = on_a_terminal(&b, "-t 'tty8/#' -C 2 -F '%t|%p'", None);
    assert!(
        shown.contains("tty8/\\u{202e}gnp.exe|harmless\\x0dEVIL\n"),
        "{shown:?}"
    );
    assert!(shown.contains("tty8/esc|\\x1b]0;PWNED\\x07\n"), "{shown:?}");
    assert!(!shown.contains(['\x1b', '\r', '\u{202e}']), "{shown:?}");
    // Piped, the bytes are mosquitto_sub's, byte for byte.
    for args in [&["-v"][..], &["-F", "%t|%p"]] {
        let out = run(
            mq_on(&b, "sub", &[&["-t", "tty8/#", "-C", "2"], args].concat()),
            b"",
            LIMIT,
        );
        let mut c = Command::new("mosquitto_sub");
        c.args(["-h", "127.0.0.1", "-p", &port, "-t", "tty8/#", "-C", "2"])
            .args(args);
        let reference = run(c, b"", LIMIT);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&reference.stdout),
            "{args:?}"
        );
        assert!(out.stdout.contains(&0x1b), "piped payloads stay raw");
    }
}

/// tests/python/hostile_broker.py: an MQTT 5 broker whose every string carries ESC and U+202E.
struct HostileBroker {
    child: std::process::Child,
    port: String,
}

impl HostileBroker {
    fn start() -> HostileBroker {
        use std::io::BufRead;
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/python/hostile_broker.py"
        );
        let mut child = Command::new("python3")
            .arg(script)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is installed");
        let mut port = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut port)
            .unwrap();
        HostileBroker {
            child,
            port: port.trim().to_string(),
        }
    }

    fn mq(&self, sub: &str, args: &[&str]) -> std::process::Output {
        let mut c = mq();
        c.args([sub, "-h", "127.0.0.1", "-p", &self.port])
            .args(args);
        run(c, b"", LIMIT)
    }
}

impl Drop for HostileBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Neither ESC nor U+202E got through.
fn assert_inert(what: &str, text: &str) {
    assert!(!text.contains(['\x1b', '\u{202e}']), "{what}: {text:?}");
}

#[test]
fn finding_8_a_hostile_broker_cannot_drive_the_terminal_through_sub() {
    let evil = HostileBroker::start();
    let out = evil.mq("sub", &["-t", "#", "-v", "-d", "-W", "2"]);
    let (stdout, stderr) = (stdout(&out), stderr(&out));
    // A topic's control characters are escaped even in a pipe; its bidi character stays.
    assert!(
        stdout.contains("esc/\\x1b]0;PWNED\\x07\\x1b[2J\u{202e} x\n"),
        "{stdout:?}"
    );
    assert!(!stdout.contains('\x1b'), "{stdout:?}");
    // -d lines, warnings and the error line: all escaped.
    assert_inert("stderr", &stderr);
    assert!(stderr.contains("\\x1b]0;PWNED"), "{stderr}");
    assert!(stderr.contains("\\u{202e}"), "{stderr}");
}

#[test]
fn finding_8_a_hostile_broker_cannot_drive_the_terminal_through_check() {
    let evil = HostileBroker::start();
    let out = evil.mq("check", &["--timeout", "2s"]);
    assert_ne!(code(&out), 0);
    let (report, errors) = (stdout(&out), stderr(&out));
    assert_inert("check report", &report);
    assert_inert("check error", &errors);
    // The CONNACK's strings are shown, escaped.
    assert!(
        report.contains("reason string reason \\x1b]0;PWNED\\x07\\x1b[2J\\u{202e}"),
        "{report}"
    );
    assert!(report.contains("user property k\\x1b"), "{report}");
    let out = evil.mq("check", &["--timeout", "2s", "--json"]);
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let connect = &report["stages"][2];
    assert_eq!(connect["name"], "connect", "{report}");
    assert_eq!(
        connect["facts"]["connack"]["reason_string"], "reason \x1b]0;PWNED\x07\x1b[2J\u{202e}",
        "JSON carries the strings exactly, as JSON escapes"
    );
}
