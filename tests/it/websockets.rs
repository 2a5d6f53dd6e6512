//! MQTT over websockets: ws:// and wss:// URLs, --ws and --ws-path, and what a wrong path or a
//! non-websocket port says. Debian's mosquitto has no websockets listener, so a bridge
//! (`common::wsbridge`) serves the websocket side and relays to a real mosquitto.

use crate::common::pki::Pki;
use crate::common::wsbridge::{server_tls, WsBridge};
use crate::common::*;

#[test]
fn pub_and_sub_over_ws() {
    let b = Broker::start();
    let ws = WsBridge::start(b.port, "/mqtt", None);
    let url = format!("ws://127.0.0.1:{}/mqtt", ws.port);
    let sub = subscribed(&b, &["-L", &url, "-t", "ws/#", "-C", "2", "-v"]);
    let port = ws.port.to_string();
    publish(
        &b,
        &["--ws", "-p", &port, "-t", "ws/a", "-m", "one", "-q", "1"],
    );
    // Large enough to span several websocket frames and reads.
    let big = "x".repeat(200_000);
    let out = run(
        mq_on(&b, "pub", &["-L", &url, "-t", "ws/b", "-s", "-q", "1"]),
        big.as_bytes(),
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("ws/a one\nws/b {big}\n"));
}

#[test]
fn ws_path_is_configurable() {
    let b = Broker::start();
    let ws = WsBridge::start(b.port, "/custom/ws", None);
    let port = ws.port.to_string();
    publish(
        &b,
        &[
            "--ws",
            "--ws-path",
            "/custom/ws",
            "-p",
            &port,
            "-t",
            "a",
            "-m",
            "x",
        ],
    );
    let url = format!("ws://127.0.0.1:{port}/custom/ws");
    publish(&b, &["-L", &url, "-t", "a", "-m", "x"]);
}

#[test]
fn pub_and_sub_over_wss_with_a_ca_file() {
    let pki = Pki::new();
    let b = Broker::start();
    let ws = WsBridge::start(
        b.port,
        "/mqtt",
        Some(server_tls(&pki.server.cert, &pki.server.key)),
    );
    let dir = tempfile::tempdir().unwrap();
    let ca = Pki::write(dir.path(), "ca.pem", &pki.ca);
    let ca = ca.to_str().unwrap();
    let url = format!("wss://localhost:{}/mqtt", ws.port);
    let sub = subscribed(&b, &["-L", &url, "--cafile", ca, "-t", "wss/#", "-C", "1"]);
    publish(
        &b,
        &[
            "-L", &url, "--cafile", ca, "-t", "wss/a", "-m", "secure", "-q", "1",
        ],
    );
    let out = sub.finish(LIMIT);
    assert_eq!(stdout(&out), "secure\n", "{}", stderr(&out));
    // A password given over wss never shows up in the -d log.
    let secret = "wss-Pa55word";
    let url_pw = format!("wss://bob:{secret}@localhost:{}/mqtt", ws.port);
    let out = run(
        mq_on(
            &b,
            "pub",
            &["-L", &url_pw, "--cafile", ca, "-t", "a", "-m", "x", "-d"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("password ****"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(secret) && !stdout(&out).contains(secret));
    // The TLS checks apply to wss too.
    let dir2 = tempfile::tempdir().unwrap();
    let other = Pki::write(dir2.path(), "other.pem", &pki.other_ca);
    let out = run(
        mq_on(
            &b,
            "pub",
            &[
                "-L",
                &url,
                "--cafile",
                other.to_str().unwrap(),
                "-t",
                "a",
                "-m",
                "x",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("signed by a CA that is not trusted"),
        "{}",
        stderr(&out)
    );
    // mq check runs its TLS stage over wss too, and agrees with pub.
    let out = run(mq_args(&["check", "-L", &url, "--cafile", ca]), b"", LIMIT);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).lines().any(|l| l.starts_with(" ✔ TLS")),
        "{}",
        stdout(&out)
    );
    let other = other.to_str().unwrap();
    let out = run(
        mq_args(&["check", "-L", &url, "--cafile", other]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains(
            "failed at TLS: the broker's certificate is signed by a CA that is not trusted"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn wrong_websocket_path_says_so() {
    let b = Broker::start();
    let ws = WsBridge::start(b.port, "/mqtt", None);
    let url = format!("ws://127.0.0.1:{}/wrong", ws.port);
    let out = run(
        mq_on(&b, "pub", &["-L", &url, "-t", "a", "-m", "x"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("websocket handshake failed") && err.contains("404"),
        "{err}"
    );
    assert!(err.contains("--ws-path"), "{err}");
}

#[test]
fn websocket_to_a_plain_mqtt_port_fails_clearly() {
    let b = Broker::start();
    let url = format!("ws://127.0.0.1:{}/mqtt", b.port);
    let out = run(
        mq_on(&b, "pub", &["-L", &url, "-t", "a", "-m", "x"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("websocket handshake failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ws_path_without_websockets_is_a_usage_error() {
    let out = run(
        mq_args(&["pub", "-p", "1", "--ws-path", "/x", "-t", "a", "-m", "x"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--ws-path needs a websocket connection"));
}

#[test]
fn mqtts_to_a_wss_endpoint_fails_clearly() {
    let pki = Pki::new();
    let b = Broker::start();
    let ws = WsBridge::start(
        b.port,
        "/mqtt",
        Some(server_tls(&pki.server.cert, &pki.server.key)),
    );
    let dir = tempfile::tempdir().unwrap();
    let ca = Pki::write(dir.path(), "ca.pem", &pki.ca);
    let url = format!("mqtts://localhost:{}/a", ws.port);
    let out = run(
        mq_on(
            &b,
            "pub",
            &["-L", &url, "--cafile", ca.to_str().unwrap(), "-m", "x"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is this a websocket endpoint (ws:// or wss://)?"),
        "{}",
        stderr(&out)
    );
}
