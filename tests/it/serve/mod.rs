//! `mq serve` tested as a broker (mosquitto stays the reference for client behaviour): pub/sub
//! round trips at QoS 0/1/2 on MQTT 5 and 3.1.1, retained, will, persistent sessions, wrong
//! password, password file, loopback-only binding, websockets (both versions, wss), TLS (with
//! mosquitto's clients), `$SYS` refused, the packet size limit (announced to MQTT 5).
//! `--embedded` is tested in `embedded.rs`. `translate`: what crosses between MQTT 5 and
//! 3.1.1 clients; `hostile`: clients that try to take the broker down; `fixture`: the broker
//! every test starts, its stderr checked for panics.
//!
//! Every broker listens on 127.0.0.1 port 0 (a free port, printed on its first stdout line).

pub(crate) mod fixture;
mod hostile;
mod translate;

use crate::common::*;
use fixture::Serve;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn prints_where_it_listens_and_how_to_connect() {
    let s = Serve::start(&[]);
    assert!(
        s.line
            .contains(&format!("mq sub -h 127.0.0.1 -p {} -t '#' -v", s.port)),
        "{}",
        s.line
    );
}

#[test]
fn pub_sub_round_trips_at_qos_0_1_2_on_both_versions() {
    let s = Serve::start(&[]);
    for v in ["5", "311"] {
        for q in ["0", "1", "2"] {
            let topic = format!("rt/{v}/{q}");
            let sub = s.sub_until_subscribed(&["-V", v, "-q", q, "-t", &topic, "-C", "1", "-v"]);
            s.publish(&["-V", v, "-q", q, "-t", &topic, "-m", "hello"]);
            let out = sub.finish(LIMIT);
            assert!(out.status.success(), "v{v} q{q}: {}", stderr(&out));
            assert_eq!(stdout(&out), format!("{topic} hello\n"), "v{v} q{q}");
        }
    }
}

