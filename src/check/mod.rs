//! `hindsight check`: run guard rules against a repository or a build output.
//!
//! Pattern and file guards share one walk of the target (gitignore-aware, like ripgrep,
//! plus the build-output folders rules name explicitly, which are usually gitignored).
//! A file is only read when some guard's globs select it, and all its patterns are
//! tried in one pass. Git and command guards run after. A guard that cannot be
//! evaluated (no git, a timeout) fails closed: it is reported like a violation.

mod git;
mod prefilter;
mod process;
mod run;
mod scan;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::rules::model::RuleStatus;
use crate::rules::{Check, Guard, Level, Rule, RuleError, Stage, read_rule_files, rule_files};

/// A rule read from a rules folder, with where its guards are written.
#[derive(Debug, Clone)]
pub struct LoadedRule {
    pub rule: Rule,
    pub file: PathBuf,
    /// 1-based line of each `[[guard]]` header, in order.
    pub guard_lines: Vec<usize>,
}

/// Read every `*.toml` rule in `dir`, sorted by file name; all errors are collected.
pub fn load_rules(dir: &Path) -> Result<Vec<LoadedRule>, Vec<RuleError>> {
    let err = |message: String| {
        vec![RuleError {
            path: dir.to_path_buf(),
            line: None,
            column: None,
            message,
        }]
    };
    let files = match rule_files(dir) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(err(
                "no rules folder (run `hindsight rules` to compile one)".into(),
            ));
        }
        Err(e) => return Err(err(e.to_string())),
    };
    let read = read_rule_files(files, |_| true)?;
    Ok(read
        .into_iter()
        .map(|f| LoadedRule {
            guard_lines: f
                .text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.trim() == "[[guard]]")
                .map(|(i, _)| i + 1)
                .collect(),
            rule: f.rule,
            file: f.path,
        })
        .collect())
}

/// How to run the checks.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Run `command` guards (never by default: they execute code from rule files).
    pub allow_commands: bool,
    /// Only these rules (by id), if not empty.
    pub only: Vec<String>,
    /// Only the guards that hold at this stage; none given: every stage but `server`.
    pub stage: Option<Stage>,
}

/// One violation (or a guard that could not be evaluated).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: String,
    pub severity: Level,
    pub incidents: Vec<String>,
    pub kind: &'static str,
    /// Relative to the target, `/`-separated.
    pub path: String,
    /// 1-based; 0 for a finding about a whole file or folder.
    pub line: usize,
    pub column: usize,
    pub end_column: usize,
    pub message: String,
    pub source_line: Option<crate::lines::Excerpt>,
    /// True when the guard could not be evaluated and failed closed.
    pub unevaluated: bool,
}

/// A guard that was not run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub rule: String,
    pub kind: &'static str,
    pub reason: String,
}

/// The result of a check.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    /// Findings silenced by an inline `hindsight: allow` with a reason.
    pub suppressed: usize,
    pub files_scanned: usize,
    pub rules: usize,
    pub guards: usize,
}

impl Report {
    /// True when something at error level was found (or failed closed).
    pub fn failed(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == Level::Error || f.unevaluated)
    }
}

/// Why a check could not run at all.
#[derive(Debug)]
pub struct CheckError(pub String);

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CheckError {}

