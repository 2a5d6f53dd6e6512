//! The receiving side of `mq sub --save-dir`: frames become files in the saver's private parts
//! directory (`files::Parts`), written at their offset as they come (duplicates ignored, any
//! order, several transfers at once), hashed as the contiguous prefix grows, verified, and that
//! same file renamed to a name in DIR that never held wrong bytes. Raw messages become one file
//! each, by the same path.
//!
//! Every final name is a single component checked by `names`, joined to DIR: hostile metadata is
//! refused before anything touches the disk. Memory per transfer is a bitmap of received frames
//! and one small read buffer; at most `MAX_ACTIVE` transfers are held, and a new one always gets
//! a place (`make_room`).

use super::files::{self, Parts};
use super::frame::{self, Header};
use super::{hex, human_size, names};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::NamedTempFile;

/// Transfers assembled at once (bounds memory and open files). A new transfer past this is never
/// refused: it takes the place of an idle one (`Saver::make_room`).
const MAX_ACTIVE: usize = 256;
/// Frames in one transfer, at most (the bitmap is then 512 KiB).
const MAX_FRAMES: u64 = 1 << 22;
/// Words of received-frame bitmaps held by all transfers together, at most: 8 MiB, what 16
/// transfers of `MAX_FRAMES` frames need. A frame far ahead makes a large bitmap; past this,
/// idle transfers make room as for a new transfer.
const BITMAP_WORDS: usize = 1 << 20;
/// Finished or refused transfers remembered, so late duplicates do not start them again.
const REMEMBERED: usize = 256;
/// Raw file names whose next number is remembered; past this the memory starts again (names are
/// then found by trying, never clobbered).
const RAW_NAMES: usize = 4096;

pub struct SaveOptions {
    pub overwrite: bool,
    /// Largest file accepted.
    pub max_size: u64,
    /// Give up on a transfer after this long without a frame.
    pub timeout: Duration,
}

/// A file written to DIR.
#[derive(Debug, Clone)]
pub struct Saved {
    pub path: PathBuf,
    pub topic: String,
    pub size: u64,
    pub sha256: [u8; 32],
    /// Frames it came in (0: a raw message).
    pub frames: u32,
    pub content_type: String,
    /// Transfer id, for chunked transfers.
    pub transfer: Option<[u8; 16]>,
}

/// What one message, or the passing of time, produced.
#[derive(Debug)]
pub enum Outcome {
    Saved(Saved),
    /// A transfer or raw message that failed; nothing was left under a final name.
    Failed(String),
}

type Key = (String, [u8; 16]);

pub struct Saver {
    dir: PathBuf,
    opts: SaveOptions,
    active: HashMap<Key, Transfer>,
    remembered: VecDeque<Key>,
    /// Per raw file name, the number to try next (see `save_raw`).
    raw_next: HashMap<String, u32>,
    /// Declared after `active`: the part files go before their directory does.
    parts: Parts,
}

struct Transfer {
    first: Header,
    /// The file in progress, in `parts`; removed when dropped unless saved.
    part: NamedTempFile,
    /// Frame count, size and sha256 once known (from any frame with a count; sha256 from LAST).
    count: Option<u32>,
    size: Option<u64>,
    sha256: Option<[u8; 32]>,
    seen: Vec<u64>,
    received: u32,
    highest: u32,
    hasher: Sha256,
    /// Frames 0..hashed are in the hasher.
    hashed: u32,
    last_frame: Instant,
}

