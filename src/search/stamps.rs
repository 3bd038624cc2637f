//! Size and modification time of many files at once: how a search tells, before every
//! query, which postmortems changed since they were indexed.
//!
//! On Unix each file is looked up relative to an open handle on its folder, not by its
//! whole path: at 100,000 files, resolving every path component again was most of a
//! search's time. Work is split across two threads.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;

/// A file's size in bytes and modification time in nanoseconds since the epoch.
pub(crate) type Stamp = (u64, u128);

/// The stamp of one file (following symlinks), if it can be read.
pub(crate) fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((m.len(), mtime))
}

/// Stamps of `files`, in order.
pub(crate) fn stamps(files: &[PathBuf]) -> Vec<Option<Stamp>> {
    let chunk = files.len().div_ceil(2).max(1);
    files
        .par_chunks(chunk)
        .flat_map_iter(chunk_stamps)
        .collect()
}

#[cfg(unix)]
fn chunk_stamps(files: &[PathBuf]) -> Vec<Option<Stamp>> {
    use rustix::fs::{AtFlags, Mode, OFlags};
    use std::os::unix::ffi::OsStrExt;
    let mut dir: Option<(&Path, Option<rustix::fd::OwnedFd>)> = None;
    files
        .iter()
        .map(|f| {
            // Split at the last separator by bytes: `Path::parent` parses components.
            let bytes = f.as_os_str().as_encoded_bytes();
            let Some(cut) = bytes.iter().rposition(|&b| b == b'/') else {
                return stamp(f);
            };
            let parent = Path::new(std::ffi::OsStr::from_bytes(&bytes[..cut.max(1)]));
            let name = std::ffi::OsStr::from_bytes(&bytes[cut + 1..]);
            if name.is_empty() {
                return stamp(f);
            }
            if dir.as_ref().is_none_or(|(p, _)| *p != parent) {
                let at = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                let fd = rustix::fs::open(
                    at,
                    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .ok();
                dir = Some((parent, fd));
            }
            match &dir {
                Some((_, Some(fd))) => {
                    let st = rustix::fs::statat(fd, name, AtFlags::empty()).ok()?;
                    let secs = u128::try_from(st.st_mtime).ok()?;
                    // The field is signed on some platforms, unsigned on others.
                    #[allow(clippy::unnecessary_fallible_conversions)]
                    let nanos = u128::try_from(st.st_mtime_nsec).ok()?;
                    Some((st.st_size as u64, secs * 1_000_000_000 + nanos))
                }
                _ => stamp(f),
            }
        })
        .collect()
}

#[cfg(not(unix))]
fn chunk_stamps(files: &[PathBuf]) -> Vec<Option<Stamp>> {
    files.iter().map(|f| stamp(f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_stamps_match_single_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for d in ["a", "b"] {
            std::fs::create_dir_all(tmp.path().join(d)).unwrap();
            for i in 0..5 {
                let f = tmp.path().join(d).join(format!("{i}.md"));
                std::fs::write(&f, "x".repeat(i)).unwrap();
                files.push(f);
            }
        }
        files.push(tmp.path().join("missing.md"));
        let batch = stamps(&files);
        let single: Vec<Option<Stamp>> = files.iter().map(|f| stamp(f)).collect();
        assert_eq!(batch, single);
        assert_eq!(batch[3].unwrap().0, 3);
        assert!(batch.last().unwrap().is_none());
    }
}
