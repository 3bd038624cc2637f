//! The checks themselves, one function per concern. Each returns findings at the
//! code's default level; `lint` applies the configured levels and suppressions.

use pulldown_cmark::{Event, Options, Parser, Tag};
use regex::Regex;

use super::{Code, Finding, Input, Settings};
use crate::document::{Block, Document};
use crate::incident::{find_date, normalize_severity, normalize_status};
use crate::lines::Lines;
use crate::taxonomy::SectionKind;

fn finding(code: Code, line: usize, column: usize, end: usize, message: String) -> Finding {
    Finding {
        code,
        level: code.level(),
        line,
        column,
        end_column: end,
        message,
        help: None,
    }
}

fn whole_file(code: Code, message: String) -> Finding {
    finding(code, 0, 0, 0, message)
}

/// Every check, in no particular order.
pub(super) fn all(input: &Input, settings: &Settings) -> Vec<Finding> {
    let mut out = Vec::new();
    // Split once: several checks look lines up by number.
    let lines: Vec<&str> = input.ingested.text.lines().collect();
    if let Some(e) = &input.doc.front_matter.error {
        out.push(finding(
            Code::FrontMatter,
            1,
            1,
            4,
            format!("front matter: {e}"),
        ));
    }
    sections(input.doc, settings, &mut out);
    placeholders(input, &mut out);
    metadata(input, &lines, &mut out);
    timeline(input, &lines, &mut out);
    owners(input.doc, &lines, &mut out);
    damage(input, &lines, &mut out);
    links(input, &mut out);
    html_as_text(input, &mut out);
    out
}

/// Raw tags that are not formatting (`<script>` in a sentence): the site shows them
/// as text, and says so here.
fn html_as_text(input: &Input, out: &mut Vec<Finding>) {
    let text = &input.ingested.text;
    let (_, shown) = crate::site::html::neutralise(text, input.doc.front_matter.len);
    if shown.is_empty() {
        return;
    }
    let lines = Lines::new(text);
    for s in shown {
        let (line, col) = lines.locate(s.offset);
        let mut f = finding(
            Code::HtmlAsText,
            line,
            col,
            col + s.tag.chars().count(),
            format!("`{}` is not formatting: the site shows it as text", s.tag),
        );
        f.help = Some("put a tag you are writing about in backticks: `<script>`".into());
        out.push(f);
    }
}

/// Kinds that satisfy a required kind: a cause may be told as contributing factors,
/// prevention counts as action items, what went well or wrong as lessons.
fn satisfies(required: SectionKind, kind: SectionKind) -> bool {
    use SectionKind::*;
    kind == required
        || match required {
            RootCause => matches!(kind, ContributingFactors | Trigger | FiveWhys),
            ActionItems => kind == Prevention,
            Prevention => kind == ActionItems,
            LessonsLearned => matches!(kind, WentWell | WentWrong),
            _ => false,
        }
}

fn time_like() -> &'static Regex {
    regex!(
        r"(?i)\b\d{1,2}:\d{2}\b|\bHH:MM\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b|\bT[+-]\s?\d|\bday\s+\d|\b\d{1,2}\s*[ap]\.?m\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    )
}

