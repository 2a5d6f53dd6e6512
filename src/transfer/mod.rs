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

/// `256KiB`, `1MiB`, `64k`, `1000`, `2GB`: a byte count. K/M/G and KiB/MiB/GiB are powers of
/// 1024, kB/MB/GB powers of 1000.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    let mult: u64 = match unit {
        "" | "B" | "b" => 1,
        "k" | "K" | "KiB" | "kiB" | "Ki" => 1 << 10,
        "M" | "MiB" | "Mi" => 1 << 20,
        "G" | "GiB" | "Gi" => 1 << 30,
        "kB" | "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        _ => {
            return Err(format!(
                "'{s}' is not a size: use a number of bytes or a unit such as 256KiB, 1MiB, 64k"
            ))
        }
    };
    let value: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size: use a number such as 256KiB or 1048576"))?;
    let bytes = value * mult as f64;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(format!("'{s}' is out of range"));
    }
    Ok(bytes.round() as u64)
}

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
    fn sizes() {
        let ok = [
            ("256KiB", 262_144),
            ("1MiB", 1 << 20),
            ("64k", 65_536),
            ("1000", 1000),
            ("2GB", 2_000_000_000),
            ("1.5M", 1_572_864),
            ("10 kB", 10_000),
            ("7B", 7),
        ];
        for (s, want) in ok {
            assert_eq!(parse_size(s), Ok(want), "{s}");
        }
        for bad in ["", "abc", "12 parsecs", "-1k", "1..2M"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_size(10), "10 bytes");
        assert_eq!(human_size(262_144), "256 KiB");
        assert_eq!(human_size(1_572_864), "1.5 MiB");
    }
}
