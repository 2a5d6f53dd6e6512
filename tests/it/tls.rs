//! TLS against real mosquitto TLS listeners with certificates made in the test: success paths
//! (CA file, CA dir, mqtts://, client certificates in three key formats, TLS versions, a server
//! name override, --insecure) and each failure's own message with exit code 3.

use crate::common::pki::{tls_listener, CertKey, Pki};
use crate::common::*;
use std::path::PathBuf;
use std::process::Command;

/// A broker with a plain listener (`port`) and a TLS listener (`ports[0]`) serving `server`.
fn tls_broker(pki: &Pki, server: &CertKey, require_cert: bool) -> Broker {
    Broker::with(
        Config::default()
            .file("ca.pem", &pki.ca)
            .file("server.pem", &server.cert)
            .file("server-key.pem", &server.key)
            .listener(&tls_listener(require_cert)),
    )
}

/// Client-side files in a temp dir.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn put(&self, name: &str, contents: &str) -> String {
        Pki::write(self.dir.path(), name, contents)
            .to_str()
            .unwrap()
            .to_string()
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// `mq pub` to the TLS listener with `args`; returns the output.
fn pub_tls(b: &Broker, host: &str, args: &[&str]) -> std::process::Output {
    let port = b.ports[0].to_string();
    let mut c = mq();
    c.args([
        "pub", "-h", host, "-p", &port, "-t", "tls/test", "-m", "hi", "-q", "1",
    ])
    .args(args);
    run(c, b"", LIMIT)
}

fn assert_fails(out: &std::process::Output, code_wanted: i32, text: &str) {
    let err = stderr(out);
    eprintln!("{err}");
    assert_eq!(code(out), code_wanted, "stderr: {err}");
    assert!(err.contains(text), "wanted '{text}' in: {err}");
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("mq: ") && !l.contains("warning"))
            .count(),
        1,
        "one error line: {err}"
    );
}

#[test]
fn pub_and_sub_over_tls_with_a_ca_file() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, false);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let port = b.ports[0].to_string();
    let sub = subscribed(
        &b,
        &[
            "-p",
            &port,
            "-h",
            "localhost",
            "--cafile",
            &ca,
            "-t",
            "tls/#",
            "-C",
            "1",
            "-v",
        ],
    );
    let url = format!("mqtts://127.0.0.1:{port}/tls/a");
    let out = run(
        mq_args(&[
            "pub", "-L", &url, "--cafile", &ca, "-m", "secret", "-q", "1",
        ]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let got = sub.finish(LIMIT);
    assert_eq!(stdout(&got), "tls/a secret\n");
    assert_eq!(code(&got), 0);
}

#[test]
fn capath_directory_of_cas_is_trusted() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, false);
    let f = Files::new();
    f.put("other.crt", &pki.other_ca);
    f.put("ours.crt", &pki.ca);
    f.put("README", "not a certificate");
    let dir = f.dir.path().to_str().unwrap().to_string();
    let out = pub_tls(&b, "localhost", &["--capath", &dir]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn untrusted_issuer_is_named() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, false);
    let f = Files::new();
    let other = f.put("other.pem", &pki.other_ca);
    let out = pub_tls(&b, "localhost", &["--cafile", &other]);
    assert_fails(&out, 3, "signed by a CA that is not trusted (--cafile");
    assert!(stderr(&out).contains("hint: give the CA"));
}

#[test]
fn system_roots_do_not_trust_a_private_ca() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, false);
    // SSL_CERT_FILE stands in for the system's store (rustls-native-certs honours it), so the
    // test does not depend on the machine's ca-certificates.
    let f = Files::new();
    let other = f.put("other.pem", &pki.other_ca);
    let port = b.ports[0].to_string();
    let pub_trusting = |store: &str| {
        let mut c = mq();
        c.env("SSL_CERT_FILE", store).args([
            "pub",
            "-h",
            "localhost",
            "-p",
            &port,
            "--tls",
            "-t",
            "a",
            "-m",
            "x",
        ]);
        run(c, b"", LIMIT)
    };
    let out = pub_trusting(&other);
    assert_fails(&out, 3, "(the system's CA store has no such CA)");
    // And trusting the right CA that way works.
    let ca = f.put("ca.pem", &pki.ca);
    let out = pub_trusting(&ca);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn expired_certificate_says_when() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.expired, false);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let out = pub_tls(&b, "localhost", &["--cafile", &ca]);
    assert_fails(&out, 3, "certificate expired on 2021-01-01");
}

