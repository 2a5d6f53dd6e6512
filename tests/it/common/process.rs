//! Processes: the real `mq` binary run the way a user runs it (arguments, environment, stdin),
//! its output read with bounded waits, and the assertions on that output the areas share.

use super::broker::Broker;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long one mq run may take before the test kills it.
pub const LIMIT: Duration = Duration::from_secs(20);

/// The `mq` binary with a clean environment (no MQ_* variables from the caller).
pub fn mq() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mq"));
    for (k, _) in std::env::vars() {
        if k.starts_with("MQ_") || k == "NO_COLOR" {
            c.env_remove(k);
        }
    }
    c
}

/// `mq ARGS`.
pub fn mq_args(args: &[&str]) -> Command {
    let mut c = mq();
    c.args(args);
    c
}

/// `mosquitto_sub <broker conn args> <args>`: the reference mq is compared with.
pub fn mosquitto_sub(broker: &Broker, args: &[&str]) -> Command {
    let mut c = Command::new("mosquitto_sub");
    c.args(broker.conn()).args(args);
    c
}

/// `mq <sub> <broker conn args> <args>`.
pub fn mq_on(broker: &Broker, sub: &str, args: &[&str]) -> Command {
    let mut c = mq();
    c.arg(sub).args(broker.conn()).args(args);
    c
}

/// `mq ARGS` run to completion with nothing on stdin (killed after `LIMIT`).
pub fn mq_out(args: &[&str]) -> Output {
    run(mq_args(args), b"", LIMIT)
}

/// Run to completion with `stdin` fed, killed after `limit`.
pub fn run(mut cmd: Command, stdin: &[u8], limit: Duration) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = wait_with_limit(child, limit);
    let _ = writer.join();
    out
}

/// Run the shell command `cmd` on a pseudo-terminal (util-linux `script`) and type `typed` and
/// a newline at its prompt, once the program has had time to switch echo off. What the program
/// writes to the terminal, its prompt included, comes back as stdout.
pub fn typed_at_terminal(cmd: &str, typed: &str) -> Output {
    let mut child = Command::new("script")
        .args(["-qec", cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) is installed");
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    stdin.write_all(format!("{typed}\n").as_bytes()).unwrap();
    let out = wait_with_limit(child, LIMIT);
    drop(stdin);
    out
}

/// Wait for a child's exit and output, killing it after `limit`.
pub fn wait_with_limit(mut child: Child, limit: Duration) -> Output {
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut v);
        }
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_end(&mut v);
        }
        v
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let st = child.wait().unwrap();
            eprintln!("killed after {limit:?}");
            break st;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

/// A subscriber (or any mq command run with `-d`) that has reached a point in its log.
pub struct Running {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    stderr_lines: mpsc::Receiver<String>,
    stderr_seen: Vec<String>,
    /// Collects stdout as it comes, so a large output never blocks the child on a full pipe.
    stdout_reader: Option<std::thread::JoinHandle<Vec<u8>>>,
}

impl Running {
    /// Spawn `cmd` (which must include `-d`) and wait until its stderr shows `marker`.
    pub fn until(mut cmd: Command, marker: &str) -> Running {
        cmd.stdout(Stdio::piped());
        let mut r = Running::until_keep_stdout(cmd, marker);
        let mut out = r.child.stdout.take().unwrap();
        r.stdout_reader = Some(std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = out.read_to_end(&mut v);
            v
        }));
        r
    }

    /// As `until`, leaving stdout where the caller pointed it.
    pub fn until_keep_stdout(mut cmd: Command, marker: &str) -> Running {
        cmd.stdin(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn");
        let stdin = child.stdin.take();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut r = Running {
            child,
            stdin,
            stderr_lines: rx,
            stderr_seen: Vec::new(),
            stdout_reader: None,
        };
        r.wait_for(marker, Duration::from_secs(10));
        r
    }

    /// Wait until stderr shows a line containing `marker`.
    pub fn wait_for(&mut self, marker: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.contains(marker);
                    self.stderr_seen.push(line);
                    if hit {
                        return;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!(
                        "'{marker}' not seen on stderr within {limit:?}; saw: {:#?}",
                        self.stderr_seen
                    );
                }
            }
        }
    }

    /// Wait for exit (bounded) and return the output; stderr holds what came after the marker.
    pub fn finish(mut self, limit: Duration) -> Output {
        drop(self.stdin.take());
        let mut out = wait_with_limit(self.child, limit);
        if let Some(reader) = self.stdout_reader.take() {
            out.stdout = reader.join().unwrap();
        }
        // The reader thread may not have passed on the last lines yet (a busy machine): take
        // them until it ends at the pipe's end, waiting at most 2 s for each.
        let mut rest = Vec::new();
        while let Ok(line) = self.stderr_lines.recv_timeout(Duration::from_secs(2)) {
            rest.push(line);
        }
        let mut err = self.stderr_seen.join("\n");
        for l in rest {
            err.push('\n');
            err.push_str(&l);
        }
        out.stderr = err.into_bytes();
        out
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The stderr lines read so far (only `--embedded`'s notes are read before exit).
    #[cfg(feature = "serve")]
    pub fn seen(&self) -> &[String] {
        &self.stderr_seen
    }
}

/// Start `mq sub` with `args` and return once its subscription is acknowledged.
pub fn subscribed(broker: &Broker, args: &[&str]) -> Running {
    let mut c = mq_on(broker, "sub", args);
    c.arg("-d");
    Running::until(c, "received SUBACK")
}

/// Publish with mq and assert it worked.
pub fn publish(broker: &Broker, args: &[&str]) {
    let out = run(mq_on(broker, "pub", args), b"", Duration::from_secs(20));
    assert!(
        out.status.success(),
        "mq pub {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn temp_file(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

/// Run `mq ARGS` (which must fail before reaching any broker) and assert the error contract:
/// exit code `want`, exactly one stderr line starting with `mq: ` and containing `text`, no panic.
pub fn assert_one_line_error(args: Vec<std::ffi::OsString>, want: i32, text: &str) {
    let mut c = mq();
    c.args(&args);
    let out = run(c, b"", LIMIT);
    let err = stderr(&out);
    let shown = format!(
        "{:?}",
        args.iter()
            .map(|a| a.to_string_lossy().chars().take(40).collect::<String>())
            .collect::<Vec<_>>()
    );
    assert_eq!(code(&out), want, "{shown}: {err}");
    assert!(err.starts_with("mq: "), "{shown}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{shown}: not one line: {err}"
    );
    assert!(err.contains(text), "{shown}: want '{text}' in: {err}");
    assert!(!err.contains("panicked"), "{shown}: {err}");
}

/// python3 with paho-mqtt, or a message saying the test is skipped.
pub fn python_paho() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import paho.mqtt.client"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED: python3 with paho-mqtt is not installed (pip install paho-mqtt; .ci/run does)");
    }
    ok
}
