//! Running a shell command for a received message: the one contract `sub --exec` and
//! `capture --exec` share. The command runs as `sh -c CMD` in a process group of its own, reads
//! the payload on its stdin, finds the message in its environment (`message_env`), and is
//! killed with everything it started when it ends or runs past its timeout. It never gets the
//! `MQ_*` settings a profile filled in (the password among them).
//!
//! What the command's stdout becomes (a capture file, mq's stdout, a reply) is the caller's.

use crate::session::Message;
use crate::transfer::hex;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// Stderr kept from a failed command, for mq's own log (never for anything published: a
/// command's last words may hold what it was given).
const STDERR_KEPT: usize = 2048;

/// A payload up to this size, valid UTF-8 without NUL, is also given as an environment variable
/// (one holds at most 128 KiB on Linux, and no NUL).
pub const PAYLOAD_ENV_MAX: usize = 64 * 1024;

/// The environment a command gets for message `m`: `MQ_TOPIC`, `MQ_QOS`, `MQ_RETAINED` (0 or 1),
/// `MQ_PAYLOAD` when the payload is text that fits, and from MQTT 5 properties
/// `MQ_RESPONSE_TOPIC`, `MQ_CORRELATION_DATA` (hex), `MQ_CONTENT_TYPE`, `MQ_USER_PROPERTIES`
/// (a JSON array of [name, value] pairs, exact and complete) and `MQ_USER_PROPERTY_<NAME>` for
/// each one (`user_property_var`; a repeated name keeps its last value).
pub fn message_env(m: &Message) -> Vec<(String, String)> {
    let mut env = vec![
        ("MQ_TOPIC".to_string(), m.topic.clone()),
        ("MQ_QOS".to_string(), (m.qos as u8).to_string()),
        ("MQ_RETAINED".to_string(), u8::from(m.retain).to_string()),
    ];
    if let Some(text) = payload_text(&m.payload) {
        env.push(("MQ_PAYLOAD".to_string(), text.to_string()));
    }
    let Some(p) = &m.properties else {
        return env;
    };
    if let Some(t) = &p.response_topic {
        env.push(("MQ_RESPONSE_TOPIC".to_string(), t.clone()));
    }
    if let Some(c) = &p.correlation_data {
        env.push(("MQ_CORRELATION_DATA".to_string(), hex(c)));
    }
    if let Some(t) = &p.content_type {
        env.push(("MQ_CONTENT_TYPE".to_string(), t.clone()));
    }
    if !p.user_properties.is_empty() {
        let pairs: Vec<[&str; 2]> = p
            .user_properties
            .iter()
            .map(|(k, v)| [k.as_str(), v.as_str()])
            .collect();
        let json = serde_json::to_string(&pairs).unwrap_or_default();
        env.push(("MQ_USER_PROPERTIES".to_string(), json));
        for (k, v) in &p.user_properties {
            env.push((user_property_var(k), v.clone()));
        }
    }
    env
}

/// The payload as an environment variable's value, when it can be one.
pub fn payload_text(payload: &[u8]) -> Option<&str> {
    std::str::from_utf8(payload)
        .ok()
        .filter(|t| payload.len() <= PAYLOAD_ENV_MAX && !t.contains('\0'))
}

/// `MQ_USER_PROPERTY_` and the property's name in upper case, every character other than an
/// ASCII letter, digit or `_` written as `_`: `sensor-id` -> `MQ_USER_PROPERTY_SENSOR_ID`.
pub fn user_property_var(name: &str) -> String {
    let mut var = String::from("MQ_USER_PROPERTY_");
    var.extend(name.chars().map(|c| match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '_' => c.to_ascii_uppercase(),
        _ => '_',
    }));
    var
}

/// One command to run.
pub struct Spec<'a> {
    /// The shell command line (run with `sh -c`).
    pub command: &'a str,
    /// Variables to set (see `message_env`).
    pub env: Vec<(String, String)>,
    pub stdin: Stdio,
    pub stdout: Stdio,
    /// Killed, with its process group, when still running after this long.
    pub timeout: Duration,
    /// What the command is called in errors: "capture command", "--exec command".
    pub what: &'static str,
}

/// Why a command failed: `why` says it without the command line; `code` is its exit status
/// (None when a signal or the timeout ended it); `last_stderr` its last stderr line, for mq's
/// own log only.
#[derive(Debug, Clone)]
pub struct Failed {
    pub why: String,
    pub code: Option<i32>,
    pub last_stderr: Option<String>,
}

impl From<String> for Failed {
    fn from(why: String) -> Self {
        Failed {
            why,
            code: None,
            last_stderr: None,
        }
    }
}

