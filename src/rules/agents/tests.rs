use super::*;
use crate::kb::KnowledgeBase;
use crate::owned::{Action, apply, plan};
use crate::rules::generate::generate;

/// The bundled knowledge base copied to a temporary folder.
fn kb() -> (tempfile::TempDir, KnowledgeBase, Vec<crate::kb::Loaded>) {
    let dir = tempfile::tempdir().unwrap();
    let src = format!("{}/incidents", env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir(dir.path().join("incidents")).unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join("incidents").join(e.file_name())).unwrap();
    }
    let kb = KnowledgeBase::new(dir.path());
    let files = kb.postmortem_files(&[kb.incidents_dir()]).unwrap();
    let loaded = files.iter().map(|f| kb.load(f).unwrap()).collect();
    (dir, kb, loaded)
}

fn run(
    kb: &KnowledgeBase,
    loaded: &[crate::kb::Loaded],
    out: &Path,
) -> Vec<(PathBuf, Action, Option<String>)> {
    let g = generate(
        kb,
        loaded,
        &Settings {
            out: out.to_path_buf(),
            targets: ALL_TARGETS.to_vec(),
            budget: Budget::default(),
        },
    )
    .unwrap();
    let p = plan(&g.files, &g.owned_dirs);
    apply(&p).unwrap();
    p
}

/// Read Cursor front matter the way Cursor does: line by line, values verbatim.
fn cursor_front(text: &str) -> Vec<(String, String)> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("---"), "front matter first");
    let mut out = Vec::new();
    for l in lines {
        if l == "---" {
            return out;
        }
        let (k, v) = l
            .split_once(": ")
            .unwrap_or_else(|| panic!("not key: value: {l:?}"));
        out.push((k.to_string(), v.to_string()));
    }
    panic!("front matter not closed");
}

#[test]
fn cursor_mdc_front_matter() {
    let (_d, kb, loaded) = kb();
    let out = kb.root.join("rules/agents");
    run(&kb, &loaded, &out);
    let dir = out.join(".cursor/rules");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let front = cursor_front(&text);
        let keys: Vec<&str> = front.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys[0], "description");
        let get = |k: &str| front.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
        let desc = get("description").unwrap();
        assert!(
            !desc.contains(": ") && !desc.starts_with(['#', '`', '*', '"', '\'']),
            "{desc}"
        );
        match (get("globs"), get("alwaysApply")) {
            (Some(g), Some("false")) => {
                assert!(
                    !g.contains(' ') && !g.contains('"') && !g.contains('\'') && !g.contains('{'),
                    "{g}"
                );
                assert!(!g.starts_with('['), "one string, not a list: {g}");
            }
            (None, Some("true" | "false")) => {}
            other => panic!("globs and alwaysApply: {other:?}"),
        }
        // The provenance marker sits after the front matter, never inside it.
        assert!(!front.iter().any(|(k, _)| k.contains("hindsight")));
        assert!(text.contains("<!-- hindsight-generated sha256:"));
        assert!(text.contains("**Why:**") && text.contains("**Incident:** ["));
        n += 1;
    }
    assert!(n > 5);
    let rsync = std::fs::read_to_string(dir.join("no-rsync-delete.mdc")).unwrap();
    assert!(rsync.contains("globs: **/*.sh,**/*.bash,"), "{rsync}");
    assert!(
        rsync.contains("](../../../../incidents/2025-10-16-fluxstudio-rsync-delete-outage.md)"),
        "{rsync}"
    );
    assert!(
        rsync.contains("FluxStudio Production Recovery - Executive Summary, 2025-10-16"),
        "{rsync}"
    );
}

