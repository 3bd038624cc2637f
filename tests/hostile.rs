//! Hostile postmortems, rule files and targets (the probe of the security issue, made
//! in the test): every command ends by itself within its resource limits (2 GB of
//! memory, 10 s of CPU, enforced by setrlimit), never aborts, and writes nothing
//! outside the knowledge base or into a target.
#![cfg(unix)]

mod util;

use std::process::Command;

use util::{Kb, Run, limited, snapshot};

const MEMORY: u64 = 2 << 30;
const CPU_SECONDS: u64 = 10;

/// Run `cmd` under the limits; a signal (the kernel's SIGKILL or SIGXCPU at a limit,
/// an abort) or a panic fails the test.
#[track_caller]
fn bounded(what: &str, cmd: &mut Command) -> Run {
    let run = Run::of(limited(cmd, MEMORY, CPU_SECONDS).output().unwrap());
    assert!(
        matches!(run.code, Some(0..=2)),
        "{what}: ended by a signal or an odd code: {:?}\n{}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
    run
}

/// Postmortems built to cost: deep nesting, huge lines, many tags, links, lessons and
/// placeholders, hostile ids.
fn hostile_postmortems() -> Vec<(&'static str, String)> {
    let lines = |n: usize, f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<String>();
    vec![
        ("links-on-a-line.md", format!("# L\n\n## Summary\n{}\n", lines(8_000, &|i| format!("[l{i}](missing/{i}.md) ")))),
        ("links-many.md", format!("# L\n\n## Summary\n{}\n", lines(60_000, &|i| format!("[l{i}](m/{i}.md) ")))),
        ("placeholders.md", format!("# P\n\n## Action Items\n| a | b |\n|---|---|\n{}", lines(20_000, &|i| format!("| TODO {i} | TODO | YYYY-MM-DD |\n")))),
        ("placeholders-line.md", format!("# P\n\n{}\n", "TODO ".repeat(200_000))),
        ("tags.md", format!("---\ntags: [{}]\n---\n# Tags\n", lines(100_000, &|i| format!("tag{i}, ")))),
        ("yaml-deep.md", format!("---\na: {}{}\n---\n# Deep\n", "[".repeat(100_000), "]".repeat(100_000))),
        ("yaml-dashes.md", format!("---\n{}x\n---\n# Deep\n", "- ".repeat(50_000))),
        ("lessons.md", format!("# Many lessons\n\n## Lessons Learned\n{}", lines(100_000, &|i| format!("- Never let job {i} write to bucket b{i} without review\n")))),
        ("nested-list.md", format!("# Nest\n\n{}", lines(3_000, &|i| format!("{}- item\n", "  ".repeat(i))))),
        ("quotes.md", format!("# Q\n\n{}deep\n", "> ".repeat(20_000))),
        ("emphasis.md", format!("# E\n\n{}\n", "*a **b ".repeat(100_000))),
        ("huge-line.md", format!("# H\n\n## Root cause\n{}\n", "a".repeat(5_000_000))),
        ("brackets.md", format!("# B\n\n{}x{}\n", "[".repeat(100_000), "]".repeat(100_000))),
        ("timeline.md", format!("# T\n\n## Timeline\n{}", lines(50_000, &|i| format!("- **{:02}:{:02}** - event {i}\n", (i / 60) % 24, i % 60)))),
        ("mojibake.md", format!("# M\n\n{}\n", "âœ… ".repeat(200_000))),
        ("headings.md", lines(50_000, &|i| format!("## Root cause {i}\n"))),
        ("hostile-id.md", "---\nid: ../../../../tmp/hindsight-escaped\ntitle: \"<script>alert(1)</script>\"\n---\n# Id\n\n## Lessons Learned\n- Never deploy on Fridays.\n".into()),
        ("hostile-guard.md", "# G\n\n```hindsight-guard\nid = \"../../../../tmp/hindsight-escaped\"\n[[guard]]\nkind = \"require-file\"\npath = \"../../../../etc/passwd\"\n```\n".into()),
        ("long-id.md", format!("---\nid: {}\ntags: [{}]\n---\n# Long\n", "€".repeat(5_000), "ü".repeat(5_000))),
    ]
}

#[test]
fn hostile_postmortems_are_bounded_and_confined() {
    for (name, text) in hostile_postmortems() {
        let kb = Kb::new();
        let file = kb.add(name, &text);
        let file = file.to_str().unwrap();
        bounded(&format!("parse {name}"), &mut kb.cmd(&["parse", file]));
        bounded(&format!("lint {name}"), &mut kb.cmd(&["lint", file]));
        bounded(&format!("build {name}"), &mut kb.cmd(&["build"]));
        bounded(
            &format!("search {name}"),
            &mut kb.cmd(&["search", "--json", "deploy review"]),
        );
        assert_eq!(
            kb.outside(),
            Vec::<String>::new(),
            "{name}: written outside"
        );
        let files = snapshot(&kb.root).len();
        assert!(files < 400, "{name}: {files} files for one postmortem");
    }
    assert!(!std::path::Path::new("/tmp/hindsight-escaped.toml").exists());
}

#[test]
fn hostile_queries_are_errors_not_aborts() {
    let kb = Kb::seeds();
    kb.run(&["build", "-q"]).expect(0);
    let deep = format!("{}rsync{}", "(".repeat(3_000), ")".repeat(3_000));
    let wide = vec!["zzqxv"; 5_000].join(" OR ");
    for q in [deep, wide, "\"".repeat(10_000), "a".repeat(100_000)] {
        let r = bounded("search", &mut kb.cmd(&["search", &q]));
        assert!(r.code == Some(2) || r.code == Some(0), "{r:#?}");
    }
}

/// Rules for `check` from TOML texts, in a folder of their own.
fn rules_dir(rules: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (id, body) in rules {
        std::fs::write(
            d.path().join(format!("{id}.toml")),
            format!("id = \"{id}\"\ntitle = \"t\"\n{body}"),
        )
        .unwrap();
    }
    d
}

#[test]
fn hostile_targets_are_bounded_and_left_as_they_were() {
    let target = tempfile::tempdir().unwrap();
    let t = target.path();
    std::fs::write(t.join("bundle.js"), "f(a);".repeat(200_000)).unwrap();
    std::fs::write(
        t.join("one-line.sh"),
        format!("{}\n", "a".repeat(5_000_000)),
    )
    .unwrap();
    let words = "alpha beta gamma delta\n".repeat(1_200_000);
    std::fs::write(t.join("big.sh"), words).unwrap();
    std::os::unix::fs::symlink(t, t.join("loop")).unwrap();
    std::os::unix::fs::symlink("/etc", t.join("etc-link")).unwrap();
    let rules = rules_dir(&[
        (
            "calls",
            "[[guard]]\nkind = \"forbid-pattern\"\npattern = 'f\\(a\\)'\nfiles = [\"*.js\"]\n",
        ),
        (
            "runs",
            "[[guard]]\nkind = \"forbid-pattern\"\npattern = 'a{500}'\nfiles = [\"*.sh\"]\n",
        ),
        (
            "words",
            "[[guard]]\nkind = \"forbid-pattern\"\npattern = '(?:\\w+\\s*){1,20}!'\nfiles = [\"*.sh\"]\n",
        ),
        (
            "passwd",
            "[[guard]]\nkind = \"forbid-file\"\nfiles = [\"**/passwd\"]\n",
        ),
    ]);
    let before = snapshot(t);
    let mut cmd = Command::new(util::bin());
    cmd.args(["check", "--format", "json", "--rules"])
        .arg(rules.path())
        .arg(t);
    let r = bounded("check", &mut cmd);
    assert_eq!(r.code, Some(1), "{r:#?}");
    let findings: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert!(findings.len() < 400, "{} findings", findings.len());
    assert!(
        findings.iter().all(|f| f["rule"] != "passwd"),
        "a link out of the target was followed"
    );
    assert_eq!(snapshot(t), before, "check changed its target");

    // A pattern too large to search in bounded time is refused when read, by file.
    let slow = rules_dir(&[(
        "slow",
        "[[guard]]\nkind = \"forbid-pattern\"\npattern = '(?:\\w+\\s*){1,200}!'\nfiles = [\"*.sh\"]\n",
    )]);
    let mut cmd = Command::new(util::bin());
    cmd.args(["check", "--rules"]).arg(slow.path()).arg(t);
    let r = bounded("check slow", &mut cmd);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("slow.toml:5") && r.stderr.contains("too large"),
        "{}",
        r.stderr
    );
}

