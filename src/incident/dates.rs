//! Dates and times as postmortems write them: `2026-01-02 06:09 UTC`, `August 15, 2025`,
//! `01-16-2024`, `12/01/2022`, `Oct 15`, `09:01 UTC`, `[13:26]`, `8:09 AM UTC`.

use std::sync::OnceLock;

use regex::Regex;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| n.starts_with(m))
        .map(|i| i as u32 + 1)
}

fn valid(y: i32, m: u32, d: u32) -> Option<String> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1500..=2100).contains(&y) && (1..=days).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

struct Patterns {
    iso: Regex,
    us: Regex,
    named: Regex,
    day_first: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        iso: Regex::new(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T|\b)").expect("regex"),
        us: Regex::new(r"\b(\d{1,2})[-/](\d{1,2})[-/](\d{4}|\d{2})\b").expect("regex"),
        named: Regex::new(
            r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b",
        )
        .expect("regex"),
        day_first: Regex::new(
            r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b",
        )
        .expect("regex"),
    })
}

/// The first date in `s`, as ISO `YYYY-MM-DD`. A month-and-day date without a year
/// takes `year` when given.
pub fn find_date(s: &str, year: Option<i32>) -> Option<String> {
    find_date_at(s, year).map(|(d, _)| d)
}

/// The first date in `s` and the byte offset just past it.
pub(super) fn find_date_at(s: &str, year: Option<i32>) -> Option<(String, usize)> {
    let p = patterns();
    let mut best: Option<(usize, String, usize)> = None;
    let mut consider = |start: usize, end: usize, date: Option<String>| {
        if let Some(d) = date
            && best.as_ref().is_none_or(|b| start < b.0)
        {
            best = Some((start, d, end));
        }
    };
    for c in p.iso.captures_iter(s) {
        let m = c.get(0).expect("match");
        consider(
            m.start(),
            m.end(),
            valid(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?),
        );
    }
    for c in p.us.captures_iter(s) {
        let m = c.get(0).expect("match");
        let mut y: i32 = c[3].parse().ok()?;
        if y < 100 {
            y += 2000;
        }
        let (a, b): (u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
        // Month first (US style) unless that cannot be a date.
        let date = valid(y, a, b).or_else(|| valid(y, b, a));
        consider(m.start(), m.end(), date);
    }
    for c in p.named.captures_iter(s) {
        let m = c.get(0).expect("match");
        let y = c.get(3).and_then(|y| y.as_str().parse().ok()).or(year);
        if let (Some(y), Some(mo)) = (y, month(&c[1])) {
            consider(m.start(), m.end(), valid(y, mo, c[2].parse().ok()?));
        }
    }
    for c in p.day_first.captures_iter(s) {
        let m = c.get(0).expect("match");
        if let Some(mo) = month(&c[2]) {
            consider(
                m.start(),
                m.end(),
                valid(c[3].parse().ok()?, mo, c[1].parse().ok()?),
            );
        }
    }
    best.map(|(_, d, end)| (d, end))
}

/// A time of day at the start of `s` (after optional `[`), with its zone if written,
/// and the rest of the text after the separator. `09:01 UTC - Deployed` gives
/// ("09:01 UTC", "Deployed").
pub(super) fn leading_time(s: &str) -> Option<(String, &str)> {
    let re = regex!(
        r"(?i)^\[?\s*(~?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?\+?(?:\s*\(?(?:utc|gmt|z|[a-z]{1,4}t|[a-z]{2}t)\)?)?)\s*\]?(?:\s*(?:[-–—:|]+)\s*|\s+)(.+)$"
    );
    let c = re.captures(s.trim())?;
    let rest = c.get(2)?.as_str();
    Some((c[1].trim().to_string(), rest))
}

/// A date (optionally with a time) at the start of `s`, and the rest after a
/// separator: `01-16-2024 - Chia detected`, `2026-01-02 06:09 UTC: rollback`.
pub(super) fn leading_date(s: &str, year: Option<i32>) -> Option<(String, &str)> {
    let t = s.trim();
    let (date, end) = find_date_at(t, year)?;
    // The date must open the line (allowing a weekday or `On`).
    let head = t[..t.len().min(end)].to_ascii_lowercase();
    let before = head
        .split(|c: char| c.is_ascii_digit())
        .next()
        .unwrap_or("");
    if before.split_whitespace().count() > 2 {
        return None;
    }
    let mut rest = &t[end..];
    let mut stamp = date;
    if let Some((time, after)) = leading_time(rest.trim_start_matches([',', ' '])) {
        stamp = format!("{stamp} {time}");
        rest = after;
        return Some((stamp, rest));
    }
    rest = rest.trim_start_matches(|c: char| c.is_whitespace() || "-–—:|,".contains(c));
    (!rest.is_empty()).then_some((stamp, rest))
}

/// The year of an ISO date.
pub(super) fn year_of(iso: &str) -> Option<i32> {
    iso.get(..4)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_people_write() {
        let cases = [
            ("August 15, 2025", "2025-08-15"),
            ("2026-01-02 06:09 UTC", "2026-01-02"),
            ("October 16, 2025, 9:00 PM PST", "2025-10-16"),
            ("Session Summary - 2026-02-04", "2026-02-04"),
            ("01-16-2024 - Chia detected", "2024-01-16"),
            ("12/01/2022 - discovered", "2022-12-01"),
            ("On Monday, Oct 15, 2018", "2018-10-15"),
            ("15th March 2026", "2026-03-15"),
            ("2007-12-05T22:04:00Z", "2007-12-05"),
        ];
        for (s, want) in cases {
            assert_eq!(find_date(s, None).as_deref(), Some(want), "{s}");
        }
        assert_eq!(
            find_date("Oct 15", Some(2018)).as_deref(),
            Some("2018-10-15")
        );
        assert_eq!(find_date("Oct 15", None), None);
        assert_eq!(find_date("2025-02-30", None), None);
        assert_eq!(find_date("version 1.7.0", None), None);
        // Real postmortems include history: the Vasa sank in 1628.
        assert_eq!(
            find_date("1628-08-10T12:00:00Z", None).as_deref(),
            Some("1628-08-10")
        );
    }

    #[test]
    fn leading_times() {
        assert_eq!(
            leading_time("09:01 UTC - Deployed x"),
            Some(("09:01 UTC".into(), "Deployed x"))
        );
        assert_eq!(
            leading_time("[13:26] paged"),
            Some(("13:26".into(), "paged"))
        );
        assert_eq!(
            leading_time("08:09 AM UTC Issue found"),
            Some(("08:09 AM UTC".into(), "Issue found"))
        );
        assert_eq!(
            leading_time("21:17 UTC: authors published"),
            Some(("21:17 UTC".into(), "authors published"))
        );
        assert_eq!(
            leading_time("09:20+ UTC - Monitoring"),
            Some(("09:20+ UTC".into(), "Monitoring"))
        );
        assert_eq!(leading_time("Version 1:2 is out"), None);
        assert_eq!(
            leading_date("01-16-2024 - Chia detected it", None),
            Some(("2024-01-16".into(), "Chia detected it"))
        );
        assert_eq!(
            leading_date("2019-10-20 00:55: builds failing", None),
            Some(("2019-10-20 00:55".into(), "builds failing"))
        );
        assert_eq!(leading_date("The release on 2024-01-01 failed", None), None);
    }
}
