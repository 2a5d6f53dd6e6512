//! Findings of the outside security review, one test each, named after the finding: what a
//! hostile trigger, publisher or URL could do before, and must not do now.

use crate::common::capture::*;
use crate::common::raw::RawPublisher;
use crate::common::transfer::{files, frame_files, junk_frame, raw_publish};
use crate::common::*;
use std::time::Duration;

/// `mosquitto_pub -V 5` with `args`, to send what `mq pub` refuses to send.
fn mosquitto_pub(b: &Broker, args: &[&str], stdin: &[u8]) {
    let mut c = std::process::Command::new("mosquitto_pub");
    c.args(["-h", "127.0.0.1", "-p", &b.port.to_string(), "-V", "5"])
        .args(args);
    let out = run(c, stdin, LIMIT);
    assert_eq!(code(&out), 0, "mosquitto_pub {args:?}: {}", stderr(&out));
}

#[test]
fn finding_1_capture_error_events_never_carry_the_command_line_or_its_output() {
    let b = Broker::start();
    let secret = "CamPassw0rd";
    let exec = format!("echo 'curl -u admin:{secret} failed' >&2; exit 3 # {secret}");
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "cam1/go",
            "--topic",
            "cam1/img",
            "--exec",
            &exec,
        ],
    );
    let sub = subscribed(
        &b,
        &["-t", "cam1/img/events", "-t", "attacker/#", "-C", "2", "-v"],
    );
    mosquitto_pub(
        &b,
        &[
            "-t",
            "cam1/go",
            "-m",
            "x",
            "-D",
            "publish",
            "response-topic",
            "attacker/inbox",
        ],
        b"",
    );
    let out = sub.finish(LIMIT);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        text.contains("capture command exited with status 3"),
        "{text}"
    );
    assert!(!text.contains(secret) && !text.contains("curl"), "{text}");
    let _ = a.child.kill();
}

#[test]
fn finding_4_an_invalid_response_topic_does_not_cripple_the_agent() {
    let b = Broker::start();
    let mut a = agent(
        &b,
        &[
            "--trigger",
            "cam4/go",
            "--topic",
            "cam4/img",
            "--exec",
            "echo img",
        ],
    );
    mosquitto_pub(
        &b,
        &[
            "-t",
            "cam4/go",
            "-m",
            "x",
            "-D",
            "publish",
            "response-topic",
            "x/+",
        ],
        b"",
    );
    // The next, ordinary trigger is served at once, not after a 60 s acknowledgement wait.
    let sub = subscribed(&b, &["-t", "cam4/img/events", "-C", "2", "-W", "15"]);
    let started = std::time::Instant::now();
    publish(&b, &["-t", "cam4/go", "-m", "y"]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let events: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.iter().all(|e| e["result"] == "ok"), "{events:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let _ = a.child.kill();
}

#[test]
fn finding_10_a_password_with_a_slash_in_a_url_is_never_printed() {
    let out = {
        let mut c = mq();
        c.args([
            "pub",
            "-L",
            "mqtt://alice:S3cr3t/Pa55@127.0.0.1:1/x",
            "-m",
            "hi",
        ]);
        run(c, b"", LIMIT)
    };
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(!err.contains("S3cr3t") && !err.contains("Pa55"), "{err}");
    assert!(err.contains("%2F"), "{err}");
}

/// A config dir with `[profiles.lab]` holding a password, the file at `mode`.
fn profile_dir(b: &Broker, mode: u32) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("mq")).unwrap();
    let file = dir.path().join("mq/config.toml");
    std::fs::write(
        &file,
        format!(
            "[profiles.lab]\nhost = \"127.0.0.1\"\nport = {}\nusername = \"alice\"\npassword = \"S3cr3t-Pa55\"\n",
            b.port
        ),
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
    dir
}

#[test]
fn finding_11_profile_passwords_stay_out_of_child_processes_and_world_readable_profiles() {
    let b = Broker::start();
    let open = profile_dir(&b, 0o644);
    let mut c = mq();
    c.args(["sub", "--profile", "lab", "-t", "x", "-W", "1"])
        .env("XDG_CONFIG_HOME", open.path())
        .env_remove("MQ_PASSWORD");
    let out = run(c, b"", LIMIT);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));

    let private = profile_dir(&b, 0o600);
    let mut c = mq();
    c.args([
        "capture",
        "--profile",
        "lab",
        "--trigger",
        "c11/go",
        "--topic",
        "c11/img",
    ])
    .args(["--exec", "env | grep '^MQ_' | sort", "-d"])
    .env("XDG_CONFIG_HOME", private.path())
    .env_remove("MQ_PASSWORD");
    let mut a = Running::until(c, "received SUBACK");
    let sub = subscribed(&b, &["-t", "c11/img", "-C", "1", "-N"]);
    publish(&b, &["-t", "c11/go", "-m", "go"]);
    let out = sub.finish(LIMIT);
    let env = stdout(&out);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(env.contains("MQ_TRIGGER_TOPIC=c11/go"), "{env}");
    assert!(
        !env.contains("S3cr3t") && !env.contains("MQ_PASSWORD"),
        "{env}"
    );
    assert!(!env.contains("MQ_USERNAME"), "{env}");
    let _ = a.child.kill();
}