#[test]
fn rerun_changes_nothing_and_keeps_hand_edits() {
    let (_d, kb, loaded) = kb();
    let out = kb.root.clone();
    std::fs::write(
        out.join("AGENTS.md"),
        "# Our agents\n\nHouse rules we wrote.\n",
    )
    .unwrap();
    std::fs::write(
        out.join("CLAUDE.md"),
        "Intro.\r\n<!-- hindsight:begin -->\r\nold\r\n<!-- hindsight:end -->\r\nOutro.\r\n",
    )
    .unwrap();
    run(&kb, &loaded, &out);
    let agents = std::fs::read_to_string(out.join("AGENTS.md")).unwrap();
    assert!(
        agents.starts_with("# Our agents\n\nHouse rules we wrote.\n\n<!-- hindsight:begin -->\n")
    );
    let claude = std::fs::read_to_string(out.join("CLAUDE.md")).unwrap();
    // A CLAUDE.md of the user's without the import gets it inside the block.
    assert!(claude.starts_with("Intro.\r\n<!-- hindsight:begin -->\r\n@AGENTS.md\r\n"));
    assert!(claude.ends_with("<!-- hindsight:end -->\r\nOutro.\r\n"));
    assert!(!claude.contains("old\r\n"));

    // Second run: nothing to write.
    let second = run(&kb, &loaded, &out);
    let writes: Vec<_> = second.iter().filter(|(_, a, _)| a.writes()).collect();
    assert!(writes.is_empty(), "{writes:?}");

    // A hand edit in a generated file survives, and is reported as kept.
    let rule = kb.rules_dir().join("no-rsync-delete.toml");
    let edited = std::fs::read_to_string(&rule)
        .unwrap()
        .replace("severity = \"error\"", "severity = \"warning\"");
    std::fs::write(&rule, &edited).unwrap();
    let third = run(&kb, &loaded, &out);
    assert_eq!(std::fs::read_to_string(&rule).unwrap(), edited);
    assert!(
        third
            .iter()
            .any(|(p, a, _)| p == &rule && *a == Action::KeepEdited)
    );

    // A file without the marker is never touched.
    let mdc = out.join(".cursor/rules/no-pm2.mdc");
    std::fs::write(&mdc, "mine\n").unwrap();
    run(&kb, &loaded, &out);
    assert_eq!(std::fs::read_to_string(&mdc).unwrap(), "mine\n");
}

#[test]
fn stale_generated_files_go_edited_ones_stay() {
    let (_d, kb, loaded) = kb();
    let out = kb.root.join("rules/agents");
    run(&kb, &loaded, &out);
    // Drop one incident: its rules become stale.
    let fewer: Vec<_> = loaded
        .iter()
        .filter(|l| !l.incident.id.contains("pm2"))
        .cloned()
        .collect();
    let pm2 = kb.rules_dir().join("no-pm2.toml");
    let pm2_mdc = out.join(".cursor/rules/no-pm2.mdc");
    let edited_mdc = out.join(".cursor/rules/only-systemd-should-used-manage-application.mdc");
    let text = std::fs::read_to_string(&edited_mdc).unwrap() + "\nOur own note.\n";
    std::fs::write(&edited_mdc, &text).unwrap();
    let p = run(&kb, &fewer, &out);
    assert!(!pm2.exists() && !pm2_mdc.exists());
    assert_eq!(std::fs::read_to_string(&edited_mdc).unwrap(), text);
    assert!(
        p.iter()
            .any(|(f, a, _)| f == &edited_mdc && *a == Action::KeepStale)
    );
}

#[test]
fn windsurf_stays_under_its_limit() {
    let (_d, kb, loaded) = kb();
    let out = kb.root.join("rules/agents");
    run(&kb, &loaded, &out);
    for e in std::fs::read_dir(out.join(".windsurf/rules")).unwrap() {
        let t = std::fs::read_to_string(e.unwrap().path()).unwrap();
        assert!(t.chars().count() <= WINDSURF_LIMIT, "{}", t.len());
        assert!(t.starts_with("---\ntrigger: "));
    }
}

fn rule_titled(title: &str, applies_to: &[&str]) -> Rule {
    Rule {
        id: "r".into(),
        title: title.into(),
        severity: Level::Warning,
        status: crate::rules::model::RuleStatus::Active,
        why: String::new(),
        do_: None,
        dont: None,
        steps: Vec::new(),
        incidents: vec![],
        applies_to: applies_to.iter().map(|g| g.to_string()).collect(),
        sources: vec![],
        guards: vec![],
    }
}