impl Saver {
    /// `dir` must exist and be a directory; the parts directory is made in it.
    pub fn new(dir: &Path, opts: SaveOptions) -> Result<Saver, String> {
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(format!("--save-dir {}: not a directory", dir.display())),
            Err(e) => return Err(format!("--save-dir {}: {e}", dir.display())),
        }
        let parts = Parts::new(dir).map_err(|e| {
            format!(
                "--save-dir {}: creating its private {}* directory: {e}",
                dir.display(),
                files::PARTS_PREFIX
            )
        })?;
        Ok(Saver {
            dir: dir.to_path_buf(),
            opts,
            active: HashMap::new(),
            remembered: VecDeque::new(),
            raw_next: HashMap::new(),
            parts,
        })
    }

    /// Take one received payload. Usually one outcome or none; a new transfer that took the
    /// place of an idle one reports that one's end too.
    pub fn accept(&mut self, topic: &str, payload: &[u8], now: Instant) -> Vec<Outcome> {
        match frame::decode(payload) {
            Ok(None) => vec![self.save_raw(topic, payload)],
            Err(e) => vec![Outcome::Failed(format!("message on {topic}: {e}"))],
            Ok(Some((h, data))) => self.frame(topic, h, data, now),
        }
    }

    /// Give up on transfers that have been silent for longer than the timeout.
    pub fn expire(&mut self, now: Instant) -> Vec<Outcome> {
        let timeout = self.opts.timeout;
        let stale: Vec<Key> = self
            .active
            .iter()
            .filter(|(_, t)| now.duration_since(t.last_frame) >= timeout)
            .map(|(k, _)| k.clone())
            .collect();
        stale
            .into_iter()
            .map(|k| {
                let got = self
                    .active
                    .get(&k)
                    .map_or(String::new(), |t| match t.count {
                        Some(n) => format!("{} of {n}", t.received),
                        None => t.received.to_string(),
                    });
                self.fail(
                    &k,
                    format!(
                        "no frame for {}, after {got} frames",
                        humantime::format_duration(timeout)
                    ),
                )
            })
            .collect()
    }

    fn frame(&mut self, topic: &str, h: Header, data: &[u8], now: Instant) -> Vec<Outcome> {
        let key: Key = (topic.to_string(), h.id);
        if self.remembered.contains(&key) {
            return Vec::new();
        }
        let mut out = Vec::new();
        if !self.active.contains_key(&key) {
            if let Err(why) = self.start(&key, &h, now, &mut out) {
                self.remember(key.clone());
                out.push(Outcome::Failed(describe(&key, &h.name, &why)));
                return out;
            }
        }
        let grow = match self.active.get(&key) {
            Some(t) => t.growth(h.seq),
            None => return out,
        };
        if grow > 0 {
            self.bitmap_budget(&key, grow, now, &mut out);
        }
        let Some(t) = self.active.get_mut(&key) else {
            return out;
        };
        t.last_frame = now;
        match t.add(&h, data, self.opts.max_size) {
            Ok(false) => {}
            Ok(true) => out.push(self.finish(&key)),
            Err(why) => out.push(self.fail(&key, why)),
        }
        out
    }

    fn start(
        &mut self,
        key: &Key,
        h: &Header,
        now: Instant,
        out: &mut Vec<Outcome>,
    ) -> Result<(), String> {
        names::check_name(&h.name)?;
        if h.chunk_size == 0 {
            return Err("chunk size 0".into());
        }
        if self.active.len() >= MAX_ACTIVE {
            let why = format!("a new transfer ({MAX_ACTIVE} at once)");
            out.extend(self.make_room(now, None, &why));
        }
        let part = self.parts.create().map_err(|e| {
            format!(
                "creating a part file in {}: {e}",
                self.parts.path().display()
            )
        })?;
        self.active.insert(
            key.clone(),
            Transfer {
                first: h.clone(),
                part,
                count: None,
                size: None,
                sha256: None,
                seen: Vec::new(),
                received: 0,
                highest: 0,
                hasher: Sha256::new(),
                hashed: 0,
                last_frame: now,
            },
        );
        Ok(())
    }

    /// Every place is taken and a new transfer came: end the one that has been idle longest.
    /// Transfers that have received one frame only are ended first while they are many, so a
    /// flood of new transfers (a sender that keeps opening junk ones) takes the places of one
    /// another rather than of transfers under way; and a transfer under way that goes quiet
    /// still gives its place. Never refusing the new one means stale transfers cannot lock out
    /// real ones.
    /// `keep` (the transfer that needs the room) is never the one ended.
    fn make_room(&mut self, now: Instant, keep: Option<&Key>, why: &str) -> Option<Outcome> {
        let others = || self.active.iter().filter(|(k, _)| Some(*k) != keep);
        let under_way = others().filter(|(_, t)| t.received > 1).count();
        let from_under_way = under_way > MAX_ACTIVE / 2 || under_way == others().count();
        let (key, idle) = others()
            .filter(|(_, t)| (t.received > 1) == from_under_way)
            .min_by_key(|(_, t)| t.last_frame)
            .map(|(k, t)| (k.clone(), now.saturating_duration_since(t.last_frame)))?;
        let idle = humantime::format_duration(Duration::from_secs(idle.as_secs()));
        Some(self.fail(
            &key,
            format!("dropped after {idle} without a frame to make room for {why}"),
        ))
    }

    /// Transfer `key` needs `grow` more bitmap words: idle transfers make room while all of
    /// them together would hold more than `BITMAP_WORDS`.
    fn bitmap_budget(&mut self, key: &Key, grow: usize, now: Instant, out: &mut Vec<Outcome>) {
        let why = format!(
            "the frames of another transfer ({} of frame bitmaps at once)",
            human_size(BITMAP_WORDS as u64 * 8)
        );
        while self.active.values().map(|t| t.seen.len()).sum::<usize>() + grow > BITMAP_WORDS {
            match self.make_room(now, Some(key), &why) {
                Some(o) => out.push(o),
                None => break,
            }
        }
    }

    fn finish(&mut self, key: &Key) -> Outcome {
        let Some(t) = self.active.remove(key) else {
            return Outcome::Failed("internal: transfer vanished".into());
        };
        self.remember(key.clone());
        let name = t.first.name.clone();
        let digest: [u8; 32] = t.hasher.clone().finalize().into();
        let size = t.size.unwrap_or(0);
        let bad = if Some(digest) != t.sha256 {
            Some("sha256 mismatch: the file arrived corrupted".to_string())
        } else {
            match t.part.as_file().metadata() {
                Ok(m) if m.len() == size => None,
                Ok(m) => Some(format!("{} bytes written, {size} announced", m.len())),
                Err(e) => Some(e.to_string()),
            }
        };
        if let Some(why) = bad {
            // Dropping the part removes it.
            return Outcome::Failed(describe(
                key,
                &name,
                &format!("{why}; partial file removed"),
            ));
        }
        let commit = t.part.as_file().sync_data().and_then(|_| {
            files::publish(t.part, &self.dir, &name, self.opts.overwrite, 0).map(|(p, _)| p)
        });
        match commit {
            Ok(path) => Outcome::Saved(Saved {
                path,
                topic: key.0.clone(),
                size,
                sha256: digest,
                frames: t.count.unwrap_or(0),
                content_type: t.first.content_type.clone(),
                transfer: Some(key.1),
            }),
            Err(e) => Outcome::Failed(describe(key, &name, &format!("saving: {e}"))),
        }
    }

    fn fail(&mut self, key: &Key, why: String) -> Outcome {
        let name = match self.active.remove(key) {
            // Dropping the part removes it.
            Some(t) => t.first.name,
            None => String::new(),
        };
        self.remember(key.clone());
        Outcome::Failed(describe(
            key,
            &name,
            &format!("{why}; partial file removed"),
        ))
    }

    fn remember(&mut self, key: Key) {
        if self.remembered.len() >= REMEMBERED {
            self.remembered.pop_front();
        }
        self.remembered.push_back(key);
    }

    /// A raw message: named after the topic's last level (`images/cam1` -> `cam1.jpg` when the
    /// bytes are a JPEG), numbered when that name is taken (`cam1.1.jpg`) unless `--overwrite`.
    fn save_raw(&mut self, topic: &str, payload: &[u8]) -> Outcome {
        // --max-size bounds every saved message, not only chunked transfers.
        if payload.len() as u64 > self.opts.max_size {
            return Outcome::Failed(format!(
                "message on {topic}: {} is over --max-size {}",
                human_size(payload.len() as u64),
                human_size(self.opts.max_size)
            ));
        }
        let ext = names::sniff(payload);
        let content_type = ext.map_or("", |(t, _)| t).to_string();
        let base = names::from_topic(topic);
        let name = match ext {
            Some((_, e)) => names::with_extension(&base, e),
            None => base,
        };
        let result = (|| -> io::Result<PathBuf> {
            let mut part = self.parts.create()?;
            part.write_all(payload)?;
            part.as_file().sync_data()?;
            // Messages on one topic (a camera's pictures) take the numbers one after the other:
            // start after the last one instead of trying every taken name again.
            let first = self.raw_next.get(&name).copied().unwrap_or(0);
            let (path, n) = files::publish(part, &self.dir, &name, self.opts.overwrite, first)?;
            if !self.opts.overwrite {
                if self.raw_next.len() >= RAW_NAMES {
                    self.raw_next.clear();
                }
                self.raw_next.insert(name.clone(), n + 1);
            }
            Ok(path)
        })();
        match result {
            Ok(path) => Outcome::Saved(Saved {
                path,
                topic: topic.to_string(),
                size: payload.len() as u64,
                sha256: Sha256::digest(payload).into(),
                frames: 0,
                content_type,
                transfer: None,
            }),
            Err(e) => Outcome::Failed(format!(
                "saving a message on {topic} in {}: {e}",
                self.dir.display()
            )),
        }
    }
}