#[test]
fn finding_13_capture_temporary_files_are_private() {
    let b = Broker::start();
    let exec = r#"stat -c %a "$MQ_TRIGGER_PAYLOAD_FILE"; stat -L -c %a /proc/self/fd/1"#;
    let mut a = agent(
        &b,
        &["--trigger", "c13/go", "--topic", "c13/img", "--exec", exec],
    );
    let sub = subscribed(&b, &["-t", "c13/img", "-C", "1", "-N"]);
    publish(&b, &["-t", "c13/go", "-m", "go"]);
    let out = sub.finish(LIMIT);
    assert_eq!(stdout(&out), "600\n600\n", "{}", stderr(&out));
    let _ = a.child.kill();
}

#[test]
fn finding_14_trigger_payloads_of_any_size_and_bytes_reach_the_command() {
    let b = Broker::start();
    let exec = "wc -c; wc -c < \"$MQ_TRIGGER_PAYLOAD_FILE\"";
    let mut a = agent(
        &b,
        &["--trigger", "c14/go", "--topic", "c14/img", "--exec", exec],
    );
    let sub = subscribed(&b, &["-t", "c14/img", "-C", "2", "-N"]);
    mosquitto_pub(&b, &["-t", "c14/go", "-s"], b"a\0b");
    let big = vec![b'x'; 200 * 1024];
    mosquitto_pub(&b, &["-t", "c14/go", "-s"], &big);
    let out = sub.finish(LIMIT);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(text.starts_with("3\n3\n"), "{text}");
    assert!(text.ends_with("204800\n204800\n"), "{text}");
    let _ = a.child.kill();
}

#[test]
fn finding_15_nothing_a_capture_command_started_outlives_it() {
    let b = Broker::start();
    let marker = format!("3{}.25", std::process::id() % 1000);
    let exec = format!("sleep {marker} & echo img");
    let mut a = agent(
        &b,
        &["--trigger", "c15/go", "--topic", "c15/img", "--exec", &exec],
    );
    let sub = subscribed(&b, &["-t", "c15/img", "-C", "1", "-N"]);
    publish(&b, &["-t", "c15/go", "-m", "go"]);
    let out = sub.finish(LIMIT);
    assert_eq!(stdout(&out), "img\n");
    // Anchored: the agent's own command line holds the text too.
    let pattern = format!("^sleep {marker}");
    let alive = || {
        std::process::Command::new("pgrep")
            .args(["-f", &pattern])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!alive(), "the background child outlived the capture");
    let _ = a.child.kill();
}

#[test]
fn finding_17_max_size_bounds_raw_messages_too() {
    let b = Broker::start();
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path().to_str().unwrap();
    let args = [
        "-t",
        "f17",
        "--save-dir",
        dir,
        "--max-size",
        "1KiB",
        "-C",
        "2",
        "-W",
        "10",
    ];
    let sub = subscribed(&b, &args);
    publish(&b, &["-t", "f17", "-m", &"x".repeat(4096)]);
    publish(&b, &["-t", "f17", "-m", "small"]);
    let out = sub.finish(LIMIT);
    // -C counts files saved or failed; a failure among them is exit 1 (sub --save-dir's rule).
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("over --max-size"), "{}", stderr(&out));
    let saved: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(std::fs::read(saved[0].path()).unwrap(), b"small");
}

#[test]
fn finding_2_capture_request_writes_only_its_output_file() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    // A file that shares its name with what the responder announces (a plain message on `img`
    // is named after the topic's last level).
    let bystander = dir.path().join("img");
    std::fs::write(&bystander, "keep me").unwrap();
    publish(
        &b,
        &[
            "-t",
            "img/status",
            "-m",
            r#"{"status":"online"}"#,
            "-r",
            "-q",
            "1",
        ],
    );
    let output = dir.path().join("photo.jpg");
    let mut c = mq_on(
        &b,
        "capture",
        &["--request", "--trigger", "go", "--topic", "img"],
    );
    c.args(["-o", output.to_str().unwrap(), "-W", "15", "-d"]);
    let req = Running::until(c, "received PUBLISH");
    // The "agent" answers after the trigger.
    std::thread::sleep(Duration::from_millis(300));
    publish(&b, &["-t", "img", "-m", "the capture", "-q", "1"]);
    let out = req.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&output).unwrap(), b"the capture");
    assert_eq!(std::fs::read(&bystander).unwrap(), b"keep me");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

