use super::*;
use crate::rules::{Guard, Rule};

fn rule(id: &str, guards: Vec<Guard>) -> LoadedRule {
    LoadedRule {
        rule: Rule {
            id: id.into(),
            title: format!("rule {id}"),
            severity: Level::Error,
            status: crate::rules::model::RuleStatus::Active,
            why: String::new(),
            do_: None,
            dont: None,
            steps: Vec::new(),
            incidents: vec!["inc".into()],
            applies_to: vec![],
            sources: vec![],
            guards,
        },
        file: PathBuf::from(format!("rules/{id}.toml")),
        guard_lines: vec![1],
    }
}

fn forbid(pattern: &str, files: &[&str]) -> Guard {
    Guard::new(Check::ForbidPattern {
        pattern: pattern.into(),
        files: files.iter().map(|s| s.to_string()).collect(),
    })
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn finds_lines_columns_and_suppressions() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "deploy.sh",
        "set -e\nrsync -avz --delete dist/ host:/srv/\n# hindsight: allow no-rsync -- mirror, see OPS-42\nrsync --delete a b\nrsync --delete c d # hindsight: allow no-rsync\n",
    );
    write(d.path(), "README.md", "rsync --delete is bad\n");
    write(d.path(), "blob.sh", "\0\0rsync --delete\n");
    let rules = [rule(
        "no-rsync",
        vec![forbid(
            r"(?m)^[^#\n]*?(?P<hit>\brsync\b[^\n]*?\s--delete)(?:\s|$)",
            &["**/*.sh"],
        )],
    )];
    let r = check(&rules, d.path(), &Options::default()).unwrap();
    let got: Vec<(&str, usize, usize, usize)> = r
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.line, f.column, f.end_column))
        .collect();
    assert_eq!(
        got,
        [("deploy.sh", 2, 1, 20), ("deploy.sh", 5, 1, 15)],
        "{:?}",
        r.findings
    );
    assert!(r.findings[1].message.contains("needs a reason"));
    assert_eq!(r.suppressed, 1);
    assert_eq!(
        r.files_scanned, 2,
        "README.md is not a script; blob.sh is read and skipped as binary"
    );
    assert!(r.failed());
}

#[test]
fn gitignored_build_output_is_still_checked() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), ".gitignore", "dist/\nsecret.env\n");
    write(d.path(), "dist/.env", "DEBUG=true\n");
    write(d.path(), "secret.env", "DEBUG=true\n");
    let rules = [
        rule(
            "no-env-in-dist",
            vec![Guard::new(Check::ForbidFile {
                files: vec!["dist/**/.env*".into()],
            })],
        ),
        rule("no-debug", vec![forbid(r"(?m)^DEBUG=true$", &["**/*.env"])]),
    ];
    let r = check(&rules, d.path(), &Options::default()).unwrap();
    let got: Vec<(&str, &str)> = r
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.rule.as_str()))
        .collect();
    assert_eq!(
        got,
        [("dist/.env", "no-env-in-dist"), ("dist/.env", "no-debug")],
        "the ignored secret.env stays ignored; dist/ is named by a rule, so it is seen"
    );
}

#[test]
fn require_file_sizes_and_links() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "dist/_worker.js", &"x".repeat(1024));
    let g = Guard {
        when: crate::rules::When {
            exists: vec!["dist".into()],
            ..Default::default()
        },
        ..Guard::new(Check::RequireFile {
            path: "dist/_worker.js".into(),
            min_size: Some(crate::rules::Size(100_000)),
        })
    };
    let rules = [rule("worker", vec![g.clone()])];
    let r = check(&rules, d.path(), &Options::default()).unwrap();
    assert_eq!(r.findings.len(), 1);
    assert!(
        r.findings[0]
            .message
            .contains("1024 bytes, less than 100 KB"),
        "{}",
        r.findings[0].message
    );
    // Not applicable without the folder.
    let empty = tempfile::tempdir().unwrap();
    assert!(
        check(&rules, empty.path(), &Options::default())
            .unwrap()
            .findings
            .is_empty()
    );
    // A link out of the target does not count.
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "big.js", &"x".repeat(200_000));
        std::fs::remove_file(d.path().join("dist/_worker.js")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("big.js"),
            d.path().join("dist/_worker.js"),
        )
        .unwrap();
        let r = check(&rules, d.path(), &Options::default()).unwrap();
        assert!(
            r.findings[0].message.contains("leaves the target"),
            "{:?}",
            r.findings
        );
    }
}

#[test]
fn commands_run_only_when_allowed_and_fail_closed() {
    let d = tempfile::tempdir().unwrap();
    let g = |argv: &[&str], timeout| {
        Guard::new(Check::Command {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            cwd: None,
            timeout,
        })
    };
    let rules = [
        rule("fails", vec![g(&["sh", "-c", "echo boom >&2; exit 3"], 10)]),
        rule("slow", vec![g(&["sleep", "5"], 1)]),
        rule("absent", vec![g(&["no-such-binary-xyz"], 10)]),
        rule("ok", vec![g(&["true"], 10)]),
    ];
    let r = check(&rules, d.path(), &Options::default()).unwrap();
    assert!(r.findings.is_empty());
    assert_eq!(r.skipped.len(), 4);
    let r = check(
        &rules,
        d.path(),
        &Options {
            allow_commands: true,
            ..Options::default()
        },
    )
    .unwrap();
    let by: std::collections::BTreeMap<&str, &Finding> =
        r.findings.iter().map(|f| (f.rule.as_str(), f)).collect();
    assert!(by["fails"].message.contains("exit 3): boom") && !by["fails"].unevaluated);
    assert!(by["slow"].unevaluated && by["slow"].message.contains("timed out"));
    assert!(by["absent"].unevaluated && by["absent"].message.contains("not installed"));
    assert!(!by.contains_key("ok"));
}

#[test]
fn broken_rule_files_name_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "a.toml",
        "id = \"a\"\ntitle = \"A\"\n[[guard]]\nkind = \"forbid-pattern\"\npattern = '(unclosed'\nfiles = [\"*.sh\"]\n",
    );
    write(
        d.path(),
        "b.toml",
        "id = \"b\"\ntitle = \"B\"\nseverity = \"fatal\"\n",
    );
    let errs = load_rules(d.path()).unwrap_err();
    let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(
        shown[0].ends_with("a.toml:5: pattern does not compile: unclosed group"),
        "{shown:?}"
    );
    assert!(
        shown[1].contains("b.toml:3:12: unknown variant `fatal`"),
        "{shown:?}"
    );
}
