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

use super::Key;

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

/// What a result shows of one document.
pub(super) struct Doc<'a> {
    pub url: String,
    pub title: &'a str,
    pub date: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub gist: String,
}

/// A document's texts, each with the weight its words count for.
pub(super) type Texts<'a> = Vec<(u32, Cow<'a, str>)>;

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
#[derive(Default, Clone, PartialEq, Debug)]
pub(super) struct Postings {
    pub(super) last: u32,
    pub(super) count: usize,
    pub(super) bytes: Vec<u8>,
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

    /// The (document, weight) pairs, in document order; `None` if the bytes do not
    /// decode (they may come from a file on disk).
    pub(super) fn pairs(&self) -> Option<Vec<(u32, u32)>> {
        let mut out = Vec::with_capacity(self.count);
        let (mut v, mut shift, mut doc, mut gap) = (0u32, 0u32, 0u32, None);
        for &b in &self.bytes {
            if shift > 28 {
                return None;
            }
            v |= u32::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                match gap.take() {
                    None => gap = Some(v),
                    Some(g) => {
                        doc = doc.checked_add(g)?;
                        out.push((doc, v));
                    }
                }
                v = 0;
                shift = 0;
            }
        }
        let whole = gap.is_none() && shift == 0 && out.len() == self.count;
        (whole && out.last().map_or(0, |p| p.0) == self.last).then_some(out)
    }

    /// Postings of `pairs`, which are in document order.
    fn of(pairs: &[(u32, u32)]) -> Postings {
        let mut p = Postings::default();
        for &(doc, weight) in pairs {
            p.push(doc, weight);
        }
        p
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

/// The postings a build made, by word, and the documents they index (each by its key,
/// in index order): kept for the next build, which then reads only the documents it
/// has not seen (see `build`).
#[derive(Default, Debug, PartialEq)]
pub(super) struct Prior {
    pub(super) docs: Vec<Key>,
    pub(super) terms: HashMap<String, Postings>,
}

/// What the index came to.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Written {
    pub files: usize,
    pub bytes: usize,
}

