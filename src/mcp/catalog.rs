//! The incidents by id: where each postmortem is, with its title, date and tags, for
//! records, resources and lessons. Built on first use by reading every postmortem, then
//! kept in step with what each index update found changed or gone.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::kb::{KnowledgeBase, LoadError, Loaded};
use crate::search::UpdateStats;

/// One incident as the catalog keeps it.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub id: String,
    /// The file, as the knowledge base names it (`incidents/x.md`).
    pub file: PathBuf,
    /// Relative to the knowledge base root, `/`-separated.
    pub path: String,
    pub title: String,
    pub date: Option<String>,
    pub severity: Option<String>,
    pub tags: Vec<String>,
}

impl Entry {
    fn of(l: &Loaded) -> Entry {
        let i = &l.incident;
        Entry {
            id: i.id.clone(),
            file: l.path.clone(),
            path: i.path.clone(),
            title: i.title.clone(),
            date: i.date.clone(),
            severity: i.severity.map(|s| s.as_str().to_string()),
            tags: i.tags.clone(),
        }
    }
}

/// Every readable postmortem, by id (two files with one id: the first by path wins, as
/// in the site).
#[derive(Debug, Default)]
pub(super) struct Catalog {
    by_id: BTreeMap<String, Entry>,
}

impl Catalog {
    /// Read every postmortem of `kb`; the ones that cannot be read are returned.
    pub(super) fn build(kb: &KnowledgeBase) -> (Catalog, Vec<LoadError>) {
        let mut errors = Vec::new();
        let files = match kb.postmortem_files(&[kb.incidents_dir()]) {
            Ok(f) => f,
            Err(e) => return (Catalog::default(), vec![e]),
        };
        let mut c = Catalog::default();
        let (results, pending) = kb.load_all_cached(&files);
        let mut loaded = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(l) => {
                    c.insert(Entry::of(&l));
                    loaded.push(l);
                }
                Err(e) => errors.push(e),
            }
        }
        if let Some(p) = pending {
            p.write(&loaded);
        }
        (c, errors)
    }

    fn insert(&mut self, e: Entry) {
        match self.by_id.get(&e.id) {
            Some(old) if old.path < e.path && old.file.exists() => {}
            _ => {
                self.by_id.insert(e.id.clone(), e);
            }
        }
    }

    /// Bring the catalog in line with an index update: re-read what it re-indexed,
    /// drop what is gone or now unreadable.
    pub(super) fn apply(&mut self, kb: &KnowledgeBase, stats: &UpdateStats) {
        if stats.removed > 0 || !stats.errors.is_empty() || !stats.changed.is_empty() {
            let changed: std::collections::HashSet<&str> =
                stats.changed.iter().map(String::as_str).collect();
            let failed: Vec<&PathBuf> = stats.errors.iter().map(|e| &e.path).collect();
            self.by_id.retain(|_, e| {
                e.file.is_file() && !changed.contains(e.path.as_str()) && !failed.contains(&&e.file)
            });
        }
        for rel in &stats.changed {
            if let Ok(l) = kb.load(&crate::kb::under(&kb.root, rel)) {
                self.insert(Entry::of(&l));
            }
        }
    }

    pub(super) fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id)
    }

    /// Every incident, in id order.
    pub(super) fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.by_id.values()
    }

    pub(super) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// The known id closest to `id`, for a "did you mean".
    pub(super) fn closest(&self, id: &str) -> Option<&str> {
        crate::suggest::closest(id, self.by_id.keys().map(String::as_str))
    }
}
