//! Bad input and unreachable or refusing brokers: one clear line on stderr and the documented
//! exit code, never a panic or a hang.

use crate::common::*;
use std::net::TcpListener;

/// (args, exit code, text the one-line error must contain)
const ARGV_CASES: &[(&[&str], i32, &str)] = &[
    (&["pub", "-m", "x"], 2, "no topic given"),
    (&["pub", "-t", "a"], 2, "no payload given"),
    (
        &["pub", "-t", "a", "-m", "x", "-f", "y"],
        2,
        "cannot be used with",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "-n"],
        2,
        "cannot be used with",
    ),
    (&["pub", "-t", "a", "-m", "x", "-q", "3"], 2, "not a QoS"),
    (&["pub", "-t", "a", "-m", "x", "-p", "secret"], 2, "-P"),
    (
        &["pub", "-t", "a", "-m", "x", "-p", "70000"],
        2,
        "out of range",
    ),
    (&["pub", "-t", "a", "-m", "x", "-p", "0"], 2, "port 0"),
    (&["pub", "-t", "a/+", "-m", "x"], 2, "wildcard"),
    (&["pub", "-t", "a/#", "-m", "x"], 2, "wildcard"),
    (&["pub", "-t", "", "-m", "x"], 2, "cannot be empty"),
    (
        &["pub", "-t", "a", "-f", "/nonexistent/file"],
        2,
        "no such file",
    ),
    (&["pub", "-t", "a", "-f", "/"], 2, "directory"),
    (
        &["pub", "-t", "a", "-m", "x", "-k", "soon"],
        2,
        "not a duration",
    ),
    (&["pub", "-t", "a", "-m", "x", "--repeat", "0"], 2, "repeat"),
    (&["pub", "-t", "a", "-m", "x", "-c"], 2, "client id"),
    (
        &["pub", "-t", "a", "-m", "x", "-i", "a", "-I", "b"],
        2,
        "cannot be used with",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "-V", "4"],
        2,
        "invalid value",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "-L", "http://h/t"],
        2,
        "scheme",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "--will-topic", "w/#"],
        2,
        "will-topic",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "--bogus"],
        2,
        "unexpected argument",
    ),
    (&["sub"], 2, "no topic given"),
    (&["sub", "-t", "a/#/b"], 2, "'#' must be"),
    (&["sub", "-t", "a+"], 2, "'+' must"),
    (&["sub", "-t", "a", "-T", "++"], 2, "-T"),
    (&["sub", "-t", "a", "-C", "0"], 2, "0"),
    (&["sub", "-t", "a", "-W", "-1"], 2, "duration"),
    (
        &["sub", "-t", "a", "-R", "--retained-only"],
        2,
        "cannot be used with",
    ),
    (&["sub", "-t", "a", "-q", "x"], 2, "not a QoS"),
    (&["frobnicate"], 2, "unrecognized subcommand"),
];

#[test]
fn argv_errors_are_one_line_with_exit_2() {
    for (args, want, text) in ARGV_CASES {
        let mut v: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        v.extend(["-p", "1", "--connect-timeout", "1"].map(Into::into));
        assert_one_line_error(v, *want, text);
    }
}

#[test]
fn help_and_version_exit_zero() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["pub", "--help"],
        &["sub", "--help"],
    ] {
        let out = run(
            {
                let mut c = mq();
                c.args(args);
                c
            },
            b"",
            LIMIT,
        );
        assert_eq!(code(&out), 0, "{args:?}");
        assert!(!out.stdout.is_empty());
    }
    let out = run(mq_args(&["sub", "--help"]), b"", LIMIT);
    let help = stdout(&out);
    assert!(help.contains("-h, --host"), "{help}");
    assert!(help.contains("-V, --protocol-version"), "{help}");
}

#[test]
fn values_may_start_with_a_dash_and_the_last_scalar_wins() {
    let b = Broker::start();
    let sub = subscribed(&b, &["-t", "dash/#", "-v", "-C", "1"]);
    publish(&b, &["-t", "dash/first", "-t", "dash/last", "-m", "-5"]);
    assert_eq!(stdout(&sub.finish(LIMIT)), "dash/last -5\n");
}

