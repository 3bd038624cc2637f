//! The index on disk: `.hindsight/index/` in the knowledge base, a manifest of what
//! each file looked like when indexed, and incremental updates from it.
//!
//! The manifest (see `manifest`) doubles as the ownership mark: a folder without it is not ours and is
//! never used or cleared. A folder with it that tantivy cannot open, or with another
//! schema version, is cleared and rebuilt. Updates commit to tantivy first and write
//! the manifest after, so a crash in between only means re-indexing a few files.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tantivy::{Index, IndexReader, Term};

use super::IndexError;
use super::manifest::{self, Entry, Manifest, State};
use super::queue::{Gate, Queued};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::stamps;
use crate::kb::{KnowledgeBase, LoadError, Loaded};
use tantivy::directory::MmapDirectory;

/// Indexing memory per writer thread. Tantivy's arena is not the whole of it: at
/// 100,000 postmortems 100 MB a thread held 450 MB over the records while indexing,
/// 20 MB a thread 250 MB, in the same time and with as many segments (six).
const WRITER_MEMORY: usize = 20 << 20;
/// The hindsight version that writes the index: another version may derive documents
/// from the same bytes differently, so it rebuilds.
const TOOL: &str = env!("CARGO_PKG_VERSION");

/// Documents waiting for tantivy's indexing threads at most; enough to keep both busy.
const QUEUED: usize = 2 * BATCH;

/// The index's writer, its documents counted by a [`Gate`].
type Writer = tantivy::IndexWriter<Queued>;

/// Postmortems read and turned into index documents at a time.
const BATCH: usize = 1024;

/// A changed file read for indexing: its new manifest entry, and the document to index
/// unless the bytes turned out the same.
type Prepared = Result<(Entry, Option<tantivy::TantivyDocument>), LoadError>;

/// What an update did.
#[derive(Debug, Default)]
pub struct UpdateStats {
    pub indexed: usize,
    /// Postmortems (re)indexed, relative to the knowledge base.
    pub changed: Vec<String>,
    pub removed: usize,
    pub unchanged: usize,
    pub rebuilt: bool,
    /// Where a folder hindsight did not write was moved to make way for the index.
    pub moved_aside: Option<PathBuf>,
    /// Postmortems that could not be read (reported, not indexed).
    pub errors: Vec<LoadError>,
}

/// The index's form of a file's SHA-256.
fn hex(digest: &[u8; 32]) -> String {
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// An opened index and what it took.
pub(super) struct Opened {
    pub index: Index,
    pub fields: Fields,
    /// The reader opened to check the index, if it was checked.
    pub reader: Option<IndexReader>,
    /// What was indexed, as of the last update.
    pub manifest: Manifest,
    /// Created empty (first use, new schema, or the old one was damaged).
    pub rebuilt: bool,
    /// Where a folder hindsight did not write was moved to make way.
    pub moved_aside: Option<PathBuf>,
}

/// Open the index in `dir`, creating or rebuilding it as needed. `verify` checks every
/// file's checksum (a full read) rather than only that the index opens; without
/// `lines` only the manifest's header is read, for a search that will not update.
pub(super) fn open(dir: &Path, verify: bool, lines: bool) -> Result<Opened, IndexError> {
    let found = Manifest::read(dir, lines);
    let occupied = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
    let mut moved_aside = None;
    if occupied && found.is_none() {
        // Not ours (no manifest): keep it, out of the way.
        let aside = free_name(dir);
        std::fs::rename(dir, &aside).map_err(|e| IndexError::io(dir, e))?;
        moved_aside = Some(aside);
    } else if let Some(m) = found
        && m.schema == SCHEMA_VERSION
        && m.tool == TOOL
        && let Some((index, fields, reader)) = usable(dir, verify)
    {
        return Ok(Opened {
            index,
            fields,
            reader: Some(reader),
            manifest: m,
            rebuilt: false,
            moved_aside,
        });
    }
    if occupied && moved_aside.is_none() {
        clear(dir)?;
    }
    std::fs::create_dir_all(dir).map_err(|e| IndexError::io(dir, e))?;
    let (sch, fields) = schema::build();
    let mmap = MmapDirectory::open(dir).map_err(|e| IndexError::Tantivy(e.to_string()))?;
    let index = Index::open_or_create(mmap, sch).map_err(IndexError::from)?;
    let fresh = Manifest::new(SCHEMA_VERSION, TOOL);
    crate::fsio::write_atomic(
        &dir.join(manifest::FILE),
        manifest::render(SCHEMA_VERSION, TOOL, &[], &[], |_| None).as_bytes(),
    )
    .map_err(|e| IndexError::io(dir, e))?;
    Ok(Opened {
        index,
        fields,
        reader: None,
        manifest: fresh,
        rebuilt: true,
        moved_aside,
    })
}

/// The index in `dir` if it opens, has our fields and every segment loads.
fn usable(dir: &Path, verify: bool) -> Option<(Index, Fields, IndexReader)> {
    let index = Index::open_in_dir(dir).ok()?;
    let fields = schema::fields_of(&index.schema()).ok()?;
    let reader = reader(&index).ok()?;
    if verify && !index.validate_checksum().ok()?.is_empty() {
        return None;
    }
    Some((index, fields, reader))
}

/// A reader that sees what was committed when it was made, or last reloaded.
pub(super) fn reader(index: &Index) -> tantivy::Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
}

