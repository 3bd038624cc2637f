//! The query language users type, rewritten into tantivy's grammar.
//!
//! People paste what they saw: `rsync --delete`, `dist/_worker.js`, `Error: listen
//! EADDRINUSE`. Those must search as text, not trip the grammar, so every word that is
//! not a known operator or `field:value` is quoted. What stays special:
//!
//! - `"a phrase"`, `"prefix"*`, `AND`, `OR`, `NOT`, `( )`, `-word` (exclude), `+word`;
//! - `word*` (a prefix of at least two letters);
//! - `cause:`, `symptom:`, `fix:`, `lesson:`, `prevention:`, `tag:`, `title:`, `summary:`,
//!   `body:` (plural forms too), `severity:`/`sev:` (`SEV-1`, `P0`, `critical`),
//!   `status:`, `id:`;
//! - `date:2025`, `date:2025-08`, `date:2025-08-15`, `date:[2025-01-01 TO 2025-06-30]`,
//!   `after:2025-09-01`, `before:2026-01-01`.
//!
//! `--flag` is the word `flag`: a command-line flag is text, not an exclusion.

use crate::incident::{normalize_severity, normalize_status};

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Open,
    Close,
    /// A quoted phrase with its closing quote and any `~N` or `*` suffix.
    Phrase(&'a str),
    Word(&'a str),
}

fn lex(q: &str) -> Vec<Tok<'_>> {
    let b = q.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'(' {
            out.push(Tok::Open);
            i += 1;
        } else if c == b')' {
            out.push(Tok::Close);
            i += 1;
        } else if c == b'"' {
            let end = quoted_end(b, i);
            out.push(Tok::Phrase(&q[i..end]));
            i = end;
        } else {
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                // `field:[a TO b]` and `field:"a b"` are one word.
                if b[i] == b':' && i + 1 < b.len() {
                    match b[i + 1] {
                        b'[' | b'{' => {
                            i = b[i..]
                                .iter()
                                .position(|&x| x == b']' || x == b'}')
                                .map_or(b.len(), |p| i + p + 1);
                            continue;
                        }
                        b'"' => {
                            i = quoted_end(b, i + 1);
                            continue;
                        }
                        _ => {}
                    }
                }
                i += 1;
            }
            let mut word = &q[start..i];
            // A closing parenthesis glued to a word closes a group unless the word
            // opened one itself (`exit(1)`).
            let mut closes = 0;
            while word.ends_with(')') && word.matches(')').count() > word.matches('(').count() {
                word = &word[..word.len() - 1];
                closes += 1;
            }
            if !word.is_empty() {
                out.push(Tok::Word(word));
            }
            out.extend(std::iter::repeat_n(Tok::Close, closes));
        }
    }
    out
}

/// Index just past a quoted string starting at `open` (a `"`), with its suffix.
fn quoted_end(b: &[u8], open: usize) -> usize {
    let mut i = b[open + 1..]
        .iter()
        .position(|&x| x == b'"')
        .map_or(b.len(), |p| open + 1 + p + 1);
    if i < b.len() && b[i] == b'*' {
        i += 1;
    } else if i < b.len() && b[i] == b'~' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    i
}

/// Canonical name of a field the user may write.
fn field(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "cause" | "causes" => "cause",
        "symptom" | "symptoms" => "symptom",
        "fix" | "fixes" => "fix",
        "lesson" | "lessons" => "lesson",
        "prevention" => "prevention",
        "tag" | "tags" => "tag",
        "title" => "title",
        "summary" => "summary",
        "body" => "body",
        "severity" | "sev" => "severity",
        "status" => "status",
        "id" => "id",
        "date" => "date",
        "after" => "after",
        "before" => "before",
        _ => return None,
    })
}

/// Groups a query may nest: tantivy's parser recurses once a level, and 3,000 levels
/// overflowed the stack.
const MAX_DEPTH: usize = 16;
/// Words and phrases a query may hold: each unknown word costs a spelling lookup, and
/// 5,000 of them took minutes.
const MAX_TERMS: usize = 64;

/// Why `q` is too big to run, if it is.
pub(super) fn too_big(q: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut deepest = 0;
    let mut terms = 0;
    for t in lex(q) {
        match t {
            Tok::Open => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Tok::Close => depth = depth.saturating_sub(1),
            Tok::Word("AND" | "OR" | "NOT") => {}
            Tok::Phrase(_) | Tok::Word(_) => terms += 1,
        }
    }
    if deepest > MAX_DEPTH {
        return Some(format!(
            "the query nests parentheses {deepest} deep; at most {MAX_DEPTH} levels"
        ));
    }
    (terms > MAX_TERMS)
        .then(|| format!("the query has {terms} words and phrases; at most {MAX_TERMS}"))
}