/// Build the index of the documents whose keys are `keys` (in index order): `doc(i)`
/// gives what a result shows of document `i`, `texts(i)` its texts. Each file goes to
/// `put` as (path under `search/`, contents). With the postings of an earlier build
/// (`prior`), only the documents whose keys it does not hold are read: the rest keep
/// their postings, renumbered to their new places. Returns the postings for the next.
pub(super) fn build<'a, E: Send>(
    keys: &[Key],
    prior: Option<Prior>,
    doc: impl Fn(usize) -> Doc<'a> + Sync,
    texts: impl Fn(usize) -> Result<Texts<'a>, E> + Sync,
    put: &mut dyn FnMut(&str, &str) -> Result<(), E>,
) -> Result<(Written, Prior), E> {
    let count = keys.len();
    let (mut postings, fresh) = match prior.and_then(|p| carried(p, keys)) {
        Some(carried) => carried,
        None => (HashMap::new(), (0..count).collect()),
    };
    let mut added: HashMap<String, Postings> = HashMap::new();
    for batch in fresh.chunks(BATCH) {
        let terms: Vec<Vec<(String, u32)>> = batch
            .par_iter()
            .map(|&i| Ok(weighed(&texts(i)?)))
            .collect::<Result<_, E>>()?;
        for (&i, terms) in batch.iter().zip(terms) {
            for (term, weight) in terms {
                if let Some(p) = added.get_mut(term.as_str()) {
                    p.push(i as u32, weight);
                } else {
                    let mut p = Postings::default();
                    p.push(i as u32, weight);
                    added.insert(term, p);
                }
            }
        }
    }
    merge(&mut postings, added);
    let mut written = Written::default();
    let mut emit = |name: &str, text: String| {
        written.files += 1;
        written.bytes += text.len();
        put(name, &text)
    };
    for start in (0..count).step_by(BATCH) {
        let end = (start + BATCH).min(count);
        let rows: Vec<serde_json::Value> =
            (start..end).into_par_iter().map(|i| row(&doc(i))).collect();
        for (k, part) in rows.chunks(DOC_CHUNK).enumerate() {
            let k = start / DOC_CHUNK + k;
            let rows = serde_json::to_string(part).expect("json");
            emit(
                &format!("d-{k}.js"),
                format!("hindsightSearch.docs({k},{rows});\n"),
            )?;
        }
    }
    let mut terms: Vec<(&String, &Postings)> = postings.iter().collect();
    terms.sort_by(|a, b| utf16_order(a.0, b.0));

    let mut ranges: Vec<(String, String)> = Vec::new();
    let mut chunk: Vec<(&String, &Postings)> = Vec::new();
    let mut size = 0;
    let mut flush = |chunk: &mut Vec<(&String, &Postings)>| -> Result<(), E> {
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
    for t in terms {
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
    let prior = Prior {
        docs: keys.to_vec(),
        terms: postings,
    };
    Ok((written, prior))
}

/// The row a result is shown from.
fn row(d: &Doc) -> serde_json::Value {
    let gist: String = d.gist.chars().take(GIST_CHARS).collect();
    json!([
        d.url,
        d.title,
        d.date.unwrap_or(""),
        d.severity.unwrap_or(""),
        gist
    ])
}

/// Each word of `texts` with the sum of the weights of the texts it is in.
fn weighed(texts: &Texts) -> Vec<(String, u32)> {
    let mut w: HashMap<String, u32> = HashMap::new();
    for (weight, text) in texts {
        for word in words(text) {
            *w.entry(word).or_default() += weight;
        }
    }
    w.into_iter().collect()
}

/// The postings of `prior` for the documents still in `keys`, renumbered to their
/// places there, and the documents (in order) it does not hold. `None` when the prior
/// does not read back whole, or is not worth it (it holds too few of the documents).
fn carried(prior: Prior, keys: &[Key]) -> Option<(HashMap<String, Postings>, Vec<usize>)> {
    let at: HashMap<&Key, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k, i as u32))
        .collect();
    // A key twice (two documents made from the same file) cannot say which is which.
    if at.len() != keys.len() {
        return None;
    }
    let to: Vec<Option<u32>> = prior.docs.iter().map(|k| at.get(k).copied()).collect();
    let mut held = vec![false; keys.len()];
    for &n in to.iter().flatten() {
        if std::mem::replace(&mut held[n as usize], true) {
            return None;
        }
    }
    let fresh: Vec<usize> = (0..keys.len()).filter(|&i| !held[i]).collect();
    if fresh.len() * 2 > keys.len() {
        return None;
    }
    let same_places = to
        .iter()
        .enumerate()
        .all(|(old, new)| new.is_none_or(|n| n as usize == old));
    let terms: Option<HashMap<String, Postings>> = prior
        .terms
        .into_par_iter()
        .filter_map(|(term, p)| {
            let Some(pairs) = p.pairs() else {
                return Some(None);
            };
            if pairs.iter().any(|&(d, _)| d as usize >= to.len()) {
                return Some(None);
            }
            if same_places && pairs.iter().all(|&(d, _)| to[d as usize].is_some()) {
                return Some(Some((term, p)));
            }
            let mut moved: Vec<(u32, u32)> = pairs
                .iter()
                .filter_map(|&(d, w)| Some((to[d as usize]?, w)))
                .collect();
            if moved.is_empty() {
                return None;
            }
            if !same_places {
                moved.sort_unstable_by_key(|p| p.0);
            }
            Some(Some((term, Postings::of(&moved))))
        })
        .collect();
    Some((terms?, fresh))
}

