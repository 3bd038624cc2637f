//! A postmortem's texts kept LZ4-compressed between the steps that read them: in
//! memory, or, when many postmortems are loaded at once, in a spill file on disk.
//!
//! Every step of a build needs each postmortem's record, but its text only briefly
//! (one page, one index document). Held plain, the texts were half of a
//! 100,000-postmortem build's memory; packed they were still 330 MB of 650 MB, so a
//! large load moves them to an unnamed file and reads each back when it is asked for
//! (the operating system's page cache, not the process, then holds them).

use std::fmt;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The text and its plain text, packed together: the plain text is mostly the text
/// again, which LZ4 stores as references (together they pack to about a third).
#[derive(Clone)]
pub(super) struct Packed {
    stored: Stored,
    /// Where the plain text starts in the unpacked bytes.
    split: usize,
}

#[derive(Clone)]
enum Stored {
    Held(Box<[u8]>),
    Spilled {
        file: Arc<File>,
        at: u64,
        len: usize,
    },
}

impl Packed {
    pub(super) fn new(text: &str, plain: &str) -> Packed {
        let both = [text.as_bytes(), plain.as_bytes()].concat();
        Packed {
            stored: Stored::Held(lz4_flex::compress_prepend_size(&both).into_boxed_slice()),
            split: text.len(),
        }
    }

    /// Packed bytes that are `len` bytes at `at` in `file` (the record cache), the plain
    /// text starting at `split` once unpacked. Checked only when read, as spilled ones.
    pub(super) fn in_file(file: &Arc<File>, at: u64, len: usize, split: usize) -> Packed {
        Packed {
            stored: Stored::Spilled {
                file: Arc::clone(file),
                at,
                len,
            },
            split,
        }
    }

    /// The packed bytes as stored, and where the plain text starts once unpacked: what
    /// the record cache keeps.
    pub(super) fn packed(&self) -> io::Result<(std::borrow::Cow<'_, [u8]>, usize)> {
        let bytes = match &self.stored {
            Stored::Held(b) => std::borrow::Cow::Borrowed(&b[..]),
            Stored::Spilled { file, at, len } => std::borrow::Cow::Owned(read_at(file, *at, *len)?),
        };
        Ok((bytes, self.split))
    }

    /// The text.
    pub(super) fn text(&self) -> io::Result<String> {
        let mut bytes = self.unpack()?;
        bytes.truncate(self.split);
        utf8(bytes)
    }

    /// The plain text.
    pub(super) fn plain(&self) -> io::Result<String> {
        utf8(self.unpack()?.split_off(self.split))
    }

    /// Move the packed bytes to `spill`. Best effort: if the write fails (a full disk),
    /// they stay in memory.
    pub(super) fn spill(&mut self, spill: &Spill) {
        if let Stored::Held(bytes) = &self.stored
            && let Ok(at) = spill.put(bytes)
        {
            self.stored = Stored::Spilled {
                file: Arc::clone(&spill.file),
                at,
                len: bytes.len(),
            };
        }
    }

    #[cfg(test)]
    pub(super) fn is_spilled(&self) -> bool {
        matches!(self.stored, Stored::Spilled { .. })
    }

    /// The text and the plain text, one after the other.
    fn unpack(&self) -> io::Result<Vec<u8>> {
        let read;
        let bytes = match &self.stored {
            Stored::Held(b) => &b[..],
            Stored::Spilled { file, at, len } => {
                read = read_at(file, *at, *len)?;
                &read[..]
            }
        };
        lz4_flex::decompress_size_prepended(bytes)
            .ok()
            .filter(|b| b.len() >= self.split)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "spilled text is damaged"))
    }
}

/// Bytes packed from `str`s, cut at a boundary recorded then. Spilled bytes came back
/// from disk, so this is checked rather than assumed.
fn utf8(bytes: Vec<u8>) -> io::Result<String> {
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "spilled text is damaged"))
}

impl fmt::Debug for Packed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.stored {
            Stored::Held(b) => write!(f, "Packed({} bytes)", b.len()),
            Stored::Spilled { at, len, .. } => write!(f, "Packed({len} bytes spilled at {at})"),
        }
    }
}

/// An unnamed temporary file that packed texts are appended to, from any thread.
pub struct Spill {
    file: Arc<File>,
    end: AtomicU64,
}

impl Spill {
    /// A spill file in `dir`; `None` where there is none to be had (a read-only
    /// knowledge base, or a platform without positioned writes): texts stay in memory.
    pub fn create(dir: &Path) -> Option<Spill> {
        if !cfg!(unix) {
            return None;
        }
        // On Linux an O_TMPFILE file: it has no name, so even a killed run leaves none.
        let file = tempfile::tempfile_in(dir).ok()?;
        Some(Spill {
            file: Arc::new(file),
            end: AtomicU64::new(0),
        })
    }

    /// Append `bytes`; where they start.
    fn put(&self, bytes: &[u8]) -> io::Result<u64> {
        let at = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        write_at(&self.file, bytes, at)?;
        Ok(at)
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_at(file: &File, at: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    std::os::unix::fs::FileExt::read_exact_at(file, &mut buf, at)?;
    Ok(buf)
}

#[cfg(not(unix))]
fn write_at(_: &File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(unix))]
fn read_at(_: &File, _: u64, _: usize) -> io::Result<Vec<u8>> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_texts_read_back_as_held_ones() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::create(dir.path()).unwrap();
        let texts = [("# A\n\nâœ… done\n", "A\n✅ done\n"), ("", ""), ("x", "")];
        let packed: Vec<Packed> = texts.iter().map(|(t, p)| Packed::new(t, p)).collect();
        for p in &packed {
            let mut s = p.clone();
            s.spill(&spill);
            assert!(matches!(s.stored, Stored::Spilled { .. }));
            assert_eq!(s.text().unwrap(), p.text().unwrap());
            assert_eq!(s.plain().unwrap(), p.plain().unwrap());
        }
        assert_eq!(packed[0].plain().unwrap(), "A\n✅ done\n");
        // Nothing is left in the folder: the file has no name (or, off Linux, was
        // unlinked at once).
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn damaged_spilled_bytes_are_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::create(dir.path()).unwrap();
        let mut p = Packed::new("some text", "some text");
        p.spill(&spill);
        write_at(&spill.file, &[0xff; 8], 0).unwrap();
        assert_eq!(p.text().unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
}