/// What is wrong with a filter in `q` (`date:`, `after:`, `before:`, `sev:`,
/// `status:`), if anything: a filter that cannot be read is an error, not a filter
/// dropped or one that matches nothing.
pub(super) fn bad_filter(q: &str) -> Option<String> {
    for t in lex(q) {
        let Tok::Word(w) = t else { continue };
        let w = w.trim_start_matches(['-', '+']);
        let Some((name, value)) = w.split_once(':') else {
            continue;
        };
        let Some(f) = field(name) else { continue };
        let problem = match f {
            "date" if value.starts_with(['[', '{']) && date(value).is_none() => {
                "is not a date range; write `date:[2025-01-01 TO 2025-06-30]` (`*` for an open end)"
            }
            "date" if date(value).is_none() => {
                "is not a date; write `date:2025`, `date:2025-08` or `date:2025-08-15`"
            }
            "after" | "before" if day(value).is_none() => {
                "is not a day; write it as YYYY-MM-DD, e.g. `after:2025-06-01`"
            }
            "severity"
                if normalize_severity(value)
                    .or_else(|| normalize_severity(&format!("sev{value}")))
                    .is_none() =>
            {
                "is not a severity; use critical, high, medium or low (or SEV-1..4, P0..P3, 1..4)"
            }
            "status" if normalize_status(value).is_none() => {
                "is not a status; use resolved, recovering, investigating or open"
            }
            _ => continue,
        };
        if value.is_empty() {
            return Some(format!(
                "`{w}` has no value: {}",
                problem.split_once("; ").map_or(problem, |p| p.1)
            ));
        }
        return Some(format!("`{w}` {problem}"));
    }
    None
}

/// Rewrite a user query into tantivy's query grammar. `loose` splits unquoted text
/// such as `dist/_worker.js` into separate words instead of one phrase, so typo
/// tolerance (which works on words) can reach it.
pub(super) fn rewrite(q: &str, loose: bool) -> String {
    rewrite_with(q, loose, &mut |_| None)
}

/// Spelling fixes for bare words: the word to search instead, if any.
pub(super) type Fix<'a> = dyn FnMut(&str) -> Option<String> + 'a;

/// `rewrite`, replacing each bare word (not phrases or field values) `fix` corrects.
pub(super) fn rewrite_with(q: &str, loose: bool, fix: &mut Fix) -> String {
    let mut out: Vec<String> = Vec::new();
    for t in lex(q) {
        let s = match t {
            Tok::Open => "(".to_string(),
            Tok::Close => ")".to_string(),
            Tok::Phrase(p) => phrase(p),
            Tok::Word(w) => word(w, loose, fix),
        };
        if !s.is_empty() {
            out.push(s);
        }
    }
    out.join(" ")
}

fn phrase(p: &str) -> String {
    let (body, suffix) = match p.rfind('"') {
        Some(end) if end > 0 => (&p[1..end], &p[end + 1..]),
        _ => (&p[1..], ""),
    };
    let body = clean(body);
    if body.trim().is_empty() {
        return String::new();
    }
    format!("\"{body}\"{suffix}")
}

/// Text safe inside a tantivy phrase.
fn clean(s: &str) -> String {
    s.replace(['"', '\\'], " ")
}

fn word(w: &str, loose: bool, fix: &mut Fix) -> String {
    if matches!(w, "AND" | "OR" | "NOT") {
        return w.to_string();
    }
    if let Some(rest) = w.strip_prefix("--") {
        return text(rest.trim_start_matches('-'), loose, fix);
    }
    if let Some(rest) = w.strip_prefix(['-', '+']) {
        let inner = word(rest, loose, fix);
        return if inner.is_empty() {
            inner
        } else {
            format!("{}{inner}", &w[..1])
        };
    }
    if let Some((name, value)) = w.split_once(':')
        && let Some(f) = field(name)
    {
        let q = fielded(f, value);
        // Filters stay required when a loose query lets words go.
        let filter = matches!(
            f,
            "date" | "after" | "before" | "severity" | "status" | "id"
        );
        return if loose && filter && !q.is_empty() {
            format!("+{q}")
        } else {
            q
        };
    }
    text(w, loose, fix)
}

