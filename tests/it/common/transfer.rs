//! What the transfer areas share: data that neither compresses nor repeats, a listing of the
//! files a receiver saved, and frames built with mq's codec for a raw publisher.

use super::{temp_file, Broker};
use mq::transfer::frame::{frame_count, Header};
use std::path::Path;
use std::process::{Command, Stdio};

/// Deterministic bytes that do not compress or repeat at chunk boundaries.
pub fn data(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// What a receiver left in `dir`; its private parts directory (`.mq-parts-*`) included, so a test
/// that looks after the receiver ended sees one left behind.
pub fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The frames `mq pub` would send for `body`, each written to a file for mosquitto_pub -f.
pub fn frame_files(
    dir: &Path,
    id: u8,
    name: &str,
    body: &[u8],
    chunk: u32,
) -> Vec<std::path::PathBuf> {
    let count = frame_count(body.len() as u64, chunk) as u32;
    let sha: [u8; 32] = {
        use sha2::{Digest, Sha256};
        Sha256::digest(body).into()
    };
    (0..count)
        .map(|seq| {
            let start = seq as usize * chunk as usize;
            let end = (start + chunk as usize).min(body.len());
            let frame = Header {
                id: [id; 16],
                seq,
                count,
                size: body.len() as u64,
                chunk_size: chunk,
                name: name.into(),
                content_type: String::new(),
                sha256: (seq + 1 == count).then_some(sha),
            }
            .frame(&body[start..end]);
            temp_file(dir, &format!("frame-{id}-{seq}"), &frame)
        })
        .collect()
}

pub fn raw_publish(b: &Broker, topic: &str, file: &Path) {
    let st = Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &b.port.to_string(),
            "-q",
            "1",
            "-t",
            topic,
            "-f",
        ])
        .arg(file)
        .stdout(Stdio::null())
        .status()
        .expect("mosquitto_pub is installed");
    assert!(st.success());
}

/// The one frame of a transfer that never finishes (frame 0 of 2): what a sender opening junk
/// transfers sends. `n` makes its transfer id.
pub fn junk_frame(n: u32) -> Vec<u8> {
    let mut id = *b"junk-transfer-id";
    id[12..].copy_from_slice(&n.to_be_bytes());
    Header {
        id,
        seq: 0,
        count: 2,
        size: 8,
        chunk_size: 4,
        name: format!("junk{n}"),
        content_type: String::new(),
        sha256: None,
    }
    .frame(b"abcd")
}