/// A target's git config that names programs (point 2): nothing runs.
#[test]
fn a_targets_git_config_runs_nothing() {
    let target = tempfile::tempdir().unwrap();
    let t = target.path();
    let sh = |s: &str| {
        assert!(
            Command::new("sh")
                .args(["-c", s])
                .current_dir(t)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .status()
                .unwrap()
                .success(),
            "{s}"
        );
    };
    sh(
        "git init -q . && echo a > a && git add a && git -c user.email=a@b -c user.name=n commit -qm x",
    );
    sh(
        "git config core.fsmonitor 'touch PWNED; false' && git config core.pager 'touch PWNED; cat' && echo b > a",
    );
    let rules = rules_dir(&[("drift", "[[guard]]\nkind = \"git-clean\"\n")]);
    let mut cmd = Command::new(util::bin());
    // A git-clean guard belongs to the server stage by default.
    cmd.args(["check", "--stage", "server", "--format", "json", "--rules"])
        .arg(rules.path())
        .arg(t);
    let r = bounded("check git", &mut cmd);
    assert!(
        !t.join("PWNED").exists(),
        "the target's git config ran a program"
    );
    assert_eq!(r.code, Some(1), "the drift is still seen: {r:#?}");
}

/// Guard paths that leave the target are errors naming the rule file and line.
#[test]
fn guard_paths_cannot_leave_the_target() {
    let target = tempfile::tempdir().unwrap();
    for body in [
        "[[guard]]\nkind = \"require-file\"\npath = \"../../../../etc/passwd\"\n",
        "[[guard]]\nkind = \"forbid-file\"\nfiles = [\"../*\"]\n",
        "[[guard]]\nkind = \"command\"\ncwd = \"/\"\nargv = [\"true\"]\n",
        "[[guard]]\nkind = \"git-clean\"\nrepo = \"../g1\"\n",
    ] {
        let rules = rules_dir(&[("out", body)]);
        let mut cmd = Command::new(util::bin());
        cmd.args(["check", "--rules"])
            .arg(rules.path())
            .arg(target.path());
        let r = Run::of(cmd.output().unwrap());
        r.expect(2);
        assert!(
            r.stderr.contains("out.toml:5") && r.stderr.contains("relative to the target"),
            "{body}: {}",
            r.stderr
        );
    }
}

