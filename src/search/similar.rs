//! "Which past incidents look like this one": candidates from a query of the target's
//! heaviest words, re-ranked by cosine similarity of TF-IDF vectors so the score reads the same
//! in any knowledge base (0 nothing shared, 1 the same words), with the words shared.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, Searcher, TantivyDocument, Term};

use super::IndexError;
use super::query::{self, Hit, Match};
use super::schema::Fields;
use crate::incident::Incident;

/// Candidates re-ranked per query: at least this many, and ten per result asked for.
const CANDIDATES: usize = 20;
/// Words of the target that make up the candidate query.
const QUERY_TERMS: usize = 40;
/// Shared words listed per result.
const SHARED: usize = 6;

/// Words too common in postmortems to make two incidents alike.
const STOP_WORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "that",
    "this",
    "was",
    "were",
    "are",
    "from",
    "not",
    "but",
    "have",
    "has",
    "had",
    "all",
    "any",
    "can",
    "our",
    "out",
    "into",
    "when",
    "then",
    "than",
    "they",
    "them",
    "their",
    "what",
    "which",
    "will",
    "would",
    "should",
    "been",
    "being",
    "after",
    "before",
    "also",
    "only",
    "more",
    "some",
    "each",
    "time",
    "there",
    "these",
    "those",
    "its",
    "about",
    "just",
    "because",
    "could",
    "did",
    "does",
    "how",
    "who",
    "why",
    "incident",
    "postmortem",
    "issue",
    "problem",
    "summary",
    "impact",
    "root",
    "cause",
    "lessons",
    "learned",
    "timeline",
    "action",
    "items",
    "resolution",
    "utc",
    "you",
    "your",
    "now",
    "was",
    "is",
    "it",
    "we",
    "a",
    "an",
];

/// An incident like the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Similar {
    #[serde(flatten)]
    pub hit: Hit,
    /// Words (as written in the incident asked about) that weigh most in both.
    pub shared: Vec<String>,
}

/// What to compare with.
pub enum Target<'a> {
    /// An indexed incident.
    Id(&'a str),
    /// Any incident, indexed or not, with its plain text.
    Incident(&'a Incident, &'a str),
}

struct Vector {
    weights: HashMap<String, f32>,
    norm: f32,
    /// First spelling seen of each stemmed term.
    surface: HashMap<String, String>,
}

fn vector(analyzer: &mut TextAnalyzer, searcher: &Searcher, f: &Fields, text: &str) -> Vector {
    let mut tf: HashMap<String, u32> = HashMap::new();
    let mut surface: HashMap<String, String> = HashMap::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        let raw = &text[t.offset_from..t.offset_to];
        if t.text.chars().count() < 3
            || t.text.bytes().all(|b| b.is_ascii_digit())
            || STOP_WORDS.contains(&raw.to_lowercase().as_str())
        {
            continue;
        }
        *tf.entry(t.text.clone()).or_default() += 1;
        surface
            .entry(t.text.clone())
            .or_insert_with(|| raw.to_lowercase());
    }
    // Document frequencies count deleted documents until segments merge, so the
    // document count must too (tantivy's own more-like-this query mixes the two and
    // panics after an edit; this replaces it).
    let n = searcher
        .segment_readers()
        .iter()
        .map(|r| u64::from(r.max_doc()))
        .sum::<u64>() as f32;
    let weights: HashMap<String, f32> = tf
        .into_iter()
        .map(|(term, c)| {
            let df = searcher
                .doc_freq(&Term::from_field_text(f.body, &term))
                .unwrap_or(0) as f32;
            let idf = ((n + 1.0) / (df + 1.0)).ln() + 1.0;
            let w = (1.0 + (c as f32).ln()) * idf;
            (term, w)
        })
        .collect();
    let norm = weights.values().map(|w| w * w).sum::<f32>().sqrt();
    Vector {
        weights,
        norm,
        surface,
    }
}

/// Cosine similarity and the terms contributing most to it.
fn cosine(a: &Vector, b: &Vector) -> (f32, Vec<String>) {
    if a.norm == 0.0 || b.norm == 0.0 {
        return (0.0, Vec::new());
    }
    let mut parts: Vec<(f32, &String)> = a
        .weights
        .iter()
        .filter_map(|(t, wa)| b.weights.get(t).map(|wb| (wa * wb, t)))
        .collect();
    let dot: f32 = parts.iter().map(|(p, _)| p).sum();
    parts.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(y.1)));
    let shared = parts
        .iter()
        .take(SHARED)
        .map(|(_, t)| a.surface.get(*t).cloned().unwrap_or_else(|| (*t).clone()))
        .collect();
    (dot / (a.norm * b.norm), shared)
}