/// Run `spec` to its end: Ok when it exited 0. Whatever it started in its process group ends
/// with it, success or not.
pub async fn run(spec: Spec<'_>) -> Result<(), Failed> {
    let mut command = tokio::process::Command::new("sh");
    command
        .arg("-c")
        .arg(spec.command)
        .stdin(spec.stdin)
        .stdout(spec.stdout)
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Its own process group, so the whole pipeline ends with it.
        .process_group(0);
    for var in crate::profile::filled_vars() {
        command.env_remove(var);
    }
    // Variables of the message are set afresh for each: none is inherited from mq's own
    // environment (a stale MQ_RESPONSE_TOPIC exported in the shell, say).
    for var in [
        "MQ_PAYLOAD",
        "MQ_TRIGGER_PAYLOAD",
        "MQ_RESPONSE_TOPIC",
        "MQ_CORRELATION_DATA",
        "MQ_CONTENT_TYPE",
        "MQ_USER_PROPERTIES",
    ] {
        command.env_remove(var);
    }
    command.envs(spec.env);
    let mut child = command
        .spawn()
        .map_err(|e| format!("the {} could not be started: {e}", spec.what))?;
    let group = child.id();
    let stderr = child.stderr.take().map(|mut s| {
        tokio::spawn(async move {
            let mut kept = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                kept.extend_from_slice(&buf[..n]);
                if kept.len() > STDERR_KEPT {
                    kept.drain(..kept.len() - STDERR_KEPT);
                }
            }
            kept
        })
    });
    let waited = tokio::time::timeout(spec.timeout, child.wait()).await;
    if let Some(pid) = group {
        kill_group(pid);
    }
    let status: ExitStatus = match waited {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => return Err(format!("waiting for the {}: {e}", spec.what).into()),
        Err(_) => {
            let _ = child.kill().await;
            return Err(format!(
                "{} still running after {}: killed",
                spec.what,
                humantime::format_duration(spec.timeout)
            )
            .into());
        }
    };
    if status.success() {
        return Ok(());
    }
    // A grandchild may hold stderr open: do not wait long for its last words.
    let text = match stderr {
        Some(task) => tokio::time::timeout(Duration::from_secs(1), task)
            .await
            .ok()
            .and_then(|r| r.ok())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let shown = status
        .code()
        .map_or("a signal".to_string(), |c| format!("status {c}"));
    let text = String::from_utf8_lossy(&text);
    let last = text.lines().rev().find(|l| !l.trim().is_empty());
    Err(Failed {
        why: format!("{} exited with {shown}", spec.what),
        code: status.code(),
        last_stderr: last.map(|l| l.trim().to_string()),
    })
}

/// End a command's process group (its pipeline, whatever it left running).
fn kill_group(pid: u32) {
    // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
    unsafe {
        libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Properties, Qos};

    #[test]
    fn user_property_names_become_variable_names() {
        assert_eq!(user_property_var("sensor-id"), "MQ_USER_PROPERTY_SENSOR_ID");
        assert_eq!(user_property_var("a.b c_d9"), "MQ_USER_PROPERTY_A_B_C_D9");
        assert_eq!(user_property_var("ü"), "MQ_USER_PROPERTY__");
    }

    #[test]
    fn a_message_s_environment() {
        let m = Message {
            topic: "cmd/x".into(),
            payload: bytes::Bytes::from_static(b"\xff\x00"),
            qos: Qos::AtLeastOnce,
            retain: true,
            pkid: 3,
            properties: Some(Properties {
                response_topic: Some("r/1".into()),
                correlation_data: Some(bytes::Bytes::from_static(b"\x01\xab")),
                user_properties: vec![("k-1".into(), "v\"".into())],
                ..Default::default()
            }),
        };
        let env: std::collections::HashMap<_, _> = message_env(&m).into_iter().collect();
        assert_eq!(env["MQ_TOPIC"], "cmd/x");
        assert_eq!(env["MQ_QOS"], "1");
        assert_eq!(env["MQ_RETAINED"], "1");
        assert!(
            !env.contains_key("MQ_PAYLOAD"),
            "binary payloads are on stdin only"
        );
        assert_eq!(env["MQ_RESPONSE_TOPIC"], "r/1");
        assert_eq!(env["MQ_CORRELATION_DATA"], "01ab");
        assert_eq!(env["MQ_USER_PROPERTIES"], r#"[["k-1","v\""]]"#);
        assert_eq!(env["MQ_USER_PROPERTY_K_1"], "v\"");
    }
}
