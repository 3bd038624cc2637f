//! The knowledge base on disk: a root folder with `incidents/`, `rules/`, `templates/`,
//! `site/` and an optional `hindsight.toml`; finding and loading its postmortems.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::document::Document;
use crate::incident::Incident;
use crate::ingest::{self, IngestError};

mod cache;
pub(crate) mod codec;
mod lock;
mod packed;

pub use lock::{DEFAULT_WAIT, Lock, LockError};
use packed::Packed;
pub use packed::Spill;

/// Loads of at least this many postmortems keep their texts in a spill file (see
/// `packed`): 5,000 texts packed are about 17 MB.
const SPILL_AT: usize = 5_000;

/// Names of extension-less files that are never postmortems.
const NOT_POSTMORTEMS: [&str; 8] = [
    "LICENSE",
    "COPYING",
    "NOTICE",
    "AUTHORS",
    "CODEOWNERS",
    "Makefile",
    "Dockerfile",
    "CONTRIBUTORS",
];

/// A knowledge base rooted at a folder.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    pub root: PathBuf,
}

impl KnowledgeBase {
    pub fn new(root: impl Into<PathBuf>) -> KnowledgeBase {
        KnowledgeBase { root: root.into() }
    }

    pub fn incidents_dir(&self) -> PathBuf {
        under(&self.root, "incidents")
    }

    pub fn rules_dir(&self) -> PathBuf {
        under(&self.root, "rules")
    }

    pub fn templates_dir(&self) -> PathBuf {
        under(&self.root, "templates")
    }

    pub fn site_dir(&self) -> PathBuf {
        under(&self.root, "site")
    }

    pub fn state_dir(&self) -> PathBuf {
        under(&self.root, ".hindsight")
    }

    /// The state folder, created (with a `.gitignore`: it is never committed) if need be.
    pub fn ensure_state_dir(&self) -> io::Result<PathBuf> {
        let state = self.state_dir();
        std::fs::create_dir_all(&state)?;
        let ignore = state.join(".gitignore");
        if !ignore.exists() {
            crate::fsio::write_atomic(&ignore, b"*\n")?;
        }
        Ok(state)
    }

    /// `path` relative to the root with `/` separators, or as given if outside it.
    pub fn relative(&self, path: &Path) -> String {
        self.relative_cow(path).into_owned()
    }

