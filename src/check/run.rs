//! Guards that look at the target as a whole: required files, git state, commands.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::git;
use super::process;
use super::scan::Scan;
use super::{Finding, LoadedRule, Options, finding};
use crate::rules::{Check, Guard};

pub(super) struct Ctx<'a> {
    pub rule: &'a LoadedRule,
    pub target: &'a Path,
    pub opts: &'a Options,
}

pub(super) enum Outcome {
    Pass,
    Findings(Vec<Finding>),
    Skipped(String),
}

pub(super) fn evaluate(ctx: &Ctx, g: &Guard, scan: &Scan) -> Outcome {
    let message = g.message();
    match &g.check {
        Check::RequireFile { path, min_size } => {
            require_file(ctx, g, path, min_size.map(|s| s.0), message)
        }
        Check::GitClean { repo, untracked } => {
            git_clean(ctx, g, repo.as_deref(), *untracked, message)
        }
        Check::Command { argv, cwd, timeout } => {
            if !ctx.opts.allow_commands {
                return Outcome::Skipped(format!(
                    "skipped: `{}` is run only with --allow-commands",
                    argv.join(" ")
                ));
            }
            let run = Run {
                argv,
                cwd: cwd.as_deref(),
                timeout: Duration::from_secs(*timeout),
            };
            command(ctx, g, &run, scan)
        }
        _ => Outcome::Pass,
    }
}

/// A command guard's program and where it runs.
struct Run<'a> {
    argv: &'a [String],
    cwd: Option<&'a str>,
    timeout: Duration,
}

fn fail(ctx: &Ctx, g: &Guard, path: &str, message: String, unevaluated: bool) -> Outcome {
    let mut f = finding(ctx.rule, g, path.to_string(), 0, message);
    f.unevaluated = unevaluated;
    Outcome::Findings(vec![f])
}

fn require_file(
    ctx: &Ctx,
    g: &Guard,
    path: &str,
    min: Option<u64>,
    message: Option<&str>,
) -> Outcome {
    let full = ctx.target.join(path);
    let title = message.unwrap_or(&ctx.rule.rule.title);
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(m) => m,
        Err(_) => return fail(ctx, g, path, format!("{title}: `{path}` is missing"), false),
    };
    if meta.file_type().is_symlink() {
        // A link may point anywhere; only follow it while it stays inside the target.
        let inside = match (full.canonicalize(), ctx.target.canonicalize()) {
            (Ok(t), Ok(root)) => t.starts_with(root),
            _ => false,
        };
        if !inside {
            return fail(
                ctx,
                g,
                path,
                format!("{title}: `{path}` is a link that leaves the target or is broken"),
                false,
            );
        }
    }
    let Some(min) = min else {
        return Outcome::Pass;
    };
    let size = std::fs::metadata(&full)
        .map(|m| if m.is_file() { m.len() } else { 0 })
        .unwrap_or(0);
    if size < min {
        let need = crate::rules::Size(min);
        return fail(
            ctx,
            g,
            path,
            format!("{title}: `{path}` is {size} bytes, less than {need}"),
            false,
        );
    }
    Outcome::Pass
}

fn git_clean(
    ctx: &Ctx,
    g: &Guard,
    repo: Option<&str>,
    untracked: bool,
    message: Option<&str>,
) -> Outcome {
    let title = message.unwrap_or(&ctx.rule.rule.title).to_string();
    let at = repo.unwrap_or(".");
    if repo.is_some_and(|r| !ctx.target.join(r).exists()) {
        return Outcome::Pass; // no such checkout here: nothing to drift from
    }
    let status =
        folder_in_target(ctx.target, repo).and_then(|dir| git::status(ctx.target, &dir, untracked));
    let changes = match status {
        Ok(git::Status::NotARepository) => return Outcome::Pass,
        Ok(git::Status::Changes(c)) => c,
        Err(e) => {
            let msg = format!("{title}: could not evaluate: {e}");
            return fail(ctx, g, at, msg, true);
        }
    };
    let findings: Vec<Finding> = changes
        .into_iter()
        .map(|(code, file)| {
            let path = repo.map_or(file.clone(), |r| {
                format!("{}/{file}", r.trim_end_matches('/'))
            });
            finding(
                ctx.rule,
                g,
                path,
                0,
                format!("{title}: uncommitted change ({code}) in a deployed checkout"),
            )
        })
        .collect();
    if findings.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Findings(findings)
    }
}

/// Run a command guard: in `cwd` if it says, else in each folder holding the manifest
/// its `when` names (`server/package.json`), else at the target's root.
fn command(ctx: &Ctx, g: &Guard, run: &Run, scan: &Scan) -> Outcome {
    let folders: Vec<Option<String>> = match run.cwd {
        Some(c) => vec![Some(c.to_string())],
        None => {
            let found = scan.conditions.manifest_folders(&g.when);
            if found.is_empty() {
                vec![None]
            } else {
                found.into_iter().map(Some).collect()
            }
        }
    };
    let mut findings = Vec::new();
    for dir in folders {
        if let Outcome::Findings(f) = command_in(ctx, g, run, dir.as_deref()) {
            findings.extend(f);
        }
    }
    if findings.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Findings(findings)
    }
}

fn command_in(ctx: &Ctx, g: &Guard, run: &Run, cwd: Option<&str>) -> Outcome {
    let shown = run.argv.join(" ");
    let title = g.message().unwrap_or(&ctx.rule.rule.title).to_string();
    let anchor = cwd.unwrap_or(".").to_string();
    let dir = match folder_in_target(ctx.target, cwd) {
        Ok(d) => d,
        Err(why) => {
            let msg = format!("{title}: could not evaluate `{shown}`: {why}");
            return fail(ctx, g, &anchor, msg, true);
        }
    };
    let mut cmd = Command::new(&run.argv[0]);
    cmd.args(&run.argv[1..]).current_dir(&dir);
    match process::run(&mut cmd, run.timeout) {
        Ok((0, _)) => Outcome::Pass,
        Ok((code, out)) => {
            let last = git::last_line(&out);
            let place = if anchor == "." {
                String::new()
            } else {
                format!(" in {anchor}")
            };
            let msg = format!("{title}: `{shown}`{place} failed (exit {code}): {last}");
            fail(ctx, g, &anchor, msg, false)
        }
        Err(e) => {
            let msg = format!("{title}: could not evaluate `{shown}`: {e}");
            fail(ctx, g, &anchor, msg, true)
        }
    }
}

/// The folder `cwd` names in the target (the target itself if none), once it is
/// known to be a folder that, links resolved, is still inside the target.
fn folder_in_target(target: &Path, rel: Option<&str>) -> Result<std::path::PathBuf, String> {
    let dir = rel.map_or(target.to_path_buf(), |c| target.join(c));
    let shown = rel.unwrap_or(".");
    if !dir.is_dir() {
        return Err(format!("{shown:?} is not a folder in the target"));
    }
    match (dir.canonicalize(), target.canonicalize()) {
        (Ok(d), Ok(t)) if d.starts_with(&t) => Ok(dir),
        _ => Err(format!("{shown:?} leads outside the target")),
    }
}
