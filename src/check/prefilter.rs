//! Literals every match of a guard's pattern must contain, found in one pass per file.
//!
//! Guard patterns start with `(?m)^[^#\n]*?` (the match must not sit behind a comment),
//! which leaves the regex engine no prefix to skip ahead with: it runs its automaton over
//! every byte of every file. Most files hold none of the words a guard is about (`rsync`,
//! `pm2`), so a pass of Aho-Corasick over the words tells which patterns can match at
//! all, and the regexes run only where one could (as ripgrep does with inner literals).

use aho_corasick::{AhoCorasick, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Literals shorter than this are too common to be worth looking for first.
const MIN_LITERAL: usize = 3;

/// Most literals one pattern's set may hold (a cross product of small classes grows fast).
const MAX_LITERALS: usize = 64;

/// Most characters a class may have to be spelled out as literals (`[Pp]`, `(?i)k`).
const MAX_CLASS: usize = 4;

/// The required words of every pattern, searched for together.
pub(super) struct Prefilter {
    /// `None` when no pattern has required words.
    words: Option<AhoCorasick>,
    /// For each word, the pattern it belongs to.
    owner: Vec<usize>,
    /// Patterns that have no required words: they may match anywhere.
    always: Vec<bool>,
}

impl Prefilter {
    /// A prefilter for `patterns` (regex sources, as compiled for `regex::bytes`).
    pub(super) fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Prefilter {
        let mut words = Vec::new();
        let mut owner = Vec::new();
        let mut always = Vec::new();
        for (i, p) in patterns.into_iter().enumerate() {
            match required_words(p) {
                Some(ws) => {
                    owner.extend(std::iter::repeat_n(i, ws.len()));
                    words.extend(ws);
                    always.push(false);
                }
                None => always.push(true),
            }
        }
        let words = (!words.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&words)
                    .ok()
            })
            .flatten();
        if words.is_none() {
            // Without an automaton no word can be looked for: every pattern may match.
            always.iter_mut().for_each(|a| *a = true);
        }
        Prefilter {
            words,
            owner,
            always,
        }
    }

    /// Which of the patterns in `which` may match somewhere in `bytes`: `out[i]` for
    /// pattern `i` (other entries are left false).
    pub(super) fn candidates(&self, bytes: &[u8], which: &[usize], out: &mut Vec<bool>) {
        out.clear();
        out.resize(self.always.len(), false);
        let mut wanted = 0;
        for &i in which {
            if self.always[i] {
                out[i] = true;
            } else {
                wanted += 1;
            }
        }
        let Some(words) = &self.words else { return };
        if wanted == 0 {
            return;
        }
        for m in words.find_overlapping_iter(bytes) {
            let i = self.owner[m.pattern().as_usize()];
            // `which` is a file's few guards; matches of their words are rarer still.
            if !out[i] && which.contains(&i) {
                out[i] = true;
                wanted -= 1;
                if wanted == 0 {
                    return;
                }
            }
        }
    }
}

/// Words one of which every match of `pattern` contains, or `None` when no such set is
/// worth looking for (or the pattern cannot be read here: then it is always searched).
pub(super) fn required_words(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let mut words = required(&hir)?;
    words.sort();
    words.dedup();
    let worth = words.iter().all(|w| w.len() >= MIN_LITERAL) && words.len() <= MAX_LITERALS;
    worth.then_some(words)
}

/// A set of strings one of which every match of `hir` contains.
fn required(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(l) => Some(vec![l.0.to_vec()]),
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(required(a)?);
                if all.len() > MAX_LITERALS {
                    return None;
                }
            }
            Some(all)
        }
        HirKind::Concat(items) => concat(items),
        HirKind::Class(_) => spelled(hir),
        _ => None,
    }
}

/// The best required set of a concatenation: that of one item, or the words spelled
/// by a run of adjacent literals and small classes (`[Pp][Mm]2`), whichever is longest.
fn concat(items: &[Hir]) -> Option<Vec<Vec<u8>>> {
    let mut best: Option<Vec<Vec<u8>>> = None;
    let mut consider = |set: Option<Vec<Vec<u8>>>| {
        if let Some(s) = set
            && best.as_ref().is_none_or(|b| score(&s) > score(b))
        {
            best = Some(s);
        }
    };
    let mut run: Option<Vec<Vec<u8>>> = None;
    for item in items {
        match spelled(item) {
            Some(next) => {
                // Past `MAX_LITERALS` words the run starts again at this item.
                run = Some(match run.take() {
                    Some(so_far) => cross(&so_far, &next).unwrap_or(next),
                    None => next,
                });
                consider(run.clone());
            }
            None => {
                run = None;
                consider(required(item));
            }
        }
    }
    best
}

/// How good a required set is to search for: its shortest word, then fewer words.
fn score(set: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(Vec::len).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(set.len()))
}

