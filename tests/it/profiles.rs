//! Profiles in $XDG_CONFIG_HOME/mq/config.toml (or ~/.config/mq/config.toml) and the MQ_*
//! environment: precedence flag > environment > profile > default, pinned with --print-config
//! and with real connections.

use crate::common::*;
use std::process::{Command, Output};

const CONFIG: &str = r#"
[profiles.t]
host = "profile-host"
port = 1111
username = "puser"
password = "profile-secret"
keepalive = 30

[profiles.cloud]
url = "wss://cloud.example.com/custom"
alpn = ["mqtt"]
"#;

/// A profile file as a user keeps one that holds a password: readable by its owner only (a
/// world-readable one is refused, see `hostile::finding_11_...`).
fn private_file(path: &std::path::Path, contents: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn with(config: &str) -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("mq")).unwrap();
        private_file(&dir.path().join("mq/config.toml"), config);
        Home { dir }
    }
    /// `mq pub ARGS` with XDG_CONFIG_HOME pointing here. SSL_CERT_FILE stands in for the
    /// system's CA store, so that TLS profiles do not depend on the machine's ca-certificates.
    fn mq(&self, args: &[&str]) -> Command {
        let ca = self.dir.path().join("system-ca.pem");
        if !ca.exists() {
            std::fs::write(&ca, crate::common::pki::Pki::new().ca).unwrap();
        }
        let mut c = mq();
        c.env("XDG_CONFIG_HOME", self.dir.path())
            .env("SSL_CERT_FILE", &ca)
            .arg("pub")
            .args(args);
        c
    }
}

fn out(c: Command) -> Output {
    run(c, b"", LIMIT)
}

/// The `key = value` lines of --print-config.
fn setting(o: &Output, key: &str) -> String {
    assert_eq!(code(o), 0, "{}", stderr(o));
    stdout(o)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")).map(str::to_string))
        .unwrap_or_else(|| panic!("no {key} in {}", stdout(o)))
}

#[test]
fn precedence_is_flag_then_env_then_profile_then_default() {
    let home = Home::with(CONFIG);
    // Default.
    let o = out(home.mq(&["--print-config"]));
    assert_eq!(setting(&o, "host"), "\"localhost\"");
    assert_eq!(setting(&o, "port"), "1883");
    assert_eq!(setting(&o, "keepalive"), "60");
    // Profile over default.
    let o = out(home.mq(&["--profile", "t", "--print-config"]));
    assert_eq!(setting(&o, "host"), "\"profile-host\"");
    assert_eq!(setting(&o, "port"), "1111");
    assert_eq!(setting(&o, "username"), "\"puser\"");
    assert_eq!(setting(&o, "keepalive"), "30");
    assert_eq!(setting(&o, "password"), "\"****\"  # from profile 't'");
    assert!(!stdout(&o).contains("profile-secret"));
    // Environment over profile.
    let mut c = home.mq(&["--profile", "t", "--print-config"]);
    c.env("MQ_HOST", "env-host").env("MQ_KEEPALIVE", "45");
    let o = out(c);
    assert_eq!(setting(&o, "host"), "\"env-host\"");
    assert_eq!(setting(&o, "keepalive"), "45");
    assert_eq!(setting(&o, "port"), "1111");
    let mut c = home.mq(&["--profile", "t", "--print-config"]);
    c.env("MQ_PASSWORD", "env-secret");
    assert_eq!(setting(&out(c), "password"), "\"****\"  # from MQ_PASSWORD");
    // Flag over environment.
    let mut c = home.mq(&[
        "--profile=t",
        "--print-config",
        "-h",
        "flag-host",
        "-k",
        "50",
    ]);
    c.env("MQ_HOST", "env-host").env("MQ_KEEPALIVE", "45");
    let o = out(c);
    assert_eq!(setting(&o, "host"), "\"flag-host\"");
    assert_eq!(setting(&o, "keepalive"), "50");
    // MQ_PROFILE chooses the profile too.
    let mut c = home.mq(&["--print-config"]);
    c.env("MQ_PROFILE", "t");
    assert_eq!(setting(&out(c), "host"), "\"profile-host\"");
}

#[test]
fn a_profile_url_is_split_so_flags_still_win() {
    let home = Home::with(CONFIG);
    let o = out(home.mq(&["--profile", "cloud", "--print-config"]));
    assert_eq!(setting(&o, "transport"), "\"wss\"");
    assert_eq!(
        setting(&o, "websocket_url"),
        "\"wss://cloud.example.com:443/custom\""
    );
    assert_eq!(setting(&o, "alpn"), "[\"mqtt\"]");
    let o = out(home.mq(&[
        "--profile",
        "cloud",
        "--print-config",
        "-h",
        "other.example.com",
    ]));
    assert_eq!(setting(&o, "host"), "\"other.example.com\"");
    assert_eq!(setting(&o, "transport"), "\"wss\"");
}

#[test]
fn home_config_is_used_without_xdg_config_home() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".config/mq")).unwrap();
    private_file(&home.path().join(".config/mq/config.toml"), CONFIG);
    let mut c = mq();
    c.env_remove("XDG_CONFIG_HOME")
        .env("HOME", home.path())
        .args(["sub", "--profile", "t", "--print-config"]);
    assert_eq!(setting(&out(c), "host"), "\"profile-host\"");
}

#[test]
fn profile_mistakes_are_usage_errors() {
    let home = Home::with(CONFIG);
    let o = out(home.mq(&["--profile", "nope", "--print-config"]));
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no profile 'nope'") && stderr(&o).contains("profiles there: cloud, t"),
        "{}",
        stderr(&o)
    );
    let typo = Home::with("[profiles.x]\nhots = \"a\"\n");
    let o = out(typo.mq(&["--profile", "x", "--print-config"]));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("hots"), "{}", stderr(&o));
    let empty = tempfile::tempdir().unwrap();
    let mut c = mq();
    c.env("XDG_CONFIG_HOME", empty.path())
        .args(["pub", "--profile", "x", "-t", "a", "-m", "x"]);
    let o = out(c);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no such file"), "{}", stderr(&o));
}

#[test]
fn a_profile_connects_to_a_real_broker_with_a_password_file() {
    let b = Broker::with(Config::default().users(&[("alice", "pr0file-pw")]));
    let home = Home::with("");
    let pw = home.dir.path().join("pw");
    std::fs::write(&pw, "pr0file-pw\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = format!(
        "[profiles.local]\nhost = \"127.0.0.1\"\nport = {}\nusername = \"alice\"\npassword_file = \"{}\"\n",
        b.port,
        pw.display()
    );
    std::fs::write(home.dir.path().join("mq/config.toml"), config).unwrap();
    let o = out(home.mq(&[
        "--profile",
        "local",
        "-t",
        "p/t",
        "-m",
        "x",
        "-q",
        "1",
        "-d",
    ]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("pr0file-pw"));
}
