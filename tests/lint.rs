//! `hindsight lint` and `hindsight new` end to end: what lint says about the bundled
//! seeds, the scaffold before and after it is filled in, `--fix`, and SARIF validity.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hindsight(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (path, code, line) of every finding in `dir`'s incidents/ (or `paths`).
fn findings(dir: &Path, paths: &[&str]) -> (i32, Vec<(String, String, u64)>) {
    let mut args = vec!["lint", "--format", "json"];
    args.extend(paths);
    let out = hindsight(dir, &args);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let list = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            for k in ["code", "severity", "path", "line", "column", "message"] {
                assert!(!f[k].is_null(), "contract field {k} in {f}");
            }
            (
                f["path"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (out.status.code().unwrap(), list)
}

fn codes_of(all: &[(String, String, u64)], file: &str) -> Vec<String> {
    all.iter()
        .filter(|(p, _, _)| p.contains(file))
        .map(|(_, c, _)| c.clone())
        .collect()
}

#[test]
fn the_seeds_get_what_a_reviewer_would_say() {
    let (status, all) = findings(&root(), &[]);
    assert_eq!(status, 1, "missing sections are errors");
    let cf = codes_of(&all, "cloudflare-pages-missing-worker");
    let missing: Vec<&(String, String, u64)> = all
        .iter()
        .filter(|(p, c, _)| p.contains("cloudflare-pages") && c == "missing-section")
        .collect();
    assert_eq!(missing.len(), 2, "{missing:?}");
    // The emergency note's 'Timeline:' is a list of causes with no times.
    let out = hindsight(
        &root(),
        &[
            "lint",
            "--color",
            "never",
            "incidents/2026-01-02-cloudflare-pages-missing-worker.md",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no timeline section"), "{text}");
    assert!(text.contains("no impact section"), "{text}");
    assert!(text.contains("lists events without times"), "{text}");
    assert!(cf.contains(&"action-owner".to_string()));
    // The session summary has a timeline with times.
    let session = codes_of(&all, "backend-deploy-without-local-testing");
    let out = hindsight(
        &root(),
        &[
            "lint",
            "--color",
            "never",
            "incidents/2026-02-04-backend-deploy-without-local-testing.md",
        ],
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("no timeline"));
    assert!(
        session.contains(&"missing-section".to_string()),
        "no summary heading"
    );
    // Every seed was damaged on its way here.
    for seed in std::fs::read_dir(root().join("incidents")).unwrap() {
        let name = seed.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            codes_of(&all, &name).contains(&"mojibake".to_string()),
            "{name} has no mojibake finding"
        );
    }
    // Damaged lines point at the damage as it is in the file.
    let out = hindsight(
        &root(),
        &[
            "lint",
            "--color",
            "never",
            "incidents/2025-10-16-fluxstudio-rsync-delete-outage.md",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("warning[mojibake]"), "{text}");
    assert!(text.contains("âœ…") || text.contains("‚úÖ"), "{text}");
}

#[test]
fn new_then_lint_fails_on_placeholders_and_passes_once_filled() {
    let kb = tempfile::tempdir().unwrap();
    let out = hindsight(
        kb.path(),
        &["new", "Cache stampede after deploy", "--date", "2026-03-04"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(shown, "incidents/2026-03-04-cache-stampede-after-deploy.md");
    let path = kb.path().join(&shown);
    // It never overwrites.
    let again = hindsight(
        kb.path(),
        &["new", "Cache stampede after deploy", "--date", "2026-03-04"],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // Its prompts are not an incident's causes or lessons, and make no rules.
    let record = records(kb.path());
    for k in ["causes", "fixes", "lessons", "prevention"] {
        assert_eq!(record[k], serde_json::json!([]), "{k}: {record}");
    }
    assert_eq!(rule_files(kb.path()), 0);

    let (status, all) = findings(kb.path(), &[]);
    assert_eq!(status, 1);
    let codes: Vec<&str> = all.iter().map(|(_, c, _)| c.as_str()).collect();
    assert!(
        codes.iter().filter(|c| **c == "placeholder").count() >= 8,
        "{codes:?}"
    );
    assert!(
        codes.contains(&"bad-severity") && codes.contains(&"bad-status"),
        "{codes:?}"
    );
    assert!(
        !codes.contains(&"missing-section"),
        "the scaffold has every section: {codes:?}"
    );

    let filled = std::fs::read_to_string(&path)
        .unwrap()
        .replace("severity: TODO", "severity: high")
        .replace("status: TODO", "status: resolved")
        .replace("- HH:MM TODO: the first sign of trouble", "- 09:02 error rate alarm fires")
        .replace("- HH:MM TODO: detected, and how", "- 09:10 on-call finds the cache cold")
        .replace("- HH:MM TODO: resolved", "- 09:40 cache warmed, errors gone")
        .replace("| TODO: what will be done | TODO | YYYY-MM-DD |", "| Warm the cache before switching traffic | @dana | 2026-03-20 |")
        .replace(
            "- TODO: What to always or never do from now on. Lessons that name a command or file\n  (`rsync --delete`, `dist/_worker.js`) become guard rules.",
            "- Always warm the cache before a deploy switches traffic.",
        )
        .lines()
        .map(|l| {
            if l.starts_with("TODO:") {
                "The new release flushed the cache and every request went to the database."
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, filled + "\n").unwrap();
    let (status, all) = findings(kb.path(), &[]);
    assert_eq!(all, Vec::new(), "a filled-in scaffold is clean");
    assert_eq!(status, 0);
    let record = records(kb.path());
    assert_eq!(
        record["lessons"],
        serde_json::json!(["Always warm the cache before a deploy switches traffic."])
    );
    assert_eq!(rule_files(kb.path()), 1);
}

/// The one record `hindsight parse` gives for `dir`'s incidents/.
fn records(dir: &Path) -> serde_json::Value {
    let out = hindsight(dir, &["parse"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    v[0].clone()
}

/// How many rule files `hindsight rules` writes for `dir`.
fn rule_files(dir: &Path) -> usize {
    let out = hindsight(dir, &["rules"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_dir(dir.join("rules"))
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "toml"))
            })
            .count()
        })
        .unwrap_or(0)
}

#[test]
fn fix_repairs_in_place_and_lint_then_has_no_damage() {
    let kb = tempfile::tempdir().unwrap();
    std::fs::create_dir(kb.path().join("incidents")).unwrap();
    let seed = "2025-10-16-fluxstudio-rsync-delete-outage.md";
    let target = kb.path().join("incidents").join(seed);
    std::fs::copy(root().join("incidents").join(seed), &target).unwrap();
    let before = std::fs::read(&target).unwrap();
    let out = hindsight(kb.path(), &["lint", "--fix", "--format", "json"]);
    let after = std::fs::read_to_string(&target).unwrap();
    assert_ne!(before, after.as_bytes());
    assert!(after.contains("✅") && !after.contains("âœ…"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|f| f["code"] != "mojibake"),
        "{v}"
    );
    // The repaired file is what `fix` would have written.
    let fixed = hindsight(kb.path(), &["fix", "--check", "incidents"]);
    assert_eq!(fixed.status.code(), Some(0));
}

#[test]
fn explain_and_bad_config() {
    let out = hindsight(&root(), &["lint", "--explain", "placeholder"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("TODO"));
    let out = hindsight(&root(), &["lint", "--explain", "placeholdr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `placeholder`"));
    let kb = tempfile::tempdir().unwrap();
    std::fs::write(
        kb.path().join("hindsight.toml"),
        "[lint.level]\nmojibak = \"allow\"\n",
    )
    .unwrap();
    let out = hindsight(kb.path(), &["lint"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hindsight.toml") && err.contains("mojibake"),
        "{err}"
    );
}

#[test]
#[allow(clippy::print_stderr)] // says why it checked less, when ../shared is absent
fn sarif_validates_against_the_schema() {
    let out = hindsight(&root(), &["lint", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["runs"][0]["automationDetails"]["id"], "hindsight/lint/");
    assert!(!doc["runs"][0]["results"].as_array().unwrap().is_empty());
    let schema = root().join("../shared/research/sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&schema) else {
        eprintln!(
            "schema not found at {}; CI runs this with ../shared present",
            schema.display()
        );
        return;
    };
    let text = text.replace("[a-zA-Z]{2}]?$", "[a-zA-Z]{2}$");
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
