//! The record cache, `.hindsight/records`: each postmortem's record and packed texts as
//! the last load of the whole knowledge base made them, so that the next one re-reads,
//! repairs and parses only the files that changed.
//!
//! A file counts as unchanged when its size and modification time are those recorded
//! (as the search index tells); one whose time moved is read and hashed, and reused if
//! its bytes are the same. The cache is keyed by hindsight's version and a digest of
//! the sources it was built from: any other cache, and any cache whose checksums do not
//! match (torn, truncated, edited), is ignored and replaced, never read from.
//!
//! ```text
//! header   magic, format, key, texts length, index length, CRC-32 of each
//! texts    packed texts, one after the other (read from the file when asked for)
//! index    one entry per file: path, stamp, digest, where its texts are, its record
//! ```
//!
//! The file is written beside its final name and renamed over it, so a run killed
//! while writing leaves the old cache (and a temporary file the next run removes).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use super::Loaded;
use super::codec::{Dec, Enc};
use super::packed::Packed;
use crate::incident::Incident;

pub(super) const FILE: &str = "records";
const MAGIC: &[u8] = b"hindsight-records\n";
/// Bumped when the layout below changes.
const FORMAT: u32 = 1;
/// magic, format, key length and key are followed by two lengths and two checksums.
const TAIL: usize = 8 + 8 + 4 + 4;
/// Files modified this close to the cache's writing are checked by content next time:
/// a second write within the file system's time resolution would not move the stamp.
const RACY_NS: u128 = 2_000_000_000;

/// What the cache is valid for: this hindsight, built from these sources.
fn key() -> String {
    format!(
        "{} {}",
        env!("CARGO_PKG_VERSION"),
        env!("HINDSIGHT_SOURCE_DIGEST")
    )
}

/// One postmortem as cached.
#[derive(Clone)]
pub(super) struct Entry {
    pub size: u64,
    pub mtime_ns: u128,
    pub digest: [u8; 32],
    pub body_offset: usize,
    pub guard_blocks: bool,
    text_at: u64,
    text_len: usize,
    split: usize,
    pub incident: Incident,
}

/// A cache as read: its entries by path, their texts still in the file.
pub(super) struct Cache {
    file: Arc<File>,
    entries: HashMap<String, Entry>,
}

impl Cache {
    /// The cache in `state`, if there is one written by this hindsight and it is whole.
    pub(super) fn open(state: &Path) -> Option<Cache> {
        let mut file = File::open(state.join(FILE)).ok()?;
        let head_len = MAGIC.len() + 4 + 2 + key().len() + TAIL;
        let mut head = vec![0; head_len];
        file.read_exact(&mut head).ok()?;
        let (texts_len, index_len, texts_crc, index_crc) = parse_header(&head)?;
        let size = file.metadata().ok()?.len();
        if size != head_len as u64 + texts_len.checked_add(index_len)? {
            return None;
        }
        if crc_of(&mut file, texts_len).ok()? != texts_crc {
            return None;
        }
        let mut index = vec![0; usize::try_from(index_len).ok()?];
        file.read_exact(&mut index).ok()?;
        if crc32fast::hash(&index) != index_crc {
            return None;
        }
        let entries = decode_index(&index, head_len as u64, texts_len)?;
        Some(Cache {
            file: Arc::new(file),
            entries,
        })
    }

    pub(super) fn get(&self, rel: &str) -> Option<&Entry> {
        self.entries.get(rel)
    }

    /// The entry for `rel`, removed, if `keep` says it still holds.
    pub(super) fn take_if(&mut self, rel: &str, keep: impl Fn(&Entry) -> bool) -> Option<Entry> {
        if !keep(self.entries.get(rel)?) {
            return None;
        }
        self.entries.remove(rel)
    }

    /// Entries not taken.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entry as a loaded postmortem at `path`, its texts read from the cache file.
    pub(super) fn loaded(&self, e: Entry, path: &Path) -> Loaded {
        Loaded {
            path: path.to_path_buf(),
            size: e.size,
            digest: e.digest,
            incident: e.incident,
            texts: Packed::in_file(&self.file, e.text_at, e.text_len, e.split),
            body_offset: e.body_offset,
            guard_blocks: e.guard_blocks,
        }
    }
}

/// The header's lengths and checksums, if it is this hindsight's.
fn parse_header(head: &[u8]) -> Option<(u64, u64, u32, u32)> {
    let rest = head.strip_prefix(MAGIC)?;
    let (format, rest) = rest.split_at_checked(4)?;
    if u32::from_le_bytes(format.try_into().ok()?) != FORMAT {
        return None;
    }
    let (klen, rest) = rest.split_at_checked(2)?;
    let key = key();
    if usize::from(u16::from_le_bytes(klen.try_into().ok()?)) != key.len() {
        return None;
    }
    let rest = rest.strip_prefix(key.as_bytes())?;
    let u64_at = |i: usize| Some(u64::from_le_bytes(rest.get(i..i + 8)?.try_into().ok()?));
    let u32_at = |i: usize| Some(u32::from_le_bytes(rest.get(i..i + 4)?.try_into().ok()?));
    Some((u64_at(0)?, u64_at(8)?, u32_at(16)?, u32_at(20)?))
}

