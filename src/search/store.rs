//! The index on disk: `.hindsight/index/` in the knowledge base, a manifest of what
//! each file looked like when indexed, and incremental updates from it.
//!
//! The manifest doubles as the ownership mark: a folder without it is not ours and is
//! never used or cleared. A folder with it that tantivy cannot open, or with another
//! schema version, is cleared and rebuilt. Updates commit to tantivy first and write
//! the manifest after, so a crash in between only means re-indexing a few files.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant, UNIX_EPOCH};

use rayon::prelude::*;
use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, Term};

use super::IndexError;
use super::schema::{self, Fields, SCHEMA_VERSION};
use crate::kb::{KnowledgeBase, LoadError, Loaded};

const MANIFEST: &str = "HINDSIGHT-INDEX.json";
const WRITER_MEMORY: usize = 100 << 20;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    schema: u32,
    /// The hindsight version that wrote it: another version may derive documents
    /// from the same bytes differently, so it rebuilds.
    #[serde(default)]
    tool: String,
    files: BTreeMap<String, Entry>,
}

const TOOL: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    size: u64,
    mtime_ns: u128,
    hash: String,
}

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

fn stat(path: &Path) -> Option<(u64, u128)> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((m.len(), mtime))
}

fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn read_manifest(dir: &Path) -> Option<Manifest> {
    serde_json::from_slice(&std::fs::read(dir.join(MANIFEST)).ok()?).ok()
}

/// An opened index and what it took.
pub struct Opened {
    pub index: Index,
    pub fields: Fields,
    /// Created empty (first use, new schema, or the old one was damaged).
    pub rebuilt: bool,
    /// Where a folder hindsight did not write was moved to make way.
    pub moved_aside: Option<PathBuf>,
}

