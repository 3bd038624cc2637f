//! What the server keeps between calls: the knowledge base, its open search index and
//! the catalog of its incidents. Every call that reads incidents first brings the index
//! up to date under the knowledge base's lock, exactly as `hindsight search` does, so
//! an edited postmortem is seen by the next call; when the watch on `incidents/` saw
//! nothing change since, the open index is used as it is. Nothing is written outside
//! `.hindsight/`.

use std::collections::HashSet;
use std::time::Duration;

use super::catalog::Catalog;
use super::server::Log;
use super::watch::Watch;
use crate::kb::KnowledgeBase;
use crate::search::{OpenOptions, SearchIndex};

/// How long a call waits for another hindsight writing the knowledge base (a build)
/// before it gives up with a tool error: less than an agent's usual tool timeout.
const LOCK_WAIT: Duration = Duration::from_secs(30);

pub(super) struct State {
    pub kb: KnowledgeBase,
    /// The index as of the last update, and the watch set just before it.
    index: Option<(SearchIndex, Watch)>,
    catalog: Option<Catalog>,
    log: Log,
    /// Warnings already given, so a broken postmortem is reported once, not per call.
    warned: HashSet<String>,
}

impl State {
    pub(super) fn new(kb: KnowledgeBase, log: Log) -> State {
        State {
            kb,
            index: None,
            catalog: None,
            log,
            warned: HashSet::new(),
        }
    }

    /// Say `msg` on stderr once per run.
    pub(super) fn warn_once(&mut self, msg: String) {
        if self.warned.insert(msg.clone()) {
            (self.log)(&format!("warning: {msg}"));
        }
    }

    /// The search index, up to date with `incidents/`.
    pub(super) fn index(&mut self) -> Result<&SearchIndex, String> {
        let kept = self
            .index
            .take()
            .and_then(|(index, mut watch)| (!watch.changed()).then_some((index, watch)));
        let current = match kept {
            Some(current) => current,
            None => {
                // Watch first: a change made while the index is updated is seen next time.
                let watch = Watch::new(&self.kb.incidents_dir());
                (self.update()?, watch)
            }
        };
        Ok(&self.index.insert(current).0)
    }

    /// The search index, brought up to date with `incidents/` file by file.
    fn update(&mut self) -> Result<SearchIndex, String> {
        let log = self.log.clone();
        let lock = self
            .kb
            .lock("mcp", LOCK_WAIT, |holder| {
                log(&format!(
                    "waiting for another hindsight ({holder}) to finish with this knowledge base"
                ))
            })
            .map_err(|e| e.to_string())?;
        let (index, stats) = SearchIndex::open_updated(&self.kb, &lock, &OpenOptions::default())
            .map_err(|e| e.to_string())?;
        drop(lock);
        if let Some(p) = &stats.moved_aside {
            self.warn_once(format!(
                "{} held files hindsight did not write; moved them to {}",
                SearchIndex::dir(&self.kb).display(),
                p.display()
            ));
        }
        for e in &stats.errors {
            self.warn_once(format!("not indexed: {e}"));
        }
        if let Some(c) = &mut self.catalog {
            c.apply(&self.kb, &stats);
        }
        Ok(index)
    }

    /// The catalog of incidents, current as of an index update made now.
    pub(super) fn catalog(&mut self) -> Result<&Catalog, String> {
        self.index()?;
        let c = match self.catalog.take() {
            Some(c) => c,
            None => {
                let (c, errors) = Catalog::build(&self.kb);
                for e in errors {
                    self.warn_once(format!("not readable: {e}"));
                }
                c
            }
        };
        Ok(self.catalog.insert(c))
    }
}