/// Run `rules` against `target`.
pub fn check(rules: &[LoadedRule], target: &Path, opts: &Options) -> Result<Report, CheckError> {
    let meta = std::fs::metadata(target)
        .map_err(|e| CheckError(format!("{}: {}", target.display(), io_reason(&e))))?;
    if !meta.is_dir() {
        return Err(CheckError(format!(
            "{}: not a folder; check takes a repository or build output folder",
            target.display()
        )));
    }
    let prepared = prepare(rules, target, opts);
    let selected: Vec<&LoadedRule> = prepared.iter().collect();
    let mut report = Report {
        rules: selected.len(),
        guards: selected.iter().map(|r| r.rule.guards.len()).sum(),
        ..Report::default()
    };
    let mut scan = scan::scan(&selected, target).map_err(CheckError)?;
    report.files_scanned = scan.files_read;
    report.suppressed = scan.suppressed;
    report.findings = std::mem::take(&mut scan.findings);
    for r in &selected {
        for g in &r.rule.guards {
            if matches!(
                g.check,
                Check::ForbidPattern { .. } | Check::ForbidFile { .. }
            ) {
                continue; // done in the scan
            }
            if !scan.applies(g) {
                continue;
            }
            let ctx = run::Ctx {
                rule: r,
                target,
                opts,
            };
            match run::evaluate(&ctx, g, &scan) {
                run::Outcome::Pass => {}
                run::Outcome::Findings(f) => report.findings.extend(f),
                run::Outcome::Skipped(reason) => report.skipped.push(Skipped {
                    rule: r.rule.id.clone(),
                    kind: g.kind(),
                    reason,
                }),
            }
        }
    }
    report.findings.sort_by(|a, b| {
        (a.path.as_str(), a.line, a.column, a.rule.as_str()).cmp(&(
            b.path.as_str(),
            b.line,
            b.column,
            b.rule.as_str(),
        ))
    });
    report.findings.dedup();
    Ok(report)
}

/// The rules to run, each with the guards that hold at the stage asked for, their paths
/// read from `target`: active rules only (a proposed rule runs when named with
/// `--rule`), and no rule left without guards.
fn prepare(rules: &[LoadedRule], target: &Path, opts: &Options) -> Vec<LoadedRule> {
    let at_stage = |g: &Guard| {
        let stages = g.stages();
        match opts.stage {
            Some(s) => stages.contains(&s),
            None => stages.iter().any(|s| *s != Stage::Server),
        }
    };
    let base = output_folder(target);
    rules
        .iter()
        .filter(|r| {
            let named = opts.only.contains(&r.rule.id);
            let active = r.rule.status == RuleStatus::Active;
            if opts.only.is_empty() { active } else { named }
        })
        .map(|r| {
            let mut r = r.clone();
            r.rule.guards = r
                .rule
                .guards
                .into_iter()
                .filter(|g| at_stage(g))
                .map(|g| rebase(g, base.as_deref(), target))
                .collect();
            r
        })
        .filter(|r| !r.rule.guards.is_empty())
        .collect()
}

/// The name of `target` when it may be a build output folder named in rules (`dist`).
fn output_folder(target: &Path) -> Option<String> {
    let name = target
        .canonicalize()
        .ok()?
        .file_name()?
        .to_str()?
        .to_string();
    Some(name)
}

/// A guard about `dist/_worker.js` checked on `dist/` itself: its paths and globs lose
/// the leading `dist/` when the target has no `dist` folder inside (so `check dist/`
/// finds `_worker.js` instead of looking for `dist/dist/_worker.js`).
fn rebase(mut g: Guard, base: Option<&str>, target: &Path) -> Guard {
    let Some(base) = base else {
        return g;
    };
    if target.join(base).exists() {
        return g;
    }
    let prefix = format!("{base}/");
    let strip = |p: &mut String| {
        // The folder itself is the target.
        if p.trim_end_matches('/') == base {
            *p = ".".into();
        } else if let Some(rest) = p.strip_prefix(&prefix)
            && !rest.is_empty()
        {
            *p = rest.to_string();
        }
    };
    match &mut g.check {
        Check::RequireFile { path, .. } => strip(path),
        Check::ForbidPattern { files, .. }
        | Check::RequirePattern { files, .. }
        | Check::ForbidFile { files } => files.iter_mut().for_each(strip),
        _ => {}
    }
    g.when.exists.iter_mut().for_each(strip);
    for c in &mut g.when.contains {
        c.files.iter_mut().for_each(strip);
    }
    g
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A finding for `rule`, filled in from its guard.
fn finding(r: &LoadedRule, g: &Guard, path: String, line: usize, message: String) -> Finding {
    Finding {
        rule: r.rule.id.clone(),
        severity: r.rule.severity,
        incidents: r.rule.incidents.clone(),
        kind: g.kind(),
        path,
        line,
        column: usize::from(line > 0),
        end_column: usize::from(line > 0),
        message,
        source_line: None,
        unevaluated: false,
    }
}

#[cfg(test)]
mod tests;