#[test]
fn connection_refused_exits_3_with_a_hint() {
    let closed = closed_port();
    let p = closed.port.to_string();
    let out = run(
        mq_args(&["pub", "-h", "127.0.0.1", "-p", &p, "-t", "a", "-m", "x"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3);
    let err = stderr(&out);
    assert!(
        err.contains("connection refused") && err.contains("hint:"),
        "{err}"
    );
    let out = run(
        mq_args(&["sub", "-h", "127.0.0.1", "-p", &p, "-t", "a"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3);
}

#[test]
fn unknown_host_exits_3() {
    let out = run(
        mq_args(&["pub", "-h", "no-such-host.invalid", "-t", "a", "-m", "x"]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot resolve host"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_server_that_never_answers_cannot_hang_pub_or_sub() {
    // Accepts TCP, never speaks MQTT.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let p = l.local_addr().unwrap().port().to_string();
    for sub in ["pub", "sub"] {
        let mut c = mq();
        c.args([
            sub,
            "-h",
            "127.0.0.1",
            "-p",
            &p,
            "-t",
            "a",
            "--connect-timeout",
            "1s",
        ]);
        if sub == "pub" {
            c.args(["-m", "x"]);
        }
        let out = run(c, b"", LIMIT);
        assert_eq!(code(&out), 3, "{sub}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("no answer within 1s"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn bad_credentials_exit_4_on_both_versions() {
    let b = Broker::with(Config::default().users(&[("alice", "wonderland")]));
    for v in ["311", "5"] {
        let out = run(
            mq_on(
                &b,
                "pub",
                &["-V", v, "-u", "alice", "-P", "wrong", "-t", "a", "-m", "x"],
            ),
            b"",
            LIMIT,
        );
        assert_eq!(code(&out), 4, "-V {v}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("refused the connection") && !err.contains("wrong"),
            "{err}"
        );
        let out = run(
            mq_on(
                &b,
                "pub",
                &[
                    "-V",
                    v,
                    "-u",
                    "alice",
                    "-P",
                    "wonderland",
                    "-t",
                    "a",
                    "-m",
                    "x",
                ],
            ),
            b"",
            LIMIT,
        );
        assert_eq!(code(&out), 0, "-V {v}: {}", stderr(&out));
    }
    // The password may come from the environment instead of the command line.
    let mut c = mq_on(&b, "pub", &["-u", "alice", "-t", "a", "-m", "x"]);
    c.env("MQ_PASSWORD", "wonderland");
    assert_eq!(code(&run(c, b"", LIMIT)), 0);
}

#[test]
fn url_sets_host_port_credentials_and_topic() {
    let b = Broker::with(Config::default().users(&[("bob", "p@ss")]));
    let sub = {
        let mut c = mq();
        c.args([
            "sub",
            "-L",
            &format!("mqtt://bob:p%40ss@127.0.0.1:{}/u/#", b.port),
            "-v",
            "-C",
            "1",
            "-d",
        ]);
        Running::until(c, "received SUBACK")
    };
    let out = run(
        mq_args(&[
            "pub",
            "-L",
            &format!("mqtt://bob:p%40ss@127.0.0.1:{}/u/x", b.port),
            "-m",
            "via-url",
        ]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&sub.finish(LIMIT)), "u/x via-url\n");
}

#[test]
fn debug_log_never_shows_the_password() {
    let b = Broker::with(Config::default().users(&[("carol", "s3cr3t-pw")]));
    let out = run(
        mq_on(
            &b,
            "pub",
            &["-d", "-u", "carol", "-P", "s3cr3t-pw", "-t", "a", "-m", "x"],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0);
    let err = stderr(&out);
    assert!(
        err.contains("sending CONNECT") && err.contains("****"),
        "{err}"
    );
    assert!(!err.contains("s3cr3t-pw"), "{err}");
}

#[test]
fn refused_subscription_and_refused_publish_exit_5() {
    // Anonymous clients may neither subscribe nor publish.
    let deny_all = r#"{"defaultACLAccess":{"publishClientSend":false,"publishClientReceive":true,"subscribe":false,"unsubscribe":true},"clients":[],"groups":[],"roles":[]}"#;
    let b = Broker::with(Config::default().dynsec(deny_all));
    // mosquitto_sub prints nothing and waits; mosquitto_pub warns and exits 0.
    let out = run(mq_on(&b, "sub", &["-t", "secret/#", "-W", "5"]), b"", LIMIT);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refused the subscription to 'secret/#': not authorized"),
        "{}",
        stderr(&out)
    );
    for q in ["1", "2"] {
        let out = run(
            mq_on(&b, "pub", &["-t", "secret/x", "-q", q, "-m", "x"]),
            b"",
            LIMIT,
        );
        assert_eq!(code(&out), 5, "q{q}: {}", stderr(&out));
        assert!(stderr(&out).contains("not authorized"), "{}", stderr(&out));
    }
}

#[test]
fn acl_file_denied_publish_exits_5_on_mqtt5() {
    let acl = "user dave\ntopic readwrite allowed/#\n";
    let b = Broker::with(Config::default().users(&[("dave", "pw")]).acl(acl));
    let out = run(
        mq_on(
            &b,
            "pub",
            &[
                "-u", "dave", "-P", "pw", "-t", "secret/x", "-q", "1", "-m", "x",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let out = run(
        mq_on(
            &b,
            "pub",
            &[
                "-u",
                "dave",
                "-P",
                "pw",
                "-t",
                "allowed/x",
                "-q",
                "1",
                "-m",
                "x",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn payload_over_the_broker_maximum_is_an_error_not_a_silent_loss() {
    let b = Broker::with(Config::default().extra("max_packet_size 1000"));
    let big = "x".repeat(5000);
    // MQTT 5: the CONNACK announces the limit and mq refuses before sending.
    let out = run(
        mq_on(&b, "pub", &["-V", "5", "-t", "big", "-m", &big]),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("maximum packet size of 1000"),
        "{}",
        stderr(&out)
    );
    // MQTT 3.1.1: the broker drops the connection; mq notices, at QoS 0 too.
    for q in ["0", "1"] {
        let out = run(
            mq_on(&b, "pub", &["-V", "311", "-q", q, "-t", "big", "-m", &big]),
            b"",
            LIMIT,
        );
        assert_eq!(code(&out), 1, "q{q}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("mq: publishing to big:"),
            "{}",
            stderr(&out)
        );
    }
}
