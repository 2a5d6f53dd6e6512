//! Where a capture comes from: a shell command's stdout (streamed to a temporary file, so a
//! large capture never sits in memory, and a failed or killed command never publishes half an
//! image) or an existing file.

use super::super::exec::command as exec;
use crate::session::Message;
use std::path::PathBuf;
use std::time::Duration;

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

/// Run the capture for `trigger` (see `cmd::exec` for what the command gets). It also gets the
/// payload in the file `MQ_TRIGGER_PAYLOAD_FILE`, `MQ_TRIGGER_TOPIC`, and `MQ_TRIGGER_PAYLOAD`
/// when the payload fits an environment variable. Errors say what failed and why, never the
/// command line.
pub async fn capture(
    source: Source,
    trigger: &Message,
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
    std::io::Write::write_all(&mut input_file, &trigger.payload)
        .map_err(|e| format!("writing the trigger payload for the command: {e}"))?;
    let stdin = std::fs::File::open(&input.path)
        .map_err(|e| format!("reading back the trigger payload: {e}"))?;
    // The same contract as `sub --exec` (the message's variables), plus the trigger's names.
    let mut env = exec::message_env(trigger);
    env.push(("MQ_TRIGGER_TOPIC".into(), trigger.topic.clone()));
    env.push((
        "MQ_TRIGGER_PAYLOAD_FILE".into(),
        input.path.to_string_lossy().into_owned(),
    ));
    if let Some(text) = exec::payload_text(&trigger.payload) {
        env.push(("MQ_TRIGGER_PAYLOAD".into(), text.to_string()));
    }
    let spec = exec::Spec {
        command: &cmd,
        env,
        stdin: stdin.into(),
        stdout: out.into(),
        timeout,
        what: "capture command",
    };
    exec::run(spec).await.map_err(|f| CaptureError {
        why: f.why,
        last_stderr: f.last_stderr,
    })?;
    Ok(captured)
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
