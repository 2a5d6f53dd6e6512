//! Chunked file transfer (docs/transfer.md): the frame codec, the sender that streams a file as
//! frames, and the reassembler that turns frames back into files in a directory.
//!
//! Nothing here talks MQTT directly: the sender publishes through `Session`, and the reassembler
//! is fed payloads by `cmd::save`. Memory is bounded by a few chunks whatever the file size.

pub mod files;
pub mod frame;
pub mod names;
pub mod reassemble;
pub mod send;

/// `262144` -> `256 KiB`: for messages.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if v.fract() == 0.0 {
        format!("{v} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human_size(10), "10 bytes");
        assert_eq!(human_size(262_144), "256 KiB");
        assert_eq!(human_size(1_572_864), "1.5 MiB");
    }
}
