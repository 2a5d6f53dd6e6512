//! Frame format v1 (docs/transfer.md): encode a header in front of a chunk, and tell a frame
//! from a raw message on the way in. Pure code: no I/O.

use std::fmt;

pub const MAGIC: [u8; 4] = *b"\x89MQT";
pub const VERSION: u8 = 1;
/// Flag bit: the final frame, carrying the sha256 of the whole file.
pub const FLAG_LAST: u8 = 1;
/// Bytes before the name: magic, version, flags, H, id, seq, count, size, chunk size.
const FIXED: usize = 44;
/// Room a sender reserves in front of a chunk: the largest header it can write.
pub const MAX_HEADER: usize = FIXED + 1 + 255 + 1 + 255 + 32;

/// One frame's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub id: [u8; 16],
    pub seq: u32,
    /// Frames in the transfer; 0 while a stream's length is not known.
    pub count: u32,
    /// Bytes in the file; 0 while a stream's length is not known.
    pub size: u64,
    pub chunk_size: u32,
    pub name: String,
    pub content_type: String,
    /// Set on the last frame only.
    pub sha256: Option<[u8; 32]>,
}

/// Why a payload that starts with the magic is not a usable frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    Version(u8),
    Malformed(&'static str),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Version(v) => write!(f, "unsupported frame version {v} (mq reads v1)"),
            FrameError::Malformed(why) => write!(f, "malformed frame: {why}"),
        }
    }
}

impl Header {
    pub fn is_last(&self) -> bool {
        self.sha256.is_some()
    }

    /// Bytes of the encoded header (the `H` field).
    pub fn encoded_len(&self) -> usize {
        FIXED + 2 + self.name.len() + self.content_type.len() + self.sha256.map_or(0, |_| 32)
    }

    /// Write the header into `out`, which must be exactly `self.encoded_len()` bytes. Name and content
    /// type must be at most 255 bytes (the sender checks them once, up front).
    pub fn encode_into(&self, out: &mut [u8]) {
        debug_assert_eq!(out.len(), self.encoded_len());
        let mut w = Writer { out, at: 0 };
        w.put(&MAGIC);
        w.put(&[VERSION, if self.is_last() { FLAG_LAST } else { 0 }]);
        w.put(&(self.encoded_len() as u16).to_be_bytes());
        w.put(&self.id);
        w.put(&self.seq.to_be_bytes());
        w.put(&self.count.to_be_bytes());
        w.put(&self.size.to_be_bytes());
        w.put(&self.chunk_size.to_be_bytes());
        w.put(&[self.name.len() as u8]);
        w.put(self.name.as_bytes());
        w.put(&[self.content_type.len() as u8]);
        w.put(self.content_type.as_bytes());
        if let Some(sha) = &self.sha256 {
            w.put(sha);
        }
    }

    /// The header followed by `data`, as one payload.
    pub fn frame(&self, data: &[u8]) -> Vec<u8> {
        let mut out = vec![0; self.encoded_len()];
        self.encode_into(&mut out);
        out.extend_from_slice(data);
        out
    }
}

struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, b: &[u8]) {
        self.out[self.at..self.at + b.len()].copy_from_slice(b);
        self.at += b.len();
    }
}

/// `Ok(None)`: not a frame (a raw message). `Ok(Some((header, data)))`: a well-formed v1 frame;
/// the transfer-level checks (count vs size, data length) are the reassembler's.
pub fn decode(payload: &[u8]) -> Result<Option<(Header, &[u8])>, FrameError> {
    if payload.len() < 5 || payload[..4] != MAGIC {
        return Ok(None);
    }
    if payload[4] != VERSION {
        return Err(FrameError::Version(payload[4]));
    }
    if payload.len() < FIXED + 2 {
        return Err(FrameError::Malformed("header cut short"));
    }
    let flags = payload[5];
    if flags & !FLAG_LAST != 0 {
        return Err(FrameError::Malformed("unknown flags"));
    }
    let be32 = |at: usize| {
        u32::from_be_bytes([
            payload[at],
            payload[at + 1],
            payload[at + 2],
            payload[at + 3],
        ])
    };
    let h = u16::from_be_bytes([payload[6], payload[7]]) as usize;
    let mut id = [0u8; 16];
    id.copy_from_slice(&payload[8..24]);
    let seq = be32(24);
    let count = be32(28);
    let mut size = [0u8; 8];
    size.copy_from_slice(&payload[32..40]);
    let size = u64::from_be_bytes(size);
    let chunk_size = be32(40);
    let n = payload[44] as usize;
    let after_name = FIXED + 1 + n;
    if payload.len() < after_name + 1 {
        return Err(FrameError::Malformed("header cut short"));
    }
    let t = payload[after_name] as usize;
    let after_type = after_name + 1 + t;
    let needed = after_type + if flags & FLAG_LAST != 0 { 32 } else { 0 };
    if h < needed || h > payload.len() {
        return Err(FrameError::Malformed("header length out of range"));
    }
    let name = std::str::from_utf8(&payload[FIXED + 1..after_name])
        .map_err(|_| FrameError::Malformed("file name is not UTF-8"))?;
    let content_type = std::str::from_utf8(&payload[after_name + 1..after_type])
        .map_err(|_| FrameError::Malformed("content type is not UTF-8"))?;
    let sha256 = (flags & FLAG_LAST != 0).then(|| {
        let mut s = [0u8; 32];
        s.copy_from_slice(&payload[after_type..after_type + 32]);
        s
    });
    let header = Header {
        id,
        seq,
        count,
        size,
        chunk_size,
        name: name.to_string(),
        content_type: content_type.to_string(),
        sha256,
    };
    Ok(Some((header, &payload[h..])))
}

