//! Search over past incidents: a tantivy index of the knowledge base, kept current
//! incrementally, answering full-text queries and "which incidents look like this one".

mod lang;
mod manifest;
mod query;
mod queue;
pub mod schema;
mod similar;
mod snippet;
mod spell;
pub(crate) mod stamps;
mod store;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tantivy::{Index, IndexReader};

pub use query::{Hit, Match};
pub use similar::{RECURRENCE, Recurrence, Similar, Target};
pub use store::UpdateStats;

use crate::kb::{KnowledgeBase, Loaded, Lock};
use schema::Fields;

/// Why the index could not be used.
#[derive(Debug)]
pub enum IndexError {
    /// Another process is writing the index.
    Busy,
    Io(PathBuf, std::io::Error),
    Tantivy(String),
    /// An id or file to compare with that the index does not know.
    Unknown(String),
    /// A query with nothing to search for.
    Query(String),
}

impl IndexError {
    fn io(path: &Path, e: std::io::Error) -> IndexError {
        IndexError::Io(path.to_path_buf(), e)
    }
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> IndexError {
        match e {
            tantivy::TantivyError::LockFailure(..) => IndexError::Busy,
            other => IndexError::Tantivy(other.to_string()),
        }
    }
}

impl fmt::Display for IndexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexError::Busy => f.write_str("the search index is being updated by another hindsight process; try again in a moment"),
            IndexError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            IndexError::Tantivy(e) => write!(f, "search index: {e}"),
            IndexError::Unknown(what) | IndexError::Query(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for IndexError {}

/// How to open the index.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Read every index file to check its checksum, not only that the index opens.
    pub verify: bool,
    /// How long to wait for another process updating the index.
    pub lock_wait: Duration,
    /// Bring the index up to date first (else use it as it is, if there is one).
    pub refresh: bool,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions {
            verify: false,
            lock_wait: Duration::from_secs(10),
            refresh: true,
        }
    }
}

/// The knowledge base's search index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl SearchIndex {
    /// Where a knowledge base keeps its index.
    pub fn dir(kb: &KnowledgeBase) -> PathBuf {
        kb.state_dir().join("index")
    }

    /// Open the index, bringing it up to date with `incidents/` first. Opening can
    /// write (a first or rebuilt index), so it takes the knowledge base's lock.
    pub fn open_updated(
        kb: &KnowledgeBase,
        lock: &Lock,
        opts: &OpenOptions,
    ) -> Result<(SearchIndex, UpdateStats), IndexError> {
        Self::open_updated_from(kb, lock, opts, &[])
    }

    /// `open_updated`, using postmortems already loaded rather than reading them again.
    pub fn open_updated_from(
        kb: &KnowledgeBase,
        _lock: &Lock,
        opts: &OpenOptions,
        preloaded: &[Loaded],
    ) -> Result<(SearchIndex, UpdateStats), IndexError> {
        kb.ensure_state_dir()
            .map_err(|e| IndexError::io(&kb.state_dir(), e))?;
        let dir = Self::dir(kb);
        if !opts.refresh {
            let mut opened = store::open(&dir, opts.verify, false)?;
            if !opened.rebuilt {
                let stats = UpdateStats {
                    moved_aside: opened.moved_aside.take(),
                    ..UpdateStats::default()
                };
                return Self::ready(opened, stats, false);
            }
        }
        // Listing and stamping the files does not need the index: do both at once.
        let (opened, listing) = std::thread::scope(|scope| {
            let listing = scope.spawn(|| store::list(kb));
            let opened = store::open(&dir, opts.verify, true);
            (opened, listing.join().expect("listing thread"))
        });
        let mut opened = opened?;
        let mut stats = store::update(kb, &dir, &opened, listing, opts.lock_wait, preloaded)?;
        stats.moved_aside = opened.moved_aside.take();
        let wrote = stats.indexed + stats.removed + stats.errors.len() > 0;
        Self::ready(opened, stats, wrote)
    }

    /// The opened index with a reader that sees its latest commit.
    fn ready(
        opened: store::Opened,
        stats: UpdateStats,
        wrote: bool,
    ) -> Result<(SearchIndex, UpdateStats), IndexError> {
        let store::Opened {
            index,
            fields,
            reader,
            ..
        } = opened;
        let reader = match reader {
            Some(r) if !wrote => r,
            _ => store::reader(&index).map_err(IndexError::from)?,
        };
        Ok((
            SearchIndex {
                index,
                reader,
                fields,
            },
            stats,
        ))
    }

    /// Number of incidents indexed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ranked hits for `q` (see `query` for the language).
    pub fn search(&self, q: &str, limit: usize) -> Result<Vec<Hit>, IndexError> {
        query::search(&self.index, &self.reader, &self.fields, q, limit)
    }

    /// Likely recurrences among the incidents `dated` (id and date).
    pub fn recurrences(
        &self,
        dated: &[(&str, Option<&str>)],
    ) -> Result<Vec<Recurrence>, IndexError> {
        similar::recurrences(&self.index, &self.reader, &self.fields, dated)
    }

    /// The incidents most like `target`, most similar first.
    pub fn similar(&self, target: Target, limit: usize) -> Result<Vec<Similar>, IndexError> {
        similar::similar(&self.index, &self.reader, &self.fields, target, limit)
    }
}

#[cfg(test)]
mod tests;
