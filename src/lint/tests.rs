use super::*;
use crate::config::LintConfig;
use crate::document::Document;
use crate::incident::Incident;
use crate::ingest;

fn lint_with(text: &str, settings: &Settings, dir: Option<&Path>) -> Vec<Finding> {
    let ingested = ingest::ingest(text.as_bytes()).unwrap();
    let doc = Document::parse(&ingested.text);
    let incident = Incident::from_document("incidents/x.md", &doc, &ingested);
    let input = Input {
        dir,
        original: text,
        ingested: &ingested,
        doc: &doc,
        incident: &incident,
    };
    lint(&input, settings)
}

fn codes(text: &str) -> Vec<(&'static str, usize)> {
    lint_with(text, &Settings::default(), None)
        .into_iter()
        .map(|f| (f.code.name(), f.line))
        .collect()
}

const COMPLETE: &str = "---
date: 2025-03-01
severity: high
status: resolved
---
# Queue backlog

## Summary
Workers stalled.

## Impact
Orders were late for 40 minutes.

## Timeline
- 09:00 alarms
- 09:20 restarted workers
- 09:40 backlog drained

## Root Cause Analysis
A lock was never released.

## Resolution
Restarted the workers.

## Action Items
- Add a lock timeout (owner: @sam)

## Lessons Learned
- Always set a timeout on locks.
";

#[test]
fn a_complete_postmortem_is_clean() {
    assert_eq!(codes(COMPLETE), vec![]);
}

#[test]
fn every_missing_section_is_listed_and_headings_count_by_meaning() {
    let found = codes(
        "# T\n\n**Date:** 2025-01-01\n**Severity:** SEV-1\n**Status:** resolved\n\n## Overview\nx\n",
    );
    let missing = found
        .iter()
        .filter(|(c, _)| *c == "missing-section")
        .count();
    assert_eq!(missing, 6, "{found:?}");
    for cause in [
        "## Contributing Factors",
        "## 🔍 ROOT CAUSE ANALYSIS",
        "## Root Cause Analysis",
    ] {
        let text = COMPLETE.replace("## Root Cause Analysis", cause);
        assert_eq!(codes(&text), vec![], "{cause}");
    }
    let prevention = COMPLETE.replace(
        "## Action Items\n- Add a lock timeout (owner: @sam)",
        "## Prevention\n- Add a lock timeout",
    );
    assert_eq!(codes(&prevention), vec![]);
}

#[test]
fn a_timeline_needs_times() {
    let text = COMPLETE
        .replace("- 09:00 alarms", "1. The build broke")
        .replace("- 09:20 restarted workers", "2. Nobody noticed")
        .replace("- 09:40 backlog drained", "3. We deployed anyway");
    let f = lint_with(&text, &Settings::default(), None);
    let m = f
        .iter()
        .find(|f| f.code.name() == "missing-section")
        .expect("missing timeline");
    assert!(m.message.contains("timeline"));
    assert!(m.help.as_deref().unwrap().contains("without times"));
}

#[test]
fn placeholders_outside_code_blocks() {
    let text = COMPLETE.replace(
        "Workers stalled.",
        "TODO: describe\n\n```sh\n# TODO not a placeholder\n```",
    );
    let found = codes(&text);
    assert_eq!(
        found.iter().filter(|(c, _)| *c == "placeholder").count(),
        1,
        "{found:?}"
    );
    assert!(codes(&COMPLETE.replace("09:20", "HH:MM")).contains(&("placeholder", 16)));
}

#[test]
fn empty_and_duplicate_sections() {
    let text = COMPLETE.replace("## Impact\n", "## Background\n\n## Impact\n")
        + "\n## Timeline\n- 10:00 more\n";
    let found = codes(&text);
    assert!(
        found.iter().any(|(c, _)| *c == "empty-section"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(c, _)| *c == "duplicate-section"),
        "{found:?}"
    );
}

#[test]
fn metadata_that_does_not_normalise() {
    let text = COMPLETE
        .replace("severity: high", "severity: spicy")
        .replace("status: resolved", "status: meh")
        .replace("date: 2025-03-01", "date: someday");
    let found = codes(&text);
    for c in ["bad-severity", "bad-status", "bad-date"] {
        assert!(found.iter().any(|(x, _)| *x == c), "{c}: {found:?}");
    }
    let f = lint_with(&text, &Settings::default(), None);
    let sev = f.iter().find(|f| f.code.name() == "bad-severity").unwrap();
    assert_eq!((sev.line, sev.column, sev.end_column), (3, 11, 16));
}

