//! A SOCKS5 proxy for the `--proxy` tests: Debian's microsocks on a free loopback port, killed
//! on drop. `scripts/test.sh` installs it; without it the tests say SKIPPED and pass.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Socks {
    child: Child,
    pub port: u16,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Socks {
    /// A proxy that wants `auth` (user, password), or none; None when microsocks is missing.
    pub fn start(auth: Option<(&str, &str)>) -> Option<Socks> {
        if Command::new("microsocks")
            .arg("-h")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_err()
        {
            eprintln!("SKIPPED: microsocks is not installed (scripts/test.sh installs it)");
            return None;
        }
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let log = dir.path().join("log");
            let port = super::broker::free_port();
            let mut c = Command::new("microsocks");
            c.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
            if let Some((u, p)) = auth {
                c.args(["-u", u, "-P", p]);
            }
            let file = std::fs::File::create(&log).unwrap();
            let mut child = c
                .stdout(file.try_clone().unwrap())
                .stderr(file)
                .spawn()
                .unwrap();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(5) {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(Socks {
                        child,
                        port,
                        log,
                        _dir: dir,
                    });
                }
                if child.try_wait().ok().flatten().is_some() {
                    break; // the port was taken: try another
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("microsocks did not start");
    }

    /// `socks5h://[user:password@]127.0.0.1:PORT`.
    pub fn url(&self, scheme: &str, userinfo: &str) -> String {
        format!("{scheme}://{userinfo}127.0.0.1:{}", self.port)
    }

    /// What microsocks logged: a line per connection, with the destination as it was asked for.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Socks {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
