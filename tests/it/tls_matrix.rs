//! `mq pub`, `mq sub` and `mq check` agree on TLS: one mosquitto with a listener per kind of
//! certificate, each made with the `openssl` command line the way mosquitto-tls(7) and most
//! tutorials make them, and every case run through all three. Each connects, or each fails
//! with exit code 3 and the same cause and hint; check fails at its TLS stage.

use crate::common::*;
use std::path::Path;
use std::process::{Command, Output};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is installed");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// `openssl req -newkey`: a 2048-bit RSA key `NAME.key` and a request `NAME.csr` for `cn`.
fn request(dir: &Path, name: &str, cn: &str) {
    let (key, csr, subj) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("/CN={cn}"),
    );
    openssl(
        dir,
        &[
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj", &subj,
        ],
    );
}

/// `openssl req -x509`: a self-signed `NAME.crt` (marked as a CA, as openssl makes them), with
/// `extra` arguments (`-addext subjectAltName=...`).
fn self_signed(dir: &Path, name: &str, cn: &str, extra: &[&str]) {
    let (key, crt, subj) = (
        format!("{name}.key"),
        format!("{name}.crt"),
        format!("/CN={cn}"),
    );
    let mut args = vec![
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &crt, "-days",
        "365", "-subj", &subj,
    ];
    args.extend_from_slice(extra);
    openssl(dir, &args);
}

/// `openssl x509 -req`: `csr` signed by CA `ca` into `out.crt`; with `san`, through
/// `-extfile` (an X.509 v3 certificate), without it an X.509 v1 certificate.
fn sign(dir: &Path, csr: &str, ca: &str, out: &str, san: Option<&str>) {
    let (csr, ca_crt, ca_key, crt) = (
        format!("{csr}.csr"),
        format!("{ca}.crt"),
        format!("{ca}.key"),
        format!("{out}.crt"),
    );
    let ext = format!("{out}.ext");
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca_crt,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-out",
        &crt,
        "-days",
        "365",
    ];
    if let Some(san) = san {
        std::fs::write(dir.join(&ext), format!("subjectAltName={san}\n")).unwrap();
        args.extend_from_slice(&["-extfile", &ext]);
    }
    openssl(dir, &args);
}

/// A certificate that expired on 2021-01-01, signed by `ca` with `openssl ca` (the one
/// openssl command that takes explicit dates).
fn expired(dir: &Path, csr: &str, ca: &str, out: &str) {
    std::fs::write(dir.join("index.txt"), "").unwrap();
    std::fs::write(dir.join("serial"), "1000\n").unwrap();
    std::fs::write(
        dir.join("ca.cnf"),
        "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = copy\n[p]\ncommonName = supplied\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("{out}.ext")),
        "[x]\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            &format!("{ca}.crt"),
            "-keyfile",
            &format!("{ca}.key"),
            "-in",
            &format!("{csr}.csr"),
            "-out",
            &format!("{out}.crt"),
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20210101000000Z",
            "-extfile",
            &format!("{out}.ext"),
            "-extensions",
            "x",
        ],
    );
}

