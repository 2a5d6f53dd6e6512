//! Test fixture: a real mosquitto per test on a free 127.0.0.1 port, configured in a temp dir,
//! killed on drop; and helpers to run the real `mq` binary the way a user does.
//!
//! Never port 1883, never a non-loopback address; every wait is bounded.
#![allow(dead_code)]

pub mod pki;
pub mod wsbridge;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running mosquitto broker.
pub struct Broker {
    child: Child,
    pub port: u16,
    /// Ports of the extra listeners, in the order `Config::listener` added them.
    pub ports: Vec<u16>,
    dir: tempfile::TempDir,
}

/// What to put in the broker's configuration.
#[derive(Default, Clone)]
pub struct Config {
    /// (user, password) pairs; anonymous access is off when any are given.
    pub users: Vec<(String, String)>,
    /// ACL file contents.
    pub acl: Option<String>,
    /// Extra configuration lines; `{dir}` stands for the broker's temp dir.
    pub extra: String,
    /// Files to write into the broker's temp dir: (name, contents).
    pub files: Vec<(String, String)>,
    /// Keep sessions and queued messages on disk across `Broker::restart`.
    pub persistent: bool,
    /// Extra listeners: the lines that follow `listener PORT 127.0.0.1` (`{dir}` as above).
    pub listeners: Vec<String>,
}

impl Config {
    pub fn users(mut self, users: &[(&str, &str)]) -> Self {
        self.users = users
            .iter()
            .map(|(u, p)| (u.to_string(), p.to_string()))
            .collect();
        self
    }
    pub fn acl(mut self, acl: &str) -> Self {
        self.acl = Some(acl.to_string());
        self
    }
    pub fn persistent(mut self) -> Self {
        self.persistent = true;
        self
    }
    pub fn file(mut self, name: &str, contents: &str) -> Self {
        self.files.push((name.to_string(), contents.to_string()));
        self
    }
    /// mosquitto's dynamic-security plugin with this JSON config (it can refuse subscriptions,
    /// which the plain ACL file of mosquitto 2.0 never does).
    pub fn dynsec(self, json: &str) -> Self {
        self.file("dynsec.json", json).extra(
            "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so\nplugin_opt_config_file {dir}/dynsec.json",
        )
    }
    /// Another listener on its own free port (see `Broker::ports`), e.g. TLS settings.
    pub fn listener(mut self, settings: &str) -> Self {
        self.listeners.push(settings.to_string());
        self
    }
    pub fn extra(mut self, extra: &str) -> Self {
        self.extra.push_str(extra);
        self.extra.push('\n');
        self
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().unwrap().port()
}

impl Broker {
    /// An anonymous broker.
    pub fn start() -> Broker {
        Broker::with(Config::default())
    }

    pub fn with(config: Config) -> Broker {
        // The port is free when chosen but may be taken before mosquitto binds it: retry.
        let mut last = String::new();
        for _ in 0..5 {
            match Broker::try_start(&config) {
                Ok(b) => return b,
                Err(e) => last = e,
            }
        }
        panic!("mosquitto did not start: {last}");
    }

