//! The broker fixture: a real mosquitto per test on a free 127.0.0.1 port, configured in a temp
//! dir, killed on drop.
//!
//! Never port 1883, never a non-loopback address; every wait is bounded.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
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

/// A loopback port free when chosen. Another test may take it before it is bound: whoever
/// binds it retries with another.
pub fn free_port() -> u16 {
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
        self.start_again();
    }

    /// Start the broker again on its port after `stop`, retrying while the old socket still
    /// holds the port.
    pub fn start_again(&mut self) {
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
