//! How mq reaches the broker when it dials itself: through a SOCKS5 proxy (`--proxy`, as
//! mosquitto_pub/sub 2.0 take it) and from a chosen local address (`-A`): pub, sub and check
//! over TCP, TLS and websockets; capture (agent and request), rr, bench (sessions and
//! `bench conn`), topics and a bridge side whose profile names a proxy.

use crate::common::pki::{tls_listener, Pki};
use crate::common::socks::Socks;
use crate::common::wsbridge::{server_tls, WsBridge};
use crate::common::*;

const PASSWORD: &str = "pass:word";
/// `pass:word`, percent-encoded as mosquitto's own SOCKS test writes it.
const USERINFO: &str = "alice:pass%3Aword@";

#[test]
fn pub_and_sub_go_through_a_socks5_proxy_that_wants_a_password() {
    let Some(socks) = Socks::start(Some(("alice", PASSWORD))) else {
        return;
    };
    let b = Broker::start();
    let p = b.port.to_string();
    let proxy = socks.url("socks5h", USERINFO);
    // socks5h: the proxy resolves "localhost"; mq hands it the name.
    let sub = subscribed(
        &b,
        &[
            "-h",
            "localhost",
            "-p",
            &p,
            "--proxy",
            &proxy,
            "-t",
            "px/#",
            "-C",
            "1",
            "-v",
        ],
    );
    publish(
        &b,
        &[
            "-h",
            "localhost",
            "-p",
            &p,
            "--proxy",
            &proxy,
            "-t",
            "px/a",
            "-m",
            "via socks",
            "-q",
            "1",
        ],
    );
    let out = sub.finish(LIMIT);
    assert_eq!(stdout(&out), "px/a via socks\n", "{}", stderr(&out));
    let log = socks.log();
    assert!(
        log.contains(&format!("connected to localhost:{p}")),
        "{log}"
    );

    // socks5: mq resolves the name and hands the proxy an address.
    let plain = socks.url("socks5", USERINFO);
    let out = mq_out(&[
        "pub",
        "-h",
        "localhost",
        "-p",
        &p,
        "--proxy",
        &plain,
        "-t",
        "px/b",
        "-m",
        "x",
        "-d",
    ]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    // -d names the route, never the proxy's password.
    let route = format!("through socks5://alice@127.0.0.1:{}", socks.port);
    assert!(err.contains(&route), "{err}");
    assert!(
        !err.contains("pass:word") && !err.contains("pass%3Aword"),
        "{err}"
    );
    let log = socks.log();
    assert!(
        log.contains(&format!("connected to 127.0.0.1:{p}")),
        "{log}"
    );
}

#[test]
fn a_wrong_or_missing_proxy_password_is_refused_with_exit_3_and_never_shown() {
    let Some(socks) = Socks::start(Some(("alice", PASSWORD))) else {
        return;
    };
    let b = Broker::start();
    let p = b.port.to_string();
    let wrong = socks.url("socks5h", "alice:Secret-Wrong@");
    for cmd in ["pub", "sub"] {
        let mut args = vec![
            cmd,
            "-h",
            "localhost",
            "-p",
            &p,
            "--proxy",
            &wrong,
            "-t",
            "px",
        ];
        args.extend(if cmd == "pub" {
            ["-m", "x"]
        } else {
            ["-W", "5"]
        });
        let out = mq_out(&args);
        let err = stderr(&out);
        assert_eq!(code(&out), 3, "{cmd}: {err}");
        assert!(
            err.contains("refused the user name or password"),
            "{cmd}: {err}"
        );
        assert!(!err.contains("Secret-Wrong"), "{cmd}: {err}");
        assert_eq!(err.lines().count(), 1, "{cmd}: {err}");
    }
    let none = socks.url("socks5h", "");
    let out = mq_out(&["pub", "-p", &p, "--proxy", &none, "-t", "px", "-m", "x"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wants a user name and password"),
        "{}",
        stderr(&out)
    );

    // Nothing listens where the proxy should be; the proxy reaches no broker.
    let dead = format!("socks5h://127.0.0.1:{}", crate::common::broker::free_port());
    let out = mq_out(&["pub", "-p", &p, "--proxy", &dead, "-t", "px", "-m", "x"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot reach the proxy"),
        "{}",
        stderr(&out)
    );
    let closed = crate::common::broker::free_port().to_string();
    let proxy = socks.url("socks5h", USERINFO);
    let out = mq_out(&[
        "pub", "-p", &closed, "--proxy", &proxy, "-t", "px", "-m", "x",
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not connect to localhost"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_proxy_url_is_a_usage_error_and_print_config_masks_its_password() {
    let out = mq_out(&[
        "pub",
        "--proxy",
        "http://bob:Hidden-1@proxy:3128",
        "-t",
        "a",
        "-m",
        "x",
    ]);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("unsupported proxy scheme 'http'"), "{err}");
    assert!(!err.contains("Hidden-1"), "{err}");

    let out = mq_out(&[
        "sub",
        "-t",
        "a",
        "--proxy",
        "socks5h://bob:Hidden-1@proxy",
        "-A",
        "127.0.0.2",
        "--print-config",
    ]);
    let cfg = stdout(&out);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        cfg.contains("proxy = \"socks5h://bob:****@proxy:1080\""),
        "{cfg}"
    );
    assert!(cfg.contains("bind_address = \"127.0.0.2\""), "{cfg}");
    assert!(!cfg.contains("Hidden-1"), "{cfg}");

    let out = mq_out(&["pub", "-A", "my-laptop", "-t", "a", "-m", "x"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not an IP address"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tls_and_secure_websockets_run_over_the_proxy() {
    let Some(socks) = Socks::start(None) else {
        return;
    };
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
    let ca = ca.to_str().unwrap();
    let proxy = socks.url("socks5h", "");
    let tls_port = b.ports[0].to_string();
    let out = mq_out(&[
        "pub",
        "-h",
        "localhost",
        "-p",
        &tls_port,
        "--cafile",
        ca,
        "--proxy",
        &proxy,
        "-t",
        "t",
        "-m",
        "x",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The certificate is checked against the broker's name, not the proxy's.
    let out = mq_out(&[
        "check",
        "-h",
        "localhost",
        "-p",
        &tls_port,
        "--cafile",
        ca,
        "--proxy",
        &proxy,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let ws = WsBridge::start(
        b.port,
        "/mqtt",
        Some(server_tls(&pki.server.cert, &pki.server.key)),
    );
    let url = format!("wss://localhost:{}/mqtt", ws.port);
    let out = mq_out(&[
        "pub", "-L", &url, "--cafile", ca, "--proxy", &proxy, "-t", "t", "-m", "x",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = socks.log();
    assert!(
        log.contains(&format!("connected to localhost:{}", ws.port)),
        "{log}"
    );
}

#[test]
fn check_goes_through_the_proxy_and_fails_at_the_proxy_stage() {
    let Some(socks) = Socks::start(Some(("alice", PASSWORD))) else {
        return;
    };
    let b = Broker::start();
    let p = b.port.to_string();
    let proxy = socks.url("socks5h", USERINFO);
    let out = mq_out(&[
        "check",
        "-h",
        "localhost",
        "-p",
        &p,
        "--proxy",
        &proxy,
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["proxy", "connect", "subscribe", "round_trip", "retained"]
    );
    assert!(!stdout(&out).contains("pass"), "{}", stdout(&out));

    let wrong = socks.url("socks5h", "alice:nope@");
    let out = mq_out(&["check", "-h", "localhost", "-p", &p, "--proxy", &wrong]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("refused the user name or password"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bind_address_is_the_address_the_broker_sees() {
    let b = Broker::start();
    let p = b.port.to_string();
    let out = mq_out(&[
        "pub",
        "-h",
        "127.0.0.1",
        "-p",
        &p,
        "-A",
        "127.0.0.2",
        "-i",
        "from-2",
        "-t",
        "a",
        "-m",
        "x",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = mq_out(&["check", "-h", "127.0.0.1", "-p", &p, "-A", "127.0.0.2"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("from 127.0.0.2"), "{}", stdout(&out));
    let log = b.log();
    assert!(
        log.contains("New client connected from 127.0.0.2:") && log.contains(" as from-2 "),
        "{log}"
    );
    // Only the fixture's readiness probe came from 127.0.0.1, and it never logged in.
    assert!(
        !log.contains("New client connected from 127.0.0.1"),
        "{log}"
    );

    // 192.0.2.0/24 is reserved for documentation: never this machine's.
    for cmd in ["pub", "check"] {
        let mut args = vec![cmd, "-h", "127.0.0.1", "-p", &p, "-A", "192.0.2.7"];
        if cmd == "pub" {
            args.extend(["-t", "a", "-m", "x"]);
        }
        let out = mq_out(&args);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(code(&out), 3, "{cmd}: {all}");
        assert!(
            all.contains("cannot connect from 192.0.2.7 (-A): not an address of this machine"),
            "{cmd}: {all}"
        );
    }
}

/// How many connections the proxy opened to `dest` (`host:port`) so far.
fn proxied(socks: &Socks, dest: &str) -> usize {
    socks
        .log()
        .matches(&format!("connected to {dest}\n"))
        .count()
}

#[test]
fn capture_agent_and_request_go_through_the_proxy() {
    let Some(socks) = Socks::start(Some(("alice", PASSWORD))) else {
        return;
    };
    let b = Broker::start();
    let p = b.port.to_string();
    let dest = format!("localhost:{p}");
    let proxy = socks.url("socks5h", USERINFO);
    let dir = tempfile::tempdir().unwrap();
    let img = crate::common::capture::jpeg(3000);
    let file = temp_file(dir.path(), "frame.jpg", &img);
    let via = ["-h", "localhost", "-p", &p, "--proxy", &proxy];
    let mut agent = mq();
    agent.arg("capture").args(via).args([
        "--trigger",
        "cam/capture",
        "--topic",
        "cam/image",
        "--file",
        file.to_str().unwrap(),
        "-d",
    ]);
    let mut agent = Running::until(agent, "received SUBACK");
    assert_eq!(proxied(&socks, &dest), 1, "{}", socks.log());

    let target = dir.path().join("got.jpg");
    let mut request = mq();
    request.arg("capture").args(via).args([
        "--request",
        "--trigger",
        "cam/capture",
        "--topic",
        "cam/image",
        "-o",
        target.to_str().unwrap(),
        "-W",
        "10s",
    ]);
    let out = run(request, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::read(&target).unwrap() == img);
    assert_eq!(proxied(&socks, &dest), 2, "{}", socks.log());
    let _ = agent.child.kill();
}

#[test]
fn rr_goes_through_the_proxy_to_an_exec_reply_responder() {
    let Some(socks) = Socks::start(Some(("alice", PASSWORD))) else {
        return;
    };
    let b = Broker::start();
    let p = b.port.to_string();
    let proxy = socks.url("socks5h", USERINFO);
    let mut responder = subscribed(
        &b,
        &[
            "-t",
            "svc/upper",
            "-q",
            "1",
            "--exec",
            "tr a-z A-Z",
            "--reply",
        ],
    );
    let out = mq_out(&[
        "rr",
        "-h",
        "localhost",
        "-p",
        &p,
        "--proxy",
        &proxy,
        "-t",
        "svc/upper",
        "-e",
        "client/px/reply",
        "-m",
        "through socks",
        "-q",
        "1",
        "-W",
        "10",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "THROUGH SOCKS\n");
    // The responder dialled the broker itself: the proxy saw only the request.
    assert_eq!(
        proxied(&socks, &format!("localhost:{p}")),
        1,
        "{}",
        socks.log()
    );
    let _ = responder.child.kill();
}

#[test]
fn bench_and_bench_conn_connect_every_client_through_the_proxy() {
    let Some(socks) = Socks::start(None) else {
        return;
    };
    let b = Broker::start();
    let p = b.port.to_string();
    let dest = format!("localhost:{p}");
    let proxy = socks.url("socks5h", "");
    let via = ["-h", "localhost", "-p", &p, "--proxy", &proxy];
    // Two publishers and the subscriber: three sessions, each through the proxy.
    let out = mq_out(
        &[
            &["bench"][..],
            &via,
            &["-c", "2", "-L", "200", "-q", "1", "--json", "--quiet"],
        ]
        .concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (v["sent"].as_u64(), v["received"].as_u64()),
        (Some(200), Some(200))
    );
    assert_eq!(proxied(&socks, &dest), 3, "{}", socks.log());

    // Held connections need plain TCP: with --proxy bench conn holds sessions instead.
    let out = mq_out(
        &[
            &["bench", "conn"][..],
            &via,
            &["-c", "8", "--json", "--quiet"],
        ]
        .concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (v["connected"].as_u64(), v["connect_failures"].as_u64()),
        (Some(8), Some(0))
    );
    assert_eq!(proxied(&socks, &dest), 3 + 8, "{}", socks.log());
}

#[test]
fn a_bridge_side_takes_its_proxy_from_the_sides_profile() {
    let Some(socks) = Socks::start(None) else {
        return;
    };
    let a = Broker::start();
    let b = Broker::start();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".config/mq")).unwrap();
    std::fs::write(
        home.path().join(".config/mq/config.toml"),
        format!(
            "[profiles.office]\nurl = \"mqtt://127.0.0.1:{}\"\nproxy = \"{}\"\n",
            b.port,
            socks.url("socks5h", "")
        ),
    )
    .unwrap();
    let on_b = subscribed(&b, &["-t", "p/#", "-v", "-C", "1"]);
    let mut c = mq();
    c.env("HOME", home.path())
        .env_remove("XDG_CONFIG_HOME")
        .args(["bridge", "--from", &format!("mqtt://127.0.0.1:{}", a.port)])
        .args(["--to-profile", "office", "-t", "p/#"]);
    let mut bridge = Running::until(c, "forwarding");
    publish(&a, &["-t", "p/x", "-m", "over the proxy", "-q", "1"]);
    let out = on_b.finish(LIMIT);
    let _ = bridge.child.kill();
    assert_eq!(stdout(&out), "p/x over the proxy\n", "{}", stderr(&out));
    // Only the --to side was proxied.
    let log = socks.log();
    assert_eq!(
        proxied(&socks, &format!("127.0.0.1:{}", b.port)),
        1,
        "{log}"
    );
    assert!(!log.contains(&format!(":{}\n", a.port)), "{log}");
}

#[test]
fn topics_reads_the_retained_snapshot_through_the_proxy() {
    let Some(socks) = Socks::start(None) else {
        return;
    };
    let b = Broker::start();
    let p = b.port.to_string();
    publish(&b, &["-t", "px/kept", "-m", "x", "-r"]);
    let proxy = socks.url("socks5h", "");
    let out = mq_out(&[
        "topics",
        "-h",
        "localhost",
        "-p",
        &p,
        "--proxy",
        &proxy,
        "--retained-only",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["topics"][0]["topic"], "px/kept", "{v}");
    assert_eq!(
        proxied(&socks, &format!("localhost:{p}")),
        1,
        "{}",
        socks.log()
    );
}
