//! The sending side of `mq pub -f`: read a file (or stdin) in chunks on a thread of its own,
//! hash it on the way, and publish either one raw message (it fits in a chunk) or a sequence of
//! frames with a bounded number in flight.

use super::frame::{self, Header, MAX_HEADER};
use super::{human_size, names};
use crate::exit::{Code, Error, Result};
use crate::output::progress::Progress;
use crate::session::{Qos, Session};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;

/// Chunk size when neither `--chunk-size` nor the broker's maximum packet size says otherwise:
/// large enough that per-message costs vanish, small enough that a window of them is a few MiB.
pub const DEFAULT_CHUNK: u64 = 256 * 1024;
/// Frames written but not yet acknowledged, at most.
pub const WINDOW: u64 = 16;
/// Chunks read ahead of the network.
const READ_AHEAD: usize = 2;

/// An opened `-f` source, before connecting.
pub struct Source {
    input: Box<dyn Read + Send>,
    /// The name sent in the frames.
    pub name: String,
    /// Bytes in a regular file (`None`: stdin, a pipe, a device).
    pub size: Option<u64>,
    /// `-f` as the user spelled it, for messages.
    pub shown: String,
}

/// Open `-f PATH` (or `-f -` for stdin). Errors are usage errors: nothing was sent yet.
pub fn open(path: &Path) -> Result<Source> {
    if path.as_os_str() == "-" {
        return Ok(Source {
            input: Box::new(io::stdin()),
            name: "stdin".into(),
            size: None,
            shown: "stdin".into(),
        });
    }
    let shown = path.display().to_string();
    let fail = |e: io::Error| {
        let why = match e.kind() {
            io::ErrorKind::NotFound => "no such file".to_string(),
            io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        Error::usage(format!("cannot read -f {shown}: {why}"))
    };
    let file = std::fs::File::open(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if meta.is_dir() {
        return Err(Error::usage(format!(
            "cannot read -f {shown}: it is a directory"
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    Ok(Source {
        input: Box::new(file),
        name: truncate(&name, 200),
        size: meta.is_file().then_some(meta.len()),
        shown,
    })
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// The chunk size to use: `--chunk-size`, else the default lowered to what the broker's maximum
/// packet size leaves room for.
pub fn chunk_size(
    wanted: Option<u64>,
    max_packet: Option<u32>,
    topic: &str,
    name: &str,
) -> Result<u32> {
    // PUBLISH fixed header (5), topic (2 + len), packet id (2), v5 properties length (1), and
    // the largest frame header for this name (content types are at most 255 bytes).
    let overhead = (5 + 2 + topic.len() + 2 + 1 + frame::MAX_HEADER - 255 + name.len()) as u64;
    let room = max_packet.map(|m| u64::from(m).saturating_sub(overhead));
    let chunk = match (wanted, room) {
        (Some(w), Some(r)) if w > r => {
            return Err(Error::usage(format!(
                "--chunk-size {} is over what the broker's maximum packet size of {} bytes leaves for data ({})",
                human_size(w),
                max_packet.unwrap_or_default(),
                human_size(r)
            ))
            .hint(format!("use --chunk-size {r} or less")))
        }
        (Some(w), _) => w,
        (None, Some(r)) => DEFAULT_CHUNK.min(r),
        (None, None) => DEFAULT_CHUNK,
    };
    if chunk == 0 {
        return Err(Error::new(
            Code::Refused,
            "the broker's maximum packet size leaves no room for file data",
        ));
    }
    u32::try_from(chunk)
        .ok()
        .filter(|&c| c <= 256 << 20)
        .ok_or_else(|| Error::usage("--chunk-size is over 256 MiB, MQTT's largest message"))
}

/// One chunk read from the source, with room for a frame header in front of the data.
struct Piece {
    buf: Vec<u8>,
    len: usize,
    /// No more data after this one.
    last: bool,
    /// Bytes read so far, this chunk included.
    total: u64,
    /// The hash of everything, on the last piece.
    sha256: Option<[u8; 32]>,
}

impl Piece {
    fn data(&self) -> &[u8] {
        &self.buf[MAX_HEADER..MAX_HEADER + self.len]
    }
}

/// Read `input` in `chunk`-byte pieces on a thread (a pipe may block for any time), hashing as
/// it goes. Each piece is sent once the next read tells whether it is the last.
fn spawn_reader(
    mut input: Box<dyn Read + Send>,
    chunk: usize,
) -> mpsc::Receiver<io::Result<Piece>> {
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    std::thread::spawn(move || {
        let mut hasher = Sha256::new();
        let mut total = 0u64;
        let mut held: Option<Piece> = None;
        loop {
            let mut buf = vec![0u8; MAX_HEADER + chunk];
            let len = match fill(&mut input, &mut buf[MAX_HEADER..]) {
                Ok(n) => n,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            };
            hasher.update(&buf[MAX_HEADER..MAX_HEADER + len]);
            total += len as u64;
            let piece = Piece {
                buf,
                len,
                last: false,
                total,
                sha256: None,
            };
            if len == 0 {
                // The input ended on a chunk boundary: the held piece is the last one (or, for
                // an empty input, this empty piece is the only one).
                let mut last = held.take().unwrap_or(piece);
                last.last = true;
                last.sha256 = Some(hasher.finalize().into());
                let _ = tx.blocking_send(Ok(last));
                return;
            }
            if let Some(prev) = held.take() {
                if tx.blocking_send(Ok(prev)).is_err() {
                    return;
                }
            }
            if len < chunk {
                // A short read is the end of the input.
                let mut last = piece;
                last.last = true;
                last.sha256 = Some(hasher.finalize().into());
                let _ = tx.blocking_send(Ok(last));
                return;
            }
            held = Some(piece);
        }
    });
    rx
}

/// Read until `buf` is full or the input ends; returns the bytes read.
fn fill(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut at = 0;
    while at < buf.len() {
        match input.read(&mut buf[at..]) {
            Ok(0) => break,
            Ok(n) => at += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(at)
}

/// What to send, once the first chunk is read.
pub enum Prepared {
    /// It fits in one chunk: one plain message, as mosquitto_pub -f would send.
    Raw(Bytes),
    Chunked(Transfer),
}

pub struct Transfer {
    rx: mpsc::Receiver<io::Result<Piece>>,
    first: Piece,
    chunk: u32,
    name: String,
    shown: String,
    size: Option<u64>,
    content_type: String,
}

/// Start reading and decide between raw and chunked. `forced`: frame it even if it fits.
pub async fn prepare(source: Source, chunk: u32, forced: bool) -> Result<Prepared> {
    let Source {
        input,
        name,
        size,
        shown,
    } = source;
    let mut rx = spawn_reader(input, chunk as usize);
    let first = next_piece(&mut rx, &shown).await?;
    if first.last && !forced {
        let len = first.len;
        return Ok(Prepared::Raw(
            Bytes::from(first.buf).slice(MAX_HEADER..MAX_HEADER + len),
        ));
    }
    if let Some(s) = size {
        if frame::frame_count(s, chunk) > u64::from(u32::MAX) {
            return Err(Error::usage(format!(
                "-f {shown} needs more than 2^32 chunks of {}",
                human_size(chunk.into())
            ))
            .hint("raise --chunk-size"));
        }
    }
    let content_type = names::sniff(first.data())
        .map_or("", |(t, _)| t)
        .to_string();
    Ok(Prepared::Chunked(Transfer {
        rx,
        first,
        chunk,
        name,
        shown,
        size,
        content_type,
    }))
}

async fn next_piece(rx: &mut mpsc::Receiver<io::Result<Piece>>, shown: &str) -> Result<Piece> {
    match rx.recv().await {
        Some(Ok(p)) => Ok(p),
        Some(Err(e)) => Err(Error::runtime(format!("reading {shown}: {e}"))),
        None => Err(Error::runtime(format!(
            "reading {shown}: the reader stopped"
        ))),
    }
}

impl Transfer {
    /// Bytes of data per frame.
    pub fn chunk(&self) -> u32 {
        self.chunk
    }

    /// The size of a regular file (`None` for stdin or a pipe).
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// Frames the transfer takes, when the size is known.
    pub fn frames(&self) -> Option<u64> {
        self.size.map(|s| frame::frame_count(s, self.chunk))
    }

    /// Publish every frame at `qos`, keeping at most `WINDOW` unacknowledged, and wait for the
    /// last acknowledgements. Returns the size and sha256 of what was sent.
    pub async fn send(
        mut self,
        session: &mut Session,
        topic: &str,
        qos: Qos,
        ack_timeout: Duration,
    ) -> Result<(u64, [u8; 32])> {
        let id = transfer_id();
        let count = self.size.map(|s| frame::frame_count(s, self.chunk) as u32);
        let progress = Progress::bytes(self.size);
        let mut seq: u32 = 0;
        let mut piece = self.first;
        loop {
            let last = piece.last;
            if let (Some(size), true) = (self.size, last) {
                if piece.total != size {
                    return Err(changed(&self.shown));
                }
            }
            if let (Some(n), false) = (count, last) {
                if seq + 1 >= n {
                    return Err(changed(&self.shown));
                }
            }
            let header = Header {
                id,
                seq,
                count: if last {
                    seq.saturating_add(1)
                } else {
                    count.unwrap_or(0)
                },
                size: if last {
                    piece.total
                } else {
                    self.size.unwrap_or(0)
                },
                chunk_size: self.chunk,
                name: self.name.clone(),
                content_type: self.content_type.clone(),
                sha256: piece.sha256,
            };
            let hlen = header.encoded_len();
            header.encode_into(&mut piece.buf[MAX_HEADER - hlen..MAX_HEADER]);
            let len = piece.len;
            let payload = Bytes::from(piece.buf).slice(MAX_HEADER - hlen..MAX_HEADER + len);
            session
                .wait_pending_at_most(WINDOW - 1, ack_timeout)
                .await?;
            session.publish(topic, payload, qos, false, None).await?;
            progress.add(len as u64);
            if last {
                session.wait_acks(ack_timeout).await?;
                progress.done();
                return Ok((header.size, header.sha256.unwrap_or_default()));
            }
            seq = seq.checked_add(1).ok_or_else(|| {
                Error::runtime(format!("{}: more than 2^32 chunks", self.shown))
                    .hint("raise --chunk-size")
            })?;
            piece = next_piece(&mut self.rx, &self.shown).await?;
        }
    }
}

fn changed(shown: &str) -> Error {
    Error::runtime(format!("{shown} changed size while being sent"))
        .hint("send a file that is not being written to, or pipe it with -f -")
}

/// 16 random bytes from the kernel; if that fails, a hash of the time and process id is unique
/// enough to tell concurrent transfers apart.
fn transfer_id() -> [u8; 16] {
    let mut id = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut id));
    if random.is_err() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let h = Sha256::new()
            .chain_update(now.as_nanos().to_le_bytes())
            .chain_update(std::process::id().to_le_bytes())
            .finalize();
        id.copy_from_slice(&h[..16]);
    }
    id
}
