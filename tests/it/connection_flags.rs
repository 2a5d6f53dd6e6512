//! One connection-flag group for every command that talks to a broker: `mq bench` takes the
//! same TLS, credential and profile flags as `pub`/`sub`, and `--print-config` works everywhere.

use crate::common::pki::{tls_listener, Pki};
use crate::common::*;

#[test]
fn bench_runs_against_a_tls_broker_with_the_shared_tls_flags() {
    let pki = Pki::new();
    let b = Broker::with(
        Config::default()
            .file("ca.pem", &pki.ca)
            .file("server.pem", &pki.server.cert)
            .file("server-key.pem", &pki.server.key)
            .listener(&tls_listener(false)),
    );
    let dir = tempfile::tempdir().unwrap();
    let ca = Pki::write(dir.path(), "ca.pem", &pki.ca);
    let port = b.ports[0].to_string();
    let mut c = mq();
    c.args(["bench", "-h", "localhost", "-p", &port, "--cafile"])
        .arg(&ca)
        .args(["-c", "2", "-L", "200", "-q", "1", "--json"]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["received"], 200, "{v}");
    assert_eq!(v["lost"], 0, "{v}");

    // Without the CA the same run fails at the TLS handshake, like pub and sub.
    let mut c = mq();
    c.args(["bench", "-h", "localhost", "-p", &port, "--tls"])
        .args(["-c", "1", "-L", "10"]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
}

#[test]
fn print_config_works_on_every_command_that_connects_and_connects_to_nothing() {
    // A port nothing listens on: --print-config must not connect.
    let closed = closed_port();
    let port = closed.port.to_string();
    let cases: &[&[&str]] = &[
        &["pub", "-t", "a", "-m", "x"],
        &["sub", "-t", "a"],
        &["check"],
        &[
            "capture",
            "--trigger",
            "t",
            "--topic",
            "c",
            "--exec",
            "true",
        ],
        &[
            "capture",
            "--request",
            "--trigger",
            "t",
            "--topic",
            "c",
            "-o",
            "out.bin",
        ],
        &["bench", "-c", "3"],
        &["bench", "conn", "-c", "3"],
    ];
    for args in cases {
        let mut c = mq();
        c.args(*args)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-u",
                "alice",
                "--print-config",
            ])
            .env("MQ_PASSWORD", "s3cret-pw");
        let out = run(c, b"", LIMIT);
        let text = stdout(&out);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(
            text.contains(&format!("127.0.0.1:{port}")) || text.contains(&port),
            "{args:?}: {text}"
        );
        assert!(text.contains("alice"), "{args:?}: {text}");
        assert!(
            !text.contains("s3cret-pw"),
            "{args:?} printed the password: {text}"
        );
    }
}

#[test]
fn bench_keeps_emqtt_bench_short_flags_and_takes_the_url_in_long_form() {
    let b = Broker::start();
    let url = format!("mqtt://127.0.0.1:{}", b.port);
    // -c clients, -L message count, -I interval: emqtt-bench's meanings.
    let mut c = mq();
    c.args([
        "bench", "--url", &url, "-c", "2", "-L", "40", "-I", "1ms", "--json",
    ]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["received"], 40, "{v}");

    // A client id makes no sense for many clients: say what to use instead.
    let mut c = mq();
    c.args(["bench", "-p", &b.port.to_string(), "--id", "x", "-L", "1"]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--prefix"), "{}", stderr(&out));
}