    /// `relative`, borrowing from `path` when it can.
    pub fn relative_cow<'p>(&self, path: &'p Path) -> std::borrow::Cow<'p, str> {
        // Byte prefix first: `Path::strip_prefix` parses components, which shows in
        // profiles when every file of a large knowledge base is named.
        let (root, full) = (
            self.root.as_os_str().as_encoded_bytes(),
            path.as_os_str().as_encoded_bytes(),
        );
        if let Some(rest) = full.strip_prefix(root)
            && let Some(rest) = rest.strip_prefix(b"/")
            && let Ok(s) = std::str::from_utf8(rest)
            && !s.contains('\\')
            && !s.starts_with('/')
            && !s.starts_with("./")
        {
            return std::borrow::Cow::Borrowed(s);
        }
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let s = rel.to_string_lossy().replace('\\', "/");
        std::borrow::Cow::Owned(s.strip_prefix("./").unwrap_or(&s).to_string())
    }

    /// Postmortem files under `paths` (folders are walked), sorted. Missing paths are
    /// errors; an explicitly named file is always included.
    pub fn postmortem_files(&self, paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
        let mut out = Vec::new();
        for p in paths {
            let meta = std::fs::metadata(p).map_err(|e| LoadError::io(p, e))?;
            if meta.is_file() {
                out.push(p.clone());
                continue;
            }
            // Links are followed, as they are for a file named outright: a postmortem
            // kept elsewhere and linked in is one of the knowledge base's.
            for entry in ignore::WalkBuilder::new(p).follow_links(true).build() {
                let entry = entry.map_err(|e| LoadError::walk(p, e))?;
                if entry.file_type().is_some_and(|t| t.is_file()) && is_postmortem(entry.path()) {
                    out.push(entry.into_path());
                }
            }
        }
        out.sort_unstable_by(|a, b| {
            path_order(
                a.as_os_str().as_encoded_bytes(),
                b.as_os_str().as_encoded_bytes(),
            )
        });
        out.dedup_by(|a, b| a.as_os_str() == b.as_os_str());
        Ok(out)
    }

    /// Every file in `files` loaded, in parallel, in order. Large loads spill their
    /// texts to the state folder when it can be written.
    pub fn load_all(&self, files: &[PathBuf]) -> Vec<Result<Loaded, LoadError>> {
        let spill = (files.len() >= SPILL_AT)
            .then(|| self.ensure_state_dir().ok())
            .flatten()
            .and_then(|dir| Spill::create(&dir));
        self.load_all_into(files, spill.as_ref())
    }

    /// `load_all`, spilling texts to `spill` if given. Texts with guard blocks stay in
    /// memory: the rules step reads them, and there are few.
    pub fn load_all_into(
        &self,
        files: &[PathBuf],
        spill: Option<&Spill>,
    ) -> Vec<Result<Loaded, LoadError>> {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|f| {
                let mut l = self.load(f)?;
                if let Some(s) = spill.filter(|_| !l.guard_blocks) {
                    l.texts.spill(s);
                }
                Ok(l)
            })
            .collect()
    }

    /// Every postmortem in `files` (all of the knowledge base's: the cache is rewritten
    /// to hold exactly these), as `load_all` gives them, taking the record and texts of
    /// each unchanged file from the record cache (see `cache`). Without a state folder
    /// that can be written, `load_all`.
    /// The cache is not written here: the caller writes what is returned (if anything
    /// changed) once it is done, so that a run that refuses to go on writes nothing.
    pub fn load_all_cached(
        &self,
        files: &[PathBuf],
    ) -> (Vec<Result<Loaded, LoadError>>, Option<PendingCache>) {
        use rayon::prelude::*;
        let Ok(state) = self.ensure_state_dir() else {
            return (self.load_all(files), None);
        };
        let mut cache = cache::Cache::open(&state);
        let cached = cache.as_ref().map_or(0, cache::Cache::len);
        let rels: Vec<std::borrow::Cow<str>> = files.iter().map(|f| self.relative_cow(f)).collect();
        let stamps = crate::search::stamps::stamps(files);
        // Unchanged by stamp: taken from the cache (not copied: at 100,000 records a
        // second copy of each showed in the peak).
        let hits: Vec<Option<cache::Entry>> = rels
            .iter()
            .zip(&stamps)
            .map(|(rel, stamp)| {
                let c = cache.as_mut()?;
                let (size, mtime) = (*stamp)?;
                c.take_if(rel, |e| {
                    e.size == size && e.mtime_ns == mtime && e.mtime_ns != 0
                })
            })
            .collect();
        let misses = hits.iter().filter(|h| h.is_none()).count();
        let spill = (misses >= SPILL_AT)
            .then(|| Spill::create(&state))
            .flatten();
        let cache = cache.as_ref();
        let results: Vec<Result<Loaded, LoadError>> = hits
            .into_par_iter()
            .enumerate()
            .map(|(i, hit)| {
                let path = &files[i];
                if let (Some(e), Some(c)) = (hit, cache) {
                    return Ok(c.loaded(e, path));
                }
                // Changed by stamp: the same bytes are still taken from the cache, and
                // only new bytes are repaired and parsed.
                let bytes = read_bytes(path)?;
                let digest: [u8; 32] = sha2::Sha256::digest(&bytes).into();
                if let Some(c) = cache
                    && let Some(e) = c.get(&rels[i])
                    && e.digest == digest
                {
                    return Ok(c.loaded(e.clone(), path));
                }
                let mut l = self.loaded_from(path, bytes, digest)?;
                if let Some(s) = spill.as_ref().filter(|_| !l.guard_blocks) {
                    l.texts.spill(s);
                }
                Ok(l)
            })
            .collect();
        let ok = results.iter().filter(|r| r.is_ok()).count();
        let same = cache.is_some() && cached == ok && misses == 0;
        let pending = (!same).then(|| {
            let (mut keys, mut kept_stamps) = (Vec::new(), Vec::new());
            for (i, r) in results.iter().enumerate() {
                if r.is_ok() {
                    keys.push(rels[i].to_string());
                    kept_stamps.push(stamps[i]);
                }
            }
            PendingCache {
                state: state.clone(),
                rels: keys,
                stamps: kept_stamps,
            }
        });
        (results, pending)
    }

    /// Read, decode, repair and parse one file, keeping every stage: what `lint` looks
    /// at. Everything else keeps less (`load`).
    pub fn parse_file(&self, path: &Path) -> Result<Parsed, LoadError> {
        self.parse_bytes(path, read_bytes(path)?)
    }

    /// `parse_file` for bytes already read from `path`.
    fn parse_bytes(&self, path: &Path, bytes: Vec<u8>) -> Result<Parsed, LoadError> {
        let ingested = ingest::ingest_postmortem(&bytes).map_err(|e| LoadError {
            path: path.to_path_buf(),
            kind: LoadErrorKind::Ingest(e),
        })?;
        let rel = self.relative(path);
        let doc = Document::parse(&ingested.text);
        let incident = Incident::from_document(&rel, &doc, &ingested);
        Ok(Parsed {
            bytes,
            ingested,
            doc,
            incident,
        })
    }

    /// Read, decode and repair one file, keeping its record and packed texts.
    pub fn load(&self, path: &Path) -> Result<Loaded, LoadError> {
        let bytes = read_bytes(path)?;
        let digest = sha2::Sha256::digest(&bytes).into();
        self.loaded_from(path, bytes, digest)
    }

    /// `load` for bytes already read, with their SHA-256.
    fn loaded_from(
        &self,
        path: &Path,
        bytes: Vec<u8>,
        digest: [u8; 32],
    ) -> Result<Loaded, LoadError> {
        let p = self.parse_bytes(path, bytes)?;
        Ok(Loaded {
            path: path.to_path_buf(),
            size: p.bytes.len() as u64,
            digest,
            body_offset: p.doc.front_matter.len,
            guard_blocks: p.ingested.text.contains("hindsight-guard"),
            texts: Packed::new(&p.ingested.text, &p.doc.plain_text()),
            // A clone holds no spare capacity: the record is kept for the whole run, and
            // the strings it was built from had a third again as much room unused.
            incident: p.incident.clone(),
        })
    }
}

