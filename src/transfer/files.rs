//! Files in the save directory: `.part` files created without following or replacing anything,
//! and final names given atomically without clobbering.

use super::{hex, names};
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// A new `<name>.part` in `dir`, or `<name>.<id>.part` when that is taken. Never follows or
/// replaces an existing file (O_EXCL).
pub fn create_part(dir: &Path, name: &str, id: &[u8; 16]) -> io::Result<(File, PathBuf)> {
    let mut last = None;
    for candidate in [
        format!("{name}.part"),
        format!("{name}.{}.part", hex(&id[..4])),
    ] {
        let path = dir.join(candidate);
        match OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((f, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free .part name")))
}

/// Give `part` its final name in `dir`: `name`, replaced with `overwrite`, else the first free
/// of `name`, `name.1`, `name.2`, ... (never clobbering a file that appears meanwhile).
pub fn publish_file(part: &Path, dir: &Path, name: &str, overwrite: bool) -> io::Result<PathBuf> {
    if overwrite {
        let path = dir.join(name);
        std::fs::rename(part, &path)?;
        return Ok(path);
    }
    for n in 0..10_000u32 {
        let candidate = if n == 0 {
            name.to_string()
        } else {
            names::numbered(name, n)
        };
        let path = dir.join(&candidate);
        match link_new(part, &path) {
            Ok(()) => {
                // Gone already when link_new fell back to a rename.
                let _ = std::fs::remove_file(part);
                return Ok(path);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "{name} and 10000 numbered names are taken"
    )))
}

/// Make `to` name the file `from` names, failing if `to` exists. A hard link is atomic and never
/// replaces; on file systems without hard links, fall back to a checked rename.
pub fn link_new(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            if to.symlink_metadata().is_ok() {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            std::fs::rename(from, to)
        }
    }
}
