//! The `git-clean` guard, run on a repository hindsight did not write. A repository's
//! own config can name programs git runs while it merely reads (`core.fsmonitor`,
//! filter drivers, a pager), so every such key is overridden on the command line, and
//! git is told neither to look above the target for a repository nor to write to it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::process::run;

const GIT_TIMEOUT: Duration = Duration::from_secs(60);

/// Keys whose value git executes and that reading commands can reach, each set to
/// something that runs nothing.
const DISARMED: [(&str, &str); 6] = [
    ("core.fsmonitor", "false"),
    ("core.hooksPath", "/dev/null"),
    ("core.pager", "cat"),
    ("diff.external", ""),
    ("core.sshCommand", "false"),
    ("protocol.allow", "never"),
];

/// What `git status` said about a worktree.
pub(super) enum Status {
    /// Not inside a git worktree (at the target or below it): nothing to drift from.
    NotARepository,
    /// `(status code, path)` of each uncommitted change.
    Changes(Vec<(String, String)>),
}

/// The uncommitted changes in the worktree at `dir` (a folder of the target), to
/// tracked files only unless `untracked`. Errors say why it could not be evaluated.
pub(super) fn status(target: &Path, dir: &Path, untracked: bool) -> Result<Status, String> {
    let inside = output(git(target, dir, &[])?.args(["rev-parse", "--is-inside-work-tree"]))?;
    match inside {
        (0, out) if out.trim() == "true" => {}
        (_, out) if out.contains("not a git repository") => return Ok(Status::NotARepository),
        (_, out) if out.contains("dubious ownership") => {
            return Err(
                "git refuses the repository: it is owned by another user (see git's safe.directory)"
                    .into(),
            );
        }
        (code, out) => return Err(format!("git exited with {code}: {}", last_line(&out))),
    }
    let drivers = local_filter_drivers(target, dir)?;
    let mode = if untracked {
        "--untracked-files=normal"
    } else {
        "--untracked-files=no"
    };
    let mut cmd = git(target, dir, &drivers)?;
    cmd.args([
        "status",
        "--porcelain=v1",
        "--ignore-submodules=dirty",
        mode,
    ]);
    let (code, out) = output(&mut cmd)?;
    if code != 0 {
        return Err(format!(
            "git status exited with {code}: {}",
            last_line(&out)
        ));
    }
    let changes = out
        .lines()
        .filter(|l| l.len() > 3)
        .map(|l| {
            let (code, file) = l.split_at(2);
            (
                code.trim().to_string(),
                file.trim().trim_matches('"').to_string(),
            )
        })
        .collect();
    Ok(Status::Changes(changes))
}

/// Filter drivers the repository's own config defines (`filter.<name>.clean` and the
/// like): overridden too, since `git status` runs them on files whose stat changed.
/// Drivers in the user's global and system config are the user's and stay.
fn local_filter_drivers(target: &Path, dir: &Path) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for scope in ["--local", "--worktree"] {
        let mut cmd = git(target, dir, &[])?;
        cmd.args(["config", scope, "--includes", "--name-only", "--get-regexp"])
            .arg(r"^filter\.");
        let (code, out) = output(&mut cmd)?;
        // 1: no such key; 128: no worktree config. Both mean nothing to override.
        if code != 0 && code != 1 && code != 128 {
            return Err(format!(
                "git config exited with {code}: {}",
                last_line(&out)
            ));
        }
        for key in out.lines() {
            if let Some(name) = key
                .strip_prefix("filter.")
                .and_then(|k| k.rsplit_once('.'))
                .map(|(n, _)| n.to_string())
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
    }
    Ok(names)
}

/// A git command for the repository at `dir`, disarmed: no program named by its
/// config runs, nothing above the target is searched, and nothing is written (no
/// index refresh). Drivers in `filters` are switched off.
fn git(target: &Path, dir: &Path, filters: &[String]) -> Result<Command, String> {
    let mut cmd = Command::new("git");
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("GIT_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CEILING_DIRECTORIES", ceiling(target)?)
        .arg("--no-pager")
        .arg("-C")
        .arg(dir);
    for (k, v) in DISARMED {
        cmd.arg("-c").arg(format!("{k}={v}"));
    }
    for f in filters {
        for key in ["clean", "smudge", "process"] {
            cmd.arg("-c").arg(format!("filter.{f}.{key}="));
        }
        cmd.arg("-c").arg(format!("filter.{f}.required=false"));
    }
    Ok(cmd)
}

/// The folder above the target, as git's ceiling: a repository that holds the target
/// without being inside it is not the target's.
fn ceiling(target: &Path) -> Result<PathBuf, String> {
    let abs = target
        .canonicalize()
        .map_err(|e| format!("{}: {e}", target.display()))?;
    Ok(abs.parent().map_or(abs.clone(), Path::to_path_buf))
}

fn output(cmd: &mut Command) -> Result<(i32, String), String> {
    run(cmd, GIT_TIMEOUT)
}

pub(super) fn last_line(out: &str) -> String {
    out.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(dir: &Path, script: &str) {
        let ok = Command::new("sh")
            .args(["-c", script])
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap()
            .success();
        assert!(ok, "{script}");
    }

    /// A target's config that names programs (fsmonitor, a filter driver) gets them
    /// run by plain `git status`; here nothing runs, and the change is still seen.
    #[test]
    fn a_hostile_repository_config_runs_nothing() {
        let d = tempfile::tempdir().unwrap();
        sh(
            d.path(),
            "git init -q . && echo a > a.txt && git add a.txt \
             && git -c user.email=a@b -c user.name=n commit -qm x \
             && git config core.fsmonitor 'touch PWNED; false' \
             && git config filter.evil.clean 'touch PWNED2; cat' \
             && git config core.pager 'touch PWNED3; cat' \
             && echo '*.txt filter=evil' > .gitattributes && echo b > a.txt",
        );
        let found = status(d.path(), d.path(), false).unwrap();
        for f in ["PWNED", "PWNED2", "PWNED3"] {
            assert!(!d.path().join(f).exists(), "{f}: the target's config ran");
        }
        let Status::Changes(c) = found else {
            panic!("not seen as a repository")
        };
        assert_eq!(c, [("M".to_string(), "a.txt".to_string())]);
    }

    /// A folder inside someone else's repository is not a repository of its own.
    #[test]
    fn no_repository_above_the_target_is_used() {
        let d = tempfile::tempdir().unwrap();
        sh(
            d.path(),
            "git init -q . && mkdir sub && echo x > sub/f && git add sub/f",
        );
        let sub = d.path().join("sub");
        assert!(matches!(
            status(&sub, &sub, false).unwrap(),
            Status::NotARepository
        ));
    }
}