/// Postmortems larger than this are refused unread. The largest real one in the public
/// corpora is 71 KB; hostile markdown (thousands of unclosed `*a **b`) costs
/// pulldown-cmark about 44 bytes of memory a byte, so 16 MiB stays near 1 GB at worst.
pub const MAX_POSTMORTEM_BYTES: usize = 16 << 20;

/// The bytes of a postmortem, refused unread if over `MAX_POSTMORTEM_BYTES` (and never
/// more than one byte past it read, should the file grow meanwhile).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let too_large = |size: u64| LoadError {
        path: path.to_path_buf(),
        kind: LoadErrorKind::Ingest(IngestError::TooLarge {
            size: usize::try_from(size).unwrap_or(usize::MAX),
            limit: MAX_POSTMORTEM_BYTES,
        }),
    };
    let file = std::fs::File::open(path).map_err(|e| LoadError::io(path, e))?;
    let meta = file.metadata().map_err(|e| LoadError::io(path, e))?;
    if meta.is_dir() {
        return Err(LoadError::io(path, io::ErrorKind::IsADirectory.into()));
    }
    if meta.len() > MAX_POSTMORTEM_BYTES as u64 {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_POSTMORTEM_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError::io(path, e))?;
    if bytes.len() > MAX_POSTMORTEM_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// `name` in the knowledge base rooted at `root`. Under the default root, `.`, just