/// A word to match as text: bare if the grammar would read it as one, else quoted (or,
/// when `loose`, its words grouped).
fn text(w: &str, loose: bool, fix: &mut Fix) -> String {
    if !w.chars().any(char::is_alphanumeric) {
        return String::new();
    }
    let plain = |s: &str| s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain(w) {
        return fix(w).unwrap_or_else(|| w.to_string());
    }
    if let Some(stem) = w.strip_suffix('*')
        && plain(stem)
        && stem.chars().count() >= 2
    {
        // tantivy's parser has no single-word prefix; a regex per field is one.
        let p = stem.to_lowercase();
        return format!("(title:/{p}.*/ OR body:/{p}.*/)");
    }
    if loose {
        let parts: Vec<String> = w
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|p| !p.is_empty())
            .map(|p| fix(p).unwrap_or_else(|| p.to_string()))
            .collect();
        return if parts.len() == 1 {
            parts[0].clone()
        } else {
            format!("({})", parts.join(" "))
        };
    }
    format!("\"{}\"", clean(w))
}

fn fielded(f: &str, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    match f {
        "date" => date(value).unwrap_or_default(),
        "after" => day(value)
            .map(|d| format!("date:[{d} TO *]"))
            .unwrap_or_default(),
        "before" => day(value)
            .map(|d| format!("date:[* TO {d}}}"))
            .unwrap_or_default(),
        "severity" => {
            let s =
                normalize_severity(value).or_else(|| normalize_severity(&format!("sev{value}")));
            format!("severity:{}", s.map_or("none", |s| s.as_str()))
        }
        "status" => format!(
            "status:{}",
            normalize_status(value).map_or("none", |s| s.as_str())
        ),
        "id" => format!("id:\"{}\"", clean(value)),
        _ if value.starts_with('"') => format!("{f}:{}", phrase(value)),
        _ => {
            let t = text(value, false, &mut |_| None);
            if t.is_empty() { t } else { format!("{f}:{t}") }
        }
    }
}

