//! The site's own search index, for search in the browser with no server and no
//! network: an inverted index cut into chunks by word range, plus document chunks,
//! each a small script file (`search/*.js`) so it also loads from `file://`.
//!
//! - `meta.js`: document count, documents per chunk, and each term chunk's first and
//!   last word;
//! - `t-<k>.js`: `{word: [doc, weight, doc-gap, weight, ...]}` for the words of chunk k;
//! - `d-<k>.js`: `[url, title, date, severity, gist]` for documents in chunk k, where
//!   the gist is the key text a result shows a window of.
//!
//! A one-word query loads `meta.js`, one or two term chunks and the document chunks of
//! its top ten hits. Words are split and lower-cased the way `assets/site.js` splits
//! them, and sorted the way JavaScript compares strings (UTF-16 code units).

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde_json::json;

/// Postings per term chunk (a chunk is a few hundred KB at most).
const CHUNK_POSTINGS: usize = 20_000;
/// Documents per document chunk.
pub const DOC_CHUNK: usize = 50;
/// Characters of key text kept per document for result snippets.
pub const GIST_CHARS: usize = 480;

/// Words not worth indexing: they are in nearly every postmortem.
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has",
    "have", "he", "her", "his", "i", "in", "into", "is", "it", "its", "of", "on", "or", "our",
    "she", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was",
    "we", "were", "which", "while", "who", "will", "with", "would", "you",
];

/// One document to index: where it lives, what to show, and its text by weight.
pub struct Doc<'a> {
    pub url: String,
    pub title: &'a str,
    pub date: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub gist: String,
    /// Texts with the weight each word in them counts for.
    pub texts: Vec<(u32, &'a str)>,
}

/// Words as the browser script splits them: runs of letters and digits, lower-cased.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| {
            (w.chars().count() > 1 || w.chars().all(|c| c.is_ascii_digit())) && w.len() <= 40
        })
        .filter(|w| !STOP.contains(&w.as_str()))
}

fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The index files, as (path under `search/`, contents).
pub fn build(docs: &[Doc]) -> Vec<(String, String)> {
    let per_doc: Vec<HashMap<String, u32>> = docs
        .par_iter()
        .map(|d| {
            let mut w: HashMap<String, u32> = HashMap::new();
            for (weight, text) in &d.texts {
                for word in words(text) {
                    *w.entry(word).or_default() += weight;
                }
            }
            w
        })
        .collect();
    let mut postings: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
    for (i, terms) in per_doc.into_iter().enumerate() {
        for (t, w) in terms {
            postings.entry(t).or_default().push((i as u32, w));
        }
    }
    let mut terms: Vec<(String, Vec<(u32, u32)>)> = postings.into_iter().collect();
    terms.sort_by(|a, b| utf16_order(&a.0, &b.0));

    let mut files = Vec::new();
    let mut ranges: Vec<(String, String)> = Vec::new();
    let mut chunk: Vec<&(String, Vec<(u32, u32)>)> = Vec::new();
    let mut size = 0;
    let mut flush = |chunk: &mut Vec<&(String, Vec<(u32, u32)>)>,
                     files: &mut Vec<(String, String)>| {
        if chunk.is_empty() {
            return;
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
            let mut prev = 0;
            for (j, (doc, w)) in list.iter().enumerate() {
                if j > 0 {
                    body.push(',');
                }
                body.push_str(&format!("{},{}", doc - prev, w));
                prev = *doc;
            }
            body.push(']');
        }
        files.push((
            format!("t-{k}.js"),
            format!("hindsightSearch.terms({k},{{{body}}});\n"),
        ));
        chunk.clear();
    };
    for t in &terms {
        if size + t.1.len() > CHUNK_POSTINGS && !chunk.is_empty() {
            flush(&mut chunk, &mut files);
            size = 0;
        }
        size += t.1.len();
        chunk.push(t);
    }
    flush(&mut chunk, &mut files);

    for (k, part) in docs.chunks(DOC_CHUNK).enumerate() {
        let rows: Vec<serde_json::Value> = part
            .iter()
            .map(|d| {
                let gist: String = d.gist.chars().take(GIST_CHARS).collect();
                json!([
                    d.url,
                    d.title,
                    d.date.unwrap_or(""),
                    d.severity.unwrap_or(""),
                    gist
                ])
            })
            .collect();
        files.push((
            format!("d-{k}.js"),
            format!(
                "hindsightSearch.docs({k},{});\n",
                serde_json::Value::Array(rows)
            ),
        ));
    }
    let meta = json!({ "docs": docs.len(), "doc_chunk": DOC_CHUNK, "chunks": ranges });
    files.push((
        "meta.js".to_string(),
        format!("hindsightSearch.meta({meta});\n"),
    ));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
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
            texts: vec![(5, title), (1, body)],
        }
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
        let files = build(&docs);
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
        let files = build(&docs);
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