/// `name`: every path made from it, and so every message, says `incidents/x.md`, not
/// `./incidents/x.md`.
pub fn under(root: &Path, name: &str) -> PathBuf {
    if root == Path::new(".") {
        PathBuf::from(name)
    } else {
        root.join(name)
    }
}

/// Orders paths as `Path` does (component by component) from their bytes alone, with
/// no parsing: the separator sorts before every other byte. At 100,000 files, parsing
/// components on every comparison was a visible part of each search.
pub fn path_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let same = common_prefix(a, b);
    let rank = |c: Option<&u8>| match c {
        None => 0,
        Some(&c) if std::path::is_separator(c as char) => 1,
        Some(&c) => u16::from(c) + 2,
    };
    rank(a.get(same)).cmp(&rank(b.get(same)))
}

/// Length of the common prefix of `a` and `b`, eight bytes at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_ne_bytes(a[i..i + 8].try_into().expect("8 bytes"));
        let y = u64::from_ne_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        if x != y {
            break;
        }
        i += 8;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// `*.md`, `*.markdown` and extension-less text files, not hidden.
pub fn is_postmortem(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if name.starts_with('.') {
        return false;
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) => ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown"),
        None => !NOT_POSTMORTEMS.iter().any(|n| name.starts_with(n)),
    }
}

/// A record cache to write for a load whose files changed (see `load_all_cached`).
#[derive(Debug)]
pub struct PendingCache {
    state: PathBuf,
    /// Paths and stamps of the postmortems that loaded, in order.
    rels: Vec<String>,
    stamps: Vec<Option<crate::search::stamps::Stamp>>,
}

impl PendingCache {
    /// Write the cache for `loaded`: the postmortems that loaded, as returned. Best
    /// effort: without a cache the next run parses again, nothing worse.
    pub fn write(self, loaded: &[Loaded]) {
        if loaded.len() == self.rels.len() {
            let rels: Vec<&str> = self.rels.iter().map(String::as_str).collect();
            let _ = cache::write(&self.state, loaded, &rels, &self.stamps);
        }
    }
}

/// One postmortem at every stage: the bytes read, the repaired text with its repairs,
/// the parsed document and the record.
#[derive(Debug)]
pub struct Parsed {
    pub bytes: Vec<u8>,
    pub ingested: crate::ingest::Ingested,
    pub doc: Document,
    pub incident: Incident,
}

/// A loaded postmortem: its record, and its repaired text kept compressed.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    /// Size of the file as read.
    pub size: u64,
    /// SHA-256 of the bytes as read (the bytes themselves are not kept: at 100,000
    /// postmortems they were a tenth of the memory).
    pub digest: [u8; 32],
    pub incident: Incident,
    /// The repaired text and the text without markup.
    texts: Packed,
    /// Where the markdown starts in the repaired text, after any front matter.
    pub body_offset: usize,
    /// True when the text holds a `hindsight-guard` block (rules read only those texts).
    pub guard_blocks: bool,
}

impl Loaded {
    /// The repaired text. Fails only if a spilled text cannot be read back.
    pub fn text(&self) -> io::Result<String> {
        self.texts.text().map_err(|e| self.unreadable(e))
    }

    /// The text without markup: headings and blocks, one per line.
    pub fn plain(&self) -> io::Result<String> {
        self.texts.plain().map_err(|e| self.unreadable(e))
    }

    fn unreadable(&self, e: io::Error) -> io::Error {
        io::Error::new(
            e.kind(),
            format!("reading its text back from the spill file: {e}"),
        )
    }
}

/// Why a postmortem could not be loaded.
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub kind: LoadErrorKind,
}

#[derive(Debug)]
pub enum LoadErrorKind {
    Io(io::Error),
    Walk(String),
    Ingest(IngestError),
}