/// Missing, empty and duplicate sections.
fn sections(doc: &Document, settings: &Settings, out: &mut Vec<Finding>) {
    let n = doc.sections.len();
    // A section has content if it or any section under it has a block.
    let mut content = vec![false; n];
    let mut timed = vec![false; n];
    for i in (0..n).rev() {
        let s = &doc.sections[i];
        content[i] |= !s.blocks.is_empty();
        let in_timeline = s.kind == SectionKind::Timeline || s.effective == SectionKind::Timeline;
        timed[i] |= in_timeline
            && s.blocks.iter().any(|b| match b {
                Block::Table { rows, .. } => rows.iter().flatten().any(|c| time_like().is_match(c)),
                Block::Code { text, .. } => time_like().is_match(text),
                other => other.text().is_some_and(|t| time_like().is_match(t)),
            });
        if let Some(p) = s.parent {
            content[p] |= content[i];
            timed[p] |= timed[i];
        }
    }
    for &req in &settings.required {
        let found: Vec<usize> = (1..n)
            .filter(|&i| satisfies(req, doc.sections[i].kind))
            .collect();
        let ok = if req == SectionKind::Timeline {
            found.iter().any(|&i| timed[i])
        } else {
            !found.is_empty()
        };
        if !ok {
            let mut f = whole_file(
                Code::MissingSection,
                format!("no {} section", req.name().replace('_', " ")),
            );
            if let Some(&i) = found.first() {
                f.help = Some(format!(
                    "'{}' (line {}) lists events without times",
                    doc.sections[i].heading, doc.sections[i].line
                ));
            }
            out.push(f);
        }
    }
    for (i, s) in doc.sections.iter().enumerate().skip(1) {
        let width = s.heading.chars().count().max(1);
        if !content[i] && s.level <= 6 {
            out.push(finding(
                Code::EmptySection,
                s.line,
                1,
                1 + width,
                format!("section '{}' is empty", s.heading),
            ));
        }
        if s.kind != SectionKind::Other && s.level <= 6 {
            let twin = (1..i).find(|&j| {
                let o = &doc.sections[j];
                o.kind == s.kind && o.parent == s.parent && o.level == s.level
            });
            if let Some(j) = twin {
                let mut f = finding(
                    Code::DuplicateSection,
                    s.line,
                    1,
                    1 + width,
                    format!(
                        "a second {} section ('{}' is at line {})",
                        s.kind.name().replace('_', " "),
                        doc.sections[j].heading,
                        doc.sections[j].line
                    ),
                );
                f.help = Some("merge the two".into());
                out.push(f);
            }
        }
    }
}

/// Template text left in: TODO, TBD, HH:MM, YYYY-MM-DD, [???], Lorem ipsum.
fn placeholders(input: &Input, out: &mut Vec<Finding>) {
    let pat = regex!(
        r"\bTODO\b|\bTBD\b|\bFIXME\b|\bHH:[Mm][Mm]\b|\bYYYY-MM-DD\b|\[\?+\]|\?\?\?|(?i:lorem ipsum)|(?i:\[(?:insert|add|describe|fill in)\b[^\]]*\])"
    );
    let text = &input.ingested.text;
    let mut hits = pat.find_iter(text).peekable();
    if hits.peek().is_none() {
        return;
    }
    let code_lines = code_lines(input.doc);
    let lines = Lines::new(text);
    for m in hits {
        let line_no = lines.line(m.start());
        // Each one (a template row has several), none in code blocks or suppression
        // comments.
        let line = lines.text(line_no);
        if code_lines.binary_search(&line_no).is_ok()
            || memchr::memmem::find(line, b"hindsight-lint").is_some()
        {
            continue;
        }
        let (_, col) = lines.locate(m.start());
        let mut f = finding(
            Code::Placeholder,
            line_no,
            col,
            col + m.as_str().chars().count(),
            format!("template text `{}` left in", m.as_str()),
        );
        f.help = Some("write what happened here, or remove the line".into());
        out.push(f);
    }
}

/// Lines inside fenced code blocks (sorted): commands and logs may say TODO.
fn code_lines(doc: &Document) -> Vec<usize> {
    let mut v: Vec<usize> = doc
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Code { text, line, .. } => Some(*line..=*line + text.lines().count() + 1),
            _ => None,
        })
        .flatten()
        .collect();
    v.sort_unstable();
    v
}