/// `index.moved-N` beside `dir`, the first N free.
fn free_name(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "index".into(), |n| n.to_string_lossy().into_owned());
    (1..)
        .map(|n| dir.with_file_name(format!("{name}.moved-{n}")))
        .find(|p| !p.exists())
        .expect("some free name")
}

/// Remove the files tantivy and hindsight write in an index folder, and only those.
fn clear(dir: &Path) -> Result<(), IndexError> {
    let ours = regex!(
        r"^(?:[0-9a-f]{32}(?:\.\d+)?\.[a-z]+|meta\.json|\.managed\.json|\.tantivy-[a-z]+\.lock|HINDSIGHT-INDEX\.(?:json|tsv)|\..*\.tmp)$"
    );
    for e in std::fs::read_dir(dir)
        .map_err(|e| IndexError::io(dir, e))?
        .flatten()
    {
        let name = e.file_name();
        if e.file_type().is_ok_and(|t| t.is_file()) && ours.is_match(&name.to_string_lossy()) {
            std::fs::remove_file(e.path()).map_err(|err| IndexError::io(&e.path(), err))?;
        }
    }
    Ok(())
}

/// The writer in `slot`, opened on first use.
fn writer_in<'w>(
    slot: &'w mut Option<Writer>,
    index: &Index,
    wait: Duration,
) -> Result<&'w mut Writer, IndexError> {
    if slot.is_none() {
        *slot = Some(writer(index, wait)?);
    }
    Ok(slot.as_mut().expect("opened just now"))
}

