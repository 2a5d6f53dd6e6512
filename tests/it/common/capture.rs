//! What the `mq capture` areas share: a JPEG-like payload, an agent started and subscribed,
//! and its NDJSON events parsed.

use crate::common::*;
use std::path::Path;

pub fn jpeg(n: usize) -> Vec<u8> {
    let mut v = b"\xff\xd8\xff\xe0".to_vec();
    let mut x = 0x9e3779b97f4a7c15u64;
    v.extend((4..n).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    v
}

/// Start an agent and return once its trigger subscription is acknowledged.
pub fn agent(b: &Broker, args: &[&str]) -> Running {
    let mut c = mq_on(b, "capture", args);
    c.arg("-d");
    Running::until(c, "received SUBACK")
}

pub fn cat(path: &Path) -> String {
    format!("cat '{}'", path.display())
}

pub fn events(out: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