#[test]
fn timeline_order() {
    let back = COMPLETE.replace("09:40 backlog", "09:10 backlog");
    assert!(codes(&back).contains(&("timeline-order", 17)));
    // Past midnight is the next day, and a new date resets the clock.
    let midnight = COMPLETE
        .replace("09:00 alarms", "23:30 alarms")
        .replace("09:20 restarted", "23:50 restarted")
        .replace("09:40 backlog", "00:20 backlog");
    assert!(!codes(&midnight).iter().any(|(c, _)| *c == "timeline-order"));
    let dated = COMPLETE
        .replace("- 09:40 backlog", "- 2025-03-02 08:00 backlog")
        .replace("- 09:00 alarms", "- 2025-03-01 09:00 alarms");
    assert!(!codes(&dated).iter().any(|(c, _)| *c == "timeline-order"));
}

#[test]
fn action_items_need_owners() {
    let text = COMPLETE.replace(
        "- Add a lock timeout (owner: @sam)",
        "- Add a lock timeout\n- Page on backlog — Priya\n- [x] Done already",
    );
    let found = codes(&text);
    assert_eq!(
        found.iter().filter(|(c, _)| *c == "action-owner").count(),
        1,
        "{found:?}"
    );
    let table = COMPLETE.replace(
        "- Add a lock timeout (owner: @sam)",
        "| Action | Owner |\n| --- | --- |\n| Lock timeout | |\n| Alerts | @kim |",
    );
    assert!(
        codes(&table).contains(&("action-owner", 28)),
        "{:?}",
        codes(&table)
    );
}

#[test]
fn suppressions_need_a_reason() {
    let text = COMPLETE.replace(
        "- Add a lock timeout (owner: @sam)",
        "<!-- hindsight-lint: allow action-owner -- tracked in OPS-12 -->\n- Add a lock timeout",
    );
    assert_eq!(codes(&text), vec![]);
    let bare = text.replace(" -- tracked in OPS-12", "");
    let found = codes(&bare);
    assert!(
        found.contains(&("bad-suppression", 26)) && found.iter().any(|(c, _)| *c == "action-owner"),
        "{found:?}"
    );
    let typo = text.replace("allow action-owner", "allow action-ownr");
    assert!(codes(&typo).contains(&("bad-suppression", 26)));
    // A suppression anywhere covers findings about the whole file.
    let whole = COMPLETE.replace(
        "## Impact\nOrders were late for 40 minutes.\n",
        "<!-- hindsight-lint: allow missing-section -- internal note -->\n",
    );
    assert_eq!(codes(&whole), vec![]);
}

#[test]
fn links() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("runbook.md"), "x").unwrap();
    let text = COMPLETE.replace(
        "Restarted the workers.",
        "See [runbook](runbook.md#restart), [old](gone.md), [site](https://x.example) and [x](javascript:alert(1)).",
    );
    let f = lint_with(&text, &Settings::default(), Some(dir.path()));
    let found: Vec<&str> = f.iter().map(|f| f.code.name()).collect();
    assert_eq!(found, vec!["broken-link", "unsafe-link"], "{f:?}");
}

#[test]
fn damaged_text_shows_the_repair() {
    let text = COMPLETE.replace("Workers stalled.", "Workers stalled âœ… then recovered.");
    let f = lint_with(&text, &Settings::default(), None);
    let m = f
        .iter()
        .find(|f| f.code.name() == "mojibake")
        .expect("mojibake");
    assert!(m.message.contains("`âœ…` → `✅`"), "{}", m.message);
    assert_eq!((m.line, m.column), (9, 17));
}