impl Transfer {
    /// Check a frame against the transfer, write it, hash what became contiguous. `Ok(true)`:
    /// the transfer is complete.
    fn add(&mut self, h: &Header, data: &[u8], max_size: u64) -> Result<bool, String> {
        let f = &self.first;
        if h.name != f.name || h.content_type != f.content_type || h.chunk_size != f.chunk_size {
            return Err("metadata changed within the transfer".into());
        }
        let chunk = u64::from(h.chunk_size);
        if h.count != 0 || h.is_last() {
            if h.count == 0 || h.seq >= h.count || (h.seq + 1 == h.count) != h.is_last() {
                return Err(format!("frame {} of {} is out of range", h.seq, h.count));
            }
            if h.size > max_size {
                return Err(format!(
                    "announced size {} is over --max-size {}",
                    human_size(h.size),
                    human_size(max_size)
                ));
            }
            if frame::frame_count(h.size, h.chunk_size) != u64::from(h.count) {
                return Err(format!(
                    "{} frames cannot hold {} bytes in chunks of {chunk}",
                    h.count, h.size
                ));
            }
            if u64::from(h.count) > MAX_FRAMES {
                return Err(format!("more than {MAX_FRAMES} frames"));
            }
            match (self.count, self.size) {
                (Some(c), Some(s)) if c != h.count || s != h.size => {
                    return Err("frame count or size changed within the transfer".into())
                }
                _ => {}
            }
            if self.received > 0 && self.highest >= h.count {
                return Err(format!(
                    "frame {} seen, but only {} announced",
                    self.highest, h.count
                ));
            }
            self.count = Some(h.count);
            self.size = Some(h.size);
        } else if u64::from(h.seq) >= MAX_FRAMES || (u64::from(h.seq) + 1) * chunk > max_size {
            return Err(format!("stream over --max-size {}", human_size(max_size)));
        }
        if let Some(sha) = h.sha256 {
            self.sha256 = Some(sha);
        }
        let offset = u64::from(h.seq) * chunk;
        let want = match (self.count, self.size) {
            (Some(c), Some(s)) if h.seq + 1 == c => s - offset,
            _ => chunk,
        };
        if data.len() as u64 != want {
            return Err(format!(
                "frame {} holds {} bytes, {want} expected",
                h.seq,
                data.len()
            ));
        }
        if !self.mark(h.seq) {
            // A duplicate (QoS 1 redelivery): already written.
            return Ok(self.complete());
        }
        self.received += 1;
        self.highest = self.highest.max(h.seq);
        self.part
            .as_file()
            .write_all_at(data, offset)
            .map_err(|e| format!("writing {}: {e}", self.part.path().display()))?;
        if h.seq == self.hashed {
            self.hasher.update(data);
            self.hashed += 1;
            self.catch_up()?;
        }
        Ok(self.complete())
    }

