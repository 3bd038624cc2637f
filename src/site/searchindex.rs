//! The site's own search index, for search in the browser with no server and no
//! network: an inverted index cut into chunks by word range, plus document chunks,
//! each a small script file (`search/*.js`) so it also loads from `file://`.
//!
//! - `meta.js`: document count, documents per chunk, and each term chunk's first and
//!   last word;
//! - `t-<k>.js`: `{word: [doc, weight, doc-gap, weight, ...]}` for the words of chunk k;
//! - `d-<k>.js`: `[url, title, date, severity, gist]` for documents in chunk k, where
//!   the gist is the key text a result shows a window of;
//! - `facets.js` (written by the renderer): each document's year, severity, status and
//!   tags, for the index's filters.
//!
//! A one-word query loads `meta.js`, one or two term chunks and the document chunks of
//! its top ten hits. Words are split and lower-cased the way `assets/site.js` splits
//! them, and sorted the way JavaScript compares strings (UTF-16 code units).

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::json;

/// Postings per term chunk (a chunk is a few hundred KB at most).
const CHUNK_POSTINGS: usize = 20_000;
/// Documents per document chunk.
pub(super) const DOC_CHUNK: usize = 50;
/// Characters of key text kept per document for result snippets.
pub(super) const GIST_CHARS: usize = 480;

/// Words not worth indexing: they are in nearly every postmortem.
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has",
    "have", "he", "her", "his", "i", "in", "into", "is", "it", "its", "of", "on", "or", "our",
    "she", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was",
    "we", "were", "which", "while", "who", "will", "with", "would", "you",
];

/// One document to index: where it lives, what to show, and its text by weight.
pub(super) struct Doc<'a> {
    pub url: String,
    pub title: &'a str,
    pub date: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub gist: String,
    /// Texts with the weight each word in them counts for.
    pub texts: Vec<(u32, Cow<'a, str>)>,
}

/// Whether `c` is an emoji the browser script treats as a word of its own (the same
/// ranges as `EMOJI` in `assets/site.js`).
pub(super) fn emoji(c: char) -> bool {
    matches!(c as u32, 0x2300..=0x23ff | 0x2600..=0x27bf | 0x2b00..=0x2bff | 0x1f000..=0x1faff)
}

/// Words as the browser script splits them: runs of letters and digits, lower-cased,
/// and each emoji on its own.
pub(super) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find(|c: char| c.is_alphanumeric() || emoji(c))?;
            rest = &rest[start..];
            let first = rest.chars().next()?;
            let end = if emoji(first) {
                first.len_utf8()
            } else {
                rest.find(|c: char| !c.is_alphanumeric())
                    .unwrap_or(rest.len())
            };
            let w = &rest[..end];
            rest = &rest[end..];
            if emoji(first) {
                return Some(w.to_string());
            }
            let w = w.to_lowercase();
            let ok = (w.chars().count() > 1 || w.chars().all(|c| c.is_ascii_digit()))
                && w.len() <= 40
                && !STOP.contains(&w.as_str());
            if ok {
                return Some(w);
            }
        }
    })
}

fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Documents read at a time: only one batch of documents is ever held, so memory
/// grows with the index, not with the text indexed. A multiple of `DOC_CHUNK`.
const BATCH: usize = 40 * DOC_CHUNK;

/// One word's postings so far: (document gap, weight) pairs as LEB128 varints.
#[derive(Default)]
struct Postings {
    last: u32,
    count: usize,
    bytes: Vec<u8>,
}

impl Postings {
    fn push(&mut self, doc: u32, weight: u32) {
        for mut v in [doc - self.last, weight] {
            while v >= 0x80 {
                self.bytes.push((v as u8) | 0x80);
                v >>= 7;
            }
            self.bytes.push(v as u8);
        }
        self.last = doc;
        self.count += 1;
    }

    /// `gap,weight,gap,weight...` as the browser reads it.
    fn write(&self, out: &mut String) {
        use std::fmt::Write;
        let mut v = 0u32;
        let mut shift = 0;
        let mut n = 0;
        for &b in &self.bytes {
            v |= u32::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if n > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{v}");
                n += 1;
                v = 0;
                shift = 0;
            }
        }
    }
}

/// What the index came to.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Written {
    pub files: usize,
    pub bytes: usize,
}