/// Where a metadata value is stated: front matter (line 1 onward) or a `**Key:**` line.
fn stated(input: &Input, lines: &[&str], keys: &[&str]) -> Option<(String, usize)> {
    if let Some(v) = input.doc.front_matter.text(keys) {
        let line = lines
            .iter()
            .take(input.doc.front_matter.body_line)
            .position(|l| {
                keys.iter()
                    .any(|k| l.trim_start().to_lowercase().starts_with(*k))
            })
            .map_or(1, |i| i + 1);
        return Some((v, line));
    }
    input
        .doc
        .meta(keys)
        .next()
        .map(|m| (m.value.clone(), m.line))
}

/// Line `n` (1-based) of `lines`, or "".
fn line_at<'a>(lines: &[&'a str], n: usize) -> &'a str {
    n.checked_sub(1)
        .and_then(|i| lines.get(i))
        .copied()
        .unwrap_or("")
}

/// Columns (1-based, in characters; end exclusive) of `needle` in `src`, or the whole
/// line when it is not there.
fn span(src: &str, needle: &str) -> (usize, usize) {
    match src.find(needle) {
        Some(b) => {
            let c = src[..b].chars().count() + 1;
            (c, c + needle.chars().count())
        }
        None => (1, 1 + src.chars().count().max(1)),
    }
}

fn value_finding(lines: &[&str], code: Code, line: usize, value: &str, message: String) -> Finding {
    let (col, end) = span(line_at(lines, line), value);
    finding(code, line, col, end, message)
}

/// Title, date, severity and status.
fn metadata(input: &Input, lines: &[&str], out: &mut Vec<Finding>) {
    let doc = input.doc;
    if doc.h1.as_deref().is_none_or(|h| h.trim().is_empty())
        && doc.front_matter.text(&["title"]).is_none()
    {
        out.push(whole_file(
            Code::MissingTitle,
            "no title: no `# heading` and no `title:`".into(),
        ));
    }
    let date_keys = ["date", "incident_date", "incident date", "date of incident"];
    match stated(input, lines, &date_keys) {
        Some((v, line)) if find_date(&v, None).is_none() => {
            out.push(value_finding(
                lines,
                Code::BadDate,
                line,
                &v,
                format!("date `{v}` does not parse"),
            ));
        }
        _ => {}
    }
    if input.incident.date.is_none() && !out.iter().any(|f| f.code == Code::BadDate) {
        out.push(whole_file(Code::MissingDate, "no incident date".into()));
    }
    for (keys, bad, missing, normal) in [
        (
            &["severity", "sev", "priority"][..],
            Code::BadSeverity,
            Code::MissingSeverity,
            (|v: &str| normalize_severity(v).is_some()) as fn(&str) -> bool,
        ),
        (
            &["status", "state"][..],
            Code::BadStatus,
            Code::MissingStatus,
            |v: &str| normalize_status(v).is_some(),
        ),
    ] {
        let what = &keys[0];
        match stated(input, lines, keys) {
            Some((v, line)) if !normal(&v) => out.push(value_finding(
                lines,
                bad,
                line,
                &v,
                format!("{what} `{v}` is not one hindsight knows"),
            )),
            Some(_) => {}
            None => {
                let known = if *what == "severity" {
                    input.incident.severity.is_some()
                } else {
                    input.incident.status.is_some()
                };
                if !known {
                    out.push(whole_file(missing, format!("no {what}")));
                }
            }
        }
    }
}

/// A timeline entry's time: (date, minutes since midnight).
fn clock(time: &str) -> (Option<String>, Option<u32>) {
    let pat = regex!(r"(?i)\b(\d{1,2}):(\d{2})(?::\d{2})?\s*([ap])?\.?m?\b");
    let date = find_date(time, None);
    let minutes = pat.captures(time).and_then(|c| {
        let mut h: u32 = c[1].parse().ok()?;
        let m: u32 = c[2].parse().ok()?;
        match c.get(3).map(|x| x.as_str().to_ascii_lowercase()) {
            Some(p) if p == "p" && h < 12 => h += 12,
            Some(p) if p == "a" && h == 12 => h = 0,
            _ => {}
        }
        (h < 24 && m < 60).then_some(h * 60 + m)
    });
    (date, minutes)
}