#[test]
fn name_mismatch_lists_the_names_the_certificate_carries() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.wrong_name, false);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let out = pub_tls(&b, "127.0.0.1", &["--cafile", &ca]);
    assert_fails(
        &out,
        3,
        "is for broker.example.com, mqtt.example.com, not for '127.0.0.1'",
    );
    // Checking against one of those names works.
    let out = pub_tls(
        &b,
        "127.0.0.1",
        &["--cafile", &ca, "--tls-server-name", "mqtt.example.com"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn sni_is_the_server_name_override() {
    use crate::common::wsbridge::{server_tls, WsBridge};
    let pki = Pki::new();
    let b = Broker::start();
    // A TLS front that records the SNI of each ClientHello (mosquitto does not log it).
    let tls = WsBridge::tls_relay(b.port, server_tls(&pki.server.cert, &pki.server.key));
    let wss = WsBridge::start(
        b.port,
        "/mqtt",
        Some(server_tls(&pki.server.cert, &pki.server.key)),
    );
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let port = tls.port.to_string();
    let wss_ip = format!("wss://127.0.0.1:{}/mqtt", wss.port);
    let cases: [(&[&str], &WsBridge, Option<&str>); 5] = [
        (&["-h", "127.0.0.1", "-p", &port], &tls, None),
        (&["-h", "localhost", "-p", &port], &tls, Some("localhost")),
        (
            &["-h", "127.0.0.1", "-p", &port, "--sni", "localhost"],
            &tls,
            Some("localhost"),
        ),
        (
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-V",
                "311",
                "--sni",
                "localhost",
            ],
            &tls,
            Some("localhost"),
        ),
        (
            &["-L", &wss_ip, "--sni", "localhost"],
            &wss,
            Some("localhost"),
        ),
    ];
    for (args, front, want) in cases {
        let mut c = mq();
        c.arg("pub")
            .args(args)
            .args(["--cafile", &ca, "-t", "sni", "-m", "x"]);
        let out = run(c, b"", LIMIT);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert_eq!(front.last_sni(), Some(want.map(str::to_string)), "{args:?}");
    }
    // The name is what the certificate is checked against, too.
    let mut c = mq();
    c.args([
        "pub",
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "--sni",
        "mqtt.example.com",
    ])
    .args(["--cafile", &ca, "-t", "sni", "-m", "x"]);
    let out = run(c, b"", LIMIT);
    assert_fails(&out, 3, "not for 'mqtt.example.com'");
    assert_eq!(tls.last_sni(), Some(Some("mqtt.example.com".to_string())));
}

#[test]
fn cipher_suites_can_be_chosen() {
    let pki = Pki::new();
    // The test certificates have ECDSA keys: ECDHE-ECDSA suites. (mosquitto's tls_version is
    // a minimum: mq pins 1.2 to test the TLS 1.2 list.)
    let b = Broker::with(
        Config::default()
            .file("ca.pem", &pki.ca)
            .file("server.pem", &pki.server.cert)
            .file("server-key.pem", &pki.server.key)
            .listener(&format!(
                "{}\ntls_version tlsv1.2\nciphers ECDHE-ECDSA-AES256-GCM-SHA384",
                tls_listener(false)
            ))
            .listener(&format!(
                "{}\nciphers_tls1.3 TLS_CHACHA20_POLY1305_SHA256",
                tls_listener(false)
            )),
    );
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let on = |port: u16, args: &[&str]| {
        let mut c = mq();
        c.args([
            "pub",
            "-h",
            "localhost",
            "-p",
            &port.to_string(),
            "--cafile",
            &ca,
        ])
        .args(["-t", "c", "-m", "x"])
        .args(args);
        run(c, b"", LIMIT)
    };
    let (tls12, tls13) = (b.ports[0], b.ports[1]);
    for ok in [
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ] {
        let out = on(tls12, &["--tls-version", "1.2", "--ciphers", ok]);
        assert_eq!(code(&out), 0, "--ciphers {ok}: {}", stderr(&out));
    }
    let out = on(
        tls12,
        &[
            "--tls-version",
            "1.2",
            "--ciphers",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
        ],
    );
    assert_fails(&out, 3, "none of the cipher suites given");
    let out = on(tls13, &["--tls13-ciphers", "TLS_CHACHA20_POLY1305_SHA256"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // mq check's TLS stage offers the same suites and version, and shows what was agreed.
    let mut c = mq();
    c.args([
        "check",
        "-h",
        "localhost",
        "-p",
        &tls12.to_string(),
        "--cafile",
        &ca,
    ])
    .args([
        "--tls-version",
        "1.2",
        "--ciphers",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
    ])
    .arg("--json");
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let stage = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "tls")
        .expect("a tls stage");
    assert_eq!(stage["facts"]["protocol"], "TLSv1.2", "{stage}");
    assert_eq!(
        stage["facts"]["cipher"], "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "{stage}"
    );
    let out = on(tls13, &["--tls13-ciphers", "TLS_AES_128_GCM_SHA256"]);
    assert_fails(&out, 3, "none of the cipher suites given");
    // Unknown names: one line, exit 2, the supported names listed.
    for (flag, name) in [
        ("--ciphers", "AES128-SHA"),
        ("--tls13-ciphers", "TLS_AES_128_CCM_SHA256"),
    ] {
        let a = ["pub", "-h", "localhost", "-t", "c", "-m", "x", flag, name];
        assert_one_line_error(
            a.iter().map(Into::into).collect(),
            2,
            "unknown or unsupported cipher suite",
        );
    }
}

#[test]
fn tls_psk_is_refused_with_a_reason() {
    for args in [
        &[
            "pub",
            "-t",
            "a",
            "-m",
            "b",
            "--psk",
            "deadbeef",
            "--psk-identity",
            "dev1",
        ][..],
        &["sub", "-t", "a", "--psk-identity", "dev1"][..],
    ] {
        assert_one_line_error(
            args.iter().map(Into::into).collect(),
            2,
            "TLS-PSK is not supported: rustls, mq's TLS library, has no external pre-shared keys",
        );
    }
}

#[test]
fn insecure_connects_anyway_and_warns() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.wrong_name, false);
    let out = pub_tls(&b, "127.0.0.1", &["--insecure"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("mq: warning: --insecure: the broker's certificate is not checked"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tls_versions_can_be_pinned() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, false);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    for v in ["1.2", "1.3", "tlsv1.2"] {
        let out = pub_tls(&b, "localhost", &["--cafile", &ca, "--tls-version", v]);
        assert_eq!(code(&out), 0, "--tls-version {v}: {}", stderr(&out));
    }
}

#[test]
fn broker_requiring_a_client_certificate() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, true);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let out = pub_tls(&b, "localhost", &["--cafile", &ca]);
    assert_fails(&out, 3, "the broker requires a client certificate");
    assert!(stderr(&out).contains("--cert FILE --key FILE"));

    let cert = f.put("client.pem", &pki.client.cert);
    let key = f.put("client-key.pem", &pki.client.key);
    let out = pub_tls(
        &b,
        "localhost",
        &["--cafile", &ca, "--cert", &cert, "--key", &key],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let rogue = f.put("rogue.pem", &pki.rogue_client.cert);
    let rogue_key = f.put("rogue-key.pem", &pki.rogue_client.key);
    let out = pub_tls(
        &b,
        "localhost",
        &["--cafile", &ca, "--cert", &rogue, "--key", &rogue_key],
    );
    assert_fails(&out, 3, "the broker rejected mq's client certificate");
}

/// Run `openssl ARGS -in <input> -out <name>` on `input` written to a file; returns the output
/// file's path.
fn openssl(f: &Files, input: &str, name: &str, args: &[&str]) -> String {
    let src = f.put(&format!("{name}.in"), input);
    let dst = f.path(name);
    let st = Command::new("openssl")
        .args(args)
        .args(["-in", &src, "-out"])
        .arg(&dst)
        .status()
        .expect("openssl is installed");
    assert!(st.success());
    dst.to_str().unwrap().to_string()
}

/// `openssl pkey -traditional` turns a PKCS#8 key into PKCS#1 (RSA) or SEC1 (EC).
fn traditional(f: &Files, pkcs8: &str, name: &str) -> String {
    openssl(f, pkcs8, name, &["pkey", "-traditional"])
}

#[test]
fn client_keys_in_pkcs8_pkcs1_and_sec1() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, true);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let cert = f.put("client.pem", &pki.client.cert);
    let pkcs8 = f.put("client-key.pem", &pki.client.key);
    let sec1 = traditional(&f, &pki.client.key, "sec1.pem");
    assert!(std::fs::read_to_string(&sec1)
        .unwrap()
        .contains("BEGIN EC PRIVATE KEY"));
    for key in [&pkcs8, &sec1] {
        let out = pub_tls(
            &b,
            "localhost",
            &["--cafile", &ca, "--cert", &cert, "--key", key],
        );
        assert_eq!(code(&out), 0, "--key {key}: {}", stderr(&out));
    }
    let rsa = pki.rsa_client();
    let rsa_cert = f.put("rsa.pem", &rsa.cert);
    let pkcs1 = traditional(&f, &rsa.key, "pkcs1.pem");
    assert!(std::fs::read_to_string(&pkcs1)
        .unwrap()
        .contains("BEGIN RSA PRIVATE KEY"));
    let out = pub_tls(
        &b,
        "localhost",
        &["--cafile", &ca, "--cert", &rsa_cert, "--key", &pkcs1],
    );
    assert_eq!(code(&out), 0, "PKCS#1: {}", stderr(&out));
}