/// Open the index in `dir`, creating or rebuilding it as needed. `verify` checks every
/// file's checksum (a full read) rather than only that the index opens.
pub fn open(dir: &Path, verify: bool) -> Result<Opened, IndexError> {
    let manifest = read_manifest(dir);
    let occupied = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    let mut moved_aside = None;
    if occupied && manifest.is_none() {
        // Not ours (no manifest): keep it, out of the way.
        let aside = free_name(dir);
        std::fs::rename(dir, &aside).map_err(|e| IndexError::io(dir, e))?;
        moved_aside = Some(aside);
    } else if manifest
        .as_ref()
        .is_some_and(|m| m.schema == SCHEMA_VERSION && m.tool == TOOL)
        && let Some((index, fields)) = usable(dir, verify)
    {
        return Ok(Opened {
            index,
            fields,
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
    write_manifest(
        dir,
        &Manifest {
            schema: SCHEMA_VERSION,
            tool: TOOL.to_string(),
            files: BTreeMap::new(),
        },
    )?;
    Ok(Opened {
        index,
        fields,
        rebuilt: true,
        moved_aside,
    })
}

/// The index in `dir` if it opens, has our fields and every segment loads.
fn usable(dir: &Path, verify: bool) -> Option<(Index, Fields)> {
    let index = Index::open_in_dir(dir).ok()?;
    let fields = schema::fields_of(&index.schema()).ok()?;
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
        .ok()?;
    let _: tantivy::IndexReader = reader;
    if verify && !index.validate_checksum().ok()?.is_empty() {
        return None;
    }
    Some((index, fields))
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
    static OURS: OnceLock<Regex> = OnceLock::new();
    let ours = OURS.get_or_init(|| {
        Regex::new(r"^(?:[0-9a-f]{32}(?:\.\d+)?\.[a-z]+|meta\.json|\.managed\.json|\.tantivy-[a-z]+\.lock|HINDSIGHT-INDEX\.json|\..*\.tmp)$").expect("regex")
    });
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

/// The index's writer; another process holding it is waited for, up to a point.
fn writer(index: &Index, wait: Duration) -> Result<tantivy::IndexWriter, IndexError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(2);
    let deadline = Instant::now() + wait;
    loop {
        match index.writer_with_num_threads(threads, WRITER_MEMORY * threads) {
            Ok(w) => return Ok(w),
            Err(tantivy::TantivyError::LockFailure(..)) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), IndexError> {
    let bytes = serde_json::to_vec(m).map_err(|e| IndexError::Tantivy(e.to_string()))?;
    crate::fsio::write_atomic(&dir.join(MANIFEST), &bytes).map_err(|e| IndexError::io(dir, e))
}

/// Bring the index in line with the knowledge base's `incidents/`: re-index files whose
/// size, time or content changed, drop files that are gone.
/// `preloaded` postmortems are used as they are instead of being read again.
pub fn update(
    kb: &KnowledgeBase,
    dir: &Path,
    index: &Index,
    fields: &Fields,
    rebuilt: bool,
    wait: Duration,
    preloaded: &[Loaded],
) -> Result<UpdateStats, IndexError> {
    let preloaded: HashMap<String, &Loaded> = preloaded
        .iter()
        .map(|l| (kb.relative(&l.path), l))
        .collect();
    let mut stats = UpdateStats {
        rebuilt,
        ..UpdateStats::default()
    };
    let files = match kb.postmortem_files(&[kb.incidents_dir()]) {
        Ok(f) => f,
        Err(e) => {
            stats.errors.push(e);
            Vec::new()
        }
    };
    let mut manifest = read_manifest(dir).unwrap_or(Manifest {
        schema: SCHEMA_VERSION,
        tool: TOOL.to_string(),
        files: BTreeMap::new(),
    });
    let mut seen: std::collections::HashSet<String> =
        std::collections::HashSet::with_capacity(files.len());
    let mut todo: Vec<(String, PathBuf)> = Vec::new();
    // Stat in parallel: on a large knowledge base this is most of a search's time.
    let stats_of: Vec<(String, Option<(u64, u128)>)> = files
        .par_iter()
        .map(|f| (kb.relative(f), stat(f)))
        .collect();
    for (f, (rel, st)) in files.iter().zip(stats_of) {
        seen.insert(rel.clone());
        match (st, manifest.files.get(&rel)) {
            (Some((size, mtime_ns)), Some(e)) if e.size == size && e.mtime_ns == mtime_ns => {
                stats.unchanged += 1
            }
            _ => todo.push((rel, f.clone())),
        }
    }
    // Read and parse what changed, in parallel; a touched file with the same bytes is
    // only re-stamped.
    let prepared: Vec<(String, Prepared)> = todo
        .par_iter()
        .map(|(rel, path)| {
            let prepare = |l: &Loaded| {
                let (size, mtime_ns) = stat(path).unwrap_or((l.bytes.len() as u64, 0));
                let entry = Entry {
                    size,
                    mtime_ns,
                    hash: hash(&l.bytes),
                };
                let same = manifest
                    .files
                    .get(rel)
                    .is_some_and(|e| e.hash == entry.hash);
                let doc = (!same).then(|| schema::document(fields, &l.incident, &l.plain));
                (entry, doc)
            };
            let r = match preloaded.get(rel) {
                Some(l) => Ok(prepare(l)),
                None => kb.load(path).map(|l| prepare(&l)),
            };
            (rel.clone(), r)
        })
        .collect();
    let gone: Vec<String> = manifest
        .files
        .keys()
        .filter(|k| !seen.contains(*k))
        .cloned()
        .collect();
    let needs_write = !gone.is_empty()
        || prepared
            .iter()
            .any(|(_, r)| matches!(r, Ok((_, Some(_))) | Err(_)));
    if needs_write {
        let mut writer = writer(index, wait)?;
        for rel in &gone {
            writer.delete_term(Term::from_field_text(fields.path, rel));
            manifest.files.remove(rel);
            stats.removed += 1;
        }
        for (rel, r) in &prepared {
            match r {
                Ok((_, Some(doc))) => {
                    writer.delete_term(Term::from_field_text(fields.path, rel));
                    writer.add_document(doc.clone()).map_err(IndexError::from)?;
                    stats.indexed += 1;
                    stats.changed.push(rel.clone());
                }
                Ok((_, None)) => stats.unchanged += 1,
                Err(_) => {
                    // Unreadable now: it must not linger in results either.
                    writer.delete_term(Term::from_field_text(fields.path, rel));
                }
            }
        }
        writer.commit().map_err(IndexError::from)?;
        writer.wait_merging_threads().map_err(IndexError::from)?;
    }
    let mut changed_manifest = !gone.is_empty();
    for (rel, r) in prepared {
        match r {
            Ok((entry, _)) => {
                changed_manifest |= manifest.files.get(&rel) != Some(&entry);
                manifest.files.insert(rel, entry);
            }
            Err(e) => {
                changed_manifest |= manifest.files.remove(&rel).is_some();
                stats.errors.push(e);
            }
        }
    }
    if changed_manifest || rebuilt {
        write_manifest(dir, &manifest)?;
    }
    Ok(stats)
}