/// `YYYY-MM-DD` as the timestamp tantivy's date fields take.
fn day(v: &str) -> Option<String> {
    let ok = v.len() == 10
        && v.as_bytes().iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    let m: u32 = v.get(5..7)?.parse().ok()?;
    let d: u32 = v.get(8..10)?.parse().ok()?;
    (ok && (1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{v}T00:00:00Z"))
}

fn date(v: &str) -> Option<String> {
    if let Some(range) = v.strip_prefix(['[', '{']) {
        let open = &v[..1];
        let close = range.chars().last().filter(|c| matches!(c, ']' | '}'))?;
        let inner = &range[..range.len() - 1];
        let (from, to) = inner.split_once(" TO ")?;
        let bound = |s: &str| -> Option<String> {
            let s = s.trim();
            if s == "*" { Some("*".into()) } else { day(s) }
        };
        return Some(format!(
            "date:{open}{} TO {}{close}",
            bound(from)?,
            bound(to)?
        ));
    }
    let parts: Vec<&str> = v.split('-').collect();
    let num = |s: &str, n: usize| {
        (s.len() == n && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let (from, to) = match parts.as_slice() {
        [y] => {
            let y = num(y, 4)?;
            (format!("{y}-01-01"), format!("{}-01-01", y + 1))
        }
        [y, m] => {
            let (y, m) = (num(y, 4)?, num(m, 2).filter(|m| (1..=12).contains(m))?);
            let to = if m == 12 {
                format!("{}-01-01", y + 1)
            } else {
                format!("{y}-{:02}-01", m + 1)
            };
            (format!("{y}-{m:02}-01"), to)
        }
        [_, _, _] => {
            day(v)?;
            (v.to_string(), super::schema::next_day(v))
        }
        _ => return None,
    };
    Some(format!("date:[{from}T00:00:00Z TO {to}T00:00:00Z}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_dates_and_severities() {
        assert_eq!(
            rewrite("causes:rsync sev:SEV-1", false),
            "cause:rsync severity:critical"
        );
        assert_eq!(
            rewrite("date:2025", false),
            "date:[2025-01-01T00:00:00Z TO 2026-01-01T00:00:00Z}"
        );
        assert_eq!(
            rewrite("date:2025-12", false),
            "date:[2025-12-01T00:00:00Z TO 2026-01-01T00:00:00Z}"
        );
        assert_eq!(
            rewrite("date:2025-08-15 pm2", false),
            "date:[2025-08-15T00:00:00Z TO 2025-08-16T00:00:00Z} pm2"
        );
        assert_eq!(
            rewrite("after:2025-09-01", false),
            "date:[2025-09-01T00:00:00Z TO *]"
        );
        assert_eq!(
            rewrite("before:2025-09-01", false),
            "date:[* TO 2025-09-01T00:00:00Z}"
        );
        assert_eq!(
            rewrite("date:[2025-01-01 TO 2025-06-30] nginx", false),
            "date:[2025-01-01T00:00:00Z TO 2025-06-30T00:00:00Z] nginx"
        );
        assert_eq!(rewrite("status:fixed", false), "status:resolved");
        assert_eq!(rewrite("date:soon rsync", false), "rsync");
    }

    #[test]
    fn oversized_queries_are_refused() {
        let deep = format!("{}rsync{}", "(".repeat(3000), ")".repeat(3000));
        assert!(too_big(&deep).is_some_and(|e| e.contains("nests")));
        let wide = vec!["zzqx"; 5000].join(" OR ");
        assert!(too_big(&wide).is_some_and(|e| e.contains("5000 words")));
        assert_eq!(
            too_big("cause:nginx after:2025-06-01 (rsync OR scp) \"git reset\""),
            None
        );
    }

    #[test]
    fn pasted_text_is_text() {
        assert_eq!(rewrite("rsync --delete", false), "rsync delete");
        assert_eq!(rewrite("dist/_worker.js", false), "\"dist/_worker.js\"");
        assert_eq!(
            rewrite("Error: listen EADDRINUSE: :::3001", false),
            r#""Error:" listen "EADDRINUSE:" ":::3001""#
        );
        assert_eq!(
            rewrite("process.exit(1) ok", false),
            "\"process.exit(1)\" ok"
        );
        assert_eq!(rewrite("https://x.io/a", false), "\"https://x.io/a\"");
        assert_eq!(rewrite("a \"b\\\" c", false), "a \"b \" c");
        assert_eq!(rewrite("— | -", false), "");
    }

    #[test]
    fn operators_survive() {
        assert_eq!(
            rewrite("(rsync OR scp) -staging", false),
            "( rsync OR scp ) -staging"
        );
        assert_eq!(
            rewrite("\"git reset\"~2 deplo*", false),
            "\"git reset\"~2 (title:/deplo.*/ OR body:/deplo.*/)"
        );
        assert_eq!(
            rewrite("tag:\"cloudflare pages\"", false),
            "tag:\"cloudflare pages\""
        );
        assert_eq!(rewrite("+cause:nginx", false), "+cause:nginx");
    }

    #[test]
    fn loose_splits_unquoted_text_into_words() {
        assert_eq!(rewrite("workr.js", true), "(workr js)");
        assert_eq!(
            rewrite("\"a.b\" --delete x.y", true),
            "\"a.b\" delete (x y)"
        );
        assert_eq!(
            rewrite("rsync sev:1 cause:x", true),
            "rsync +severity:critical cause:x"
        );
    }

    #[test]
    fn fixes_reach_bare_words_only() {
        let mut fix = |w: &str| (w == "destory").then(|| "destroy".to_string());
        assert_eq!(
            rewrite_with(
                "terraform destory \"destory\" cause:destory x.destory",
                true,
                &mut fix
            ),
            "terraform destroy \"destory\" cause:destory (x destroy)"
        );
    }

    #[test]
    fn filters_that_cannot_be_read_are_errors() {
        for (q, says) in [
            ("date:[2025-01-01 TO", "not a date range"),
            ("nginx date:2025-13", "not a date"),
            ("date:2025-02-30x", "not a date"),
            ("sev:bogus", "not a severity"),
            ("-status:later", "not a status"),
            ("after:yesterday", "not a day"),
            ("before:2025-00-10", "not a day"),
        ] {
            let e = bad_filter(q).unwrap_or_else(|| panic!("{q} accepted"));
            assert!(e.contains(says), "{q}: {e}");
        }
        for q in [
            "cause:nginx after:2025-06-01 sev:1",
            "date:[2025-01-01 TO *] rsync",
            "date:2025-12 status:resolved",
            "rsync --delete",
            "http://x:80",
        ] {
            assert_eq!(bad_filter(q), None, "{q}");
        }
    }
}
