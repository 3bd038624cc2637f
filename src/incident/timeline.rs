//! Timeline entries from timeline sections: `- **09:01 UTC** - Deployed`, `[13:26] ...`,
//! `01-16-2024 - Chia detected ...`, tables with a time column, and dated subsections
//! (`### 2020-02-20` above a list of times); failing those, the key times written as
//! labelled header lines (`**Date**: ... 9:00 PM PST`, `**Recovery Completed**: ...`).

use super::TimelineEntry;
use super::dates::{self, find_date, leading_date, leading_time};
use crate::document::{Block, Document};
use crate::taxonomy::SectionKind;

/// Timed entries of one section, without dated-heading context.
pub(super) fn entries_of(
    section: &crate::document::Section,
    year: Option<i32>,
) -> Vec<TimelineEntry> {
    section
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Item { text, line, .. } | Block::Paragraph { text, line } => {
                entry(text, *line, None, year)
            }
            _ => None,
        })
        .collect()
}

/// All timed entries in the document's timeline sections, in order.
pub(super) fn entries(doc: &Document, year: Option<i32>) -> Vec<TimelineEntry> {
    let mut out = Vec::new();
    for (idx, section) in doc.sections.iter().enumerate() {
        if section.effective != SectionKind::Timeline {
            continue;
        }
        // A dated subsection (`### 2023-07-19`) dates the times below it.
        let mut day = doc
            .ancestors(idx)
            .find_map(|i| find_date(&doc.sections[i].heading, year));
        let year = day.as_deref().and_then(dates::year_of).or(year);
        // A timed sub-heading (`### 2018-03-26 10:34`) is one event: its text below.
        if let Some(time) = heading_stamp(&section.heading)
            && entries_of(section, year).is_empty()
        {
            let text: Vec<&str> = section.blocks.iter().filter_map(Block::text).collect();
            if !text.is_empty() {
                out.push(TimelineEntry {
                    time,
                    event: text.join(" "),
                    line: section.line,
                });
            }
            continue;
        }
        for block in &section.blocks {
            match block {
                Block::Item { text, line, .. } => {
                    if let Some(e) = entry(text, *line, day.as_deref(), year) {
                        out.push(e);
                    }
                }
                Block::Paragraph { text, line } => {
                    // A line that is only a day (`01-10-2024`) dates the times below it.
                    if let Some(d) = bare_day(text, year) {
                        day = Some(d);
                        continue;
                    }
                    // A paragraph may hold several `time - event` lines joined by soft
                    // breaks (`02:10 - Expires.<br>` on each line).
                    for (k, piece) in stamped_pieces(text).into_iter().enumerate() {
                        if let Some(e) = entry(piece, *line + k, day.as_deref(), year) {
                            out.push(e);
                        }
                    }
                }
                Block::Table {
                    rows, row_lines, ..
                } => out.extend(table(rows, row_lines, year)),
                Block::Code { .. } => {}
            }
        }
    }
    out
}

/// The timeline sections' entries or, when they have none, the document's key times.
pub(super) fn entries_or_stamps(doc: &Document, year: Option<i32>) -> Vec<TimelineEntry> {
    let e = entries(doc, year);
    if e.is_empty() { stamps(doc, year) } else { e }
}

/// Labels that name a moment of an incident; the first group says it began.
const BEGAN: &[&str] = &[
    "date",
    "incident date",
    "date of incident",
    "start",
    "started",
    "start time",
    "began",
    "incident start",
    "occurred",
    "when",
];
const MOMENTS: &[&str] = &[
    "detected",
    "detection",
    "detection time",
    "reported",
    "first reported",
    "alerted",
    "mitigated",
    "mitigation",
    "resolved",
    "resolved at",
    "resolution",
    "recovered",
    "recovery",
    "recovery completed",
    "completed",
    "fixed",
    "restored",
    "all clear",
    "end",
    "ended",
    "end time",
];

/// Key times from labelled lines such as `**Recovery Completed**: October 17, 2025
/// 00:17 UTC`: start, end and detection stamps, which 7 of 11 common templates ask for
/// in their header. Only a time of day counts (a bare date or `2 hours` is not a
/// moment), and only two or more make a timeline.
fn stamps(doc: &Document, year: Option<i32>) -> Vec<TimelineEntry> {
    let clock = regex!(r"(?i)\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*[ap]\.?m\b");
    let mut out = Vec::new();
    for m in &doc.metadata {
        let name = m.key.trim();
        let key = name.to_ascii_lowercase();
        let event = if BEGAN.contains(&key.as_str()) {
            "Incident began".to_string()
        } else if MOMENTS.contains(&key.as_str()) {
            name.to_string()
        } else {
            continue;
        };
        let value = m.value.trim().trim_matches(['*', '_', ' ']);
        if !clock.is_match(value) {
            continue;
        }
        let probe = format!("{value} x");
        let time = leading_date(&probe, year)
            .map(|(d, _)| d)
            .or_else(|| leading_time(&probe).map(|(t, _)| t))
            .unwrap_or_else(|| value.to_string());
        out.push(TimelineEntry {
            time,
            event,
            line: m.line,
        });
    }
    if out.len() < 2 {
        out.clear();
    }
    out
}