/// The index's writer; another process holding it is waited for, up to a point.
fn writer(index: &Index, wait: Duration) -> Result<Writer, IndexError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(2);
    let deadline = Instant::now() + wait;
    loop {
        match index.writer_with_num_threads(threads, WRITER_MEMORY * threads) {
            Ok(w) => {
                // A run killed mid-commit leaves files the last commit does not use; a
                // new segment could want one of their names (seen: `<id>.24.del`).
                w.garbage_collect_files().wait().map_err(IndexError::from)?;
                return Ok(w);
            }
            Err(tantivy::TantivyError::LockFailure(..)) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The postmortems present now, with their stamps.
pub(super) struct Listing {
    pub files: Vec<PathBuf>,
    pub stamps: Vec<Option<stamps::Stamp>>,
    pub error: Option<LoadError>,
}

/// List and stamp the knowledge base's postmortems (independent of the index, so it
/// can run while the index opens).
pub(super) fn list(kb: &KnowledgeBase) -> Listing {
    match kb.postmortem_files(&[kb.incidents_dir()]) {
        Ok(files) => {
            let stamps = stamps::stamps(&files);
            Listing {
                files,
                stamps,
                error: None,
            }
        }
        Err(e) => Listing {
            files: Vec::new(),
            stamps: Vec::new(),
            error: Some(e),
        },
    }
}

/// Bring the index in line with `listing`: re-index files whose size, time or content
/// changed, drop files that are gone. `preloaded` postmortems are used as they are
/// instead of being read again.
pub(super) fn update(
    kb: &KnowledgeBase,
    dir: &Path,
    opened: &Opened,
    listing: Listing,
    wait: Duration,
    preloaded: &[Loaded],
) -> Result<UpdateStats, IndexError> {
    let (index, fields) = (&opened.index, &opened.fields);
    let mut stats = UpdateStats {
        rebuilt: opened.rebuilt,
        ..UpdateStats::default()
    };
    stats.errors.extend(listing.error);
    let files = &listing.files;
    let rels: Vec<Cow<str>> = files.iter().map(|f| kb.relative_cow(f)).collect();
    let diff = opened.manifest.diff(&rels, &listing.stamps);
    let todo: Vec<(usize, Option<&str>)> = diff
        .state
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            State::Unchanged(_) => None,
            State::Changed(old) => Some((i, *old)),
        })
        .collect();
    stats.unchanged = files.len() - todo.len();
    // Read and parse what changed, in parallel, a batch at a time (a batch of index
    // documents is held, never all of them); a touched file with the same bytes is
    // only re-stamped. The writer is opened only once something needs writing.
    let preloaded: HashMap<&Path, &Loaded> =
        preloaded.iter().map(|l| (l.path.as_path(), l)).collect();
    let mut open = None;
    let gate = Gate::new(QUEUED);
    if !diff.gone.is_empty() {
        let w = writer_in(&mut open, index, wait)?;
        for rel in &diff.gone {
            w.delete_term(Term::from_field_text(fields.path, rel));
            stats.removed += 1;
        }
    }
    let mut prepared: Vec<(usize, Result<Entry, LoadError>)> = Vec::with_capacity(todo.len());
    for batch in todo.chunks(BATCH) {
        let docs: Vec<(usize, Prepared)> = batch
            .par_iter()
            .map(|&(i, old_hash)| {
                let path = &files[i];
                let plain = |l: &Loaded| l.plain().map_err(|e| LoadError::io(path, e));
                let prepare = |l: &Loaded| {
                    let (size, mtime_ns) = stamps::stamp(path).unwrap_or((l.size, 0));
                    let entry = Entry {
                        size,
                        mtime_ns,
                        hash: hex(&l.digest),
                    };
                    let doc = if old_hash == Some(entry.hash.as_str()) {
                        None
                    } else {
                        Some(schema::document(fields, &l.incident, &plain(l)?))
                    };
                    Ok((entry, doc))
                };
                let r = match preloaded.get(path.as_path()) {
                    Some(l) => prepare(l),
                    None => kb.load(path).and_then(|l| prepare(&l)),
                };
                (i, r)
            })
            .collect();
        for (i, r) in docs {
            let rel = &rels[i];
            let r = match r {
                Ok((entry, Some(doc))) => {
                    let w = writer_in(&mut open, index, wait)?;
                    // A rebuilt index is empty: nothing to replace. Tantivy holds each
                    // delete until the commit (150 MB for 100,000 of them).
                    if !opened.rebuilt {
                        w.delete_term(Term::from_field_text(fields.path, rel));
                    }
                    w.add_document(gate.admit(doc)).map_err(IndexError::from)?;
                    stats.indexed += 1;
                    stats.changed.push(rel.to_string());
                    Ok(entry)
                }
                Ok((entry, None)) => {
                    stats.unchanged += 1;
                    Ok(entry)
                }
                Err(e) => {
                    // Unreadable now: it must not linger in results either.
                    let w = writer_in(&mut open, index, wait)?;
                    w.delete_term(Term::from_field_text(fields.path, rel));
                    Err(e)
                }
            };
            prepared.push((i, r));
        }
    }
    if let Some(mut w) = open {
        w.commit().map_err(IndexError::from)?;
        w.wait_merging_threads().map_err(IndexError::from)?;
    }
    let mut fresh: HashMap<usize, Entry> = HashMap::with_capacity(prepared.len());
    for (i, r) in prepared {
        match r {
            Ok(entry) => {
                fresh.insert(i, entry);
            }
            Err(e) => stats.errors.push(e),
        }
    }
    if !todo.is_empty() || !diff.gone.is_empty() || opened.rebuilt {
        let text = manifest::render(SCHEMA_VERSION, TOOL, &rels, &diff.state, |i| {
            fresh.get(&i).cloned()
        });
        crate::fsio::write_atomic(&dir.join(manifest::FILE), text.as_bytes())
            .map_err(|e| IndexError::io(dir, e))?;
    }
    Ok(stats)
}