/// The review's part_swap.py: transfer A (`y.bin`) is under way when transfer B, named
/// `y.bin.part`, completes; with `--overwrite` B used to be renamed onto A's file in progress,
/// and A was then saved with B's bytes and reported with A's genuine sha256.
#[test]
fn finding_3_a_transfer_named_like_a_part_cannot_swap_the_bytes_saved() {
    let b = Broker::start();
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path().to_str().unwrap();
    let genuine = b"GENUINE-FIRMWARE";
    let a = frame_files(tmp.path(), 1, "y.bin", genuine, 8);
    let evil = frame_files(tmp.path(), 2, "y.bin.part", b"EVIL", 8);
    let sub = subscribed(
        &b,
        &[
            "-t",
            "xfer/#",
            "--save-dir",
            dir,
            "--overwrite",
            "--json",
            "-C",
            "2",
        ],
    );
    raw_publish(&b, "xfer/a", &a[0]);
    raw_publish(&b, "xfer/b", &evil[0]);
    raw_publish(&b, "xfer/a", &a[1]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let saved = out_dir.path().join("y.bin");
    assert_eq!(std::fs::read(&saved).unwrap(), genuine);
    let reported: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sha = {
        use sha2::{Digest, Sha256};
        mq::transfer::hex(&Sha256::digest(genuine))
    };
    assert!(
        reported
            .iter()
            .any(|r| r["file"] == saved.to_str().unwrap() && r["sha256"] == sha),
        "{reported:?}"
    );
    assert_eq!(files(out_dir.path()), ["y.bin", "y.bin.part"]);
}

/// The review's starve.py, and worse: more idle transfers than there are places, then a sender
/// that keeps opening new ones while a real file is sent. The real file is saved and verified,
/// each transfer pushed out is reported, idle ones are dropped at --transfer-timeout, and SIGTERM
/// leaves no parts directory behind.
#[test]
fn finding_9_idle_and_junk_transfers_cannot_block_or_starve_a_real_one() {
    let b = Broker::start();
    let src = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path().to_str().unwrap();
    let body = crate::common::transfer::data(512 * 1024, 9);
    let real = temp_file(src.path(), "real.bin", &body);
    let mut sub = subscribed(
        &b,
        &[
            "-t",
            "xfer/cam",
            "--save-dir",
            dir,
            "--json",
            "--transfer-timeout",
            "3s",
        ],
    );
    // 300 transfers that never finish: more than the receiver holds at once (256).
    let mut junk = RawPublisher::connect(b.port, b"f9-junk");
    for n in 0..300 {
        junk.publish("xfer/cam", &junk_frame(n));
    }
    junk.sync();
    // ... and a sender that keeps opening new ones (about 5,000 a second) while the real file
    // is sent.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flood = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            let mut n = 300;
            while !stop.load(std::sync::atomic::Ordering::Relaxed)
                && std::time::Instant::now() < deadline
                && n < 200_000
            {
                for _ in 0..5 {
                    junk.publish("xfer/cam", &junk_frame(n));
                    n += 1;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            n - 300
        })
    };
    publish(
        &b,
        &[
            "-t",
            "xfer/cam",
            "-f",
            real.to_str().unwrap(),
            "--chunk-size",
            "8KiB",
        ],
    );
    let saved = out_dir.path().join("real.bin");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !saved.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let flooded = flood.join().unwrap();
    assert!(flooded > 0);
    sub.wait_for("no frame for 3s", Duration::from_secs(20));
    let st = std::process::Command::new("kill")
        .args(["-TERM", &sub.pid().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = sub.finish(LIMIT);
    let err = stderr(&out);
    assert_eq!(std::fs::read(&saved).unwrap(), body, "the real file");
    let sha = {
        use sha2::{Digest, Sha256};
        mq::transfer::hex(&Sha256::digest(&body))
    };
    assert!(stdout(&out).contains(&sha), "{}", stdout(&out));
    assert!(err.contains("'junk0'") && err.contains("to make room for a new transfer"));
    assert!(
        !err.contains("real.bin"),
        "the real transfer was pushed out"
    );
    assert_eq!(files(out_dir.path()), ["real.bin"], "nothing left behind");
}
