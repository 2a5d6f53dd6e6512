//! The bad-input matrix across subcommands: every case is one line on stderr starting with
//! `mq: `, the documented exit code, and never a panic. (More pub/sub argv cases are in
//! `errors.rs`; broker-side refusals are tested against real brokers there too.)

use crate::common::*;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

/// (args, exit code, text the error must contain)
const CASES: &[(&[&str], i32, &str)] = &[
    // connection flags shared by every subcommand
    (
        &["pub", "-t", "a", "-m", "x", "-x", "99999999999"],
        2,
        "out of range",
    ),
    (
        &[
            "pub",
            "-t",
            "a",
            "-m",
            "x",
            "--will-qos",
            "3",
            "--will-topic",
            "w",
        ],
        2,
        "not a QoS",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "--will-payload", "p"],
        2,
        "--will-topic",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "-k", "70000"],
        2,
        "keepalive",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "--connect-timeout", "never"],
        2,
        "not a duration",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "-L", "mqtt://h:99999"],
        2,
        "out of range",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "-L", "mqtt://:1883"],
        2,
        "host is missing",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "-L", "mqtt//host"],
        2,
        "scheme",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "--repeat-delay", "-1"],
        2,
        "not a duration",
    ),
    (&["sub", "-t", "a", "-p", "abc"], 2, "-P"),
    // pub
    (
        &["pub", "-t", "a", "-f", "x", "--chunk-size", "0"],
        2,
        "at least 1 byte",
    ),
    (
        &["pub", "-t", "a", "-m", "x", "--chunked"],
        2,
        "apply to -f only",
    ),
    (&["pub", "-t", "a", "-s", "-l"], 2, "cannot be used with"),
    // sub output and saving
    (
        &["sub", "-t", "a", "-F", "%d"],
        2,
        "invalid format specifier '%d'",
    ),
    (&["sub", "-t", "a", "-F", "abc%"], 2, "-F"),
    (&["sub", "-t", "a", "-F", "\\q"], 2, "-F"),
    (
        &["sub", "-t", "a", "--color", "sometimes"],
        2,
        "invalid value",
    ),
    (&["sub", "-t", "a", "--format", "yaml"], 2, "invalid value"),
    (
        &["sub", "-t", "a", "--output", "/nonexistent/dir/f"],
        1,
        "--output",
    ),
    (
        &["sub", "-t", "a", "--save-dir", "/nonexistent/dir"],
        2,
        "--save-dir",
    ),
    (
        &["sub", "-t", "a", "--save-dir", "/etc/hostname"],
        2,
        "not a directory",
    ),
    (&["sub", "-t", "a", "--overwrite"], 2, "--save-dir"),
    // check
    (&["check", "--max-payload", "abc"], 2, "not a size"),
    (&["check", "--max-latency", "soon"], 2, "not a duration"),
    (&["check", "--topic-prefix", "a/#"], 2, "wildcard"),
    // bench
    (&["bench", "-s", "abc"], 2, "--size"),
    (&["bench", "-q", "3"], 2, "not a QoS"),
    (&["bench", "-c", "0"], 2, "--publishers"),
    (&["bench", "merge", "/nonexistent.json"], 1, "No such file"),
    // capture
    (
        &["capture", "--topic", "x", "--exec", "true"],
        2,
        "--trigger",
    ),
    (
        &["capture", "--trigger", "t", "--exec", "true"],
        2,
        "--topic",
    ),
    (
        &[
            "capture",
            "--trigger",
            "t",
            "--topic",
            "a/+",
            "--exec",
            "true",
        ],
        2,
        "wildcard",
    ),
    (
        &[
            "capture",
            "--trigger",
            "t",
            "--topic",
            "x",
            "--exec",
            "a",
            "--file",
            "b",
        ],
        2,
        "cannot be used with",
    ),
    (
        &[
            "capture",
            "--trigger",
            "t",
            "--topic",
            "x",
            "--on-busy",
            "maybe",
            "--exec",
            "true",
        ],
        2,
        "invalid value",
    ),
    (
        &[
            "capture",
            "--trigger",
            "t",
            "--topic",
            "x",
            "--timeout",
            "xs",
            "--exec",
            "true",
        ],
        2,
        "not a duration",
    ),
];

#[test]
fn bad_input_matrix() {
    for (args, want, text) in CASES {
        // Port 1: nothing is ever reached; bad input must fail before connecting.
        let mut v: Vec<OsString> = args.iter().map(OsString::from).collect();
        if args[..2] != ["bench", "merge"] {
            v.extend(["-p", "1", "--connect-timeout", "1"].map(OsString::from));
        }
        assert_one_line_error(v, *want, text);
    }
}

#[test]
fn invalid_utf8_and_overlong_topics_are_refused() {
    let bad = OsString::from_vec(b"a\xffb".to_vec());
    for sub in ["pub", "sub"] {
        let mut v = vec![
            OsString::from(sub),
            OsString::from("-t"),
            bad.clone(),
            "-p".into(),
            "1".into(),
        ];
        if sub == "pub" {
            v.extend(["-m", "x"].map(OsString::from));
        }
        assert_one_line_error(v, 2, "UTF-8");
    }
    let long = "a".repeat(65536);
    let v = ["pub", "-t", &long, "-m", "x", "-p", "1"]
        .map(OsString::from)
        .to_vec();
    assert_one_line_error(v, 2, "at most 65535 bytes");
    let v = ["sub", "-t", &long, "-p", "1"].map(OsString::from).to_vec();
    assert_one_line_error(v, 2, "at most 65535 bytes");
}

/// A build without the broker (`cargo test --no-default-features`) says so, exit 2.
#[cfg(not(feature = "serve"))]
#[test]
fn without_the_serve_feature_the_broker_commands_say_so() {
    for args in [
        &["serve"][..],
        &["sub", "--embedded", "-t", "a"],
        &["pub", "--embedded", "-l", "-t", "a"],
        &["check", "--embedded"],
        &["bench", "--embedded"],
    ] {
        let argv = args.iter().map(Into::into).collect();
        assert_one_line_error(argv, 2, "this mq was built without the broker");
    }
}