/// Found by fuzzing (`fuzz/fuzz_targets/mdc.rs`): an empty title left a trailing space a
/// YAML reader drops, and a glob ending in a tab lost the tab when Cursor trims the line.
#[test]
fn front_matter_values_read_back_as_written() {
    for title in [
        "",
        "  ",
        "Deploy:\tthen\r\ncheck #1",
        "`x`: y:",
        "a ###-[ b",
        "x:: y",
        "yes\u{ffff}\u{fffe}\u{feff}\u{2028}\u{85}ok",
    ] {
        let (front, _) = cursor_front_matter(&rule_titled(title, &[]));
        let line = front.lines().nth(1).unwrap();
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(line).unwrap();
        assert_eq!(
            Some(line.trim_start_matches("description: ")),
            v["description"].as_str(),
            "{title:?}"
        );
    }
    let r = rule_titled("t", &["scripts/*.sh\t", "a b/*", "**/*.ts", "x,y"]);
    assert_eq!(cursor_globs(&r).as_deref(), Some("**/*.ts"));
    let (cline, _) = cline_front_matter(&rule_titled("t", &["a\"b\\c\t", "*.js"]));
    let yaml = cline.trim_start_matches("---\n").trim_end_matches("---\n");
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
    assert_eq!(v["paths"][0].as_str(), Some("a\"b\\c\t"));
    assert_eq!(v["paths"][1].as_str(), Some("*.js"));
    // C1 controls, NEL and U+2028 are escaped, not written raw (found by fuzzing).
    let odd = "a\u{1c}\u{85}\u{90}\u{2028}\u{feff}b✅";
    let (cline, _) = cline_front_matter(&rule_titled("t", &[odd]));
    let yaml = cline.trim_start_matches("---\n").trim_end_matches("---\n");
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
    assert_eq!(v["paths"][0].as_str(), Some(odd));
}

/// A lesson from many incidents links the newest few and counts the rest.
#[test]
fn agent_files_link_the_newest_incidents_only() {
    let (_d, _kb, loaded) = kb();
    let incidents: Vec<Incident> = (0..9)
        .map(|k| {
            let mut inc = loaded[0].incident.clone();
            inc.id = format!("inc-{k}");
            inc.date = Some(format!("2024-01-0{}", k + 1));
            inc
        })
        .collect();
    let cited: Vec<Cited> = incidents
        .iter()
        .map(|incident| Cited {
            incident,
            file: PathBuf::from("/kb/incidents/x.md"),
        })
        .collect();
    let mut r = rule_titled("t", &[]);
    r.incidents = incidents.iter().map(|i| i.id.clone()).collect();
    let text = body(&r, &cited, Path::new("/kb"));
    let line = text
        .lines()
        .find(|l| l.starts_with("- **Incident:**"))
        .unwrap();
    assert_eq!(line.matches("](").count(), AGENT_INCIDENTS, "{line}");
    assert!(
        line.contains("2024-01-09") && !line.contains("2024-01-04"),
        "{line}"
    );
    assert!(
        line.ends_with("and 4 more (`rules/r.toml` lists them)"),
        "{line}"
    );
}

/// However many rules, the shared block fits the budget and says where the rest are;
/// a Don't said as a statement is never prefixed with "Don't:" nor turned into a Do.
#[test]
fn the_shared_block_keeps_to_its_budget_and_wording() {
    let rules: Vec<Rule> = (0..2_000)
        .map(|i| {
            let mut r = rule_titled(&format!("Rule {i}"), &[]);
            r.id = format!("rule-{i:04}");
            r.why = "A deploy went wrong because of a long chain of events. ".repeat(8);
            r.dont = Some(if i % 2 == 0 {
                format!("Never run migration {i} by hand")
            } else {
                format!("Service {i} should not be restarted during business hours")
            });
            r
        })
        .collect();
    let block = index(&rules, &[], Path::new("/repo"), Budget::default());
    assert!(block.len() <= 12_000, "{} bytes", block.len());
    assert!(
        block.lines().count() + 2 <= 150,
        "{} lines",
        block.lines().count()
    );
    assert!(block.contains("more lesson(s) are in `rules/`"));
    assert!(block.contains("**Don't:** Run migration 0 by hand."));
    assert!(block.contains("- Service 1 should not be restarted during business hours."));
    assert!(!block.contains("**Do:**"));
    assert!(!block.contains("Don't:** Service"));
}
