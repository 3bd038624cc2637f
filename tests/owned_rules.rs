//! Rule files the user owns in `rules/` (written by hand, or generated and edited) are
//! the rules as written: agent files, the site and `check` all see the same rule.

use std::path::Path;
use std::process::{Command, Output};

fn hindsight(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// A knowledge base holding the bundled postmortems, built once.
fn built() -> tempfile::TempDir {
    let kb = tempfile::tempdir().unwrap();
    let inc = kb.path().join("incidents");
    std::fs::create_dir(&inc).unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents");
    for e in std::fs::read_dir(seeds).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), inc.join(e.file_name())).unwrap();
    }
    let out = hindsight(kb.path(), &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    kb
}

fn read(kb: &Path, path: &str) -> String {
    std::fs::read_to_string(kb.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn an_edited_rule_and_a_hand_written_one_reach_agents_and_the_site() {
    let kb = built();
    let path = kb.path().join("rules/no-rsync-delete.toml");
    // Edited: the marker line goes, the title changes.
    let edited: String = read(kb.path(), "rules/no-rsync-delete.toml")
        .lines()
        .filter(|l| !l.contains("hindsight-generated"))
        .map(|l| {
            if l.starts_with("title = ") {
                "title = \"Deploys never sync with --delete\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, edited + "\n").unwrap();
    std::fs::write(
        kb.path().join("rules/ask-before-dns.toml"),
        "id = \"ask-before-dns\"\ntitle = \"Ask before changing DNS\"\nseverity = \"warning\"\n\
         why = \"A DNS change takes hours to undo.\"\ndo = \"Ask a human before changing DNS records\"\n",
    )
    .unwrap();
    let before = std::fs::read(&path).unwrap();
    let out = hindsight(kb.path(), &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the user's file is kept"
    );

    for f in [
        "rules/agents/.cursor/rules/no-rsync-delete.mdc",
        "rules/agents/.clinerules/no-rsync-delete.md",
    ] {
        assert!(
            read(kb.path(), f).contains("# Deploys never sync with --delete"),
            "{f}"
        );
    }
    let agents = read(kb.path(), "rules/agents/AGENTS.md");
    assert!(
        agents.contains("**Do:** Ask a human before changing DNS records"),
        "{agents}"
    );
    assert!(
        read(kb.path(), "rules/agents/.cursor/rules/ask-before-dns.mdc")
            .contains("# Ask before changing DNS")
    );
    let site = read(kb.path(), "site/rules.html");
    assert!(site.contains("Ask before changing DNS"));
    assert!(site.contains("Deploys never sync with --delete"));

    // Settled: a second build writes nothing, and `rules --check` agrees.
    let again = hindsight(kb.path(), &["rules", "--check"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn a_rule_taken_over_in_another_file_replaces_the_generated_one() {
    let kb = built();
    let generated = kb.path().join("rules/no-rsync-delete.toml");
    assert!(generated.exists());
    std::fs::write(
        kb.path().join("rules/ours.toml"),
        "id = \"no-rsync-delete\"\ntitle = \"Ours\"\nseverity = \"error\"\nwhy = \"We say so.\"\n\
         [[guard]]\nkind = \"forbid-pattern\"\npattern = 'rsync\\s.*--delete'\nfiles = [\"**/*.sh\"]\n",
    )
    .unwrap();
    let out = hindsight(kb.path(), &["rules"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !generated.exists(),
        "its generated file, unedited, is deleted"
    );
    assert!(read(kb.path(), "rules/agents/.cursor/rules/no-rsync-delete.mdc").contains("# Ours"));
    // `check` sees one rule with that id, the user's.
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(
        repo.path().join("deploy.sh"),
        "rsync -a --delete dist/ web:/srv\n",
    )
    .unwrap();
    let out = hindsight(
        kb.path(),
        &["check", "--format", "json", repo.path().to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"no-rsync-delete"), "{v}");
}

#[test]
fn a_broken_or_duplicate_rule_file_stops_rules_and_build_by_name() {
    let kb = built();
    std::fs::write(kb.path().join("rules/broken.toml"), "id = \n").unwrap();
    let agents = read(kb.path(), "rules/agents/AGENTS.md");
    for args in [&["rules"][..], &["build"]] {
        let out = hindsight(kb.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("rules/broken.toml:1:6: "), "{err}");
    }
    assert_eq!(
        read(kb.path(), "rules/agents/AGENTS.md"),
        agents,
        "nothing written"
    );

    for name in ["broken", "again"] {
        std::fs::write(
            kb.path().join(format!("rules/{name}.toml")),
            "id = \"no-pm2\"\ntitle = \"x\"\nseverity = \"error\"\nwhy = \"y\"\n",
        )
        .unwrap();
    }
    let out = hindsight(kb.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rules/broken.toml:1: rule id \"no-pm2\" is also used by rules/again.toml"),
        "{err}"
    );
}
