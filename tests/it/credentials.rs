//! Passwords off the command line: --password-file (refused when every user can read it),
//! MQ_PASSWORD, the terminal prompt (`-P -`, or `-u` alone on a terminal), never a prompt
//! without a terminal; and a password never shows up in any output, even with -d.

use crate::common::*;
use std::os::unix::fs::PermissionsExt;
use std::process::Output;

const SECRET: &str = "s3cret-Pa55word";

fn auth_broker() -> Broker {
    Broker::with(Config::default().users(&[("alice", SECRET)]))
}

fn pub_with(b: &Broker, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = mq_on(b, "pub", &["-t", "creds/t", "-m", "x", "-q", "1", "-d"]);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    run(c, b"", LIMIT)
}

fn assert_no_secret(out: &Output) {
    for text in [stdout(out), stderr(out)] {
        assert!(!text.contains(SECRET), "the password leaked: {text}");
    }
}

fn password_file(dir: &std::path::Path, mode: u32, contents: &str) -> String {
    let p = temp_file(dir, "pw", contents.as_bytes());
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn password_file_is_read_and_never_shown() {
    let b = auth_broker();
    let dir = tempfile::tempdir().unwrap();
    let pw = password_file(dir.path(), 0o600, &format!("{SECRET}\n"));
    let out = pub_with(&b, &["-u", "alice", "--password-file", &pw], &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("password ****"), "{}", stderr(&out));
    assert_no_secret(&out);
    // The same through the environment.
    let out = pub_with(&b, &["-u", "alice"], &[("MQ_PASSWORD_FILE", &pw)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn world_readable_password_file_is_refused() {
    let b = auth_broker();
    let dir = tempfile::tempdir().unwrap();
    let pw = password_file(dir.path(), 0o644, SECRET);
    let out = pub_with(&b, &["-u", "alice", "--password-file", &pw], &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("is readable by every user (mode 644): refusing to use it")
            && err.contains(&format!("hint: chmod 600 {pw}")),
        "{err}"
    );
    assert_no_secret(&out);
}

#[test]
fn empty_or_missing_password_file_is_a_usage_error() {
    let b = auth_broker();
    let dir = tempfile::tempdir().unwrap();
    let empty = password_file(dir.path(), 0o600, "\n");
    let out = pub_with(&b, &["-u", "alice", "--password-file", &empty], &[]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("is empty"), "{}", stderr(&out));
    let out = pub_with(&b, &["-u", "alice", "--password-file", "/nonexistent"], &[]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no such file"), "{}", stderr(&out));
}

#[test]
fn mq_password_from_the_environment() {
    let b = auth_broker();
    let out = pub_with(&b, &["-u", "alice"], &[("MQ_PASSWORD", SECRET)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_no_secret(&out);
    // -P on the command line beats the environment.
    let out = pub_with(
        &b,
        &["-u", "alice", "-P", "wrong"],
        &[("MQ_PASSWORD", SECRET)],
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
}

#[test]
fn wrong_password_is_refused_without_echoing_it() {
    let b = auth_broker();
    let wrong = "Wr0ng-Pa55word";
    let out = pub_with(&b, &["-u", "alice", "-P", wrong], &[]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    for text in [stdout(&out), stderr(&out)] {
        assert!(!text.contains(wrong), "{text}");
    }
    // Also from a URL, and on the subscriber side.
    let url = format!("mqtt://alice:{SECRET}@127.0.0.1:{}/creds/t", b.port);
    let out = pub_with(&b, &["-L", &url], &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_no_secret(&out);
    let mut c = mq_on(
        &b,
        "sub",
        &["-t", "x", "-E", "-d", "-u", "alice", "-P", SECRET],
    );
    c.arg("-V").arg("311");
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_no_secret(&out);
}

#[test]
fn no_prompt_without_a_terminal() {
    let b = auth_broker();
    let out = pub_with(&b, &["-u", "alice", "-P", "-"], &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("-P - asks for the password on the terminal, but stdin is not a terminal"),
        "{}",
        stderr(&out)
    );
    // A username alone is sent without a password (as mosquitto does): the broker says no.
    let out = pub_with(&b, &["-u", "alice"], &[]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no password was given: use -P, --password-file FILE or MQ_PASSWORD"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn prompts_on_a_terminal() {
    let b = auth_broker();
    let cmd = format!(
        "{} pub -h 127.0.0.1 -p {} -t creds/t -m x -q 1 -u alice",
        env!("CARGO_BIN_EXE_mq"),
        b.port
    );
    let out = typed_at_terminal(&cmd, SECRET);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Password for alice@127.0.0.1: "),
        "{}",
        stdout(&out)
    );
    assert_no_secret(&out);
}

#[test]
fn a_bad_url_is_reported_without_its_password() {
    for url in [
        format!("mqtt://alice:{SECRET}@127.0.0.1:99999/t"),
        format!("mqtt://alice:{SECRET}%zz@127.0.0.1/t"),
    ] {
        let mut c = mq();
        c.args(["pub", "-L", &url, "-m", "x", "-d"]);
        let out = run(c, b"", LIMIT);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains("alice:****@"), "{}", stderr(&out));
        assert_no_secret(&out);
    }
}
