//! Chunked file transfer against a real mosquitto: `mq pub -f` of any size to `mq sub
//! --save-dir`, concurrent transfers, flags, and a Python receiver written from docs/transfer.md.
//! Injected frames are in transfer_frames.rs.

use crate::common::transfer::*;
use crate::common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Send `body` as `name` with `mq pub -f`, receive it with `mq sub --save-dir`, and return
/// the subscriber's stdout line and the saved directory.
fn round_trip(
    b: &Broker,
    name: &str,
    body: &[u8],
    pub_args: &[&str],
) -> (String, tempfile::TempDir) {
    let src = tempfile::tempdir().unwrap();
    let path = temp_file(src.path(), name, body);
    let out_dir = tempfile::tempdir().unwrap();
    let sub = subscribed(
        b,
        &[
            "-t",
            "files/x",
            "--save-dir",
            out_dir.path().to_str().unwrap(),
            "-C",
            "1",
        ],
    );
    let mut args = vec!["-t", "files/x", "-f", path.to_str().unwrap()];
    args.extend_from_slice(pub_args);
    publish(b, &args);
    let out = sub.finish(Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    (stdout(&out), out_dir)
}

#[test]
fn edge_sizes_round_trip_byte_identical() {
    let b = Broker::start();
    // (bytes, extra flags, file saved as, chunked?)
    let cases: &[(usize, &[&str], &str)] = &[
        (0, &["--chunked"], "f.bin"),
        (1, &["--chunked"], "f.bin"),
        (1, &[], "x"),
        (1024, &[], "x"),
        (1024, &["--chunked"], "f.bin"),
        (1025, &[], "f.bin"),
        (5000, &[], "f.bin"),
    ];
    for &(n, extra, saved_as) in cases {
        let body = data(n, n as u64 + 7);
        let mut args = vec!["--chunk-size", "1KiB"];
        args.extend_from_slice(extra);
        let (line, dir) = round_trip(&b, "f.bin", &body, &args);
        let want = dir.path().join(saved_as);
        assert_eq!(line, format!("{}\n", want.display()), "{n} bytes {extra:?}");
        assert_eq!(std::fs::read(&want).unwrap(), body, "{n} bytes {extra:?}");
        assert_eq!(
            files(dir.path()),
            [saved_as],
            "no parts directory left behind"
        );
    }
}

#[test]
fn a_large_file_round_trips_in_chunks() {
    let b = Broker::with(Config::default().extra("max_queued_messages 100000"));
    let body = data(24 << 20, 1);
    let (line, dir) = round_trip(&b, "big.bin", &body, &[]);
    assert!(line.ends_with("big.bin\n"), "{line}");
    assert!(std::fs::read(dir.path().join("big.bin")).unwrap() == body);
}

#[test]
fn stdin_streams_and_json_lines() {
    let b = Broker::start();
    let body = data(3 << 20, 3);
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path().to_str().unwrap();
    let sub = subscribed(&b, &["-t", "s", "--save-dir", dir, "-C", "1", "--json"]);
    let out = run(
        mq_on(&b, "pub", &["-t", "s", "-f", "-", "--chunk-size", "256KiB"]),
        &body,
        LIMIT,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = sub.finish(LIMIT);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["size"], 3 << 20);
    assert_eq!(v["frames"], 12);
    assert_eq!(v["topic"], "s");
    assert_eq!(std::fs::read(out_dir.path().join("stdin")).unwrap(), body);
}

#[test]
fn chunk_size_follows_the_brokers_maximum_packet_size() {
    let b = Broker::with(Config::default().extra("max_packet_size 20000"));
    let body = data(100_000, 5);
    let (_, dir) = round_trip(&b, "p.bin", &body, &[]);
    assert_eq!(std::fs::read(dir.path().join("p.bin")).unwrap(), body);
    // Asking for more than the broker takes is a usage error, before anything is sent.
    let src = tempfile::tempdir().unwrap();
    let path = temp_file(src.path(), "p.bin", &body);
    let out = run(
        mq_on(
            &b,
            "pub",
            &[
                "-t",
                "x",
                "-f",
                path.to_str().unwrap(),
                "--chunk-size",
                "64KiB",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("maximum packet size"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn two_concurrent_transfers_on_one_topic() {
    let b = Broker::start();
    let src = tempfile::tempdir().unwrap();
    let (one, two) = (data(2 << 20, 11), data(3 << 20, 12));
    let p1 = temp_file(src.path(), "one.bin", &one);
    let p2 = temp_file(src.path(), "two.bin", &two);
    let out_dir = tempfile::tempdir().unwrap();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "c",
            "--save-dir",
            out_dir.path().to_str().unwrap(),
            "-C",
            "2",
        ],
    );
    let spawn = |p: &Path| {
        mq_on(
            &b,
            "pub",
            &[
                "-t",
                "c",
                "-f",
                p.to_str().unwrap(),
                "--chunk-size",
                "16KiB",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    };
    let (a, c) = (spawn(&p1), spawn(&p2));
    for child in [a, c] {
        let out = wait_with_limit(child, LIMIT);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(out_dir.path().join("one.bin")).unwrap(), one);
    assert_eq!(std::fs::read(out_dir.path().join("two.bin")).unwrap(), two);
}

#[test]
fn overwrite_replaces_and_numbers_otherwise() {
    let b = Broker::start();
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path().to_str().unwrap();
    std::fs::write(out_dir.path().join("n.bin"), b"old").unwrap();
    let src = tempfile::tempdir().unwrap();
    for (flag, lands_in) in [(None, "n.1.bin"), (Some("--overwrite"), "n.bin")] {
        let mut args = vec!["-t", "o", "--save-dir", dir, "-C", "1"];
        args.extend(flag);
        let body = data(3000, lands_in.len() as u64);
        let sub = subscribed(&b, &args);
        let p = temp_file(src.path(), "n.bin", &body);
        publish(&b, &["-t", "o", "-f", p.to_str().unwrap(), "--chunked"]);
        let out = sub.finish(LIMIT);
        assert_eq!(stdout(&out), format!("{dir}/{lands_in}\n"));
        assert_eq!(files(out_dir.path()), ["n.1.bin", "n.bin"]);
        assert_eq!(std::fs::read(out_dir.path().join(lands_in)).unwrap(), body);
    }
}

#[test]
fn bad_transfer_flags_are_usage_errors() {
    let b = Broker::start();
    let src = tempfile::tempdir().unwrap();
    let p = temp_file(src.path(), "f", &data(5000, 1));
    let f = p.to_str().unwrap();
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "pub",
            &["-t", "x", "-f", f, "--chunk-size", "12 parsecs"],
            "not a size",
        ),
        (
            "pub",
            &["-t", "x", "-f", f, "--chunk-size", "0"],
            "at least 1 byte",
        ),
        (
            "pub",
            &["-t", "x", "-m", "hi", "--chunked"],
            "apply to -f only",
        ),
        (
            "pub",
            &["-t", "x", "-f", f, "--chunk-size", "1KiB", "-r"],
            "cannot retain a chunked transfer",
        ),
        (
            "sub",
            &["-t", "x", "--save-dir", "/nonexistent/dir"],
            "--save-dir /nonexistent/dir",
        ),
        ("sub", &["-t", "x", "--save-dir", f], "not a directory"),
        ("sub", &["-t", "x", "--overwrite"], "--save-dir"),
        (
            "sub",
            &["-t", "x", "--save-dir", ".", "--transfer-timeout", "0"],
            "more than 0",
        ),
    ];
    for (sub, args, want) in cases {
        let out = run(mq_on(&b, sub, args), b"", LIMIT);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with("mq: ") && err.contains(want),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn a_python_paho_receiver_following_the_spec_reassembles_mq_transfers() {
    if !python_paho() {
        return;
    }
    let b = Broker::start();
    let out_dir = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/receive.py");
    let mut py = Command::new("python3");
    py.args([
        script,
        "127.0.0.1",
        &b.port.to_string(),
        "py/files",
        out_dir.path().to_str().unwrap(),
        "2",
    ]);
    let recv = until_stdout(py, "ready");
    let src = tempfile::tempdir().unwrap();
    let (big, small) = (data(1_500_000, 21), data(100, 22));
    let pb = temp_file(src.path(), "big.bin", &big);
    let ps = temp_file(src.path(), "small.bin", &small);
    publish(
        &b,
        &[
            "-t",
            "py/files",
            "-f",
            pb.to_str().unwrap(),
            "--chunk-size",
            "64KiB",
        ],
    );
    publish(&b, &["-t", "py/files", "-f", ps.to_str().unwrap()]);
    let out = wait_with_limit(recv, LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(out_dir.path().join("big.bin")).unwrap(), big);
    assert_eq!(std::fs::read(out_dir.path().join("raw.1")).unwrap(), small);
}

/// Spawn `cmd` and return once a line of its stdout contains `marker` (bounded: 10s).
fn until_stdout(mut cmd: Command, marker: &str) -> std::process::Child {
    use std::io::{BufRead, BufReader};
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Keep reading after the marker (into nothing) so the child never sees a closed pipe.
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            let _ = tx.send(line);
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(marker) => return child,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("'{marker}' not seen on stdout within 10s");
            }
        }
    }
}

#[test]
fn a_refused_chunk_fails_the_transfer_with_exit_5() {
    let b = Broker::with(Config::default().acl("topic read denied/#\ntopic readwrite ok/#\n"));
    let src = tempfile::tempdir().unwrap();
    let p = temp_file(src.path(), "f.bin", &data(20_000, 4));
    let out = run(
        mq_on(
            &b,
            "pub",
            &[
                "-t",
                "denied/x",
                "-f",
                p.to_str().unwrap(),
                "--chunk-size",
                "1KiB",
            ],
        ),
        b"",
        LIMIT,
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    // The note that the file goes in frames, then the one error line.
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("mq pub: "), "{err}");
    assert!(
        lines[0].contains("f.bin (19.5 KiB) is over one message"),
        "{err}"
    );
    assert!(lines[1].starts_with("mq: sending "), "{err}");
}

#[test]
fn chunking_a_file_is_said_once_unless_chunked_or_quiet() {
    let b = Broker::start();
    let src = tempfile::tempdir().unwrap();
    let body = data(5000, 8);
    let p = temp_file(src.path(), "big.bin", &body);
    let f = p.to_str().unwrap();
    let chunked = |extra: &[&str], stdin: &[u8]| {
        let mut args = vec!["-t", "files/big", "--chunk-size", "1KiB"];
        args.extend_from_slice(extra);
        let out = run(mq_on(&b, "pub", &args), stdin, LIMIT);
        assert_eq!(code(&out), 0, "{extra:?}: {}", stderr(&out));
        stderr(&out)
    };
    let err = chunked(&["-f", f], b"");
    assert_eq!(err.lines().count(), 1, "{err}");
    for want in [
        "mq pub: ",
        "big.bin (4.9 KiB) is over one message",
        "5 frames of 1 KiB",
        "only mq sub --save-dir",
        "other subscribers get the frames",
    ] {
        assert!(err.contains(want), "want '{want}' in: {err}");
    }
    // stdin: the size is not known in advance.
    let err = chunked(&["-f", "-"], &body);
    assert!(
        err.starts_with("mq pub: stdin is over one message, so it goes as frames of 1 KiB"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // Asked for, or asked to be quiet: nothing to tell.
    assert_eq!(chunked(&["-f", f, "--chunked"], b""), "");
    assert_eq!(chunked(&["-f", f, "--quiet"], b""), "");
    // A file that fits goes as one plain message: nothing to tell either.
    let small = temp_file(src.path(), "small.bin", &data(100, 9));
    assert_eq!(chunked(&["-f", small.to_str().unwrap()], b""), "");
}

#[test]
fn a_plain_file_is_saved_under_the_last_topic_level() {
    let b = Broker::start();
    let src = tempfile::tempdir().unwrap();
    let jpeg = crate::common::capture::jpeg(2000);
    let frame = temp_file(src.path(), "frame.jpg", &jpeg);
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path().to_str().unwrap();
    // As the README shows it: a camera's frames on images/cam1, saved by a subscriber to images/#.
    let sub = subscribed(&b, &["-t", "images/#", "--save-dir", dir, "-C", "2"]);
    for _ in 0..2 {
        publish(&b, &["-t", "images/cam1", "-f", frame.to_str().unwrap()]);
    }
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{dir}/cam1.jpg\n{dir}/cam1.1.jpg\n"));
    assert_eq!(files(out_dir.path()), ["cam1.1.jpg", "cam1.jpg"]);
    assert_eq!(
        std::fs::read(out_dir.path().join("cam1.jpg")).unwrap(),
        jpeg
    );

    // --overwrite: one file per topic, always the latest.
    let latest = tempfile::tempdir().unwrap();
    let dir = latest.path().to_str().unwrap();
    let sub = subscribed(
        &b,
        &[
            "-t",
            "images/#",
            "--save-dir",
            dir,
            "-C",
            "2",
            "--overwrite",
        ],
    );
    publish(&b, &["-t", "images/cam1", "-m", "first"]);
    publish(&b, &["-t", "images/cam1", "-m", "second"]);
    let out = sub.finish(LIMIT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{dir}/cam1\n{dir}/cam1\n"));
    assert_eq!(files(latest.path()), ["cam1"]);
    assert_eq!(
        std::fs::read(latest.path().join("cam1")).unwrap(),
        b"second"
    );
}