#[test]
fn retained_messages_are_kept_and_cleared() {
    let s = Serve::start(&[]);
    s.publish(&["-t", "ret/a", "-m", "kept", "-r", "-q", "1"]);
    for v in ["5", "311"] {
        let out = run(
            s.on(
                "sub",
                &["-V", v, "-t", "ret/#", "-C", "1", "-W", "5", "--json"],
            ),
            b"",
            LIMIT,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let line = stdout(&out);
        assert!(
            line.contains("\"kept\"") && line.contains("\"retain\":true"),
            "{line}"
        );
    }
    s.publish(&["-t", "ret/a", "-n", "-r", "-q", "1"]);
    let out = run(
        s.on("sub", &["-t", "ret/#", "-C", "1", "-W", "1"]),
        b"",
        LIMIT,
    );
    assert_eq!(out.status.code(), Some(27), "cleared: {}", stdout(&out));
}

#[test]
fn a_will_is_published_when_a_client_vanishes() {
    let s = Serve::start(&[]);
    for v in ["5", "311"] {
        let topic = format!("will/{v}");
        let watcher = s.sub_until_subscribed(&["-t", &topic, "-C", "1", "-v"]);
        let mut c = s.on(
            "sub",
            &[
                "-V",
                v,
                "-t",
                "other",
                "--will-topic",
                &topic,
                "--will-payload",
                "gone",
            ],
        );
        c.arg("-d");
        let mut dying = Running::until(c, "received SUBACK");
        dying.child.kill().unwrap();
        let _ = dying.child.wait();
        let out = watcher.finish(LIMIT);
        assert!(out.status.success(), "v{v}: {}", stderr(&out));
        assert_eq!(stdout(&out), format!("{topic} gone\n"));
    }
}

#[test]
fn persistent_sessions_keep_messages_while_offline() {
    let s = Serve::start(&[]);
    for v in ["5", "311"] {
        let id = format!("keeper-{v}");
        let args = [
            "-V", v, "-c", "-i", &id, "-q", "1", "-t", "ps/t", "-x", "300",
        ];
        let args = if v == "5" { &args[..] } else { &args[..9] };
        let first = s.sub_until_subscribed(&[args, &["-C", "1", "-W", "1"]].concat());
        assert_eq!(first.finish(LIMIT).status.code(), Some(27));
        s.publish(&["-q", "1", "-t", "ps/t", "-m", "while-away"]);
        let out = run(
            s.on("sub", &[args, &["-C", "1", "-W", "5"]].concat()),
            b"",
            LIMIT,
        );
        assert!(out.status.success(), "v{v}: {}", stderr(&out));
        assert_eq!(stdout(&out), "while-away\n");
    }
}

#[test]
fn credentials_are_required_and_a_wrong_password_is_refused() {
    let s = Serve::start(&["-u", "alice", "-P", "secret"]);
    for v in ["5", "311"] {
        for creds in [
            &["-u", "alice", "-P", "wrong"][..],
            &[],
            &["-u", "bob", "-P", "secret"],
        ] {
            let args = [&["-V", v, "-t", "t", "-m", "x"], creds].concat();
            let out = run(s.on("pub", &args), b"", LIMIT);
            assert_eq!(out.status.code(), Some(4), "{args:?}: {}", stderr(&out));
            assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
        }
        s.publish(&["-V", v, "-u", "alice", "-P", "secret", "-t", "t", "-m", "x"]);
    }
}

#[test]
fn a_client_id_with_topic_characters_is_refused_with_a_connack() {
    let s = Serve::start(&[]);
    for v in ["5", "311"] {
        let out = run(
            s.on("pub", &["-V", v, "-i", "a+b", "-t", "t", "-m", "x"]),
            b"",
            LIMIT,
        );
        assert_eq!(out.status.code(), Some(4), "v{v}: {}", stderr(&out));
    }
}

/// A client id is the client's choice: under `-d` it is logged with control characters, bidi
/// characters and bytes that are not UTF-8 escaped, whether the client is let in or refused.
#[test]
fn debug_log_shows_client_ids_escaped() {
    let mut s = Serve::start(&["-d"]);
    let (_kept, connack) = crate::common::raw::connect(s.port, b"\x1b]0;PWNED\x07\x1b[2Jcam");
    assert_eq!(connack, [0x20, 2, 0, 0]);
    let (_refused, connack) = crate::common::raw::connect(s.port, b"a/\xe2\x80\xae\r\xff");
    assert_eq!(connack, [0x20, 2, 0, 2]);
    std::thread::sleep(Duration::from_millis(200));
    let log = s.stop();
    assert!(
        log.contains(r"client '\x1b]0;PWNED\x07\x1b[2Jcam' connected"),
        "{log}"
    );
    assert!(
        log.contains(r"refused client 'a/\u{202e}\x0d\xff': a client id must not contain"),
        "{log}"
    );
    assert!(
        !log.contains(['\x1b', '\x07', '\r', '\u{202e}', '\u{fffd}']),
        "{log:?}"
    );
}

#[test]
fn password_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "from-file\n").unwrap();
    set_mode(&pw, 0o600);
    let s = Serve::start(&["-u", "alice", "--password-file", pw.to_str().unwrap()]);
    s.publish(&["-u", "alice", "-P", "from-file", "-t", "t", "-m", "x"]);
    let out = run(
        s.on("pub", &["-u", "alice", "-P", "x", "-t", "t", "-m", "x"]),
        b"",
        LIMIT,
    );
    assert_eq!(out.status.code(), Some(4));
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn password_file_readable_by_everyone_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "secret\n").unwrap();
    set_mode(&pw, 0o644);
    let path = pw.to_str().unwrap();
    let serve = [
        "serve",
        "--bind",
        "127.0.0.1:0",
        "-u",
        "alice",
        "--password-file",
        path,
    ];
    let out = run(mq_args(&serve), b"", LIMIT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("is readable by every user (mode 644)") && err.contains("chmod 600"),
        "{err}"
    );
    std::fs::write(&pw, "").unwrap();
    set_mode(&pw, 0o600);
    assert_one_line_error(serve.iter().map(Into::into).collect(), 2, "is empty");
}