/// `added` (postings of documents read this build) merged into `postings`.
fn merge(postings: &mut HashMap<String, Postings>, added: HashMap<String, Postings>) {
    if postings.is_empty() {
        *postings = added;
        return;
    }
    for (term, new) in added {
        match postings.get_mut(term.as_str()) {
            None => {
                postings.insert(term, new);
            }
            Some(old) => {
                let mut pairs = old.pairs().unwrap_or_default();
                pairs.extend(new.pairs().unwrap_or_default());
                pairs.sort_unstable_by_key(|p| p.0);
                *old = Postings::of(&pairs);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document: its url, title and body.
    type Source<'a> = (&'a str, &'a str, &'a str);

    fn shown<'a>(d: &Source<'a>) -> Doc<'a> {
        Doc {
            url: d.0.into(),
            title: d.1,
            date: Some("2025-01-02"),
            severity: None,
            gist: d.2.to_string(),
        }
    }

    fn texts<'a>(d: &Source<'a>) -> Texts<'a> {
        vec![(5, d.1.into()), (1, d.2.into())]
    }

    /// A key per document, from its body.
    fn keys(docs: &[Source]) -> Vec<Key> {
        use sha2::Digest;
        docs.iter()
            .map(|d| sha2::Sha256::digest(d.2).into())
            .collect()
    }

    /// The files `build` writes, sorted by name, and the postings it leaves; documents
    /// whose texts are read are counted in `read`.
    fn build_from(
        docs: &[Source],
        prior: Option<Prior>,
        read: &std::sync::atomic::AtomicUsize,
    ) -> (Vec<(String, String)>, Prior) {
        let mut files = Vec::new();
        let mut put = |name: &str, text: &str| {
            files.push((name.to_string(), text.to_string()));
            Ok::<(), ()>(())
        };
        let (written, prior) = build(
            &keys(docs),
            prior,
            |i| shown(&docs[i]),
            |i| {
                read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(texts(&docs[i]))
            },
            &mut put,
        )
        .unwrap();
        assert_eq!(written.files, files.len());
        files.sort();
        (files, prior)
    }

    fn build_all(docs: &[Source]) -> Vec<(String, String)> {
        build_from(docs, None, &Default::default()).0
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
            ("a.html", "Rsync outage", "rsync deleted files"),
            ("b.html", "DNS", "nothing"),
            ("c.html", "x", "rsync again"),
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
        let docs: Vec<Source> = bodies.iter().map(|b| ("x.html", "t", b.as_str())).collect();
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

    /// From the postings of an earlier build, only new and changed documents are read,
    /// and every file is what a build from nothing writes: after an edit in place, an
    /// addition at the front (every document moves), a removal and a reordering.
    #[test]
    fn postings_carried_over_give_the_same_files() {
        let bodies: Vec<String> = (0..300)
            .map(|i| format!("word{i:03} common shared{} rsync{}", i % 7, i % 3))
            .collect();
        let base: Vec<Source> = bodies.iter().map(|b| ("x.html", "t", b.as_str())).collect();
        let mut edited = base.clone();
        edited[150].2 = "rsync deleted everything word150 brand new words";
        let mut added = vec![("n.html", "New", "a new postmortem about kubernetes")];
        added.extend(base.iter().copied());
        let mut removed = base.clone();
        removed.remove(7);
        removed.remove(200);
        let mut reordered = base.clone();
        reordered.swap(3, 250);
        reordered.rotate_left(40);
        let zero = std::sync::atomic::AtomicUsize::new(0);
        let (_, first) = build_from(&base, None, &zero);
        for (docs, fresh) in [
            (&edited, 1),
            (&added, 1),
            (&removed, 0),
            (&reordered, 0),
            (&base, 0),
        ] {
            let read = std::sync::atomic::AtomicUsize::new(0);
            let prior = Prior {
                docs: first.docs.clone(),
                terms: first.terms.clone(),
            };
            let (files, next) = build_from(docs, Some(prior), &read);
            let (clean, clean_next) = build_from(docs, None, &zero);
            assert_eq!(files, clean);
            assert_eq!(next, clean_next);
            assert_eq!(read.into_inner(), fresh);
        }
    }

    /// Postings that do not decode are not carried over: everything is read again.
    #[test]
    fn damaged_postings_are_read_again() {
        let docs: Vec<Source> = vec![("a.html", "A", "rsync one"), ("b.html", "B", "rsync two")];
        let zero = std::sync::atomic::AtomicUsize::new(0);
        let (clean, mut prior) = build_from(&docs, None, &zero);
        prior.terms.get_mut("rsync").unwrap().bytes.push(0x80);
        let read = std::sync::atomic::AtomicUsize::new(0);
        let (files, _) = build_from(&docs, Some(prior), &read);
        assert_eq!(files, clean);
        assert_eq!(read.into_inner(), 2);
    }
}