/// Candidates: any document holding the target's heaviest words, each word boosted
/// by its weight in the target.
fn candidates(f: &Fields, me: &Vector) -> BooleanQuery {
    let mut terms: Vec<(&String, &f32)> = me.weights.iter().collect();
    terms.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let clauses = terms
        .into_iter()
        .take(QUERY_TERMS)
        .map(|(t, w)| {
            let term = TermQuery::new(
                Term::from_field_text(f.body, t),
                IndexRecordOption::WithFreqs,
            );
            let q: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(term), *w));
            (Occur::Should, q)
        })
        .collect();
    BooleanQuery::new(clauses)
}

/// The incidents most like `target`, most similar first.
pub(super) fn similar(
    index: &Index,
    reader: &IndexReader,
    f: &Fields,
    target: Target,
    limit: usize,
) -> Result<Vec<Similar>, IndexError> {
    let searcher = reader.searcher();
    let (text, own_id, own_path) = match target {
        Target::Id(id) => {
            let term = TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
            let found = searcher
                .search(&term, &TopDocs::with_limit(1).order_by_score())
                .map_err(IndexError::from)?;
            let Some((_, addr)) = found.first() else {
                return Err(IndexError::Unknown(format!(
                    "no incident with id `{id}` in the knowledge base"
                )));
            };
            let doc: TantivyDocument = searcher.doc(*addr).map_err(IndexError::from)?;
            let path = query::text(&doc, f.path).unwrap_or_default();
            let body = query::text(&doc, f.body).unwrap_or_default();
            (body, id.to_string(), path)
        }
        Target::Incident(inc, body) => (body.to_string(), inc.id.clone(), inc.path.clone()),
    };
    let mut analyzer = index
        .tokenizer_for_field(f.body)
        .map_err(IndexError::from)?;
    let me = vector(&mut analyzer, &searcher, f, &text);
    let top = query::top(
        &searcher,
        f,
        &candidates(f, &me),
        CANDIDATES.max(limit * 10) + 1,
    )?;
    let mut scored = Vec::with_capacity(top.len());
    for (_, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr).map_err(IndexError::from)?;
        let id = query::text(&doc, f.id).unwrap_or_default();
        if id == own_id || query::text(&doc, f.path).is_some_and(|p| p == own_path) {
            continue;
        }
        let other = vector(
            &mut analyzer,
            &searcher,
            f,
            &query::text(&doc, f.body).unwrap_or_default(),
        );
        let (score, shared) = cosine(&me, &other);
        scored.push((query::round(score), id, addr, shared));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.truncate(limit);
    let top: Vec<_> = scored
        .iter()
        .map(|(score, _, addr, _)| (*score, *addr))
        .collect();
    let hits = query::to_hits(&searcher, f, None, &top, Match::Similar)?;
    let mut shared: HashMap<String, Vec<String>> =
        scored.into_iter().map(|(_, id, _, s)| (id, s)).collect();
    Ok(hits
        .into_iter()
        .map(|hit| {
            let shared = shared.remove(&hit.id).unwrap_or_default();
            Similar { hit, shared }
        })
        .collect())
}

/// Similarity from which two incidents are reported as a likely recurrence (or the
/// same incident written up twice). On the public corpora, pairs above it are the
/// same failure told twice; pairs between 0.4 and 0.5 are the same company's
/// different failures.
pub const RECURRENCE: f32 = 0.5;
/// Incidents checked for recurrences per build, newest first.
pub(super) const RECURRENCE_CHECKS: usize = 50;

/// An incident that looks like a past one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recurrence {
    pub id: String,
    pub like: Similar,
}

/// Likely recurrences among `ids` (newest first, at most `RECURRENCE_CHECKS`), each
/// pair once, in id order.
pub(super) fn recurrences(
    index: &Index,
    reader: &IndexReader,
    f: &Fields,
    dated: &[(&str, Option<&str>)],
) -> Result<Vec<Recurrence>, IndexError> {
    let mut order: Vec<&(&str, Option<&str>)> = dated.iter().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    // Each check is independent; run them on every core, then pair them up in order.
    let bests: Vec<(&str, Option<Similar>)> = order
        .into_par_iter()
        .take(RECURRENCE_CHECKS)
        .map(|(id, _)| {
            let best = similar(index, reader, f, Target::Id(id), 1)?
                .into_iter()
                .next();
            Ok((*id, best))
        })
        .collect::<Result<_, IndexError>>()?;
    let mut out: Vec<Recurrence> = Vec::new();
    for (id, best) in bests {
        let Some(best) = best else {
            continue;
        };
        let seen = out
            .iter()
            .any(|r| r.id == best.hit.id && r.like.hit.id == id);
        if best.hit.score >= RECURRENCE && !seen {
            out.push(Recurrence {
                id: id.to_string(),
                like: best,
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}