#[test]
fn levels_and_required_sections_are_configurable() {
    let cfg = LintConfig {
        required: Some(vec!["summary".into()]),
        level: [
            ("action-owner".to_string(), "allow".to_string()),
            ("missing-status".into(), "error".into()),
        ]
        .into_iter()
        .collect(),
    };
    let s = Settings::new(&cfg, &Default::default()).unwrap();
    let text = "# T\n**Date:** 2025-01-01\n**Severity:** low\n\n## Summary\nx\n\n## Action Items\n- do it\n";
    let f = lint_with(text, &s, None);
    let found: Vec<(&str, Level)> = f.iter().map(|f| (f.code.name(), f.level)).collect();
    assert_eq!(found, vec![("missing-status", Level::Error)]);
    let bad = LintConfig {
        required: Some(vec!["root_causes".into()]),
        ..LintConfig::default()
    };
    let e = Settings::new(&bad, &Default::default()).unwrap_err();
    assert!(e.message.contains("root_causes"), "{e}");
}

/// A bad value in `[lint]` is reported at its line of hindsight.toml.
#[test]
fn config_errors_point_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        "[site]\ntitle = \"x\"\n\n[lint.level]\naction-owner = \"loud\"\nmojibak = \"allow\"\n";
    std::fs::write(dir.path().join("hindsight.toml"), text).unwrap();
    let c = crate::config::Config::load(dir.path()).unwrap();
    let e = Settings::new(&c.lint, &c.source).unwrap_err();
    assert!(e.to_string().contains("hindsight.toml:5:"), "{e}");
    std::fs::write(
        dir.path().join("hindsight.toml"),
        text.replace("\"loud\"", "\"error\""),
    )
    .unwrap();
    let c = crate::config::Config::load(dir.path()).unwrap();
    let e = Settings::new(&c.lint, &c.source).unwrap_err();
    assert!(
        e.to_string().contains("hindsight.toml:6:") && e.to_string().contains("mojibake"),
        "{e}"
    );
}

#[test]
fn duplicate_ids_name_the_first_file() {
    let files = [("a/x.md", "x"), ("b/y.md", "y"), ("c/x.md", "x")];
    let found = duplicate_ids(files, &Settings::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "c/x.md");
    assert!(found[0].1.message.contains("a/x.md"));
}

#[test]
fn every_placeholder_in_a_template_row_and_the_owner_caret_on_its_cell() {
    let text = COMPLETE.replace(
        "## Action Items",
        "## Action Items\n\n| Action | Owner | Due |\n|---|---|---|\n| TODO: write it | TODO | YYYY-MM-DD |\n",
    );
    assert!(
        text.contains("| TODO: write it"),
        "the fixture has an Action Items section"
    );
    let found = lint_with(&text, &Settings::default(), None);
    let row = found
        .iter()
        .find(|f| f.code == Code::ActionOwner && f.message.contains("TODO"))
        .expect("an owner finding for the row");
    let line = text.lines().nth(row.line - 1).unwrap();
    let at: String = line
        .chars()
        .skip(row.column - 1)
        .take(row.end_column - row.column)
        .collect();
    assert_eq!(at, "TODO", "caret under the Owner cell of {line:?}");
    let cols: Vec<(usize, usize)> = found
        .iter()
        .filter(|f| f.code == Code::Placeholder && f.line == row.line)
        .map(|f| (f.column, f.end_column))
        .collect();
    assert_eq!(cols.len(), 3, "TODO, TODO and YYYY-MM-DD: {found:?}");
}

#[test]
fn tags_shown_as_text_are_reported_where_they_are() {
    let text = COMPLETE.replace(
        "Workers stalled.",
        "Workers stalled when the <script> tag went, and `<style>` in code is fine.",
    );
    let found: Vec<(&str, usize, usize)> = lint_with(&text, &Settings::default(), None)
        .into_iter()
        .filter(|f| f.code == Code::HtmlAsText)
        .map(|f| (f.code.name(), f.line, f.column))
        .collect();
    let line = text.lines().position(|l| l.contains("<script>")).unwrap() + 1;
    let col = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("<script>")
        .unwrap()
        + 1;
    assert_eq!(found, [("html-as-text", line, col)]);
}

#[test]
fn damaged_lines_are_one_finding_per_file() {
    let text = COMPLETE.replace(
        "Workers stalled.",
        "Workers stalled âœ… then.\n\nStill âœ… down.\n\nAnd âŒ here.",
    );
    let f: Vec<Finding> = lint_with(&text, &Settings::default(), None)
        .into_iter()
        .filter(|f| f.code.name() == "mojibake")
        .collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].line, 9);
    assert!(
        f[0].message.contains("also on 2 more lines (11, 13)"),
        "{}",
        f[0].message
    );
}
