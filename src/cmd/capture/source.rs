//! Where a capture comes from: a shell command's stdout (streamed to a temporary file, so a
//! large capture never sits in memory, and a failed or killed command never publishes half an
//! image) or an existing file.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// Stderr kept from a capture command, for the error event.
const STDERR_KEPT: usize = 2048;

/// Run the capture for a trigger on `topic` with `payload`.
pub async fn capture(
    source: Source,
    topic: String,
    payload: String,
    timeout: Duration,
) -> Result<Captured, String> {
    let cmd = match source {
        Source::File(path) => {
            return match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => Ok(Captured { path, temp: false }),
                Ok(_) => Err(format!("{} is not a file", path.display())),
                Err(e) => Err(format!("{}: {e}", path.display())),
            }
        }
        Source::Exec(cmd) => cmd,
    };
    static N: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "mq-capture-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("creating {}: {e}", path.display()))?;
    // From here on the file goes away with `captured` on any failure.
    let captured = Captured { path, temp: true };
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(&cmd)
        .env("MQ_TRIGGER_TOPIC", &topic)
        .env("MQ_TRIGGER_PAYLOAD", &payload)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Its own process group, so a timeout kills the whole pipeline, not just `sh`.
        .process_group(0)
        .spawn()
        .map_err(|e| format!("starting sh -c '{cmd}': {e}"))?;
    let pid = child.id();
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
    let status = match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => return Err(format!("waiting for '{cmd}': {e}")),
        Err(_) => {
            if let Some(pid) = pid {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", "--", &format!("-{pid}")])
                    .stderr(Stdio::null())
                    .status();
            }
            let _ = child.kill().await;
            return Err(format!(
                "capture command still running after {}: killed",
                humantime::format_duration(timeout)
            ));
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
    let text = String::from_utf8_lossy(&text);
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let code = status
        .code()
        .map_or("a signal".to_string(), |c| format!("status {c}"));
    Err(if last.is_empty() {
        format!("capture command exited with {code}")
    } else {
        format!("capture command exited with {code}: {}", last.trim())
    })
}