/// Build the index of `count` documents (`doc(i)` gives document `i`), handing each
/// file to `put` as (path under `search/`, contents).
pub(super) fn build<'a, E: Send>(
    count: usize,
    doc: impl Fn(usize) -> Result<Doc<'a>, E> + Sync,
    put: &mut dyn FnMut(&str, &str) -> Result<(), E>,
) -> Result<Written, E> {
    let mut written = Written::default();
    let mut emit = |name: &str, text: String| {
        written.files += 1;
        written.bytes += text.len();
        put(name, &text)
    };
    let mut postings: HashMap<String, Postings> = HashMap::new();
    for start in (0..count).step_by(BATCH) {
        let end = (start + BATCH).min(count);
        let batch: Vec<(Vec<(String, u32)>, serde_json::Value)> = (start..end)
            .into_par_iter()
            .map(|i| {
                let d = doc(i)?;
                let mut w: HashMap<String, u32> = HashMap::new();
                for (weight, text) in &d.texts {
                    for word in words(text) {
                        *w.entry(word).or_default() += weight;
                    }
                }
                let gist: String = d.gist.chars().take(GIST_CHARS).collect();
                let row = json!([
                    d.url,
                    d.title,
                    d.date.unwrap_or(""),
                    d.severity.unwrap_or(""),
                    gist
                ]);
                Ok((w.into_iter().collect(), row))
            })
            .collect::<Result<_, E>>()?;
        for (k, part) in batch.chunks(DOC_CHUNK).enumerate() {
            let k = start / DOC_CHUNK + k;
            let rows: Vec<&serde_json::Value> = part.iter().map(|(_, row)| row).collect();
            let rows = serde_json::to_string(&rows).expect("json");
            emit(
                &format!("d-{k}.js"),
                format!("hindsightSearch.docs({k},{rows});\n"),
            )?;
        }
        for (j, (terms, _)) in batch.into_iter().enumerate() {
            let id = (start + j) as u32;
            for (term, weight) in terms {
                if let Some(p) = postings.get_mut(term.as_str()) {
                    p.push(id, weight);
                } else {
                    let mut p = Postings::default();
                    p.push(id, weight);
                    postings.insert(term, p);
                }
            }
        }
    }
    let mut terms: Vec<(String, Postings)> = postings.into_iter().collect();
    terms.sort_by(|a, b| utf16_order(&a.0, &b.0));

    let mut ranges: Vec<(String, String)> = Vec::new();
    let mut chunk: Vec<&(String, Postings)> = Vec::new();
    let mut size = 0;
    let mut flush = |chunk: &mut Vec<&(String, Postings)>| -> Result<(), E> {
        if chunk.is_empty() {
            return Ok(());
        }
        let k = ranges.len();
        ranges.push((chunk[0].0.clone(), chunk[chunk.len() - 1].0.clone()));
        let mut body = String::new();
        for (i, (term, list)) in chunk.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&serde_json::to_string(term).expect("string"));
            body.push_str(":[");
            list.write(&mut body);
            body.push(']');
        }
        chunk.clear();
        emit(
            &format!("t-{k}.js"),
            format!("hindsightSearch.terms({k},{{{body}}});\n"),
        )
    };
    for t in &terms {
        if size + t.1.count > CHUNK_POSTINGS && !chunk.is_empty() {
            flush(&mut chunk)?;
            size = 0;
        }
        size += t.1.count;
        chunk.push(t);
    }
    flush(&mut chunk)?;
    let meta = json!({ "docs": count, "doc_chunk": DOC_CHUNK, "chunks": ranges });
    emit("meta.js", format!("hindsightSearch.meta({meta});\n"))?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(url: &str, title: &'a str, body: &'a str) -> Doc<'a> {
        Doc {
            url: url.into(),
            title,
            date: Some("2025-01-02"),
            severity: None,
            gist: body.to_string(),
            texts: vec![(5, title.into()), (1, body.into())],
        }
    }

    /// The files `build` writes, sorted by name.
    fn build_all(docs: &[Doc]) -> Vec<(String, String)> {
        let mut files = Vec::new();
        let mut put = |name: &str, text: &str| {
            files.push((name.to_string(), text.to_string()));
            Ok::<(), ()>(())
        };
        let written = build(
            docs.len(),
            |i| {
                Ok(Doc {
                    url: docs[i].url.clone(),
                    gist: docs[i].gist.clone(),
                    texts: docs[i].texts.clone(),
                    ..docs[i]
                })
            },
            &mut put,
        )
        .unwrap();
        assert_eq!(written.files, files.len());
        files.sort();
        files
    }

    #[test]
    fn words_split_like_the_browser() {
        let w: Vec<String> =
            words("The `rsync --delete` wiped /var/www; HTTP 502, a ✅ Ünïcode x").collect();
        assert_eq!(
            w,
            [
                "rsync",
                "delete",
                "wiped",
                "var",
                "www",
                "http",
                "502",
                "✅",
                "ünïcode"
            ]
        );
    }

    #[test]
    fn postings_are_delta_encoded_and_weighted() {
        let docs = [
            doc("a.html", "Rsync outage", "rsync deleted files"),
            doc("b.html", "DNS", "nothing"),
            doc("c.html", "x", "rsync again"),
        ];
        let files = build_all(&docs);
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["d-0.js", "meta.js", "t-0.js"]);
        let terms = &files[2].1;
        // Doc 0: title (5) + body (1); doc 2 is two after doc 0.
        assert!(terms.contains("\"rsync\":[0,6,2,1]"), "{terms}");
        assert!(files[1].1.contains("\"docs\":3"));
        assert!(
            files[0]
                .1
                .starts_with("hindsightSearch.docs(0,[[\"a.html\",\"Rsync outage\"")
        );
    }

    #[test]
    fn chunks_cover_sorted_word_ranges() {
        let bodies: Vec<String> = (0..8000)
            .map(|i| format!("word{i:05} common shared{}", i % 7))
            .collect();
        let docs: Vec<Doc> = bodies.iter().map(|b| doc("x.html", "t", b)).collect();
        let files = build_all(&docs);
        let meta = &files.iter().find(|f| f.0 == "meta.js").unwrap().1;
        let v: serde_json::Value = serde_json::from_str(
            meta.trim_start_matches("hindsightSearch.meta(")
                .trim_end_matches(");\n"),
        )
        .unwrap();
        let ranges = v["chunks"].as_array().unwrap();
        assert!(ranges.len() >= 2);
        for pair in ranges.windows(2) {
            assert!(pair[0][1].as_str().unwrap() < pair[1][0].as_str().unwrap());
        }
        assert_eq!(
            files.iter().filter(|f| f.0.starts_with("d-")).count(),
            8000_usize.div_ceil(DOC_CHUNK)
        );
    }
}
