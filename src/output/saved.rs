//! What `mq sub --save-dir` prints: one line per file saved on stdout (its path, or a JSON
//! object with `--json`), and one line per failed transfer on stderr. File names are the
//! sender's choice: escaped on a terminal and on stderr, exact in a pipe (a script opens them).

use super::escape::{self, Escape};
use super::{json, term, Written};
use crate::transfer::hex;
use crate::transfer::reassemble::Saved;
use std::io::{self, Write};

pub struct SavedReport {
    json: bool,
    terminal: bool,
}

impl SavedReport {
    pub fn new(json: bool) -> SavedReport {
        SavedReport {
            json,
            terminal: term::stdout_is_terminal(),
        }
    }

    /// Print one saved file and flush: a script reading the lines acts on each file at once.
    pub fn saved(&mut self, s: &Saved) -> io::Result<Written> {
        let line = render(s, self.json, self.terminal);
        let mut out = io::stdout().lock();
        match out.write_all(line.as_bytes()).and_then(|_| out.flush()) {
            Ok(()) => Ok(Written::Ok),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Written::Closed),
            Err(e) => Err(e),
        }
    }

    /// A transfer that failed: reported, and the command goes on.
    pub fn failed(&mut self, why: &str) {
        eprintln!("mq: {}", escape::shown(why));
    }
}

fn render(s: &Saved, json: bool, terminal: bool) -> String {
    if !json {
        let mut line = Vec::new();
        escape::push(
            &mut line,
            s.path.as_os_str().as_encoded_bytes(),
            Escape::text(terminal),
        );
        line.push(b'\n');
        return String::from_utf8_lossy(&line).into_owned();
    }
    let v = serde_json::json!({
        "file": s.path.display().to_string(),
        "topic": s.topic,
        "size": s.size,
        "sha256": hex(&s.sha256),
        "frames": s.frames,
        "content_type": s.content_type,
        "transfer": s.transfer.map(|t| hex(&t)),
    });
    format!("{}\n", json::separators_escaped(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_line_and_json_object() {
        let s = Saved {
            path: "out/cam.jpg".into(),
            topic: "camera/image".into(),
            size: 3,
            sha256: [0; 32],
            frames: 2,
            content_type: "image/jpeg".into(),
            transfer: Some([1; 16]),
        };
        assert_eq!(render(&s, false, false), "out/cam.jpg\n");
        let v: serde_json::Value = serde_json::from_str(&render(&s, true, false)).unwrap();
        assert_eq!(v["file"], "out/cam.jpg");
        assert_eq!(v["frames"], 2);
        assert_eq!(v["transfer"], "01".repeat(16));
        assert_eq!(v["sha256"], "00".repeat(32));
        let hostile = Saved {
            path: "out/\u{202e}gnp.exe".into(),
            ..s
        };
        assert_eq!(render(&hostile, false, true), "out/\\u{202e}gnp.exe\n");
        assert_eq!(render(&hostile, false, false), "out/\u{202e}gnp.exe\n");
    }
}