/// `pkcs8` encrypted with `passphrase` by openssl, with `args` (e.g. `-v2 aes-256-cbc`).
fn encrypted(f: &Files, pkcs8: &str, name: &str, passphrase: &str, args: &[&str]) -> String {
    let pass = format!("pass:{passphrase}");
    let mut all = vec!["pkcs8", "-topk8", "-passout", &pass];
    all.extend_from_slice(args);
    openssl(f, pkcs8, name, &all)
}

#[test]
fn encrypted_client_keys_with_a_passphrase() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, true);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let cert = f.put("client.pem", &pki.client.cert);
    let secret = "k3y-Pa55phrase";
    let aes = encrypted(
        &f,
        &pki.client.key,
        "aes.pem",
        secret,
        &["-v2", "aes-256-cbc"],
    );
    let scrypt = encrypted(&f, &pki.client.key, "scrypt.pem", secret, &["-scrypt"]);
    let pw_file = f.put("key.pw", &format!("{secret}\n"));
    std::fs::set_permissions(
        &pw_file,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let wrong_file = f.put("wrong.pw", "not-it\n");
    std::fs::set_permissions(
        &wrong_file,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let with = |key: &str, extra: &[&str], env: Option<&str>| {
        let port = b.ports[0].to_string();
        let mut c = mq();
        c.args([
            "pub",
            "-h",
            "localhost",
            "-p",
            &port,
            "-t",
            "k",
            "-m",
            "x",
            "-d",
        ])
        .args(["--cafile", &ca, "--cert", &cert, "--key", key])
        .args(extra);
        if let Some(p) = env {
            c.env("MQ_KEY_PASSWORD", p);
        }
        run(c, b"", LIMIT)
    };
    for key in [&aes, &scrypt] {
        for (extra, env) in [
            (&["--key-password-file", &pw_file][..], None),
            (&[][..], Some(secret)),
        ] {
            let out = with(key, extra, env);
            assert_eq!(code(&out), 0, "{key} {extra:?}: {}", stderr(&out));
            assert!(!stderr(&out).contains(secret) && !stdout(&out).contains(secret));
        }
    }
    // No passphrase and no terminal to ask on; a wrong one: one line each, exit 2.
    let out = with(&aes, &[], None);
    assert_fails(&out, 2, "is encrypted, and no passphrase was given");
    assert!(stderr(&out).contains("--key-password-file FILE or MQ_KEY_PASSWORD"));
    let out = with(&aes, &["--key-password-file", &wrong_file], None);
    assert_fails(&out, 2, "wrong passphrase");
    let out = with(&scrypt, &[], Some("not-it"));
    assert_fails(&out, 2, "wrong passphrase");
    assert!(!stderr(&out).contains("not-it"));
    // OpenSSL's legacy encryption (Proc-Type header) and PBES1: what to convert them with.
    let plain = f.put("plain.pem", &pki.client.key);
    let legacy = f.path("legacy.pem");
    let st = Command::new("openssl")
        .args(["pkey", "-in", &plain, "-aes256", "-traditional", "-passout"])
        .arg(format!("pass:{secret}"))
        .arg("-out")
        .arg(&legacy)
        .status()
        .unwrap();
    assert!(st.success());
    let out = with(legacy.to_str().unwrap(), &[], Some(secret));
    assert_fails(&out, 2, "encrypted the legacy OpenSSL way");
    assert!(stderr(&out).contains("openssl pkcs8 -topk8"));
    let pbes1 = encrypted(
        &f,
        &pki.client.key,
        "pbes1.pem",
        secret,
        &["-v1", "PBE-SHA1-3DES"],
    );
    let out = with(&pbes1, &[], Some(secret));
    assert_fails(&out, 2, "encrypted in a way mq cannot read");
}

#[test]
fn the_key_passphrase_is_asked_on_a_terminal() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, true);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let cert = f.put("client.pem", &pki.client.cert);
    let secret = "typed-Pa55phrase";
    let key = encrypted(
        &f,
        &pki.client.key,
        "aes.pem",
        secret,
        &["-v2", "aes-256-cbc"],
    );
    let cmd = format!(
        "{} pub -h localhost -p {} -t k -m x --cafile {ca} --cert {cert} --key {key}",
        env!("CARGO_BIN_EXE_mq"),
        b.ports[0]
    );
    let out = typed_at_terminal(&cmd, secret);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains(&format!("Passphrase for --key {key}: ")),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains(secret) && !stderr(&out).contains(secret));
}

