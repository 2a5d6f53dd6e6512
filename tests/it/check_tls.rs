//! The TLS stage of `mq check` against a real mosquitto TLS listener, with certificates made by
//! openssl in the test: trusted, untrusted, wrong name, expiring soon, not TLS at all.
//!
//! The stage is called through the library, with mq's own TLS configuration (`mq::tls::build`,
//! what `mq pub` connects with), and through the command line.

use crate::common::*;
use mq::cmd::check::tls::stage;
use mq::cmd::check::{Stage, Status};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is installed");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// A CA in `dir` named `name`: `<name>.crt`, `<name>.key`.
fn make_ca(dir: &Path, name: &str) -> PathBuf {
    let subj = format!("/CN={name}");
    let (key, crt) = (format!("{name}.key"), format!("{name}.crt"));
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &crt,
            "-days",
            "30",
            "-subj",
            &subj,
        ],
    );
    dir.join(crt)
}

/// A server certificate for localhost / 127.0.0.1 signed by CA `ca`, valid `days`.
fn make_server_cert(dir: &Path, ca: &str, days: u32) -> (String, String) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=mq test broker",
        ],
    );
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &format!("{ca}.crt"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            &days.to_string(),
            "-extfile",
            "ext",
        ],
    );
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    (read("server.crt"), read("server.key"))
}

/// A mosquitto whose listener speaks TLS with a certificate valid `days`, and its CA file.
fn tls_broker(dir: &Path, days: u32) -> (Broker, PathBuf) {
    let ca = make_ca(dir, "ca");
    let (crt, key) = make_server_cert(dir, "ca", days);
    let b = Broker::with(
        Config::default()
            .file("server.crt", &crt)
            .file("server.key", &key)
            .extra("certfile {dir}/server.crt\nkeyfile {dir}/server.key"),
    );
    (b, ca)
}

fn tls_stage(port: u16, name: &str, cafile: &Path) -> Stage {
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let tls = mq::tls::build(&mq::tls::TlsOptions {
        cafile: Some(cafile.to_path_buf()),
        ..Default::default()
    })
    .expect("a CA file mq reads");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(stage(addr, &tls, name, Duration::from_secs(5)))
}

#[test]
fn tls_with_the_right_ca_shows_the_certificate_and_warns_it_expires_soon() {
    let dir = tempfile::tempdir().unwrap();
    let (b, ca) = tls_broker(dir.path(), 10);
    let s = tls_stage(b.port, "localhost", &ca);
    assert_eq!(s.status, Status::Ok, "{s:#?}");
    assert!(s.summary.starts_with("TLSv1.3, TLS13_"), "{}", s.summary);
    assert!(
        s.summary.contains("certificate for localhost, 127.0.0.1"),
        "{}",
        s.summary
    );
    assert!(
        s.summary.contains("warning: it expires in "),
        "{}",
        s.summary
    );
    let days = s.facts["days_left"].as_i64().unwrap();
    assert!((9..=10).contains(&days), "{days}");
    assert!(s.hint.as_deref().unwrap().contains("renew"), "{s:#?}");
    let cert = &s.facts["certificate"];
    assert_eq!(cert["subject"], "CN=mq test broker");
    assert_eq!(cert["issuer"], "CN=ca");
    assert_eq!(s.facts["expires_soon"], true);
    assert_eq!(s.facts["hostname_match"], true);
    assert_eq!(s.facts["trusted"], true);
    assert!(s.details[0].contains("expires 20"), "{:?}", s.details);
    // By its IP address too: the certificate carries it.
    let s = tls_stage(b.port, "127.0.0.1", &ca);
    assert_eq!(s.status, Status::Ok, "{s:#?}");
}

#[test]
fn tls_with_a_long_lived_certificate_has_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (b, ca) = tls_broker(dir.path(), 400);
    let s = tls_stage(b.port, "localhost", &ca);
    assert_eq!(s.status, Status::Ok, "{s:#?}");
    assert_eq!(s.facts["expires_soon"], false);
    assert!(s.hint.is_none() && !s.summary.contains("warning"), "{s:#?}");
}

#[test]
fn tls_with_another_ca_says_the_chain_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = tls_broker(dir.path(), 400);
    let other = make_ca(dir.path(), "other");
    let s = tls_stage(b.port, "localhost", &other);
    assert_eq!(s.status, Status::Failed, "{s:#?}");
    let error = s.error.as_deref().unwrap();
    assert!(
        error.contains("signed by a CA that is not trusted"),
        "{error}"
    );
    assert!(s.details[0].contains("issuer CN=ca"), "{:?}", s.details);
    assert!(s.hint.as_deref().unwrap().contains("--cafile"), "{s:#?}");
    assert_eq!(s.facts["trusted"], false);
    // The certificate's facts are shown all the same.
    assert_eq!(s.facts["certificate"]["subject"], "CN=mq test broker");
    assert_eq!(s.code as i32, 3);
}