/// Point 1: a postmortem's block cannot make `rules` write outside the knowledge base.
#[test]
fn a_postmortem_cannot_write_outside_the_knowledge_base() {
    let kb = Kb::seeds();
    let escaped = kb.parent.path().join("x");
    let id = "../../x/escaped";
    kb.add("evil.md", format!("# Evil\n\n```hindsight-guard\nid = \"{id}\"\n[[guard]]\nkind = \"forbid-file\"\nfiles = [\"x\"]\n```\n"));
    let r = kb.run(&["rules"]);
    r.expect(2);
    assert!(
        r.stderr.contains("evil.md:4") && r.stderr.contains("rule id"),
        "{}",
        r.stderr
    );
    assert!(!escaped.exists());
    assert_eq!(kb.outside(), Vec::<String>::new());
}

/// Point 3: `mv site www; ln -s www site`, then build and build again.
#[test]
fn a_linked_site_folder_keeps_its_files() {
    let kb = Kb::seeds();
    kb.run(&["build", "-q"]).expect(0);
    std::fs::rename(kb.path("site"), kb.path("www")).unwrap();
    std::os::unix::fs::symlink(kb.path("www"), kb.path("site")).unwrap();
    kb.run(&["build", "-q"]).expect(0);
    kb.run(&["build", "-q"]).expect(0);
    assert!(
        std::fs::symlink_metadata(kb.path("site"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(kb.path("www/index.html").is_file());
    assert!(!kb.path(".site.hindsight-new").exists());
}

/// Point 7: a build refused for a file of the user's in site/ writes nothing at all.
#[test]
fn a_refused_build_writes_nothing() {
    let kb = Kb::seeds();
    kb.run(&["build", "-q"]).expect(0);
    kb.add("site/CNAME", "status.example.com");
    kb.add(
        "new.md",
        "# Disk full\n\n## Lessons Learned\n- Always alert at 80% disk usage.\n",
    );
    let before = snapshot(&kb.root);
    let r = kb.run(&["build"]);
    r.expect(2);
    assert!(r.stderr.contains("CNAME"), "{}", r.stderr);
    let after = snapshot(&kb.root);
    let changed: Vec<&String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v) && !k.ends_with(".hindsight/lock"))
        .map(|(k, _)| k)
        .collect();
    assert!(changed.is_empty(), "a refused build wrote {changed:?}");
}

/// Point 8: a command guard without --allow-commands is listed as skipped; a cwd that
/// is not there is said to be missing.
#[test]
fn skipped_and_misplaced_command_guards_are_reported() {
    let target = tempfile::tempdir().unwrap();
    let rules = rules_dir(&[(
        "build",
        "[[guard]]\nkind = \"command\"\nargv = [\"true\"]\ncwd = \"server\"\n",
    )]);
    let mut cmd = Command::new(util::bin());
    cmd.args(["check", "--format", "json", "--rules"])
        .arg(rules.path())
        .arg(target.path());
    let r = Run::of(cmd.output().unwrap());
    r.expect(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["skipped"], true, "{v}");
    let mut cmd = Command::new(util::bin());
    cmd.args(["check", "--allow-commands", "--rules"])
        .arg(rules.path())
        .arg(target.path());
    let r = Run::of(cmd.output().unwrap());
    r.expect(1);
    assert!(
        r.stdout
            .contains("\"server\" is not a folder in the target"),
        "{r:#?}"
    );
}

/// Point 10: a temporary file a killed run left is removed by the next write there.
#[test]
fn leftovers_of_killed_writes_are_cleared() {
    let kb = Kb::new();
    let gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    let _ = { gone }.wait();
    let stale = kb.add(
        "incidents/.hindsight-{pid}-x.tmp"
            .replace("{pid}", &pid.to_string())
            .as_str(),
        "half",
    );
    let f = kb.add(
        "a.md",
        "# Caf\u{c3}\u{a9}\n\nThe caf\u{c3}\u{a9} menu broke.\n",
    );
    kb.run(&["fix", "--write", f.to_str().unwrap()]).expect(0);
    assert!(!stale.exists());
}