/// Words that name a day without a year ("Mon", "Nov 1", "1 Nov", "7/6/23"): a change
/// of day between two entries even when no full date can be read.
fn day_token(text: &str) -> Option<String> {
    let pat = regex!(
        r"(?i)\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bday\s+\d+"
    );
    let found: Vec<String> = pat
        .find_iter(text)
        .map(|m| m.as_str().to_lowercase())
        .collect();
    (!found.is_empty()).then(|| found.join(" "))
}

/// Entries whose times go backwards, or cannot be read.
fn timeline(input: &Input, lines: &[&str], out: &mut Vec<Finding>) {
    let inc = input.incident;
    let section_of = |line: usize| inc.sections.iter().take_while(|s| s.line <= line).count();
    let mut prev: Option<(usize, Option<String>, u32, usize)> = None;
    for e in &inc.timeline {
        let src = line_at(lines, e.line);
        let (col, end) = span(src, &e.time);
        let (date, mut minutes) = clock(&e.time);
        // The time the line starts with wins over one quoted later in it (a log line).
        let hm = regex!(r"\d{1,2}:\d{2}");
        let lead: String = src.chars().take(40).collect();
        let own = hm.find(&e.time).map(|m| m.as_str());
        if let (Some(own), (_, Some(m))) = (own, clock(&lead))
            && !lead.contains(own)
        {
            minutes = Some(m);
        }
        if date.is_none() && minutes.is_none() {
            out.push(finding(
                Code::TimelineTime,
                e.line,
                col,
                end,
                format!("time `{}` cannot be read", e.time),
            ));
            continue;
        }
        let section = section_of(e.line);
        // A date line between two entries ("_7/6/23_") starts a new day.
        let dated_between = prev.as_ref().is_some_and(|p| {
            lines
                .iter()
                .take(e.line.saturating_sub(1))
                .skip(p.3)
                .map(|l| l.replace(['_', '*'], " "))
                .any(|l| day_token(&l).is_some() || find_date(&l, None).is_some())
        });
        if dated_between {
            prev = None;
        }
        let day = date
            .clone()
            .or_else(|| day_token(&e.time))
            .or_else(|| prev.as_ref().and_then(|p| p.1.clone()));
        if let (Some(m), Some((ps, pday, pm, pline))) = (minutes, &prev) {
            let backwards = *ps == section
                && match (&day, pday) {
                    // Two ISO dates compare; other day names only say the day changed.
                    (Some(d), Some(pd)) if d != pd => {
                        d.len() == 10 && pd.len() == 10 && d.as_bytes()[4] == b'-' && d < pd
                    }
                    _ => m < *pm && pm - m <= 12 * 60,
                };
            if backwards {
                let mut f = finding(
                    Code::TimelineOrder,
                    e.line,
                    col,
                    end,
                    format!(
                        "`{}` is earlier than the entry before it (line {pline})",
                        e.time
                    ),
                );
                f.help = Some("check the time, or add the date where the day changes".into());
                out.push(f);
            }
        }
        if let Some(m) = minutes {
            prev = Some((section, day, m, e.line));
        } else if let Some(p) = prev.as_mut() {
            p.1 = day;
        }
    }
}

