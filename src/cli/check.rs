//! `hindsight check`: run guard rules; human, JSON or SARIF output.

use std::collections::BTreeMap;

use anyhow::Result;

use super::args::{CheckArgs, ReportFormat};
use super::{Ctx, Outcome};
use crate::check::{self, Finding, LoadedRule, Options};
use crate::report::{Diagnostic, Notice, Origin, SarifRule};

pub(super) fn run(ctx: &Ctx, a: &CheckArgs) -> Result<Outcome> {
    let dir = a.rules.clone().unwrap_or_else(|| ctx.kb.rules_dir());
    if a.rules.is_some() && !dir.exists() {
        let hint = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .and_then(|p| std::fs::read_dir(p).ok())
            .and_then(|entries| {
                let names: Vec<String> = entries
                    .flatten()
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                let name = dir.file_name()?.to_string_lossy().into_owned();
                crate::suggest::closest(&name, names.iter().map(String::as_str))
                    .map(|s| format!(" (did you mean {}?)", dir.with_file_name(s).display()))
            })
            .unwrap_or_default();
        anyhow::bail!(
            "--rules {}: no such folder{hint}; name a folder of rule files such as rules/",
            dir.display()
        );
    }
    let rules = match check::load_rules(&dir) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                ctx.error(e);
            }
            return Ok(Outcome::Errors);
        }
    };
    if rules.is_empty() {
        anyhow::bail!(
            "{}: no rule files, so nothing to check (`hindsight rules` compiles them from incidents/)",
            dir.display()
        );
    }
    let known: Vec<&str> = rules.iter().map(|r| r.rule.id.as_str()).collect();
    for id in &a.only {
        if !known.contains(&id.as_str()) {
            let hint = crate::suggest::closest(id, known.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            anyhow::bail!("no rule `{id}` in {}{hint}", dir.display());
        }
    }
    let opts = Options {
        allow_commands: a.allow_commands,
        only: a.only.clone(),
        stage: a.stage,
    };
    let report = check::check(&rules, &a.target, &opts)?;
    let by_id: BTreeMap<&str, &LoadedRule> =
        rules.iter().map(|r| (r.rule.id.as_str(), r)).collect();
    let sarif_rules: Vec<SarifRule> = rules
        .iter()
        .filter(|r| !r.rule.guards.is_empty())
        .map(|r| SarifRule {
            id: r.rule.id.clone(),
            short: r.rule.title.clone(),
            full: r.rule.why.clone(),
            help: help_text(r),
            level: r.rule.severity,
        })
        .collect();
    let mut reporter = ctx.reporter(a.format, "check", sarif_rules);
    for f in &report.findings {
        let mut d = diagnostic(f, &by_id);
        // On a terminal, paths open from where the user stands; JSON and SARIF keep
        // them relative to the target (a repository's own paths, for code scanning).
        if a.format == ReportFormat::Human {
            d.path = from_here(&a.target, &d.path);
        }
        reporter.diagnostic(&d)?;
    }
    for s in &report.skipped {
        reporter.notice(&Notice {
            rule: s.rule.clone(),
            incidents: by_id
                .get(s.rule.as_str())
                .map_or_else(Vec::new, |r| r.rule.incidents.clone()),
            kind: s.kind,
            message: s.reason.clone(),
        })?;
    }
    reporter.finish(!report.findings.iter().any(|f| f.unevaluated))?;
    if a.format == ReportFormat::Human && !ctx.quiet {
        let violated: std::collections::BTreeSet<&str> =
            report.findings.iter().map(|f| f.rule.as_str()).collect();
        let head = if report.findings.is_empty() {
            "clean".to_string()
        } else {
            format!(
                "{} from {}",
                super::count(report.findings.len(), "finding", "findings"),
                super::count(violated.len(), "rule", "rules")
            )
        };
        eprintln!(
            "hindsight check: {head}; {}, {}, {} searched, {} suppressed",
            super::count(report.rules, "rule", "rules"),
            super::count(report.guards, "guard", "guards"),
            super::count(report.files_scanned, "file", "files"),
            report.suppressed
        );
    }
    Ok(if report.failed() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// A finding's path (relative to the target) as the user can open it from where they
/// stand, as ripgrep prints them: the target as given, then the path in it.
fn from_here(target: &std::path::Path, path: &str) -> String {
    let t = target.to_string_lossy();
    let t = t.trim_end_matches('/');
    if path.is_empty() || path == "." {
        return if t.is_empty() {
            ".".into()
        } else {
            t.to_string()
        };
    }
    if t.is_empty() || t == "." || target.is_file() || std::path::Path::new(path).is_absolute() {
        return path.to_string();
    }
    format!("{t}/{}", path.trim_start_matches("./"))
}

fn help_text(r: &LoadedRule) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &r.rule.dont {
        parts.push(format!("Don't: {d}"));
    }
    if let Some(d) = &r.rule.do_ {
        parts.push(format!("Do: {d}"));
    }
    parts.push(format!("From incident(s): {}", r.rule.incidents.join(", ")));
    parts.join("\n")
}

fn diagnostic(f: &Finding, rules: &BTreeMap<&str, &LoadedRule>) -> Diagnostic {
    let mut notes = Vec::new();
    let rule = rules.get(f.rule.as_str());
    if let Some(r) = rule {
        if !r.rule.why.is_empty() {
            notes.push(format!("why: {}", r.rule.why));
        }
        let line = r
            .guard_lines
            .first()
            .map(|l| format!(":{l}"))
            .unwrap_or_default();
        if !f.incidents.is_empty() {
            notes.push(format!("learned from: {}", f.incidents.join(", ")));
        }
        notes.push(format!("rule defined in {}{line}", r.file.display()));
    }
    if f.unevaluated {
        notes.push("the guard could not be evaluated, so it fails closed".into());
    }
    Diagnostic {
        code: f.rule.clone(),
        level: f.severity,
        title: f.message.clone(),
        path: f.path.clone(),
        line: f.line,
        column: f.column,
        end_column: f.end_column,
        source_line: f.source_line.clone(),
        label: None,
        notes,
        help: rule
            .and_then(|r| r.rule.do_.clone())
            .map(|d| format!("do this instead: {d}")),
        origin: Origin::Guard {
            incidents: f.incidents.clone(),
            kind: f.kind,
            unevaluated: f.unevaluated,
        },
    }
}
