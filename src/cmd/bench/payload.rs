//! The bench message: a 32-byte header, then zero padding up to `-s`.
//!
//! | bytes | field |
//! |---|---|
//! | 0..4 | magic `mqB1` |
//! | 4..8 | run id (random per process: a subscriber ignores other runs' messages) |
//! | 8..12 | publisher number |
//! | 12..16 | flags: 1 = warm-up (not in latency figures), 2 = the publisher's last message |
//! | 16..24 | sequence number, from 0 per publisher |
//! | 24..32 | intended send time, CLOCK_MONOTONIC nanoseconds |
//!
//! All little-endian. CLOCK_MONOTONIC is shared by every process of one machine, so `bench pub`
//! and `bench sub` run side by side on one host measure latency too (not across machines).

use bytes::{BufMut, Bytes, BytesMut};

pub const HEADER: usize = 32;
const MAGIC: &[u8; 4] = b"mqB1";
pub const WARMUP: u32 = 1;
pub const LAST: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub run: u32,
    pub publisher: u32,
    pub flags: u32,
    pub seq: u64,
    pub sent_ns: u64,
}

impl Header {
    /// The message: header, then zeros up to `size` (at least `HEADER`).
    pub fn encode(&self, size: usize) -> Bytes {
        let mut b = BytesMut::with_capacity(size.max(HEADER));
        b.put_slice(MAGIC);
        b.put_u32_le(self.run);
        b.put_u32_le(self.publisher);
        b.put_u32_le(self.flags);
        b.put_u64_le(self.seq);
        b.put_u64_le(self.sent_ns);
        b.resize(size.max(HEADER), 0);
        b.freeze()
    }

    /// `None` for a message that is not a bench message.
    pub fn decode(p: &[u8]) -> Option<Header> {
        if p.len() < HEADER || &p[..4] != MAGIC {
            return None;
        }
        let u32_at = |i: usize| u32::from_le_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]]);
        let u64_at = |i: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&p[i..i + 8]);
            u64::from_le_bytes(a)
        };
        Some(Header {
            run: u32_at(4),
            publisher: u32_at(8),
            flags: u32_at(12),
            seq: u64_at(16),
            sent_ns: u64_at(24),
        })
    }
}

/// CLOCK_MONOTONIC in nanoseconds: the same clock in every process of this machine.
pub fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux, so
    // the call cannot fail (its return value is 0).
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// A run id that differs between processes started in the same nanosecond on one machine.
pub fn run_id() -> u32 {
    let t = now_ns();
    let mixed =
        (t ^ (t >> 29) ^ (u64::from(std::process::id()) << 17)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_pads() {
        let h = Header {
            run: 7,
            publisher: 3,
            flags: LAST,
            seq: 1 << 40,
            sent_ns: 123_456_789,
        };
        let b = h.encode(100);
        assert_eq!(b.len(), 100);
        assert_eq!(Header::decode(&b), Some(h));
        assert_eq!(h.encode(10).len(), HEADER);
        assert_eq!(Header::decode(b"hello"), None);
        assert_eq!(Header::decode(&[0u8; 40]), None);
    }

    #[test]
    fn the_clock_moves_forward() {
        let a = now_ns();
        let b = now_ns();
        assert!(b >= a && a > 0);
    }
}