    /// Bitmap words a frame `seq` would add (0 for one past `MAX_FRAMES`, which `add` refuses).
    fn growth(&self, seq: u32) -> usize {
        if u64::from(seq) >= MAX_FRAMES {
            return 0;
        }
        (seq as usize / 64 + 1).saturating_sub(self.seen.len())
    }

    fn complete(&self) -> bool {
        self.sha256.is_some()
            && self.count == Some(self.received)
            && self.count == Some(self.hashed)
    }

    /// Returns false when `seq` was already there.
    fn mark(&mut self, seq: u32) -> bool {
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        if self.seen.len() <= word {
            self.seen.resize(word + 1, 0);
        }
        let was = self.seen[word] & (1 << bit) != 0;
        self.seen[word] |= 1 << bit;
        !was
    }

    fn has(&self, seq: u32) -> bool {
        self.seen
            .get((seq / 64) as usize)
            .is_some_and(|w| w & (1 << (seq % 64)) != 0)
    }

    /// Frames that arrived early are hashed, from the file, once the gap before them fills.
    fn catch_up(&mut self) -> Result<(), String> {
        let mut buf = Vec::new();
        while self.has(self.hashed) {
            let chunk = u64::from(self.first.chunk_size);
            let offset = u64::from(self.hashed) * chunk;
            let len = match (self.count, self.size) {
                (Some(c), Some(s)) if self.hashed + 1 == c => s - offset,
                _ => chunk,
            };
            buf.resize(64 * 1024, 0);
            let mut done = 0u64;
            while done < len {
                let n = (len - done).min(buf.len() as u64) as usize;
                self.part
                    .as_file()
                    .read_exact_at(&mut buf[..n], offset + done)
                    .map_err(|e| format!("reading back {}: {e}", self.part.path().display()))?;
                self.hasher.update(&buf[..n]);
                done += n as u64;
            }
            self.hashed += 1;
        }
        Ok(())
    }
}

fn describe(key: &Key, name: &str, why: &str) -> String {
    let id = hex(&key.1[..4]);
    if name.is_empty() {
        format!("transfer {id} on {}: {why}", key.0)
    } else {
        format!(
            "transfer of '{}' ({id}) on {}: {why}",
            name.escape_debug(),
            key.0
        )
    }
}

#[cfg(test)]
#[path = "reassemble_tests.rs"]
mod tests;