/// A paragraph that is only a date (`01-10-2024`, `January 29, 2024`, `Tue 5 Dec`).
fn bare_day(text: &str, year: Option<i32>) -> Option<String> {
    let t = text.trim().trim_matches(['*', '_', ':', ' ']);
    if t.len() > 40 {
        return None;
    }
    let (d, end) = dates::find_date_at(t, year)?;
    let rest = &t[end..];
    let before = &t[..t.len() - rest.len()];
    // `2023-03-14 (all times UTC)`: a note on the day's times is still a bare day.
    let rest = rest.trim();
    let note = rest.starts_with('(') && rest.ends_with(')') && !rest.contains(char::is_numeric);
    ((rest.is_empty() || note) && before.split_whitespace().count() <= 4).then_some(d)
}

/// A heading that is a moment (`2018-03-26 10:34`, `10:34 UTC`, `2022-02-?? ??:??`), as
/// written; a bare day (`2023-07-19`) dates the times below it instead.
fn heading_stamp(heading: &str) -> Option<String> {
    let re = regex!(
        r"^(?:[\d?]{4,5}[-/.][\d?]{1,2}[-/.][\d?]{1,2}[ T,]+)?[\d?]{1,2}:[\d?]{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*\(?[A-Za-z]{1,5}\)?)?$"
    );
    let h = heading.trim();
    (re.is_match(h) && h.chars().any(|c| c.is_ascii_digit())).then(|| h.to_string())
}

/// A stamp written as it was typed, which no calendar reading accepts: `[12-05 16:21]`
/// (month-day and time, in brackets), `2022-02-?? ??:??`, `20202-01-16 09:10`. The
/// stamp is kept as written, with the text after it.
fn fuzzy_stamp(text: &str) -> Option<(String, &str)> {
    let re = regex!(
        r"^\[?((?:[\d?]{4,5}[-/.])?[\d?]{1,2}[-/.][\d?]{1,2}(?:[ T]+[\d?]{1,2}:[\d?]{2}(?::\d{2})?)?(?:\s*(?:UTC|GMT|Z|[A-Z]{2,4}T))?)\]?\s*(?:[-–—:|]+\s*)?(\S.*)$"
    );
    let c = re.captures(text.trim())?;
    let stamp = c.get(1)?.as_str();
    // A digit in the stamp, and either a time or a year-like part: not "1-2 people".
    let timed = stamp.contains(':')
        || stamp
            .split(['-', '/', '.'])
            .next()
            .is_some_and(|y| y.len() >= 4);
    (timed && stamp.chars().any(|c| c.is_ascii_digit())).then(|| {
        (
            stamp.trim().to_string(),
            c.get(2).map_or("", |m| m.as_str()),
        )
    })
}

/// The `time - event` pieces of a paragraph that opens with one: a new piece starts
/// wherever a time followed by a dash comes after a space. Any other paragraph is one
/// piece (a time inside a sentence, `at 02:10 the alert fired`, has no dash after it).
fn stamped_pieces(text: &str) -> Vec<&str> {
    let re = regex!(
        r"(?i)(?:^|\s)(\[?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*\(?(?:utc|gmt|z|[a-z]{2,4}t)\)?)?\s*\]?\s*[-–—|]\s)"
    );
    let starts: Vec<usize> = re
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.start()))
        .collect();
    if starts.len() < 2 || starts[0] != 0 {
        return vec![text];
    }
    let ends = starts[1..].iter().copied().chain([text.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&a, b)| text[a..b].trim())
        .collect()
}

fn entry(text: &str, line: usize, day: Option<&str>, year: Option<i32>) -> Option<TimelineEntry> {
    let text = text.trim_start_matches(['*', '_', ' ']);
    let (time, rest) = if let Some((d, rest)) = leading_date(text, year) {
        (d, rest)
    } else if let Some((t, rest)) = fuzzy_stamp(text) {
        (t, rest)
    } else if let Some((t, rest)) = leading_time(text) {
        (day.map_or(t.clone(), |d| format!("{d} {t}")), rest)
    } else {
        // `Monday 07:02 - First calls`: a memo's days by name.
        let w = regex!(r"(?i)^((?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?)\s+").find(text)?;
        let (t, rest) = leading_time(&text[w.end()..])?;
        (format!("{} {t}", w.as_str().trim()), rest)
    };
    let event = rest
        .trim_start_matches(['*', '_', ' ', '-', '–', '—', ':'])
        .trim();
    let event = event.trim_end_matches(['*', '_']).trim();
    (!event.is_empty()).then(|| TimelineEntry {
        time,
        event: event.to_string(),
        line,
    })
}

