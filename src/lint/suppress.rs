//! Inline suppressions: `<!-- hindsight-lint: allow CODE[, CODE] -- reason -->`.
//!
//! A suppression covers its own line and the next line with text; findings about the
//! file as a whole (line 0) are covered by a suppression anywhere in the file. The
//! reason is required, so a suppression without one is itself a finding.

use regex::Regex;

use super::{Code, Finding};
use crate::rules::Level;

/// One suppression comment.
#[derive(Debug)]
pub(super) struct Allow {
    codes: Vec<Code>,
    /// Lines it covers.
    lines: [usize; 2],
}

fn pattern() -> &'static Regex {
    regex!(r"<!--\s*hindsight-lint:\s*allow\b(?P<rest>.*?)-->")
}

/// The suppressions in `text`, and findings for malformed ones.
pub(super) fn parse(text: &str) -> (Vec<Allow>, Vec<Finding>) {
    if !text.contains("hindsight-lint") {
        return (Vec::new(), Vec::new());
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut allows = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.contains("hindsight-lint") {
            continue;
        }
        for m in pattern().captures_iter(line) {
            let whole = m.get(0).expect("match");
            let rest = &m["rest"];
            let (codes_part, reason) = match rest.split_once("--") {
                Some((c, r)) => (c, r.trim()),
                None => (rest, ""),
            };
            let column = line[..whole.start()].chars().count() + 1;
            let end_column = column + whole.as_str().chars().count();
            let mut report = |message: String, help: &str| {
                bad.push(Finding {
                    code: Code::BadSuppression,
                    level: Level::Error,
                    line: i + 1,
                    column,
                    end_column,
                    message,
                    help: Some(help.to_string()),
                });
            };
            let names: Vec<String> = codes_part
                .split([',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if names.is_empty() {
                report(
                    "suppression names no lint code".into(),
                    "write `<!-- hindsight-lint: allow CODE -- why -->`",
                );
                continue;
            }
            if let Some(unknown) = names.iter().find(|n| Code::from_name(n).is_none()) {
                let hint = Code::suggest(unknown)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "`hindsight lint --explain` lists the codes".into());
                report(format!("no lint code `{unknown}`"), &hint);
                continue;
            }
            if reason.is_empty() {
                report(
                    format!("suppression of {} gives no reason", names.join(", ")),
                    "say why after `--`: `<!-- hindsight-lint: allow CODE -- why -->`",
                );
                continue;
            }
            let next = lines
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, l)| !l.trim().is_empty())
                .map_or(i + 1, |(j, _)| j + 1);
            allows.push(Allow {
                codes: names.iter().filter_map(|n| Code::from_name(n)).collect(),
                lines: [i + 1, next],
            });
        }
    }
    (allows, bad)
}

/// True if `f` is covered by one of `allows`.
pub(super) fn allowed(allows: &[Allow], f: &Finding) -> bool {
    allows
        .iter()
        .any(|a| a.codes.contains(&f.code) && (f.line == 0 || a.lines.contains(&f.line)))
}