#[test]
fn tls_to_a_plain_port_says_so() {
    let pki = Pki::new();
    let b = Broker::start();
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let port = b.port.to_string();
    let out = run(
        mq_args(&[
            "pub",
            "-h",
            "localhost",
            "-p",
            &port,
            "--cafile",
            &ca,
            "-t",
            "a",
            "-m",
            "x",
        ]),
        b"",
        LIMIT,
    );
    assert_fails(&out, 3, "does not seem to speak TLS");
}

#[test]
fn plain_to_a_tls_port_says_so() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, false);
    let port = b.ports[0].to_string();
    let out = run(
        mq_args(&["pub", "-h", "127.0.0.1", "-p", &port, "-t", "a", "-m", "x"]),
        b"",
        LIMIT,
    );
    assert_fails(&out, 3, "expects TLS, and mq connected without it");
    assert!(stderr(&out).contains("mqtts://"));
}

#[test]
fn bad_tls_files_are_usage_errors() {
    let pki = Pki::new();
    let f = Files::new();
    let garbage = f.put("garbage.pem", "hello");
    let encrypted = f.put(
        "encrypted.pem",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n",
    );
    let cert = f.put("client.pem", &pki.client.cert);
    let cases: &[(&[&str], &str)] = &[
        (
            &["--cafile", "/nonexistent/ca.pem"],
            "cannot read --cafile /nonexistent/ca.pem: no such file",
        ),
        (&["--cafile", &garbage], "holds no PEM certificate"),
        (&["--capath", "/nonexistent"], "cannot read --capath"),
        (&["--cert", &cert], "--key"),
        (&["--cert", &cert, "--key", &cert], "holds no private key"),
        (
            &["--cert", &cert, "--key", &encrypted],
            "is encrypted in a way mq cannot read",
        ),
        (&["--tls-version", "1.1"], "1.1"),
    ];
    for (args, text) in cases {
        let mut c = mq();
        c.args(["pub", "-p", "1", "-t", "a", "-m", "x"]).args(*args);
        let out = run(c, b"", LIMIT);
        assert_fails(&out, 2, text);
    }
}