#[test]
fn refuses_a_public_bind_without_public() {
    for bind in ["0.0.0.0:0", "[::]:0"] {
        let out = run(mq_args(&["serve", "--bind", bind]), b"", LIMIT);
        assert_eq!(out.status.code(), Some(2), "{bind}");
        let err = stderr(&out);
        assert!(err.starts_with("mq: refusing to listen on"), "{err}");
        assert!(
            err.contains("--public") && err.lines().count() == 1,
            "{err}"
        );
    }
    let out = run(mq_args(&["serve", "--bind", "nonsense"]), b"", LIMIT);
    assert_eq!(out.status.code(), Some(2));
    let out = run(mq_args(&["serve", "-u", "alice"]), b"", LIMIT);
    assert_eq!(out.status.code(), Some(2), "a user needs a password");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let s = Serve::start(&[]);
    let bind = format!("127.0.0.1:{}", s.port);
    let out = run(mq_args(&["serve", "--bind", &bind]), b"", LIMIT);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot listen on"),
        "{}",
        stderr(&out)
    );
}

/// `mq ARGS...` with each part's arguments in turn.
fn mq_parts(parts: &[&[&str]]) -> Command {
    mq_args(&parts.concat())
}

#[test]
fn websocket_listener_upgrades_mqtt() {
    let (s, port) = Serve::with_ws(&[]);
    assert!(
        s.line.contains(&format!("ws://127.0.0.1:{port}/mqtt")),
        "{}",
        s.line
    );
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        c,
        "GET /any/path HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: mqtt\r\n\r\n"
    )
    .unwrap();
    let mut buf = [0u8; 512];
    let n = c.read(&mut buf).unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]).to_lowercase();
    assert!(answer.starts_with("http/1.1 101"), "{answer}");
    assert!(answer.contains("sec-websocket-protocol: mqtt"), "{answer}");
}

#[test]
fn websockets_carry_mqtt_5_and_3_1_1_with_credentials() {
    let (_s, ws) = Serve::with_ws(&["-u", "alice", "-P", "secret"]);
    let url = format!("ws://127.0.0.1:{ws}/mqtt");
    let login: &[&str] = &["-L", &url, "-u", "alice", "-P", "secret"];
    // The subscriber spells it with --ws (default path /mqtt), the publisher with a URL.
    let port = ws.to_string();
    let sub_login: &[&str] = &["-h", "127.0.0.1", "-p", &port, "--ws", "-u", "alice"];
    // No -V: MQTT 5, as a client tries first.
    for v in [&[][..], &["-V", "5"], &["-V", "311"]] {
        let topic = format!("ws/{}", v.last().unwrap_or(&"auto"));
        let mut c = mq_parts(&[
            &["sub"],
            sub_login,
            v,
            &["-t", &topic, "-C", "1", "-v", "-d"],
        ]);
        c.env("MQ_PASSWORD", "secret");
        let sub = Running::until(c, "received SUBACK");
        let sent = run(
            mq_parts(&[&["pub"], login, v, &["-t", &topic, "-m", "over ws"]]),
            b"",
            LIMIT,
        );
        assert!(sent.status.success(), "{v:?}: {}", stderr(&sent));
        let out = sub.finish(LIMIT);
        assert!(out.status.success(), "{v:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), format!("{topic} over ws\n"), "{v:?}");
        // A wrong password is refused with a CONNACK over websockets too: exit 4.
        let out = run(
            mq_parts(&[
                &["pub", "-L", &url, "-u", "alice", "-P", "wrong"],
                v,
                &["-t", "t", "-m", "x"],
            ]),
            b"",
            LIMIT,
        );
        assert_eq!(out.status.code(), Some(4), "{v:?}: {}", stderr(&out));
    }
}

fn self_signed(dir: &Path) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        .output()
        .expect("openssl is installed");
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn tls_listener_serves_mosquitto_clients() {
    let dir = tempfile::tempdir().unwrap();
    self_signed(dir.path());
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let mut s = Serve::start(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
        "-d",
    ]);
    assert!(s.line.contains("mqtts://"), "{}", s.line);
    let port = s.port.to_string();
    let ca = cert.to_str().unwrap();
    let mut sub = Command::new("mosquitto_sub");
    sub.args([
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "--cafile",
        ca,
        "-t",
        "tls/t",
        "-C",
        "1",
    ])
    .args(["-W", "10", "-q", "1", "-d"]);
    let sub = sub
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // mosquitto_sub says nothing when subscribed: publish until it has a message (bounded).
    let publish = || {
        Command::new("mosquitto_pub")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "--cafile",
                ca,
                "-t",
                "tls/t",
            ])
            .args(["-m", "secure", "-q", "1"])
            .output()
            .unwrap()
    };
    let first = publish();
    assert!(first.status.success(), "{first:?}");
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(100));
        publish();
    }
    let out = wait_with_limit(sub, LIMIT);
    // Both sides' logs when it fails: what the client saw and what the broker did.
    let log = |s: &mut Serve| {
        format!(
            "mosquitto_sub -d:\n{}\nmq serve -d:\n{}",
            stdout(&out),
            s.stop()
        )
    };
    assert!(out.status.success(), "{}\n{}", stderr(&out), log(&mut s));
    let received: Vec<_> = stdout(&out)
        .lines()
        .filter(|l| !l.starts_with("Client ") && !l.starts_with("Subscribed "))
        .map(String::from)
        .collect();
    assert_eq!(received, ["secure"], "{}", log(&mut s));
    // Plain MQTT on the TLS port is not answered with a CONNACK.
    let out = run(
        s.on("pub", &["-t", "t", "-m", "x", "--connect-timeout", "2s"]),
        b"",
        LIMIT,
    );
    assert!(!out.status.success());
}