impl LoadError {
    pub(crate) fn io(path: &Path, e: io::Error) -> LoadError {
        LoadError {
            path: path.to_path_buf(),
            kind: LoadErrorKind::Io(e),
        }
    }

    fn walk(path: &Path, e: ignore::Error) -> LoadError {
        LoadError {
            path: path.to_path_buf(),
            kind: LoadErrorKind::Walk(e.to_string()),
        }
    }
}

impl LoadError {
    /// What is wrong, without the path.
    pub fn reason(&self) -> String {
        match &self.kind {
            LoadErrorKind::Io(e) if e.kind() == io::ErrorKind::NotFound => {
                "no such file or folder".into()
            }
            LoadErrorKind::Io(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                "permission denied".into()
            }
            LoadErrorKind::Io(e) if e.kind() == io::ErrorKind::IsADirectory => {
                "is a folder, not a file".into()
            }
            LoadErrorKind::Io(e) => plain_io(&e.to_string()),
            LoadErrorKind::Walk(e) => plain_io(e),
            LoadErrorKind::Ingest(e) => e.to_string(),
        }
    }
}

/// An OS error as the rest of hindsight words it: `permission denied`, not
/// `Permission denied (os error 13)`.
fn plain_io(message: &str) -> String {
    let mut out = message.to_string();
    while let Some(at) = out.find(" (os error ") {
        let end = out[at..].find(')').map_or(out.len(), |e| at + e + 1);
        out.replace_range(at..end, "");
    }
    for (os, ours) in [
        ("Permission denied", "permission denied"),
        ("No such file or directory", "no such file or folder"),
        ("Is a directory", "is a folder, not a file"),
    ] {
        out = out.replace(os, ours);
    }
    out
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason())
    }
}

impl std::error::Error for LoadError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_files_are_postmortems() {
        for (p, want) in [
            ("a/2024-01-01-outage.md", true),
            ("a/notes.MARKDOWN", true),
            ("a/2022-10-31-Android-Phone-Incident", true),
            ("a/LICENSE", false),
            ("a/.draft.md", false),
            ("a/image.png", false),
        ] {
            assert_eq!(is_postmortem(Path::new(p)), want, "{p}");
        }
    }

    /// A spilled load gives the same records and texts as one held in memory; texts
    /// with guard blocks stay in memory.
    #[test]
    fn spilled_loads_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::new(dir.path());
        std::fs::create_dir_all(kb.incidents_dir()).unwrap();
        let mut files = Vec::new();
        for (i, body) in [
            "# Outage\n\n## Root cause\nCaché expired âœ… fixed\n",
            "# Deploy\n\n```hindsight-guard\nid = \"x\"\n```\n",
            "x",
        ]
        .iter()
        .enumerate()
        {
            let f = kb.incidents_dir().join(format!("{i}.md"));
            std::fs::write(&f, body).unwrap();
            files.push(f);
        }
        let spill = Spill::create(dir.path()).unwrap();
        let spilled = kb.load_all_into(&files, Some(&spill));
        let held = kb.load_all_into(&files, None);
        for (s, h) in spilled.iter().zip(&held) {
            let (s, h) = (s.as_ref().unwrap(), h.as_ref().unwrap());
            assert_eq!(s.incident, h.incident);
            assert_eq!(s.text().unwrap(), h.text().unwrap());
            assert_eq!(s.plain().unwrap(), h.plain().unwrap());
            assert_eq!(
                s.texts.is_spilled(),
                !s.guard_blocks,
                "{}",
                s.path.display()
            );
        }
        assert!(
            held[0]
                .as_ref()
                .unwrap()
                .text()
                .unwrap()
                .contains("Root cause")
        );
    }
}

#[cfg(test)]
mod plain_io_tests {
    #[test]
    fn os_errors_read_like_ours() {
        assert_eq!(
            super::plain_io(
                "IO error for operation on incidents/x: Permission denied (os error 13)"
            ),
            "IO error for operation on incidents/x: permission denied"
        );
        assert_eq!(super::plain_io("fine"), "fine");
    }
}