#[test]
fn port_8883_and_mqtts_imply_tls() {
    // Nothing listens on these ports; the error names the scheme mq used.
    let f = Files::new();
    let pki = Pki::new();
    let ca = f.put("ca.pem", &pki.ca);
    let mut c = mq();
    c.env("SSL_CERT_FILE", &ca).args([
        "pub",
        "-h",
        "127.0.0.1",
        "-p",
        "8883",
        "-t",
        "a",
        "-m",
        "x",
    ]);
    let out = run(c, b"", LIMIT);
    assert_fails(&out, 3, "connecting to mqtts://127.0.0.1:8883");
    let mut c = mq();
    c.env("SSL_CERT_FILE", &ca)
        .args(["pub", "-L", "mqtts://127.0.0.1:1/a", "-m", "x"]);
    let out = run(c, b"", LIMIT);
    assert_fails(
        &out,
        3,
        "connecting to mqtts://127.0.0.1:1: connection refused",
    );
}

#[test]
fn sslkeylogfile_receives_the_session_keys() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, false);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let log = f.path("keys.log");
    let port = b.ports[0].to_string();
    let mut c = mq();
    c.env("SSLKEYLOGFILE", &log)
        .args(["pub", "-h", "localhost", "-p", &port, "--cafile", &ca])
        .args(["-t", "a", "-m", "x"]);
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let keys = std::fs::read_to_string(&log).unwrap();
    assert!(keys.contains("CLIENT_TRAFFIC_SECRET_0"), "{keys}");
}

