//! The TLS stage of `mq check` against a real mosquitto TLS listener, with certificates made by
//! openssl in the test: trusted, untrusted, wrong name, expiring soon, not TLS at all.
//!
//! The stage is called through the library: the command line reaches it once mq's sessions
//! speak TLS (the MQTT stages after it need that too).

use crate::common::*;
use mq::cmd::check::tls::{stage, TlsOptions};
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
    let opts = TlsOptions {
        server_name: name.into(),
        cafile: Some(cafile.to_path_buf()),
        provider: None,
        version: None,
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(stage(addr, &opts, Duration::from_secs(5)))
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
    assert!(error.contains("not trusted: issued by CN=ca"), "{error}");
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
        error.contains("not for 'broker.example': it names localhost, 127.0.0.1"),
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
    assert!(s.hint.as_deref().unwrap().contains("1883"), "{s:#?}");
    assert!(s.duration < Duration::from_secs(5), "{s:#?}");
}
