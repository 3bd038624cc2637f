//! Unix conventions: `NO_COLOR`, `--color`, `--quiet` and `--verbose`.

use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hindsight"));
    cmd.current_dir(dir).args(args);
    for k in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"] {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("hindsight runs")
}

/// A knowledge base holding one postmortem with lint findings.
fn kb() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("incidents")).unwrap();
    std::fs::write(
        dir.path().join("incidents/2025-01-02-outage.md"),
        "# Outage\n\n## Summary\nThe deploy broke âœ… things.\n",
    )
    .unwrap();
    dir
}

fn colored(o: &Output) -> bool {
    o.stdout.windows(2).any(|w| w == b"\x1b[")
}

#[test]
fn no_color_wins_over_clicolor_force_but_not_over_the_flag() {
    let dir = kb();
    let forced = run(dir.path(), &["lint"], &[("CLICOLOR_FORCE", "1")]);
    assert!(!forced.stdout.is_empty());
    assert!(colored(&forced), "CLICOLOR_FORCE=1 colours a pipe");
    let both = run(
        dir.path(),
        &["lint"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert!(!colored(&both), "NO_COLOR wins");
    assert_eq!(
        String::from_utf8_lossy(&both.stdout),
        String::from_utf8_lossy(&run(dir.path(), &["lint"], &[]).stdout),
        "the same text, uncoloured"
    );
    let flag = run(
        dir.path(),
        &["--color", "always", "lint"],
        &[("NO_COLOR", "1")],
    );
    assert!(colored(&flag), "an explicit --color always wins");
    let never = run(
        dir.path(),
        &["--color", "never", "lint"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!colored(&never));
}

#[test]
fn quiet_says_nothing_and_verbose_times_each_step() {
    let dir = kb();
    let normal = run(dir.path(), &["build"], &[]);
    assert!(
        normal.status.success(),
        "{}",
        String::from_utf8_lossy(&normal.stderr)
    );
    let out = String::from_utf8_lossy(&normal.stdout);
    assert!(out.contains("created rules/agents/AGENTS.md"), "{out}");
    assert!(out.contains("built 1 incident:"), "{out}");
    assert!(
        normal.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&normal.stderr)
    );

    let quiet = run(dir.path(), &["build", "--quiet"], &[]);
    assert!(quiet.status.success());
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty());

    let verbose = run(dir.path(), &["-v", "build"], &[]);
    assert!(verbose.status.success());
    let err = String::from_utf8_lossy(&verbose.stderr);
    for step in ["read and parse", "rules", "index", "site"] {
        assert!(
            err.contains(&format!("hindsight: {step}: ")),
            "{step}: {err}"
        );
    }
    let out = String::from_utf8_lossy(&verbose.stdout);
    assert!(
        out.starts_with("built 1 incident:") && !out.contains("hindsight:"),
        "{out}"
    );

    let both = run(dir.path(), &["-q", "-v", "build"], &[]);
    assert_eq!(both.status.code(), Some(2));
}
