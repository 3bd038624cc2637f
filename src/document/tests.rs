use super::*;
use crate::taxonomy::SectionKind::*;

const SAMPLE: &str = "---
title: Front title
---
# Server down - RESOLVED

**Status**: ✅ RESOLVED
**Priority**: CRITICAL

## Timeline
- **09:01 UTC** - Deployed
- **09:05 UTC** - Users report errors

## Technical Analysis

### Root Cause: `systemd` vs. PM2
1. **Operator error**: ran `pm2 restart`.
2. **Symptom Cascade**: misleading symptoms:
   * **Constant Restarts**: PM2 looped.
   * `EADDRINUSE` errors.

**Root causes:**

Deploy script had `rsync --delete`.

| Time | Event |
|------|-------|
| 10:00 | Rolled back |

```bash
git reset --hard origin/main
```
Setext heading
--------------
Text.
";

#[test]
fn sections_headings_and_kinds() {
    let d = Document::parse(SAMPLE);
    assert_eq!(d.h1.as_deref(), Some("Server down - RESOLVED"));
    assert_eq!(
        d.front_matter.text(&["title"]).as_deref(),
        Some("Front title")
    );
    let heads: Vec<(&str, SectionKind, u8, usize)> = d.sections[1..]
        .iter()
        .map(|s| (s.heading.as_str(), s.kind, s.level, s.line))
        .collect();
    assert_eq!(
        heads,
        vec![
            ("Server down - RESOLVED", Other, 1, 4),
            ("Timeline", Timeline, 2, 9),
            ("Technical Analysis", RootCause, 2, 13),
            ("Root Cause: `systemd` vs. PM2", RootCause, 3, 15),
            ("Root causes", RootCause, 7, 21),
            ("Setext heading", Other, 2, 32),
        ]
    );
}

#[test]
fn metadata_lines() {
    let d = Document::parse(SAMPLE);
    let kv: Vec<(&str, &str, usize)> = d
        .metadata
        .iter()
        .map(|m| (m.key.as_str(), m.value.as_str(), m.line))
        .collect();
    assert_eq!(kv[0], ("Status", "✅ RESOLVED", 6));
    assert_eq!(kv[1], ("Priority", "CRITICAL", 7));
    assert!(kv.contains(&("Operator error", "ran `pm2 restart`.", 16)));
}

#[test]
fn nested_items_keep_their_parent() {
    let d = Document::parse(SAMPLE);
    let rc = d
        .sections
        .iter()
        .find(|s| s.heading.starts_with("Root Cause:"))
        .unwrap();
    let items: Vec<(&str, usize, Option<usize>)> = rc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Item {
                text,
                depth,
                parent,
                ..
            } => Some((text.as_str(), *depth, *parent)),
            _ => None,
        })
        .collect();
    assert_eq!(items[0], ("Operator error: ran `pm2 restart`.", 0, None));
    assert_eq!(items[1], ("Symptom Cascade: misleading symptoms:", 0, None));
    assert_eq!(items[2], ("Constant Restarts: PM2 looped.", 1, Some(1)));
    assert_eq!(items[3], ("`EADDRINUSE` errors.", 1, Some(1)));
}

#[test]
fn tables_and_code() {
    let d = Document::parse(SAMPLE);
    let pseudo = d.sections.iter().find(|s| s.level == 7).unwrap();
    assert!(
        matches!(&pseudo.blocks[0], Block::Paragraph { text, .. } if text == "Deploy script had `rsync --delete`.")
    );
    assert!(
        matches!(&pseudo.blocks[1], Block::Table { rows, .. } if rows[1] == ["10:00", "Rolled back"])
    );
    assert!(
        matches!(&pseudo.blocks[2], Block::Code { lang, text, line: 29 } if lang == "bash" && text.contains("reset --hard"))
    );
}

#[test]
fn hostile_input_does_not_panic() {
    let deep = "> ".repeat(10_000) + "# deep\n";
    Document::parse(&deep);
    let lists: String = (0..10_000)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    Document::parse(&lists);
    let heads = "#".repeat(10_000) + " nope\n";
    Document::parse(&heads);
    Document::parse("");
    Document::parse("---\n");
    Document::parse("<script>alert(1)</script>\n**:**\n****: x\n");
}

/// Found by fuzzing (`fuzz/fuzz_targets/parse.rs`): a lone CR ends a line for markdown
/// but not for `str::lines`, so rows counted from the table's first line ran past the
/// end of the file. Each row now carries the line it starts on.
#[test]
fn table_rows_carry_their_own_lines() {
    let d = Document::parse("| Time | Event |\n|---|---|\n| 09:00 \r 09:01 | a |\n| 09:05 | b |\n");
    let Some(Block::Table {
        rows, row_lines, ..
    }) = d.sections.iter().flat_map(|s| &s.blocks).next()
    else {
        panic!("no table");
    };
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(row_lines, &[1, 3, 3, 4]);
}

#[test]
fn memo_headings_in_capitals_open_sections() {
    let d = Document::parse(
        "Hi all,\n\n1. SUMMARY\n\nThe VPN was down.\n\n7. LESSONS LEARNED\n\nAlways test firmware on the standby unit.\n\nREGARDS\n",
    );
    let heads: Vec<(&str, SectionKind, usize)> = d.sections[1..]
        .iter()
        .map(|s| (s.heading.as_str(), s.kind, s.line))
        .collect();
    // `REGARDS` names no section: it stays text.
    assert_eq!(
        heads,
        vec![
            ("SUMMARY", Summary, 3),
            ("LESSONS LEARNED", LessonsLearned, 7)
        ]
    );
}

#[test]
fn slack_bullets_are_list_items_and_emphasis_labels_are_headings() {
    let src = "*Why:* a bad rule.\n*Follow-ups:*\n\u{2022} lifecycle rules go through code review\n\u{2022} never turn off versioning\nThread for questions\n";
    let d = Document::parse(src);
    let s = d.sections.last().unwrap();
    assert_eq!(
        (s.heading.as_str(), s.kind, s.line),
        ("Follow-ups", ActionItems, 2)
    );
    let texts: Vec<(&str, usize)> = s
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Item { text, line, .. } | Block::Paragraph { text, line } => {
                Some((text.as_str(), *line))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        vec![
            ("lifecycle rules go through code review", 3),
            ("never turn off versioning", 4),
            ("Thread for questions", 5),
        ]
    );
    // A bullet inside a code fence is code.
    let d = Document::parse("```\n\u{2022} not an item\n```\n");
    assert!(
        matches!(&d.sections[0].blocks[..], [Block::Code { text, .. }] if text.starts_with('\u{2022}'))
    );
}
