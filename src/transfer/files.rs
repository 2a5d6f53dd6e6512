//! Files in the save directory. A file being received lives in the saver's private parts
//! directory (`DIR/.mq-parts-` plus six random characters, mode 0700, removed when the saver
//! ends) under a random name mq picks: no name a sender chooses and no other local user can
//! reach it. The final name is given to that very file (by rename inside DIR's file system),
//! checked by inode afterwards, and never clobbers an existing file unless `--overwrite` asks
//! for it.

use super::names;
use std::fs::{File, Permissions};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tempfile::{Builder, NamedTempFile, TempDir};

/// What a parts directory's name starts with: a hidden name (so `DIR/*` never lists it) that
/// says what it is when one is left behind by a killed mq.
pub const PARTS_PREFIX: &str = ".mq-parts-";

/// The private directory of one saver's files in progress.
pub struct Parts {
    dir: TempDir,
}

impl Parts {
    /// A new parts directory inside `dir`: on the same file system, so saving is a rename.
    pub fn new(dir: &Path) -> io::Result<Parts> {
        let dir = Builder::new()
            .prefix(PARTS_PREFIX)
            .permissions(Permissions::from_mode(0o700))
            .tempdir_in(dir)?;
        Ok(Parts { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A new, empty part file with a random name. Its mode is the usual one for a new file
    /// (0666 less the umask), which the saved file keeps; the directory keeps it private until
    /// then.
    pub fn create(&self) -> io::Result<NamedTempFile> {
        Builder::new()
            .prefix("part-")
            .permissions(Permissions::from_mode(0o666))
            .tempfile_in(self.dir.path())
    }
}

/// Give the verified `part` its final name in `dir`: `name`, replaced with `overwrite`, else the
/// first free of `name`, `name.N`, `name.N+1`, ... from `first` (never clobbering a file that
/// appears meanwhile). Returns the path and the number used (0: `name` itself).
pub fn publish(
    part: NamedTempFile,
    dir: &Path,
    name: &str,
    overwrite: bool,
    first: u32,
) -> io::Result<(PathBuf, u32)> {
    if overwrite {
        let path = dir.join(name);
        let file = part.persist(&path).map_err(|e| e.error)?;
        return bound(&file, &path).map(|_| (path, 0));
    }
    let mut part = part;
    for n in first..first.saturating_add(100_000) {
        let candidate = match n {
            0 => name.to_string(),
            n => names::numbered(name, n),
        };
        let path = dir.join(&candidate);
        match part.persist_noclobber(&path) {
            Ok(file) => return bound(&file, &path).map(|_| (path, n)),
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => part = e.file,
            Err(e) => return Err(e.error),
        }
    }
    Err(io::Error::other(format!(
        "{name} and 100000 numbered names are taken"
    )))
}

/// `path` must name the file that was verified through `file`. Only a process of the same user
/// could have replaced a part in the private directory meanwhile; if one did, the bytes now under
/// `path` were never checked, so they go.
fn bound(file: &File, path: &Path) -> io::Result<()> {
    let (held, named) = (file.metadata()?, path.symlink_metadata()?);
    if (held.dev(), held.ino()) == (named.dev(), named.ino()) {
        return Ok(());
    }
    let _ = std::fs::remove_file(path);
    Err(io::Error::other(
        "the file in progress was replaced before it was saved; nothing kept",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn parts_are_private_random_and_go_with_their_directory() {
        let d = tempfile::tempdir().unwrap();
        let parts = Parts::new(d.path()).unwrap();
        let meta = parts.path().symlink_metadata().unwrap();
        assert_eq!(meta.mode() & 0o777, 0o700);
        let name = parts.path().file_name().unwrap().to_string_lossy();
        assert!(name.starts_with(PARTS_PREFIX), "{name}");
        let (a, b) = (parts.create().unwrap(), parts.create().unwrap());
        assert_ne!(a.path(), b.path());
        assert_eq!(a.path().parent(), Some(parts.path()));
        drop(parts);
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    }

    #[test]
    fn publishing_numbers_unless_overwrite_and_binds_the_verified_file() {
        let d = tempfile::tempdir().unwrap();
        let parts = Parts::new(d.path()).unwrap();
        std::fs::write(d.path().join("a.txt"), "old").unwrap();
        let mut p = parts.create().unwrap();
        p.write_all(b"new").unwrap();
        let (path, n) = publish(p, d.path(), "a.txt", false, 0).unwrap();
        assert_eq!(
            (path.file_name().unwrap().to_str(), n),
            (Some("a.1.txt"), 1)
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let mut p = parts.create().unwrap();
        p.write_all(b"newer").unwrap();
        publish(p, d.path(), "a.txt", true, 0).unwrap();
        assert_eq!(std::fs::read(d.path().join("a.txt")).unwrap(), b"newer");

        // A part replaced under the saver's feet is not saved under the final name.
        let p = parts.create().unwrap();
        let swapped = parts.path().join("swapped");
        std::fs::write(&swapped, "EVIL").unwrap();
        std::fs::rename(&swapped, p.path()).unwrap();
        let err = publish(p, d.path(), "b.txt", false, 0).unwrap_err();
        assert!(err.to_string().contains("replaced"), "{err}");
        assert!(!d.path().join("b.txt").exists());
    }
}
