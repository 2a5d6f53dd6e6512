//! Where a capture comes from: a shell command's stdout (streamed to a temporary file, so a
//! large capture never sits in memory, and a failed or killed command never publishes half an
//! image) or an existing file.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;

#[derive(Debug, Clone)]
pub enum Source {
    Exec(String),
    File(PathBuf),
}

/// A finished capture. A temporary file is removed when this is dropped.
pub struct Captured {
    pub path: PathBuf,
    temp: bool,
}

impl Drop for Captured {
    fn drop(&mut self) {
        if self.temp {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Stderr kept from a failed capture command, for the agent's own log (never for the event,
/// which others may read: a command's last words may hold what it was given).
const STDERR_KEPT: usize = 2048;

/// A trigger payload up to this size, valid UTF-8 without NUL, is also given as
/// `MQ_TRIGGER_PAYLOAD` (an environment variable holds at most 128 KiB on Linux, and no NUL).
const PAYLOAD_ENV_MAX: usize = 64 * 1024;

/// Run the capture for a trigger on `topic` with `payload`. The command gets the payload on
/// its stdin and in the file `MQ_TRIGGER_PAYLOAD_FILE`, `MQ_TRIGGER_TOPIC`, and
/// `MQ_TRIGGER_PAYLOAD` when the payload fits an environment variable; not the `MQ_*`
/// variables a profile filled in (the password among them). When it ends, whatever it started
/// in its process group ends too. Errors say what failed and why, never the command line.
pub async fn capture(
    source: Source,
    topic: String,
    payload: bytes::Bytes,
    timeout: Duration,
) -> Result<Captured, CaptureError> {
    let cmd = match source {
        Source::File(path) => {
            return match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => Ok(Captured { path, temp: false }),
                Ok(_) => Err(format!("{} is not a file", path.display()).into()),
                Err(e) => Err(format!("{}: {e}", path.display()).into()),
            }
        }
        Source::Exec(cmd) => cmd,
    };
    // Private (0600), unpredictable names in the temporary directory.
    let temp = |what: &str| {
        tempfile::Builder::new()
            .prefix(&format!("mq-capture-{what}-"))
            .tempfile()
            .and_then(|f| f.keep().map_err(|e| e.error))
            .map_err(|e| format!("creating a temporary file for the {what}: {e}"))
    };
    let (out, path) = temp("output")?;
    // From here on the files go away with `captured` and `input` on any failure.
    let captured = Captured { path, temp: true };
    let (mut input_file, input_path) = temp("payload")?;
    let input = Captured {
        path: input_path,
        temp: true,
    };
    std::io::Write::write_all(&mut input_file, &payload)
        .map_err(|e| format!("writing the trigger payload for the command: {e}"))?;
    let stdin = std::fs::File::open(&input.path)
        .map_err(|e| format!("reading back the trigger payload: {e}"))?;
    let mut command = tokio::process::Command::new("sh");
    command
        .arg("-c")
        .arg(&cmd)
        .env("MQ_TRIGGER_TOPIC", &topic)
        .env("MQ_TRIGGER_PAYLOAD_FILE", &input.path)
        .stdin(stdin)
        .stdout(out)
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Its own process group, so the whole pipeline ends with it.
        .process_group(0);
    match std::str::from_utf8(&payload) {
        Ok(text) if payload.len() <= PAYLOAD_ENV_MAX && !text.contains('\0') => {
            command.env("MQ_TRIGGER_PAYLOAD", text);
        }
        _ => {
            command.env_remove("MQ_TRIGGER_PAYLOAD");
        }
    }
    for var in crate::profile::filled_vars() {
        command.env_remove(var);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("the capture command could not be started: {e}"))?;
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
    let waited = tokio::time::timeout(timeout, child.wait()).await;
    // Nothing the command started outlives the capture, success or not.
    if let Some(pid) = group {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
        unsafe {
            libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
        }
    }
    let status = match waited {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => return Err(format!("waiting for the capture command: {e}").into()),
        Err(_) => {
            let _ = child.kill().await;
            return Err(format!(
                "capture command still running after {}: killed",
                humantime::format_duration(timeout)
            )
            .into());
        }
    };
    if status.success() {
        return Ok(captured);
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
    let code = status
        .code()
        .map_or("a signal".to_string(), |c| format!("status {c}"));
    let text = String::from_utf8_lossy(&text);
    let last = text.lines().rev().find(|l| !l.trim().is_empty());
    Err(CaptureError {
        why: format!("capture command exited with {code}"),
        last_stderr: last.map(|l| l.trim().to_string()),
    })
}

/// Why a capture failed: `why` goes into the event others may read; the command's last stderr
/// line only into the agent's own log.
#[derive(Debug, Clone)]
pub struct CaptureError {
    pub why: String,
    pub last_stderr: Option<String>,
}

impl From<String> for CaptureError {
    fn from(why: String) -> Self {
        CaptureError {
            why,
            last_stderr: None,
        }
    }
}