/// Rows of a table with a time or date column.
fn table(rows: &[Vec<String>], row_lines: &[usize], year: Option<i32>) -> Vec<TimelineEntry> {
    let Some(header) = rows.first() else {
        return Vec::new();
    };
    let is_time_col = |h: &str| {
        let h = h.to_ascii_lowercase();
        ["time", "date", "when", "timestamp", "day"]
            .iter()
            .any(|k| h.contains(k))
    };
    let time_cols: Vec<usize> = (0..header.len())
        .filter(|&i| is_time_col(&header[i]))
        .collect();
    if time_cols.is_empty() {
        return Vec::new();
    }
    rows[1..]
        .iter()
        .enumerate()
        .filter_map(|(i, row)| {
            let time: Vec<&str> = time_cols
                .iter()
                .filter_map(|&c| row.get(c).map(String::as_str))
                .filter(|s| !s.is_empty())
                .collect();
            let event: Vec<&str> = row
                .iter()
                .enumerate()
                .filter(|(c, s)| !time_cols.contains(c) && !s.is_empty())
                .map(|(_, s)| s.as_str())
                .collect();
            let time = time.join(" ");
            let timed = find_date(&time, year).is_some()
                || leading_time(&format!("{time} x")).is_some()
                || fuzzy_stamp(&format!("{time} x")).is_some();
            (timed && !event.is_empty()).then(|| TimelineEntry {
                time,
                event: event.join(" — "),
                line: row_lines.get(i + 1).copied().unwrap_or(1),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_dated_subsections_and_tables() {
        let doc = Document::parse(
            "# X\n\n## Timeline\n- **09:01 UTC** - Deployed `a942e4f`\n- not a time\n\n\
             2023-07-18 (all times UTC)\n\n\
             ### 2023-07-19\n- 12:32 UTC – PR opened\n\n## Timeline of events\n\
             01-16-2024 - Chia detected it\n\n| Time | Event |\n|---|---|\n| 10:00 UTC | Rolled back |\n",
        );
        let e = entries(&doc, None);
        let got: Vec<(&str, &str)> = e
            .iter()
            .map(|e| (e.time.as_str(), e.event.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("09:01 UTC", "Deployed `a942e4f`"),
                ("2023-07-19 12:32 UTC", "PR opened"),
                ("2024-01-16", "Chia detected it"),
                ("10:00 UTC", "Rolled back"),
            ]
        );
        assert_eq!(e[0].line, 4);
        assert_eq!(e[3].line, 17);
    }

    #[test]
    fn lines_broken_with_br_are_one_event_each() {
        let doc = Document::parse(
            "# X\n\n## Timeline\n\n### 2022-11-29 (all times UTC)\n\n\
             02:10 - Certificate expires. <START OF OUTAGE><br>\n\
             02:12 - Alerts fire at 02:11 for checkout.<br>\n\
             05:15 - Success rate back above 99.9%.<br>\n\n\
             At 06:00 the team met; by 07:30 - roughly - it was written up.\n",
        );
        let got: Vec<(String, String, usize)> = entries(&doc, None)
            .into_iter()
            .map(|e| (e.time, e.event, e.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2022-11-29 02:10".into(),
                    "Certificate expires. <START OF OUTAGE>".into(),
                    7
                ),
                (
                    "2022-11-29 02:12".into(),
                    "Alerts fire at 02:11 for checkout.".into(),
                    8
                ),
                (
                    "2022-11-29 05:15".into(),
                    "Success rate back above 99.9%.".into(),
                    9
                ),
            ]
        );
    }

    #[test]
    fn days_by_name_before_a_time() {
        let doc = Document::parse(
            "3. SEQUENCE OF EVENTS\n\n- Sunday 23:00 - Gateway installs firmware 9.2\n- Mon, 07:02 - First calls\n- Someday soon - not a time\n",
        );
        let got: Vec<(String, String)> = entries(&doc, None)
            .into_iter()
            .map(|e| (e.time, e.event))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Sunday 23:00".into(),
                    "Gateway installs firmware 9.2".into()
                ),
                ("Mon, 07:02".into(), "First calls".into()),
            ]
        );
    }

    #[test]
    fn header_stamps_stand_in_for_a_missing_timeline() {
        let doc = Document::parse(
            "# X\n\n**Date**: October 16, 2025, 9:00 PM PST\n**Resolution Time**: 2 hours\n\
             **Last Updated**: 2025-10-18 10:00 UTC\n\n## Fix\n\nDone.\n\n\
             **Recovery Completed**: October 17, 2025 00:17 UTC\n",
        );
        let got: Vec<(String, String, usize)> = entries_or_stamps(&doc, None)
            .into_iter()
            .map(|e| (e.time, e.event, e.line))
            .collect();
        assert_eq!(
            got,
            [
                ("2025-10-16 9:00 PM PST".into(), "Incident began".into(), 3),
                (
                    "2025-10-17 00:17 UTC".into(),
                    "Recovery Completed".into(),
                    11
                ),
            ]
        );
        let one = Document::parse("# X\n\n**Time:** 2026-01-02 06:09 UTC\n");
        assert!(
            entries_or_stamps(&one, None).is_empty(),
            "one stamp is not a timeline"
        );
        let real = Document::parse(
            "# X\n\n**Date**: 2025-10-16 09:00 UTC\n**Resolved**: 2025-10-16 11:00 UTC\n\n\
             ## Timeline\n- 09:05 UTC - Paged\n",
        );
        assert_eq!(
            entries_or_stamps(&real, None).len(),
            1,
            "a timeline section wins"
        );
    }
}