/// Every string `hir` matches, when it is a literal, a small class, or a capture of one.
fn spelled(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(l) => Some(vec![l.0.to_vec()]),
        HirKind::Capture(c) => spelled(&c.sub),
        HirKind::Class(Class::Bytes(c)) => {
            few(c.iter().flat_map(|r| r.start()..=r.end()), |b| vec![b])
        }
        HirKind::Class(Class::Unicode(c)) => {
            few(c.iter().flat_map(|r| r.start()..=r.end()), |ch: char| {
                ch.to_string().into_bytes()
            })
        }
        _ => None,
    }
}

/// The members of a class as words, if it has at most `MAX_CLASS` of them.
fn few<T>(members: impl Iterator<Item = T>, word: impl Fn(T) -> Vec<u8>) -> Option<Vec<Vec<u8>>> {
    let members: Vec<T> = members.take(MAX_CLASS + 1).collect();
    (members.len() <= MAX_CLASS).then(|| members.into_iter().map(word).collect())
}

/// Every word of `a` followed by every word of `b`, unless there would be too many.
fn cross(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    (a.len() * b.len() <= MAX_LITERALS).then(|| {
        a.iter()
            .flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat()))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(p: &str) -> Option<Vec<String>> {
        required_words(p).map(|ws| {
            ws.into_iter()
                .map(|w| String::from_utf8(w).unwrap())
                .collect()
        })
    }

    #[test]
    fn a_guard_pattern_behind_a_comment_filter_still_has_its_word() {
        let pm2 = r#"(?m)^[^#\n]*?(?:^|[\s;&|(`"\x27])(?P<hit>pm2)(?:\s|$)"#;
        assert_eq!(words(pm2), Some(vec!["pm2".into()]));
    }

    #[test]
    fn alternatives_each_give_a_word() {
        let p = r"(?m)^[^#\n]*?(?:\brsync\b[^\n]*--del|[A-Z_]*RSYNC\s*=|synchronize:\s*delete)";
        let got = words(p).unwrap();
        assert!(got.contains(&"RSYNC".to_string()), "{got:?}");
        assert!(got.contains(&"synchronize:".to_string()), "{got:?}");
        assert!(got.iter().any(|w| w == "rsync" || w == "--del"), "{got:?}");
    }

    #[test]
    fn case_insensitive_words_are_spelled_out() {
        let got = words("(?i)drop table").unwrap();
        assert!(got.iter().all(|w| w.len() >= MIN_LITERAL), "{got:?}");
        for text in ["DROP TABLE", "drop table", "Drop Table"] {
            assert!(
                got.iter().any(|w| text.contains(w.as_str())),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn patterns_without_a_required_word_are_always_searched() {
        assert_eq!(words(r"\d+"), None);
        assert_eq!(
            words("a|bcd"),
            None,
            "a one-letter alternative is too common"
        );
        assert_eq!(words("(?:pm2)?x"), None, "an optional word is not required");
        assert_eq!(words("(unclosed"), None);
    }

    /// The prefilter never rules out a pattern that matches.
    #[test]
    fn never_rules_out_a_match() {
        let patterns = [
            r#"(?m)^[^#\n]*?(?:^|[\s;&|(`"\x27])(?P<hit>pm2)(?:\s|$)"#,
            r"(?i)\bmigrate\s+reset\b",
            r"(?m)^DEBUG\s*=\s*(?:true|1)",
            r"\d{4}",
            r"sync|rsync --delete",
        ];
        let texts = [
            "pm2 start app.js\n",
            "# pm2 start\n",
            "npx prisma MIGRATE  Reset --force\n",
            "DEBUG=true\n",
            "year 2024\n",
            "rsync --delete a b\n",
            "nothing here\n",
            "",
        ];
        let pre = Prefilter::new(patterns);
        let all: Vec<usize> = (0..patterns.len()).collect();
        let mut out = Vec::new();
        for t in texts {
            pre.candidates(t.as_bytes(), &all, &mut out);
            for (i, p) in patterns.iter().enumerate() {
                let re = regex::bytes::Regex::new(p).unwrap();
                if re.is_match(t.as_bytes()) {
                    assert!(out[i], "pattern {p:?} matches {t:?} but was ruled out");
                }
            }
        }
        pre.candidates(b"nothing here\n", &all, &mut out);
        assert!(!out[0] && !out[1] && !out[2], "{out:?}");
        assert!(out[3], "a pattern without words is always a candidate");
    }

    #[test]
    fn only_the_patterns_asked_about_are_marked() {
        let pre = Prefilter::new(["pm2", "rsync"]);
        let mut out = Vec::new();
        pre.candidates(b"pm2 and rsync", &[1], &mut out);
        assert_eq!(out, vec![false, true]);
    }
}
