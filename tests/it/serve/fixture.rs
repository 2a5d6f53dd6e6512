//! The `mq serve` every test here runs: started on a free loopback port, stopped on drop, its
//! stderr checked for panics.

use crate::common::broker::free_port;
use crate::common::{mq, run, stderr, Running};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `mq serve`, killed on drop; then its stderr must hold no panic (each one dropped
/// a client that did nothing wrong).
pub struct Serve {
    pub child: Child,
    pub port: u16,
    pub line: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Serve {
    pub fn start(args: &[&str]) -> Serve {
        let mut cmd = mq();
        cmd.args(["serve", "--bind", "127.0.0.1:0"]).args(args);
        Serve::spawn(cmd)
    }

    /// As `start`, with at most `fds` open file descriptors (soft and hard limit).
    pub fn start_with_fd_limit(fds: u32, args: &[&str]) -> Serve {
        let mut cmd = Command::new("prlimit");
        cmd.arg(format!("--nofile={fds}:{fds}"))
            .arg(env!("CARGO_BIN_EXE_mq"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args);
        Serve::spawn(cmd)
    }

    /// `mq serve ARGS --ws PORT` on a port chosen free, and that port. Another test may take
    /// the port between choosing and binding it (clients connect from ephemeral ports too):
    /// mq serve then exits, and another port is tried.
    pub fn with_ws(args: &[&str]) -> (Serve, u16) {
        let mut last = String::new();
        for _ in 0..5 {
            let ws = free_port();
            let mut cmd = mq();
            cmd.args(["serve", "--bind", "127.0.0.1:0"])
                .args(args)
                .args(["--ws", &ws.to_string()]);
            match Serve::try_spawn(cmd) {
                Ok(s) => return (s, ws),
                Err(e) => last = e,
            }
        }
        panic!("{last}");
    }

    fn spawn(cmd: Command) -> Serve {
        Serve::try_spawn(cmd).unwrap_or_else(|e| panic!("{e}"))
    }

    fn try_spawn(mut cmd: Command) -> Result<Serve, String> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn mq serve");
        let mut err = child.stderr.take().unwrap();
        let stderr = Some(std::thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            text
        }));
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(out).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
        let port = line
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|p| p.parse().ok());
        match port {
            Some(port) => Ok(Serve {
                child,
                port,
                line,
                stderr,
            }),
            None => {
                let _ = child.kill();
                let status = child.wait();
                Err(format!(
                    "mq serve printed no port within 10s ({status:?}): {line:?}"
                ))
            }
        }
    }

    /// Stop the broker and return what it wrote on stderr, which must hold no panic.
    pub fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let text = self
            .stderr
            .take()
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default();
        assert_no_panic(&text);
        text
    }

    pub fn on(&self, sub: &str, args: &[&str]) -> Command {
        let mut c = mq();
        c.args([sub, "-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(args);
        c
    }

    pub fn sub_until_subscribed(&self, args: &[&str]) -> Running {
        let mut c = self.on("sub", args);
        c.arg("-d");
        Running::until(c, "received SUBACK")
    }

    pub fn publish(&self, args: &[&str]) {
        let out = run(self.on("pub", args), b"", Duration::from_secs(20));
        assert!(out.status.success(), "mq pub {args:?}: {}", stderr(&out));
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A test that failed already says why; a second panic here would abort the run.
        if !std::thread::panicking() {
            self.stop();
        }
    }
}

fn assert_no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked"), "mq serve panicked:\n{stderr}");
}
