//! Backpressure on tantivy's document queue: at most a fixed number of documents
//! wait to be indexed.
//!
//! Tantivy queues up to 10,000 documents for its indexing threads. Documents are made
//! faster than they are indexed, so a large build held all 10,000 (about 70 MB at
//! 100,000 postmortems). Each queued document carries a ticket back to its [`Gate`];
//! the indexer drops the document once indexed, which hands the ticket back.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

use tantivy::TantivyDocument;
use tantivy::schema::document::Document;

/// Counts the documents handed to the writer and not yet indexed.
#[derive(Debug)]
pub(super) struct Gate {
    queued: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

impl Gate {
    pub(super) fn new(limit: usize) -> Arc<Gate> {
        Arc::new(Gate {
            queued: Mutex::new(0),
            freed: Condvar::new(),
            limit: limit.max(1),
        })
    }

    /// `doc` with a ticket, once fewer than the limit are queued. Tantivy drops the
    /// queue's documents if its threads stop, so a wait here always ends.
    pub(super) fn admit(self: &Arc<Self>, doc: TantivyDocument) -> Queued {
        let mut queued = self.queued.lock().unwrap_or_else(PoisonError::into_inner);
        while *queued >= self.limit {
            queued = self
                .freed
                .wait(queued)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *queued += 1;
        Queued {
            doc,
            gate: Arc::clone(self),
        }
    }

    #[cfg(test)]
    fn queued(&self) -> usize {
        *self.queued.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A document on its way to the index, holding one place in its gate.
pub(super) struct Queued {
    doc: TantivyDocument,
    gate: Arc<Gate>,
}

impl Drop for Queued {
    fn drop(&mut self) {
        let mut queued = self
            .gate
            .queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *queued = queued.saturating_sub(1);
        self.gate.freed.notify_one();
    }
}

impl Document for Queued {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.doc.iter_fields_and_values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_document_frees_its_place() {
        let gate = Gate::new(2);
        let a = gate.admit(TantivyDocument::default());
        let b = gate.admit(TantivyDocument::default());
        assert_eq!(gate.queued(), 2);
        // A third waits until another thread drops one of the first two.
        let waiter = {
            let gate = Arc::clone(&gate);
            std::thread::spawn(move || drop(gate.admit(TantivyDocument::default())))
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(!waiter.is_finished(), "admitted past the limit");
        drop(a);
        waiter.join().unwrap();
        drop(b);
        assert_eq!(gate.queued(), 0);
    }
}