    fn try_start(config: &Config) -> Result<Broker, String> {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut conf =
            format!("listener {port} 127.0.0.1\nmax_queued_messages 1000000\nlog_dest stderr\n");
        if config.persistent {
            conf.push_str(&format!(
                "persistence true\npersistence_location {}/\n",
                dir.path().display()
            ));
        } else {
            conf.push_str("persistence false\n");
        }
        if config.users.is_empty() {
            conf.push_str("allow_anonymous true\n");
        } else {
            let pw = dir.path().join("passwd");
            std::fs::write(&pw, "").unwrap();
            for (u, p) in &config.users {
                let st = Command::new("mosquitto_passwd")
                    .args(["-b", pw.to_str().unwrap(), u, p])
                    .output()
                    .expect("mosquitto_passwd is installed");
                assert!(st.status.success(), "mosquitto_passwd: {st:?}");
            }
            conf.push_str(&format!(
                "allow_anonymous false\npassword_file {}\n",
                pw.display()
            ));
        }
        if let Some(acl) = &config.acl {
            let path = dir.path().join("acl");
            std::fs::write(&path, acl).unwrap();
            conf.push_str(&format!("acl_file {}\n", path.display()));
        }
        for (name, contents) in &config.files {
            std::fs::write(dir.path().join(name), contents).unwrap();
        }
        let dir_str = dir.path().to_str().unwrap().to_string();
        let mut ports = Vec::new();
        for settings in &config.listeners {
            let p = free_port();
            ports.push(p);
            conf.push_str(&format!(
                "listener {p} 127.0.0.1\n{}\n",
                settings.replace("{dir}", &dir_str)
            ));
        }
        conf.push_str(&config.extra.replace("{dir}", &dir_str));
        let path = dir.path().join("mosquitto.conf");
        std::fs::write(&path, conf).unwrap();
        // Files must stay readable, and the persistence dir writable, when mosquitto drops
        // root privileges to its own user.
        let _ = Command::new("chmod")
            .args(["-R", "a+rwX", dir.path().to_str().unwrap()])
            .status();
        let mut child = spawn_mosquitto(dir.path());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(st)) = child.try_wait() {
                let log = std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();
                return Err(format!("exited with {st}: {log}"));
            }
            let all_up = std::iter::once(port)
                .chain(ports.iter().copied())
                .all(|p| TcpStream::connect(("127.0.0.1", p)).is_ok());
            if all_up {
                return Ok(Broker {
                    child,
                    port,
                    ports,
                    dir,
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        Err("not listening after 5s".into())
    }

    /// Kill the broker (it stays down).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stop the broker the way a service manager does (SIGTERM: it saves its state) and start
    /// it again on the same port.
    pub fn restart(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.child = spawn_mosquitto(self.dir.path());
            let up = Instant::now() + Duration::from_secs(3);
            while Instant::now() < up {
                if let Ok(Some(_)) = self.child.try_wait() {
                    break; // port still held: try again
                }
                if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
            assert!(
                Instant::now() < deadline,
                "mosquitto did not restart: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `-h 127.0.0.1 -p PORT`, to put in front of a command's own arguments.
    pub fn conn(&self) -> Vec<String> {
        vec![
            "-h".into(),
            "127.0.0.1".into(),
            "-p".into(),
            self.port.to_string(),
        ]
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_mosquitto(dir: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("log"))
        .unwrap();
    Command::new("mosquitto")
        .arg("-c")
        .arg(dir.join("mosquitto.conf"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("mosquitto is installed (apt-get install mosquitto)")
}

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

/// `mq <sub> <broker conn args> <args>`.
pub fn mq_on(broker: &Broker, sub: &str, args: &[&str]) -> Command {
    let mut c = mq();
    c.arg(sub).args(broker.conn()).args(args);
    c
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
        use std::io::Write;
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
        let rest: Vec<String> = self.stderr_lines.try_iter().collect();
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

    /// The stderr lines read so far.
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

pub const LIMIT: Duration = Duration::from_secs(20);

/// A listener in front of `broker` that refuses MQTT 5 CONNECTs (CONNACK 0x84, unsupported
/// protocol version) and passes 3.1.1 through: a 3.1.1-only broker.
pub fn v311_only_proxy(broker: u16) -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming().take(50) {
            let Ok(mut client) = conn else { return };
            std::thread::spawn(move || {
                let mut head = [0u8; 9]; // fixed header (2) + "\0\x04MQTT" (6) + level (1)
                if client.read_exact(&mut head).is_err() {
                    return;
                }
                if head[8] == 5 {
                    let _ = client.write_all(&[0x20, 0x03, 0x00, 0x84, 0x00]);
                    return;
                }
                let Ok(mut up) = std::net::TcpStream::connect(("127.0.0.1", broker)) else {
                    return;
                };
                let _ = up.write_all(&head);
                let (mut c2, mut u2) = (client.try_clone().unwrap(), up.try_clone().unwrap());
                std::thread::spawn(move || std::io::copy(&mut c2, &mut u2));
                let _ = std::io::copy(&mut up, &mut client);
            });
        }
    });
    port
}

/// A relay in front of `broker` that counts the bytes clients send through it (the second
/// value, shared with the relay's threads): what a client puts on the wire.
pub fn counting_proxy(broker: u16) -> (u16, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    use std::sync::atomic::{AtomicU64, Ordering};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let sent = std::sync::Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        for conn in l.incoming().take(50) {
            let Ok(mut client) = conn else { return };
            let Ok(mut up) = std::net::TcpStream::connect(("127.0.0.1", broker)) else {
                return;
            };
            let counter = counter.clone();
            let (mut c2, mut u2) = (client.try_clone().unwrap(), up.try_clone().unwrap());
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                while let Ok(n) = c2.read(&mut buf) {
                    if n == 0 || u2.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    counter.fetch_add(n as u64, Ordering::Relaxed);
                }
                let _ = u2.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || std::io::copy(&mut up, &mut client));
        }
    });
    (port, sent)
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