#[test]
fn tls_hostname_mismatch_names_what_the_certificate_carries() {
    let dir = tempfile::tempdir().unwrap();
    let (b, ca) = tls_broker(dir.path(), 400);
    let s = tls_stage(b.port, "broker.example", &ca);
    assert_eq!(s.status, Status::Failed, "{s:#?}");
    let error = s.error.as_deref().unwrap();
    assert!(
        error.contains("is for localhost, 127.0.0.1, not for 'broker.example'"),
        "{error}"
    );
    assert_eq!(s.facts["hostname_match"], false);
    assert_eq!(s.facts["trusted"], true);
}

#[test]
fn tls_to_a_plain_mqtt_port_says_it_is_not_tls() {
    let dir = tempfile::tempdir().unwrap();
    let ca = make_ca(dir.path(), "ca");
    let b = Broker::start();
    let s = tls_stage(b.port, "localhost", &ca);
    assert_eq!(s.status, Status::Failed, "{s:#?}");
    assert!(
        s.error
            .as_deref()
            .unwrap()
            .contains("does not seem to speak TLS"),
        "{s:#?}"
    );
    assert!(
        s.hint.as_deref().unwrap().contains("plain MQTT port"),
        "{s:#?}"
    );
    assert!(s.duration < Duration::from_secs(5), "{s:#?}");
}

/// `mq check` on the command line against `port`, with `args` after the connection flags.
fn check_cli(port: u16, args: &[&str]) -> std::process::Output {
    let mut c = mq();
    c.args(["check", "-h", "localhost", "-p", &port.to_string()])
        .args(args);
    run(c, b"", Duration::from_secs(20))
}

fn stage_json<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} stage in {report}"))
}

#[test]
fn finding_16_insecure_check_says_the_certificate_was_not_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = tls_broker(dir.path(), 400);
    let out = check_cli(
        b.port,
        &[
            "--insecure",
            "--require-tls",
            "--min-cert-days",
            "1",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let tls = stage_json(&report, "tls");
    assert_eq!(tls["facts"]["verified"], false, "{tls}");
    assert!(
        tls["summary"].as_str().unwrap().contains("NOT verified"),
        "{tls}"
    );
    // The certificate is still read and shown: the expiry assertion has its days.
    assert_eq!(tls["facts"]["certificate"]["subject"], "CN=mq test broker");
    let require = stage_json(&report, "require_tls");
    assert_eq!(require["facts"]["verified"], false, "{require}");
    assert!(
        require["summary"]
            .as_str()
            .unwrap()
            .contains("NOT verified"),
        "{require}"
    );
    assert_eq!(stage_json(&report, "min_cert_days")["ok"], true);
    // The human report says it on the TLS line.
    let out = check_cli(b.port, &["--insecure", "--require-tls"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let tls_line = stdout(&out)
        .lines()
        .find(|l| l.contains("TLS  "))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(
        tls_line.contains("certificate NOT verified (--insecure)"),
        "{}",
        stdout(&out)
    );
    // With a CA the same stage says it verified.
    let ca = dir.path().join("ca.crt");
    let out = check_cli(
        b.port,
        &["--cafile", ca.to_str().unwrap(), "--require-tls", "--json"],
    );
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(stage_json(&report, "tls")["facts"]["verified"], true);
    assert_eq!(
        stage_json(&report, "require_tls")["facts"]["verified"],
        true
    );
}

/// A TLS server (Python's ssl) presenting `cert`; its port, and the process to kill.
struct PyTlsServer {
    child: std::process::Child,
    port: u16,
}

impl PyTlsServer {
    fn start(cert: &Path, key: &Path) -> PyTlsServer {
        use std::io::BufRead;
        // At most 10 handshakes or 20 s without one, whichever comes first.
        let script = r#"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(5)
srv.settimeout(20)
print(srv.getsockname()[1], flush=True)
for _ in range(10):
    try:
        c, _ = srv.accept()
    except socket.timeout:
        break
    try:
        ctx.wrap_socket(c, server_side=True).recv(10)
    except Exception:
        pass
    finally:
        c.close()
"#;
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(cert)
            .arg(key)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is installed");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the Python TLS server did not start: {line:?}")
        });
        PyTlsServer { child, port }
    }
}

impl Drop for PyTlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// PEM of `der`, 64 base64 characters a line.
fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

#[test]
fn finding_7_a_certificate_date_with_a_multibyte_character_is_a_tls_failure_not_a_panic() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let ca = make_ca(dir.path(), "ca");
    let (crt, _) = make_server_cert(dir.path(), "ca", 400);
    // notBefore := "1\u{e9}010100000Z": valid UTF-8, 13 bytes like the UTCTime it replaces.
    let body: String = crt.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let at = der
        .windows(2)
        .position(|w| w == b"\x17\x0d")
        .expect("a UTCTime notBefore");
    der[at + 2..at + 15].copy_from_slice("1\u{e9}010100000Z".as_bytes());
    let evil = dir.path().join("evil.pem");
    std::fs::write(&evil, pem(&der)).unwrap();
    let server = PyTlsServer::start(&evil, &dir.path().join("server.key"));
    let s = tls_stage(server.port, "localhost", &ca);
    assert_eq!(s.status, Status::Failed, "{s:#?}");
    assert_eq!(s.code as i32, 3, "{s:#?}");
    let out = check_cli(server.port, &["--cafile", ca.to_str().unwrap()]);
    assert_eq!(code(&out), 3, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("TLS"), "{}", stdout(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
