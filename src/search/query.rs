//! Running a query: ranking, typo tolerance, deterministic order and snippets.
//!
//! A query first has to match every word (quote for a phrase; see `lang` for the
//! language). Only when nothing does are unknown words corrected to known ones a typo
//! away (`EADRINUSE`, `rsyn`; see `spell`), and only when that finds nothing too,
//! incidents matching some of the words: each result says which way it matched.

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{Query, QueryParser};
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, IndexReader, Searcher, TantivyDocument};

use super::IndexError;
use super::lang;
use super::schema::{Fields, default_fields};
use super::snippet::{self, Snippet};
use super::spell::Speller;

/// How a hit matched the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// Every word, exactly (after stemming).
    All,
    /// Every word, after correcting words no incident has to ones a typo away.
    Near,
    /// Some of the words.
    Some,
    /// A similarity search.
    Similar,
}

/// One ranked result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub path: String,
    pub score: f32,
    pub date: Option<String>,
    pub severity: Option<String>,
    pub tags: Vec<String>,
    pub snippet: String,
    /// Byte ranges of `snippet` that matched.
    pub highlights: Vec<(usize, usize)>,
    pub matched: Match,
}

fn parser(index: &Index, f: &Fields, all_words: bool) -> QueryParser {
    let defaults = default_fields(f);
    let mut p = QueryParser::for_index(index, defaults.iter().map(|(field, _)| *field).collect());
    if all_words {
        p.set_conjunction_by_default();
    }
    for (field, boost) in defaults {
        p.set_field_boost(field, boost);
    }
    // `lang` writes regexes only for `word*` prefixes.
    p.allow_regexes();
    p
}

/// Ranked hits for the user query `q`.
pub(super) fn search(
    index: &Index,
    reader: &IndexReader,
    f: &Fields,
    q: &str,
    limit: usize,
) -> Result<Vec<Hit>, IndexError> {
    if let Some(why) = lang::too_big(q).or_else(|| lang::bad_filter(q)) {
        return Err(IndexError::Query(why));
    }
    let exact = lang::rewrite(q, false);
    if exact.is_empty() {
        return Err(IndexError::Query(format!(
            "`{q}` has no words to search for"
        )));
    }
    let searcher = reader.searcher();
    let mut speller = Speller::new(
        &searcher,
        f,
        index
            .tokenizer_for_field(f.body)
            .map_err(IndexError::from)?,
    );
    let loose = lang::rewrite(q, true);
    let corrected = lang::rewrite_with(q, true, &mut |w| speller.correct(w));
    let mut tries = vec![(exact, true, Match::All)];
    if corrected != loose {
        tries.push((corrected.clone(), true, Match::Near));
    }
    tries.push((corrected, false, Match::Some));
    for (text, all_words, matched) in tries {
        let (query, _) = parser(index, f, all_words).parse_query_lenient(&text);
        let top = top(&searcher, f, &*query, limit.max(1))?;
        if !top.is_empty() {
            return to_hits(&searcher, f, Some(&*query), &top, matched);
        }
    }
    Ok(Vec::new())
}

/// The `limit` best hits of `query`, by score rounded to three decimals, ties broken
/// by the id's order number: the same hits every time, whatever the segments.
pub(super) fn top(
    searcher: &Searcher,
    f: &Fields,
    query: &dyn Query,
    limit: usize,
) -> Result<Vec<(f32, DocAddress)>, IndexError> {
    let field = searcher.schema().get_field_name(f.order).to_string();
    let collector =
        TopDocs::with_limit(limit).tweak_score(move |segment: &tantivy::SegmentReader| {
            let order = segment
                .fast_fields()
                .u64(&field)
                .ok()
                .map(|c| c.first_or_default_col(0));
            move |doc: tantivy::DocId, score: tantivy::Score| {
                let key = order.as_ref().map_or(0, |c| c.get_val(doc));
                (round(score), std::cmp::Reverse(key))
            }
        });
    let found = searcher
        .search(query, &collector)
        .map_err(IndexError::from)?;
    Ok(found.into_iter().map(|((s, _), addr)| (s, addr)).collect())
}

/// A score to three decimals.
pub(super) fn round(score: f32) -> f32 {
    (score * 1000.0).round() / 1000.0
}

pub(super) fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Hits for `top`, ordered by score then id so ties come out the same every run.
/// Excerpts come from around the terms `query` matched, else from the summary.
pub(super) fn to_hits(
    searcher: &Searcher,
    f: &Fields,
    query: Option<&dyn Query>,
    top: &[(f32, DocAddress)],
    matched: Match,
) -> Result<Vec<Hit>, IndexError> {
    let generator = match query {
        Some(q) => {
            let mut g = SnippetGenerator::create(searcher, q, f.body).map_err(IndexError::from)?;
            g.set_max_num_chars(snippet::CHARS);
            Some(g)
        }
        None => None,
    };
    let mut out = top
        .iter()
        .map(|(score, addr)| {
            let doc: TantivyDocument = searcher.doc(*addr).map_err(IndexError::from)?;
            let body = text(&doc, f.body).unwrap_or_default();
            let summary = text(&doc, f.summary).unwrap_or_default();
            let s = match &generator {
                Some(g) => {
                    let s = g.snippet(&body);
                    let found = Snippet {
                        text: s.fragment().to_string(),
                        highlights: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
                    };
                    if found.highlights.is_empty() {
                        snippet::lead(&summary, &body)
                    } else {
                        found
                    }
                }
                None => snippet::lead(&summary, &body),
            }
            .flattened();
            Ok(Hit {
                id: text(&doc, f.id).unwrap_or_default(),
                title: text(&doc, f.title).unwrap_or_default(),
                path: text(&doc, f.path).unwrap_or_default(),
                score: *score,
                date: doc
                    .get_first(f.date)
                    .and_then(|v| v.as_datetime())
                    .map(|d| super::schema::iso_date(d.into_timestamp_secs())),
                severity: text(&doc, f.severity),
                tags: doc
                    .get_all(f.tag)
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                snippet: s.text,
                highlights: s.highlights,
                matched,
            })
        })
        .collect::<Result<Vec<Hit>, IndexError>>()?;
    // Scores are rounded: summing per-field scores across segments can differ in the
    // last bit between two builds of the same knowledge base.
    for h in &mut out {
        h.score = round(h.score);
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}
