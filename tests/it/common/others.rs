//! Brokers that are not mosquitto and speak only MQTT 3.1.1, each on a free loopback port and
//! killed on drop: aedes (Node.js, from npm) and amqtt (Python, from PyPI). `scripts/test.sh`
//! installs them (aedes into `target/test-brokers/`); a test whose broker is missing says
//! SKIPPED and passes.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct OtherBroker {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

/// Where scripts/test.sh installs aedes (`MQ_TEST_BROKERS` overrides).
fn node_modules() -> PathBuf {
    std::env::var_os("MQ_TEST_BROKERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-brokers"))
        .join("node_modules")
}

/// aedes as its README starts it: a `net` server handing each connection to the broker.
const AEDES: &str = "const aedes = require('aedes')();
require('net').createServer(aedes.handle).listen(Number(process.argv[1]), '127.0.0.1');";

impl OtherBroker {
    /// aedes (MQTT 3.1.1 only: it closes the connection on an MQTT 5 CONNECT).
    pub fn aedes() -> Option<OtherBroker> {
        let modules = node_modules();
        if !modules.join("aedes/package.json").exists() {
            eprintln!(
                "SKIPPED: aedes is not installed in {} (scripts/test.sh installs it with npm)",
                modules.display()
            );
            return None;
        }
        Some(Self::start("aedes", |port, _dir| {
            let mut c = Command::new("node");
            c.env("NODE_PATH", &modules)
                .args(["-e", AEDES, &port.to_string()]);
            c
        }))
    }

    /// amqtt (MQTT 3.1.1 only: it never answers an MQTT 5 CONNECT), anonymous.
    pub fn amqtt() -> Option<OtherBroker> {
        Self::amqtt_with(None)
    }

    /// amqtt with one user and no anonymous access: with user names it holds the SUBACK of a
    /// resumed session until the messages it queued are acknowledged.
    pub fn amqtt_with_user(user: &str, password: &str) -> Option<OtherBroker> {
        Self::amqtt_with(Some((user, password)))
    }

    fn amqtt_with(user: Option<(&str, &str)>) -> Option<OtherBroker> {
        let found = Command::new("amqtt")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            eprintln!("SKIPPED: amqtt is not installed (scripts/test.sh installs it with pip)");
            return None;
        }
        Some(Self::start("amqtt", |port, dir| {
            let conf = dir.join("amqtt.yaml");
            let listener =
                format!("listeners:\n  default:\n    type: tcp\n    bind: 127.0.0.1:{port}\n");
            let auth = match user {
                None => "plugins:\n  amqtt.plugins.authentication.AnonymousAuthPlugin:\n    allow_anonymous: true\n".to_string(),
                Some((u, pw)) => {
                    // An argon2 hash, made with the library amqtt itself checks it with.
                    let passwd = dir.join("passwd");
                    let made = Command::new("python3")
                        .args([
                            "-c",
                            "import sys\nfrom pwdlib import PasswordHash\nfrom pwdlib.hashers.argon2 import Argon2Hasher\nopen(sys.argv[1], 'w').write(sys.argv[2] + ':' + PasswordHash((Argon2Hasher(),)).hash(sys.argv[3]) + '\\n')",
                        ])
                        .arg(&passwd)
                        .args([u, pw])
                        .status()
                        .expect("python3");
                    assert!(made.success(), "making amqtt's password file");
                    format!(
                        "auth:\n  allow-anonymous: false\n  password-file: {}\n  plugins:\n    - auth_file\n",
                        passwd.display()
                    )
                }
            };
            std::fs::write(&conf, listener + &auth).unwrap();
            let mut c = Command::new("amqtt");
            c.arg("-c").arg(conf);
            c
        }))
    }

    fn start(name: &str, command: impl Fn(u16, &std::path::Path) -> Command) -> OtherBroker {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let port = super::broker::free_port();
            let log = std::fs::File::create(dir.path().join("log")).unwrap();
            let mut child = command(port, dir.path())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {name}: {e}"));
            // amqtt (Python) takes a second or two to listen.
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return OtherBroker {
                        child,
                        port,
                        _dir: dir,
                    };
                }
                if child.try_wait().ok().flatten().is_some() {
                    break; // the port was taken: try another
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("{name} did not start");
    }
}

impl Drop for OtherBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