/// Action items with nobody named to do them.
fn owners(doc: &Document, lines: &[&str], out: &mut Vec<Finding>) {
    // Underline the item's text, after its list marker.
    let item_span = |line: usize| {
        let src = line_at(lines, line);
        let marker = regex!(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?");
        let body = &src[marker.find(src).map_or(0, |m| m.end())..];
        let col = src[..src.len() - body.len()].chars().count() + 1;
        (col, col + body.trim_end().chars().count().max(1))
    };
    let owner = regex!(
        r"(?i)@[\w.-]+|\b(?:owner|owners|assignee|assigned to|responsible|dri)\s*[:=-]|\((?:owner:\s*)?[A-Z][\w.-]+(?: [A-Z][\w.-]+)?\)\s*$|[—–]\s*[A-Z][\w.-]+(?: [A-Z][\w.-]+)?\s*$|^\s*\[[A-Z][\w.-]+\]|\b(?:owner|assignee)\b|(?:^|\s)#\d+\b|/issues/\d+|/pull/\d+"
    );
    for s in doc.sections_of(SectionKind::ActionItems) {
        for b in &s.blocks {
            match b {
                Block::Item {
                    text,
                    line,
                    depth: 0,
                    checked,
                    ..
                } if *checked != Some(true) && !owner.is_match(text) => {
                    let (col, end) = item_span(*line);
                    let mut f = finding(
                        Code::ActionOwner,
                        *line,
                        col,
                        end,
                        format!("action item has no owner: {}", short(text)),
                    );
                    f.help = Some("name one: `@alice`, `(owner: alice)` or an Owner column".into());
                    out.push(f);
                }
                Block::Table {
                    rows,
                    line,
                    row_lines,
                } => {
                    let Some(head) = rows.first() else { continue };
                    let col = head
                        .iter()
                        .position(|h| owner.is_match(h) || h.trim().eq_ignore_ascii_case("who"));
                    match col {
                        None => out.push(finding(
                            Code::ActionOwner,
                            *line,
                            1,
                            1,
                            "action items table has no Owner column".into(),
                        )),
                        Some(c) => {
                            for (k, row) in rows.iter().enumerate().skip(1) {
                                let cell = row.get(c).map_or("", |s| s.trim());
                                if cell.is_empty()
                                    || cell == "-"
                                    || cell.contains("TODO")
                                    || cell.contains("???")
                                {
                                    let at = row_lines.get(k).copied().unwrap_or(*line);
                                    let (col, end) = lines
                                        .get(at.wrapping_sub(1))
                                        .map_or((1, 1), |l| cell_span(l, c));
                                    out.push(finding(
                                        Code::ActionOwner,
                                        at,
                                        col,
                                        end,
                                        format!(
                                            "action item has no owner: {}",
                                            short(&row.join(" | "))
                                        ),
                                    ));
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// 1-based columns (in characters) of table cell `c` of row `line`, its text trimmed;
/// an empty cell is the space between its bars.
fn cell_span(line: &str, c: usize) -> (usize, usize) {
    let body = line.trim_start();
    let lead = line.len() - body.len();
    let body_start = lead + usize::from(body.starts_with('|'));
    let mut start = body_start;
    let mut k = 0;
    let bytes = line.as_bytes();
    let mut i = body_start;
    while i <= line.len() {
        let end_here = i == line.len() || (bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'));
        if end_here {
            if k == c {
                let cell = &line[start..i];
                let trimmed = cell.trim();
                let (s, e) = if trimmed.is_empty() {
                    (start, i)
                } else {
                    let s = start + (cell.len() - cell.trim_start().len());
                    (s, s + trimmed.len())
                };
                let col = line[..s].chars().count() + 1;
                return (col, col + line[s..e].chars().count().max(1));
            }
            k += 1;
            start = i + 1;
        }
        i += 1;
    }
    (1, 1)
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(60).collect();
    if t.len() < text.len() {
        format!("{t}…")
    } else {
        t
    }
}

/// Damaged text: one finding per file, at the first damaged line with its repairs,
/// counting the other lines (a file damaged on 60 lines is one problem with one fix,
/// and the other findings stay in view).
fn damage(input: &Input, repaired: &[&str], out: &mut Vec<Finding>) {
    let mut lines = Vec::new();
    damage_lines(input, repaired, &mut lines);
    let mut repairable = lines.iter().filter(|f| f.help.is_some());
    if let Some(first) = repairable.next() {
        let others: Vec<usize> = repairable.map(|f| f.line).collect();
        let mut f = first.clone();
        if !others.is_empty() {
            let shown: Vec<String> = others.iter().take(5).map(usize::to_string).collect();
            f.message = format!(
                "{}; also on {} more line{} ({}{})",
                f.message,
                others.len(),
                if others.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if others.len() > 5 { ", …" } else { "" }
            );
        }
        out.push(f);
    }
    // What cannot be repaired is each worth a look.
    out.extend(lines.into_iter().filter(|f| f.help.is_none()));
}

/// Damaged text, one finding per line, with the repair.
fn damage_lines(input: &Input, repaired: &[&str], out: &mut Vec<Finding>) {
    if input.ingested.repairs.is_empty() && input.ingested.unresolved.is_empty() {
        return;
    }
    let original: Vec<&str> = input.original.lines().collect();
    let same_shape = repaired.len() == original.len();
    let mut by_line: std::collections::BTreeMap<usize, Vec<&crate::ingest::Repair>> =
        Default::default();
    for r in &input.ingested.repairs {
        by_line.entry(r.line).or_default().push(r);
    }
    for (line, reps) in by_line {
        let src = if same_shape {
            original.get(line - 1)
        } else {
            repaired.get(line - 1)
        };
        let first = reps[0];
        let (col, end) = match src.and_then(|s| s.find(first.before.as_str()).map(|b| (s, b))) {
            Some((s, b)) => {
                let c = s[..b].chars().count() + 1;
                (c, c + first.before.chars().count())
            }
            None => (first.column, first.column + 1),
        };
        let pairs: Vec<String> = reps
            .iter()
            .take(3)
            .map(|r| format!("`{}` → `{}`", r.before, r.after))
            .collect();
        let more = reps.len().saturating_sub(3);
        let lossy = reps.iter().any(|r| r.lossy);
        let mut f = finding(
            Code::Mojibake,
            line,
            col,
            end,
            format!(
                "damaged text ({}{}): {}{}",
                first.codepage,
                if lossy { ", bytes lost" } else { "" },
                pairs.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        );
        f.help = Some("`hindsight lint --fix` repairs it".into());
        out.push(f);
    }
    for u in &input.ingested.unresolved {
        out.push(finding(
            Code::Mojibake,
            u.line,
            1,
            1,
            format!(
                "damaged text ({}) that hindsight cannot repair with confidence",
                u.codepage
            ),
        ));
    }
}

/// Relative links to missing files, and script URLs.
fn links(input: &Input, out: &mut Vec<Finding>) {
    let text = &input.ingested.text;
    if !text.contains("](") && !text.contains("]:") {
        return;
    }
    let lines = Lines::new(text);
    for (ev, range) in Parser::new_ext(text, Options::all()).into_offset_iter() {
        let dest = match &ev {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                dest_url.to_string()
            }
            _ => continue,
        };
        let (line, col) = lines.locate(range.start);
        let end = col
            + text[range.clone()]
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .count();
        let lower = dest.trim().to_ascii_lowercase();
        if ["javascript:", "vbscript:", "data:"]
            .iter()
            .any(|s| lower.starts_with(s))
        {
            out.push(finding(
                Code::UnsafeLink,
                line,
                col,
                end,
                format!("link to a script URL `{}`", short(&dest)),
            ));
            continue;
        }
        let Some(dir) = input.dir else { continue };
        if dest.is_empty()
            || dest.starts_with('#')
            || dest.starts_with('/')
            || lower.contains(':')
            || dest.contains('@')
        {
            continue;
        }
        let path = dest
            .split(['#', '?'])
            .next()
            .unwrap_or("")
            .replace("%20", " ");
        if !path.is_empty() && !dir.join(&path).exists() {
            let mut f = finding(
                Code::BrokenLink,
                line,
                col,
                end,
                format!("`{path}` does not exist"),
            );
            f.help = Some(format!("relative to {}", dir.display()));
            out.push(f);
        }
    }
}