/// Every certificate of the matrix, in `dir`.
fn make_certificates(dir: &Path) {
    // The self-signed one-liner, with the names clients use.
    self_signed(
        dir,
        "selfsigned",
        "localhost",
        &["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    );
    // The same one-liner without -addext: a name in the CN only.
    self_signed(dir, "cnonly", "localhost", &[]);
    self_signed(dir, "ca", "Test CA", &[]);
    self_signed(dir, "rogue", "Rogue CA", &[]);
    request(dir, "server", "localhost");
    sign(
        dir,
        "server",
        "ca",
        "server",
        Some("DNS:broker.local,DNS:localhost"),
    );
    sign(dir, "server", "ca", "iponly", Some("IP:127.0.0.1"));
    sign(dir, "server", "ca", "v1", None);
    expired(dir, "server", "ca", "expired");
    // mosquitto-tls(7)'s client certificate: `openssl x509 -req` without -extfile, X.509 v1.
    request(dir, "client", "client1");
    sign(dir, "client", "ca", "client", None);
    request(dir, "rogueclient", "rogue1");
    sign(dir, "rogueclient", "rogue", "rogueclient", None);
    for (sub, cert) in [("cadir", "ca"), ("selfdir", "selfsigned")] {
        std::fs::create_dir(dir.join(sub)).unwrap();
        std::fs::copy(
            dir.join(format!("{cert}.crt")),
            dir.join(sub).join(format!("{cert}.crt")),
        )
        .unwrap();
    }
}

/// The listeners, in `Broker::ports` order: which certificate each serves, and whether it
/// requires a client certificate signed by the test CA.
const LISTENERS: [(&str, &str, bool); 7] = [
    ("selfsigned", "selfsigned", false),
    ("server", "server", false),
    ("iponly", "server", false),
    ("v1", "server", false),
    ("cnonly", "cnonly", false),
    ("expired", "server", false),
    ("server", "server", true),
];

fn matrix_broker(dir: &Path) -> Broker {
    let mut config = Config::default();
    for name in [
        "ca.crt",
        "selfsigned.crt",
        "selfsigned.key",
        "cnonly.crt",
        "cnonly.key",
        "server.crt",
        "server.key",
        "iponly.crt",
        "v1.crt",
        "expired.crt",
    ] {
        config = config.file(name, &std::fs::read_to_string(dir.join(name)).unwrap());
    }
    for (cert, key, require) in LISTENERS {
        let mut l = format!("certfile {{dir}}/{cert}.crt\nkeyfile {{dir}}/{key}.key\n");
        if require {
            l.push_str("cafile {dir}/ca.crt\nrequire_certificate true\n");
        }
        config = config.listener(&l);
    }
    Broker::with(config)
}

/// What every command must do.
#[derive(Clone, Copy, Debug)]
enum Verdict {
    Connects,
    /// Fails with exit code 3 and this in its message.
    Fails(&'static str),
}

struct Case {
    what: &'static str,
    listener: usize,
    host: &'static str,
    args: &'static [&'static str],
    verdict: Verdict,
}

use Verdict::{Connects, Fails};

const CASES: &[Case] = &[
    // Walkthrough 3c: check failed here with CaUsedAsEndEntity while pub/sub connected.
    Case {
        what: "self-signed certificate given as --cafile",
        listener: 0,
        host: "localhost",
        args: &["--cafile", "selfsigned.crt"],
        verdict: Connects,
    },
    Case {
        what: "self-signed certificate with an IP address SAN, host given as that IP",
        listener: 0,
        host: "127.0.0.1",
        args: &["--cafile", "selfsigned.crt"],
        verdict: Connects,
    },
    Case {
        what: "self-signed certificate in a --capath directory",
        listener: 0,
        host: "localhost",
        args: &["--capath", "selfdir"],
        verdict: Connects,
    },
    // Walkthrough 3c: check said CaUsedAsEndEntity instead of "not trusted".
    Case {
        what: "self-signed certificate against the system's CA store",
        listener: 0,
        host: "localhost",
        args: &["--tls"],
        verdict: Fails("self-signed CA certificate that is not trusted"),
    },
    Case {
        what: "CA-signed certificate",
        listener: 1,
        host: "localhost",
        args: &["--cafile", "ca.crt"],
        verdict: Connects,
    },
    // Walkthrough 3c: check connected by IP and failed the name check.
    Case {
        what: "CA-signed certificate, CA in a --capath directory",
        listener: 1,
        host: "localhost",
        args: &["--capath", "cadir"],
        verdict: Connects,
    },
    Case {
        what: "wrong name: the certificate does not carry the IP",
        listener: 1,
        host: "127.0.0.1",
        args: &["--cafile", "ca.crt"],
        verdict: Fails("is for broker.local, localhost, not for '127.0.0.1'"),
    },
    Case {
        what: "--tls-server-name names what the certificate carries",
        listener: 1,
        host: "127.0.0.1",
        args: &["--cafile", "ca.crt", "--tls-server-name", "broker.local"],
        verdict: Connects,
    },
    Case {
        what: "--tls-server-name names something else",
        listener: 1,
        host: "localhost",
        args: &["--cafile", "ca.crt", "--tls-server-name", "other.example"],
        verdict: Fails("not for 'other.example'"),
    },
    Case {
        what: "rogue CA",
        listener: 1,
        host: "localhost",
        args: &["--cafile", "rogue.crt"],
        verdict: Fails("signed by a CA that is not trusted"),
    },
    Case {
        what: "--insecure",
        listener: 1,
        host: "127.0.0.1",
        args: &["--insecure"],
        verdict: Connects,
    },
    Case {
        what: "IP-address SAN only, host given as that IP",
        listener: 2,
        host: "127.0.0.1",
        args: &["--cafile", "ca.crt"],
        verdict: Connects,
    },
    Case {
        what: "IP-address SAN only, host given as a name",
        listener: 2,
        host: "localhost",
        args: &["--cafile", "ca.crt"],
        verdict: Fails("is for 127.0.0.1, not for 'localhost'"),
    },
    Case {
        what: "X.509 v1 server certificate",
        listener: 3,
        host: "localhost",
        args: &["--cafile", "ca.crt"],
        verdict: Fails("X.509 v1 certificate"),
    },
    Case {
        what: "X.509 v1 server certificate with --insecure",
        listener: 3,
        host: "localhost",
        args: &["--insecure"],
        verdict: Connects,
    },
    Case {
        what: "X.509 v1 server certificate with --insecure, TLS 1.2",
        listener: 3,
        host: "localhost",
        args: &["--insecure", "--tls-version", "1.2"],
        verdict: Connects,
    },
    Case {
        what: "self-signed certificate with the name in its CN only",
        listener: 4,
        host: "localhost",
        args: &["--cafile", "cnonly.crt"],
        verdict: Fails("carries no subjectAltName"),
    },
    Case {
        what: "expired certificate",
        listener: 5,
        host: "localhost",
        args: &["--cafile", "ca.crt"],
        verdict: Fails("expired on 2021-01-01T00:00:00Z"),
    },
    // Walkthrough 3c and README example 14: the v1 client certificate was refused.
    Case {
        what: "mTLS with an X.509 v1 client certificate",
        listener: 6,
        host: "localhost",
        args: &[
            "--cafile",
            "ca.crt",
            "--cert",
            "client.crt",
            "--key",
            "client.key",
        ],
        verdict: Connects,
    },
    // Walkthrough 3c: check gave the hint for "the answer is not MQTT".
    Case {
        what: "mTLS without a client certificate",
        listener: 6,
        host: "localhost",
        args: &["--cafile", "ca.crt"],
        verdict: Fails("the broker requires a client certificate"),
    },
    Case {
        what: "mTLS with a client certificate from a rogue CA",
        listener: 6,
        host: "localhost",
        args: &[
            "--cafile",
            "ca.crt",
            "--cert",
            "rogueclient.crt",
            "--key",
            "rogueclient.key",
        ],
        verdict: Fails("the broker rejected mq's client certificate"),
    },
    // Under TLS 1.2 the broker's verdict on the client certificate is part of the handshake.
    Case {
        what: "mTLS without a client certificate, TLS 1.2",
        listener: 6,
        host: "localhost",
        args: &["--cafile", "ca.crt", "--tls-version", "1.2"],
        verdict: Fails("the broker refused the handshake"),
    },
    Case {
        what: "mTLS with an X.509 v1 client certificate, TLS 1.2",
        listener: 6,
        host: "localhost",
        args: &[
            "--cafile",
            "ca.crt",
            "--cert",
            "client.crt",
            "--key",
            "client.key",
            "--tls-version",
            "1.2",
        ],
        verdict: Connects,
    },
    Case {
        what: "mTLS with a client certificate from a rogue CA, TLS 1.2",
        listener: 6,
        host: "localhost",
        args: &[
            "--cafile",
            "ca.crt",
            "--cert",
            "rogueclient.crt",
            "--key",
            "rogueclient.key",
            "--tls-version",
            "1.2",
        ],
        verdict: Fails("the broker rejected mq's client certificate"),
    },
];

/// `mq pub`, `mq sub -E` and `mq check` with the same connection flags, run side by side.
fn three(dir: &Path, port: u16, case: &Case) -> [(&'static str, Output); 3] {
    let port = port.to_string();
    let conn = |c: &mut Command| {
        c.current_dir(dir)
            .args(["-h", case.host, "-p", &port])
            .args(case.args);
    };
    let mut p = mq();
    p.arg("pub");
    conn(&mut p);
    p.args(["-t", "matrix/x", "-m", "hi"]);
    let mut s = mq();
    s.arg("sub");
    conn(&mut s);
    s.args(["-t", "matrix/#", "-E"]);
    let mut c = mq();
    c.arg("check");
    conn(&mut c);
    std::thread::scope(|scope| {
        let p = scope.spawn(|| run(p, b"", LIMIT));
        let s = scope.spawn(|| run(s, b"", LIMIT));
        let c = run(c, b"", LIMIT);
        [
            ("pub", p.join().unwrap()),
            ("sub", s.join().unwrap()),
            ("check", c),
        ]
    })
}

#[test]
fn pub_sub_and_check_agree_on_every_tls_case() {
    let dir = tempfile::tempdir().unwrap();
    make_certificates(dir.path());
    let b = matrix_broker(dir.path());
    let mut wrong = Vec::new();
    for case in CASES {
        let outs = three(dir.path(), b.ports[case.listener], case);
        let shown = |(who, o): &(&str, Output)| {
            format!("  {who}: exit {}\n{}{}", code(o), stdout(o), stderr(o))
        };
        let report = outs.iter().map(shown).collect::<Vec<_>>().join("");
        let agree = match case.verdict {
            Connects => {
                outs.iter().all(|(_, o)| code(o) == 0)
                    // The TLS stage ran (with --cert and --capath too) and passed.
                    && stdout(&outs[2].1).lines().any(|l| l.starts_with(" ✔ TLS"))
            }
            Fails(cause) => {
                // pub's cause and hint, from "TLS: " to the end of its one line.
                let pub_err = stderr(&outs[0].1);
                let told = pub_err
                    .find("TLS: ")
                    .map(|at| pub_err[at..].trim_end().to_string())
                    .unwrap_or_default();
                told.contains(cause)
                    && told.contains("(hint: ")
                    && outs.iter().all(|(_, o)| code(o) == 3)
                    && stderr(&outs[1].1).contains(&told)
                    && stderr(&outs[2].1).contains(&format!("failed at {told}"))
            }
        };
        if !agree {
            wrong.push(format!(
                "{} (-h {} {:?}), wanted {:?}:\n{report}",
                case.what, case.host, case.args, case.verdict
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Walkthrough 3c: check on a TLS port without TLS flags gave the hint for "the answer is not
/// MQTT"; it gives pub's, which says how to speak TLS.
#[test]
fn check_on_a_tls_port_without_tls_gives_pubs_hint() {
    let dir = tempfile::tempdir().unwrap();
    self_signed(
        dir.path(),
        "selfsigned",
        "localhost",
        &["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    );
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let b = Broker::with(
        Config::default()
            .file("selfsigned.crt", &read("selfsigned.crt"))
            .file("selfsigned.key", &read("selfsigned.key"))
            .listener("certfile {dir}/selfsigned.crt\nkeyfile {dir}/selfsigned.key"),
    );
    let port = b.ports[0].to_string();
    let p = run(
        mq_args(&["pub", "-h", "127.0.0.1", "-p", &port, "-t", "x", "-m", "1"]),
        b"",
        LIMIT,
    );
    let c = run(
        mq_args(&["check", "-h", "127.0.0.1", "-p", &port]),
        b"",
        LIMIT,
    );
    assert_eq!((code(&p), code(&c)), (3, 3), "{}{}", stderr(&p), stderr(&c));
    let pub_err = stderr(&p);
    let told = &pub_err[pub_err.find("port ").expect("pub names the port")..];
    assert!(
        told.contains("expects TLS") && told.contains("hint: use mqtts://"),
        "{pub_err}"
    );
    assert!(stderr(&c).contains(told.trim_end()), "{}", stderr(&c));
}

/// mosquitto serves with an X.509 v1 certificate (`openssl x509 -req` without -extfile), and
/// so does `mq serve`; mq's clients refuse to verify one, saying why, and connect with
/// --insecure.
#[cfg(feature = "serve")]
#[test]
fn mq_serve_takes_a_v1_certificate_as_mosquitto_does() {
    use crate::serve::fixture::Serve;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    self_signed(d, "ca", "Test CA", &[]);
    request(d, "server", "localhost");
    sign(d, "server", "ca", "v1", None);
    let path = |f: &str| d.join(f).to_str().unwrap().to_string();
    let s = Serve::start(&[
        "--tls-cert",
        &path("v1.crt"),
        "--tls-key",
        &path("server.key"),
    ]);
    let port = s.port.to_string();
    let ca = path("ca.crt");
    let theirs = Command::new("mosquitto_pub")
        .args(["-h", "localhost", "-p", &port, "--cafile", &ca])
        .args(["-t", "v1/t", "-m", "x"])
        .output()
        .unwrap();
    assert!(theirs.status.success(), "{theirs:?}");
    let pub_with = |extra: &[&str]| {
        let mut c = mq_args(&[
            "pub",
            "-h",
            "localhost",
            "-p",
            &port,
            "-t",
            "v1/t",
            "-m",
            "x",
        ]);
        c.args(extra);
        run(c, b"", LIMIT)
    };
    let out = pub_with(&["--cafile", &ca]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("X.509 v1 certificate"),
        "{}",
        stderr(&out)
    );
    let out = pub_with(&["--insecure"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A key that is not the certificate's is refused before listening.
    let out = run(
        mq_args(&[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--tls-cert",
            &path("v1.crt"),
            "--tls-key",
            &path("ca.key"),
        ]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("and --tls-key do not fit together"),
        "{}",
        stderr(&out)
    );
}