/// A broker serving a self-signed certificate marked as a CA (what `openssl req -x509`
/// makes), trusted by giving that certificate as --cafile.
fn self_signed_broker(cert: &CertKey) -> Broker {
    Broker::with(
        Config::default()
            .file("ca.pem", &cert.cert)
            .file("server.pem", &cert.cert)
            .file("server-key.pem", &cert.key)
            .listener(&tls_listener(false)),
    )
}

#[test]
fn self_signed_broker_certificate_given_as_cafile() {
    let cert = Pki::self_signed(&["localhost"], false);
    let b = self_signed_broker(&cert);
    let f = Files::new();
    let ca = f.put("broker.pem", &cert.cert);
    let out = pub_tls(&b, "localhost", &["--cafile", &ca]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Its name and dates are still checked.
    let out = pub_tls(&b, "127.0.0.1", &["--cafile", &ca]);
    assert_fails(&out, 3, "is for localhost, not for '127.0.0.1'");
    let old = Pki::self_signed(&["localhost"], true);
    let old_broker = self_signed_broker(&old);
    let old_ca = f.put("old.pem", &old.cert);
    let out = pub_tls(&old_broker, "localhost", &["--cafile", &old_ca]);
    assert_fails(&out, 3, "certificate expired on 2021-01-01");
    // Another self-signed certificate is not trusted.
    let other = Pki::self_signed(&["localhost"], false);
    let ca = f.put("other.pem", &other.cert);
    let out = pub_tls(&b, "localhost", &["--cafile", &ca]);
    assert_fails(
        &out,
        3,
        "is a self-signed CA certificate that is not trusted",
    );
}

#[test]
fn a_tls_version_the_broker_refuses_says_so() {
    let pki = Pki::new();
    let b = Broker::with(
        Config::default()
            .file("ca.pem", &pki.ca)
            .file("server.pem", &pki.server.cert)
            .file("server-key.pem", &pki.server.key)
            .listener(&format!("{}\ntls_version tlsv1.3", tls_listener(false))),
    );
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let out = pub_tls(&b, "localhost", &["--cafile", &ca, "--tls-version", "1.2"]);
    assert_fails(&out, 3, "the broker does not accept TLS 1.2");
    let out = pub_tls(&b, "localhost", &["--cafile", &ca, "--tls-version", "1.3"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn alpn_is_offered_and_a_refusal_says_so() {
    // mosquitto 2.0 does not negotiate ALPN: a TLS relay in front of it does (as AWS IoT
    // does on port 443 with x-amzn-mqtt-ca).
    use crate::common::wsbridge::{server_tls_alpn, WsBridge};
    let pki = Pki::new();
    let b = Broker::start();
    let relay = WsBridge::tls_relay(
        b.port,
        server_tls_alpn(&pki.server.cert, &pki.server.key, &["x-amzn-mqtt-ca"]),
    );
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let port = relay.port.to_string();
    let run_with = |alpn: &str| {
        let mut c = mq();
        c.args([
            "pub",
            "-h",
            "localhost",
            "-p",
            &port,
            "--cafile",
            &ca,
            "--alpn",
            alpn,
        ])
        .args(["-t", "a", "-m", "x", "-q", "1"]);
        run(c, b"", LIMIT)
    };
    let out = run_with("x-amzn-mqtt-ca");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run_with("mqtt");
    assert_fails(&out, 3, "the broker accepts none of the --alpn protocols");
}

#[test]
fn mq_check_runs_its_tls_stage_then_mqtt_over_tls() {
    let pki = Pki::new();
    let b = tls_broker(&pki, &pki.server, false);
    let f = Files::new();
    let ca = f.put("ca.pem", &pki.ca);
    let port = b.ports[0].to_string();
    let check = |cafile: &str| {
        let mut c = mq();
        c.args(["check", "-h", "localhost", "-p", &port, "--cafile", cafile])
            .args(["--json", "--require-tls"]);
        run(c, b"", LIMIT)
    };
    let out = check(&ca);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let names: Vec<&str> = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(
        names.contains(&"tls") && names.contains(&"connect"),
        "{names:?}"
    );
    let other = f.put("other.pem", &pki.other_ca);
    let out = check(&other);
    assert_eq!(code(&out), 3, "{}{}", stdout(&out), stderr(&out));
}
