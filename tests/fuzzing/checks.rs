//! The checks each fuzz target makes, shared by the fuzz targets (`fuzz/`, nightly,
//! libFuzzer) and by `tests/fuzz_regressions.rs`, which replays every input the fuzzers
//! ever failed on (`fuzz/regressions/<target>/`) on stable in the normal test run.
#![allow(dead_code)]

use std::path::Path;

use hindsight::document::Document;
use hindsight::incident::Incident;
use hindsight::lint::{self, Settings};
use hindsight::owned::{self, Ownership};
use hindsight::rules::agents::{Budget, Target, render};
use hindsight::rules::model::{Level, Rule, parse_rule};
use hindsight::rules::render::rule_toml;

/// any bytes -> text. Never panics, and what it returns is already
/// repaired: repairing it again changes nothing (`fix(fix(x)) == fix(x)`).
pub(crate) fn ingest(data: &[u8]) {
    let Ok(ing) = hindsight::ingest::ingest(data) else {
        return;
    };
    let (again, repairs) = hindsight::ingest::repair_text(&ing.text);
    assert_eq!(again, ing.text, "repair is not idempotent: {repairs:?}");
    assert!(repairs.is_empty());
}

/// any text -> incident record and lint findings. Never panics, every
/// line it points at exists, and the record serialises to JSON and back unchanged.
pub(crate) fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(ing) = hindsight::ingest::ingest(text.as_bytes()) else {
        return;
    };
    let lines = ing.text.lines().count().max(1);
    let doc = Document::parse(&ing.text);
    let inc = Incident::from_document("incidents/fuzz.md", &doc, &ing);
    for e in &inc.timeline {
        assert!(
            e.line >= 1 && e.line <= lines,
            "timeline line {} of {lines}",
            e.line
        );
    }
    for s in &inc.sections {
        assert!(
            s.line >= 1 && s.line <= lines,
            "section line {} of {lines}",
            s.line
        );
    }
    let json = serde_json::to_string(&inc).expect("record serialises");
    let back: Incident = serde_json::from_str(&json).expect("record reads back");
    assert_eq!(back, inc);
    let input = lint::Input {
        dir: None,
        original: &text,
        ingested: &ing,
        doc: &doc,
        incident: &inc,
    };
    for f in lint::lint(&input, &Settings::default()) {
        assert!(f.line <= lines, "finding {f:?} past line {lines}");
    }
}

/// any TOML -> guard rule. Never panics; a rule that loads is written
/// back by the rule renderer and loads again as the same rule.
pub(crate) fn guard_rule(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("rules/fuzz.toml");
    let Ok(rule) = parse_rule(path, text) else {
        return;
    };
    let written = rule_toml(&rule);
    let back = parse_rule(path, &written)
        .unwrap_or_else(|e| panic!("rendered rule does not load: {e}\n{written}"));
    assert_eq!(back, rule, "round trip changed the rule\n{written}");
}

/// agent rule files. A rule with any title and globs renders `.mdc`,
/// Windsurf and Cline files whose front matter reads back as the agents read it
/// (Cursor and Windsurf: `key: value` lines taken as written; Cline: YAML) with the
/// intended fields; and any existing file content survives the marker reader and splicer.
pub(crate) fn mdc(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{0}');
    let title = parts.next().unwrap_or_default().to_string();
    let applies_to: Vec<String> = parts
        .next()
        .unwrap_or_default()
        .split('\n')
        .filter(|g| !g.is_empty())
        .map(String::from)
        .collect();
    let existing = parts.next();
    let rule = Rule {
        id: "fuzz-rule".into(),
        title: title.clone(),
        severity: if data.len().is_multiple_of(2) {
            Level::Error
        } else {
            Level::Warning
        },
        status: Default::default(),
        why: title.clone(),
        do_: Some(title.clone()),
        dont: None,
        steps: Vec::new(),
        incidents: vec![],
        applies_to,
        sources: vec![],
        guards: vec![],
    };
    let files = render(
        std::slice::from_ref(&rule),
        &[],
        Path::new("/repo"),
        &[Target::Cursor, Target::Windsurf, Target::Cline],
        Budget::default(),
    );
    assert_eq!(files.len(), 3);
    for f in &files {
        let name = f.path.display();
        assert_eq!(owned::ownership(&f.content), Ownership::Unedited, "{name}");
        let Some(rest) = f.content.strip_prefix("---\n") else {
            assert!(
                name.to_string().contains(".clinerules"),
                "{name} has no front matter"
            );
            continue;
        };
        let end = rest
            .find("\n---\n")
            .unwrap_or_else(|| panic!("{name}: unterminated front matter"));
        let block = &rest[..end + 1];
        if name.to_string().contains(".clinerules") {
            let yaml: serde_yaml_ng::Value =
                serde_yaml_ng::from_str(block).unwrap_or_else(|e| panic!("{name}: {e}\n{block}"));
            let got: Vec<&str> = yaml["paths"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            let want: Vec<&str> = rule.applies_to.iter().map(String::as_str).collect();
            assert_eq!(got, want, "{name}\n{block}");
            continue;
        }
        for line in block.lines() {
            let (key, value) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("{name}: line {line:?}"));
            match key {
                "description" => {
                    // Plain YAML too: the line reads the same to a YAML parser.
                    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(line)
                        .unwrap_or_else(|e| panic!("{name}: {e}\n{block}"));
                    assert_eq!(
                        yaml["description"].as_str(),
                        Some(value),
                        "{name}: description needs quoting\n{block}"
                    );
                    // It says when to apply the rule, then the lesson.
                    assert!(value.starts_with("Apply when "), "{name}: {value}");
                }
                "globs" => {
                    let globs: Vec<&str> = value.split(',').collect();
                    for g in &globs {
                        assert!(
                            rule.applies_to.iter().any(|a| a == g),
                            "{name}: glob {g:?} not asked for"
                        );
                    }
                    for want in &rule.applies_to {
                        let plain = !want.contains([',', '{'])
                            && !want.chars().any(|c| c.is_whitespace() || c.is_control());
                        assert_eq!(
                            globs.contains(&want.as_str()),
                            plain,
                            "{name}: glob {want:?}\n{block}"
                        );
                    }
                }
                "alwaysApply" => assert!(value == "true" || value == "false"),
                "trigger" => assert!(["glob", "always_on", "model_decision"].contains(&value)),
                _ => panic!("{name}: unexpected key {key}"),
            }
        }
    }
    if let Some(old) = existing {
        let _ = owned::ownership(old);
        let once = owned::splice(Some(old), "# Rules\n", "- a lesson\n");
        let twice = owned::splice(Some(&once), "# Rules\n", "- a lesson\n");
        assert_eq!(
            once, twice,
            "splicing the same block twice changed the file"
        );
    }
}
