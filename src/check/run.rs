//! Guards that look at the target as a whole: required files, git state, commands.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::scan::Scan;
use super::{Finding, LoadedRule, Options, finding};
use crate::rules::Guard;

pub struct Ctx<'a> {
    pub rule: &'a LoadedRule,
    pub target: &'a Path,
    pub opts: &'a Options,
}

pub enum Outcome {
    Pass,
    Findings(Vec<Finding>),
    Skipped(String),
}

const GIT_TIMEOUT: Duration = Duration::from_secs(60);

pub fn evaluate(ctx: &Ctx, g: &Guard, _scan: &Scan) -> Outcome {
    match g {
        Guard::RequireFile {
            path,
            min_size,
            message,
            ..
        } => require_file(ctx, g, path, min_size.map(|s| s.0), message.as_deref()),
        Guard::GitClean {
            repo,
            untracked,
            message,
        } => git_clean(ctx, g, repo.as_deref(), *untracked, message.as_deref()),
        Guard::Command {
            argv,
            cwd,
            timeout,
            message,
            ..
        } => {
            if !ctx.opts.allow_commands {
                return Outcome::Skipped(format!(
                    "`{}` not run: commands run only with --allow-commands",
                    argv.join(" ")
                ));
            }
            command(
                ctx,
                g,
                argv,
                cwd.as_deref(),
                Duration::from_secs(*timeout),
                message.as_deref(),
            )
        }
        _ => Outcome::Pass,
    }
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
    let dir = repo.map_or(ctx.target.to_path_buf(), |r| ctx.target.join(r));
    let title = message.unwrap_or(&ctx.rule.rule.title).to_string();
    // Not a git worktree: nothing to drift from, so the guard does not apply.
    let inside = run(
        Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(["rev-parse", "--is-inside-work-tree"]),
        GIT_TIMEOUT,
    );
    match inside {
        Ok((0, out)) if out.trim() == "true" => {}
        Ok((_, out)) if out.contains("not a git repository") => return Outcome::Pass,
        Ok((code, out)) => {
            return fail(
                ctx,
                g,
                ".",
                format!(
                    "{title}: could not evaluate, git exited with {code}: {}",
                    last_line(&out)
                ),
                true,
            );
        }
        Err(e) => {
            return fail(
                ctx,
                g,
                ".",
                format!("{title}: could not evaluate: {e}"),
                true,
            );
        }
    }
    let mode = if untracked {
        "--untracked-files=normal"
    } else {
        "--untracked-files=no"
    };
    match run(
        Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(["status", "--porcelain=v1", mode]),
        GIT_TIMEOUT,
    ) {
        Ok((0, out)) => {
            let rel = dir
                .strip_prefix(ctx.target)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .filter(|p| !p.is_empty());
            let findings: Vec<Finding> = out
                .lines()
                .filter(|l| l.len() > 3)
                .map(|l| {
                    let (code, file) = l.split_at(2);
                    let file = file.trim().trim_matches('"');
                    let path = rel
                        .as_ref()
                        .map_or(file.to_string(), |r| format!("{r}/{file}"));
                    finding(
                        ctx.rule,
                        g,
                        path,
                        0,
                        format!(
                            "{title}: uncommitted change ({}) in a deployed checkout",
                            code.trim()
                        ),
                    )
                })
                .collect();
            if findings.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Findings(findings)
            }
        }
        Ok((code, out)) => fail(
            ctx,
            g,
            ".",
            format!(
                "{title}: could not evaluate, git status exited with {code}: {}",
                last_line(&out)
            ),
            true,
        ),
        Err(e) => fail(
            ctx,
            g,
            ".",
            format!("{title}: could not evaluate: {e}"),
            true,
        ),
    }
}

fn command(
    ctx: &Ctx,
    g: &Guard,
    argv: &[String],
    cwd: Option<&str>,
    timeout: Duration,
    message: Option<&str>,
) -> Outcome {
    let dir = cwd.map_or(ctx.target.to_path_buf(), |c| ctx.target.join(c));
    let shown = argv.join(" ");
    let title = message.unwrap_or(&ctx.rule.rule.title).to_string();
    let anchor = g
        .if_exists()
        .first()
        .filter(|e| !e.contains('*'))
        .cloned()
        .unwrap_or_else(|| cwd.unwrap_or(".").to_string());
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]).current_dir(&dir);
    match run(&mut cmd, timeout) {
        Ok((0, _)) => Outcome::Pass,
        Ok((code, out)) => fail(
            ctx,
            g,
            &anchor,
            format!(
                "{title}: `{shown}` failed (exit {code}): {}",
                last_line(&out)
            ),
            false,
        ),
        Err(e) => fail(
            ctx,
            g,
            &anchor,
            format!("{title}: could not evaluate `{shown}`: {e}"),
            true,
        ),
    }
}

fn last_line(out: &str) -> String {
    out.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect()
}

/// Run with a time limit; returns the exit code and stdout+stderr. A timeout kills the
/// process and is an error (the guard fails closed).
fn run(cmd: &mut Command, timeout: Duration) -> Result<(i32, String), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("`{}` is not installed", cmd.get_program().to_string_lossy())
            }
            _ => e.to_string(),
        })?;
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(s) => break s,
            None if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {}s", timeout.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let text = reader.join().unwrap_or_default() + &err_reader.join().unwrap_or_default();
    Ok((status.code().unwrap_or(-1), text))
}