#[test]
fn tls_cert_makes_the_websocket_listener_speak_wss() {
    let dir = tempfile::tempdir().unwrap();
    self_signed(dir.path());
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let (s, ws) = Serve::with_ws(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    let url = format!("wss://127.0.0.1:{ws}/mqtt");
    assert!(s.line.contains(&url), "{}", s.line);
    let tls: &[&str] = &["-L", &url, "--cafile", cert.to_str().unwrap()];
    for v in ["5", "311"] {
        let c = mq_parts(&[&["sub"], tls, &["-V", v, "-t", "wss/t", "-C", "1", "-d"]]);
        let sub = Running::until(c, "received SUBACK");
        let sent = run(
            mq_parts(&[&["pub"], tls, &["-V", v, "-t", "wss/t", "-m", "secure"]]),
            b"",
            LIMIT,
        );
        assert!(sent.status.success(), "v{v}: {}", stderr(&sent));
        let out = sub.finish(LIMIT);
        assert!(out.status.success(), "v{v}: {}", stderr(&out));
        assert_eq!(stdout(&out), "secure\n", "v{v}");
    }
}

#[test]
fn sys_subscriptions_are_refused_with_a_suback() {
    let s = Serve::start(&[]);
    for v in ["5", "311"] {
        let out = run(
            s.on("sub", &["-V", v, "-t", "$SYS/#", "-W", "5"]),
            b"",
            LIMIT,
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(5), "v{v}: {err}");
        assert!(
            err.contains("refused the subscription to '$SYS/#'"),
            "v{v}: {err}"
        );
    }
}

#[test]
fn max_packet_size_is_announced_and_enforced() {
    let s = Serve::start(&["--max-packet-size", "1KiB"]);
    let big = "x".repeat(2000);
    // MQTT 5: announced in the CONNACK, so mq refuses to send (exit 5); 3.1.1 cannot announce
    // it: the broker disconnects the client (exit 1).
    for (v, code, text) in [
        (
            "5",
            5,
            "over the broker's maximum packet size of 1024 bytes",
        ),
        ("311", 1, "lost"),
    ] {
        s.publish(&["-V", v, "-t", "size", "-m", &"x".repeat(900)]);
        let out = run(
            s.on("pub", &["-V", v, "-t", "size", "-m", &big]),
            b"",
            LIMIT,
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "v{v}: {err}");
        assert!(err.contains(text), "v{v}: {err}");
    }
    // A file larger than the limit goes as a chunked transfer sized to fit.
    let dir = tempfile::tempdir().unwrap();
    let file = temp_file(dir.path(), "big.bin", &[7u8; 5000]);
    s.publish(&["-t", "size", "-f", file.to_str().unwrap()]);
}

#[test]
fn ctrl_c_stops_it_cleanly() {
    let mut s = Serve::start(&[]);
    let pid = s.child.id().to_string();
    let st = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(st.success());
    let mut waited = Duration::ZERO;
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(waited < LIMIT, "mq serve still running after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
        waited += Duration::from_millis(20);
    };
    assert_eq!(status.code(), Some(0));
}