/// Frames needed for `size` bytes in `chunk` pieces (an empty file is one empty frame).
pub fn frame_count(size: u64, chunk: u32) -> u64 {
    size.div_ceil(u64::from(chunk.max(1))).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(last: bool) -> Header {
        Header {
            id: [7; 16],
            seq: 2,
            count: 3,
            size: 600_000,
            chunk_size: 262_144,
            name: "cam.jpg".into(),
            content_type: "image/jpeg".into(),
            sha256: last.then_some([0xab; 32]),
        }
    }

    #[test]
    fn round_trips_with_and_without_sha() {
        for last in [false, true] {
            let h = header(last);
            let frame = h.frame(b"data");
            let (back, data) = decode(&frame).unwrap().unwrap();
            assert_eq!(back, h);
            assert_eq!(data, b"data");
            assert_eq!(frame.len(), if last { 95 } else { 63 } + 4);
        }
    }

    #[test]
    fn matches_the_example_in_docs() {
        let mut h = header(false);
        h.seq = 0;
        let f = h.frame(b"");
        assert_eq!(&f[..8], &[0x89, 0x4d, 0x51, 0x54, 1, 0, 0, 0x3f]);
        assert_eq!(
            &f[24..44],
            &[0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0x09, 0x27, 0xc0, 0, 4, 0, 0]
        );
        assert_eq!(&f[44..52], b"\x07cam.jpg");
    }

    #[test]
    fn raw_payloads_are_not_frames() {
        for raw in [&b""[..], b"hello", b"\x89MQ", b"\x89PNG\r\n\x1a\n"] {
            assert_eq!(decode(raw), Ok(None), "{raw:?}");
        }
    }

    #[test]
    fn bad_frames_are_errors_not_raw() {
        let good = header(true).frame(b"xyz");
        let mut v2 = good.clone();
        v2[4] = 2;
        assert_eq!(decode(&v2), Err(FrameError::Version(2)));
        let mut flags = good.clone();
        flags[5] = 0x80;
        assert!(decode(&flags).is_err());
        for cut in [6, 30, 46, 60, 90] {
            assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut h_small = good.clone();
        h_small[7] = 50;
        assert!(decode(&h_small).is_err());
        let mut h_big = good.clone();
        h_big[6] = 0xff;
        assert!(decode(&h_big).is_err());
        let mut bad_utf8 = good;
        bad_utf8[45] = 0xff;
        assert!(decode(&bad_utf8).is_err());
    }

    #[test]
    fn a_longer_header_is_skipped() {
        // Reserved bytes before the data (a later minor addition) are skipped using H.
        let h = header(false);
        let mut f = h.frame(b"");
        let len = (h.encoded_len() + 3) as u16;
        f[6..8].copy_from_slice(&len.to_be_bytes());
        f.extend_from_slice(b"...data");
        let (_, data) = decode(&f).unwrap().unwrap();
        assert_eq!(data, b"data");
    }

    #[test]
    fn counts_frames() {
        assert_eq!(frame_count(0, 10), 1);
        assert_eq!(frame_count(1, 10), 1);
        assert_eq!(frame_count(10, 10), 1);
        assert_eq!(frame_count(11, 10), 2);
        assert_eq!(frame_count(600_000, 262_144), 3);
    }
}
