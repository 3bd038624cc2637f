//! Typo tolerance by correction: a query word no incident contains is replaced by the
//! indexed word one edit away that most incidents contain (`EADRINUSE` → `eaddrinuse`,
//! `destory` → `destroy`). Correcting before searching, rather than matching fuzzily,
//! keeps BM25 ranking and highlighting for the corrected words.

use std::collections::BTreeMap;

use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::schema::Fields;

/// Stemmed form of `word` as the body field indexes it.
fn stem(analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    let mut out = None;
    let mut s = analyzer.token_stream(word);
    if s.advance() {
        out = Some(s.token().text.clone());
    }
    out
}

/// Corrects words against the body field's vocabulary.
pub(super) struct Speller<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    analyzer: TextAnalyzer,
}

impl<'a> Speller<'a> {
    pub(super) fn new(
        searcher: &'a Searcher,
        fields: &'a Fields,
        analyzer: TextAnalyzer,
    ) -> Speller<'a> {
        Speller {
            searcher,
            fields,
            analyzer,
        }
    }

    fn doc_freq(&self, term: &str) -> u64 {
        self.searcher
            .doc_freq(&Term::from_field_text(self.fields.body, term))
            .unwrap_or(0)
    }

    /// The indexed word to search instead of `word`, if `word` is unknown and a word
    /// one edit away is known. Words shorter than four letters are left alone: one
    /// edit changes too much of them.
    pub(super) fn correct(&mut self, word: &str) -> Option<String> {
        let lower = word.to_lowercase();
        let stemmed = stem(&mut self.analyzer, &lower)?;
        if lower.chars().count() < 4 || self.doc_freq(&stemmed) > 0 {
            return None;
        }
        let mut best: BTreeMap<String, u64> = BTreeMap::new();
        for reader in self.searcher.segment_readers() {
            let Ok(inverted) = reader.inverted_index(self.fields.body) else {
                continue;
            };
            let Ok(mut terms) = inverted.terms().stream() else {
                continue;
            };
            while terms.advance() {
                let Ok(t) = std::str::from_utf8(terms.key()) else {
                    continue;
                };
                let close = |w: &str| w.len().abs_diff(t.len()) <= 1 && within_one_edit(w, t);
                if close(&lower) || close(&stemmed) {
                    *best.entry(t.to_string()).or_default() += u64::from(terms.value().doc_freq);
                }
            }
        }
        // Most incidents first; ties in alphabetical order, so the choice is stable.
        let (term, _) = best
            .into_iter()
            .fold(None::<(String, u64)>, |acc, (t, n)| match acc {
                Some((bt, bn)) if bn >= n => Some((bt, bn)),
                _ => Some((t, n)),
            })?;
        // The parser stems what it is given: keep the correction only if it survives.
        stem(&mut self.analyzer, &term)
            .filter(|s| self.doc_freq(s) > 0)
            .map(|_| term)
    }
}

/// Levenshtein distance at most 1, counting a swap of neighbours as one edit.
pub(super) fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let p = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[p..], &b[p..]);
    let sa = ra
        .iter()
        .rev()
        .zip(rb.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (
        &ra[..ra.len() - sa.min(ra.len())],
        &rb[..rb.len() - sa.min(rb.len())],
    );
    match (ma.len(), mb.len()) {
        (0, 0) | (1, 0) | (0, 1) | (1, 1) => true,
        (2, 2) => ma[0] == mb[1] && ma[1] == mb[0],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit() {
        assert!(within_one_edit("eaddrinuse", "eadrinuse"));
        assert!(within_one_edit("rsync", "rsyn"));
        assert!(within_one_edit("rsync", "rysnc"));
        assert!(within_one_edit("destroy", "destory"));
        assert!(within_one_edit("rsync", "rsync"));
        assert!(!within_one_edit("rsync", "sync2"));
        assert!(!within_one_edit("nginx", "ngnx2"));
        assert!(within_one_edit("aab", "ab"));
        assert!(!within_one_edit("abc", "cba"));
    }
}