/// CRC-32 of the next `len` bytes of `file`, read a block at a time.
fn crc_of(file: &mut File, len: u64) -> io::Result<u32> {
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        file.read_exact(&mut buf[..n])?;
        crc.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(crc.finalize())
}

/// The index's entries, decoded in parallel (each is a length-prefixed blob); `None`
/// if any is out of place or points outside the texts.
fn decode_index(index: &[u8], texts_at: u64, texts_len: u64) -> Option<HashMap<String, Entry>> {
    use rayon::prelude::*;
    let mut d = Dec(index);
    let mut blobs = Vec::with_capacity(d.usize()?.min(index.len()));
    while !d.0.is_empty() {
        blobs.push(d.bytes()?);
    }
    blobs
        .into_par_iter()
        .map(|b| {
            let mut d = Dec(b);
            let rel = d.str()?.to_string();
            let size = d.u64()?;
            let mtime_ns = u128::from(d.u64()?) << 64 | u128::from(d.u64()?);
            let digest: [u8; 32] = d.bytes()?.try_into().ok()?;
            let body_offset = d.usize()?;
            let guard_blocks = d.u8()? == 1;
            let (at, text_len, split) = (d.u64()?, d.usize()?, d.usize()?);
            if at.checked_add(text_len as u64)? > texts_len {
                return None;
            }
            let incident = d.incident()?;
            d.0.is_empty().then_some(())?;
            let e = Entry {
                size,
                mtime_ns,
                digest,
                body_offset,
                guard_blocks,
                text_at: texts_at + at,
                text_len,
                split,
                incident,
            };
            Some((rel, e))
        })
        .collect()
}

/// Write the cache for `loaded` (keyed by `rels`, with their stamps) to `state`.
/// Anything that fails leaves the old cache in place.
pub(super) fn write(
    state: &Path,
    loaded: &[Loaded],
    rels: &[&str],
    stamps: &[Option<(u64, u128)>],
) -> io::Result<()> {
    crate::fsio::remove_leftovers(state);
    let tmp = crate::fsio::temp_file(state)?;
    let key = key();
    let head_len = MAGIC.len() + 4 + 2 + key.len() + TAIL;
    let mut out = io::BufWriter::with_capacity(1 << 20, tmp);
    out.write_all(&vec![0; head_len])?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut texts_crc = crc32fast::Hasher::new();
    let mut at = 0u64;
    let mut places = Vec::with_capacity(loaded.len());
    for l in loaded.iter() {
        let (bytes, split) = l.texts.packed()?;
        out.write_all(&bytes)?;
        texts_crc.update(&bytes);
        places.push((at, bytes.len(), split));
        at += bytes.len() as u64;
    }
    let texts_len = at;
    let mut index_crc = crc32fast::Hasher::new();
    let mut index_len = 0u64;
    let mut count = Vec::new();
    Enc(&mut count).usize(loaded.len());
    out.write_all(&count)?;
    index_crc.update(&count);
    index_len += count.len() as u64;
    let mut entry = Vec::new();
    let mut blob = Vec::new();
    for (i, l) in loaded.iter().enumerate() {
        entry.clear();
        let mut e = Enc(&mut entry);
        e.str(rels[i]);
        let (size, mtime) = stamps[i].unwrap_or((l.size, 0));
        // A stamp too close to now is not trusted next time (see RACY_NS).
        let mtime = if now.saturating_sub(mtime) < RACY_NS {
            0
        } else {
            mtime
        };
        e.u64(size);
        e.u64((mtime >> 64) as u64);
        e.u64(mtime as u64);
        e.bytes(&l.digest);
        e.usize(l.body_offset);
        entry.push(u8::from(l.guard_blocks));
        let (t_at, t_len, split) = places[i];
        let mut e = Enc(&mut entry);
        e.u64(t_at);
        e.usize(t_len);
        e.usize(split);
        e.incident(&l.incident);
        blob.clear();
        Enc(&mut blob).bytes(&entry);
        out.write_all(&blob)?;
        index_crc.update(&blob);
        index_len += blob.len() as u64;
    }
    let mut tmp = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    let mut head = Vec::with_capacity(head_len);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&FORMAT.to_le_bytes());
    head.extend_from_slice(&(key.len() as u16).to_le_bytes());
    head.extend_from_slice(key.as_bytes());
    head.extend_from_slice(&texts_len.to_le_bytes());
    head.extend_from_slice(&index_len.to_le_bytes());
    head.extend_from_slice(&texts_crc.finalize().to_le_bytes());
    head.extend_from_slice(&index_crc.finalize().to_le_bytes());
    tmp.as_file_mut().seek(SeekFrom::Start(0))?;
    tmp.as_file_mut().write_all(&head)?;
    tmp.persist(state.join(FILE)).map_err(|e| e.error)?;
    Ok(())
}
