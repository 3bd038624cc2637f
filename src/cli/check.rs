//! `hindsight check`: run guard rules; human, JSON or SARIF output.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::args::{CheckArgs, ReportFormat};
use super::{Ctx, Outcome};
use crate::check::{self, Finding, LoadedRule, Options};
use crate::report::{self, Diagnostic, SarifRule};

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    incidents: &'a [String],
    path: &'a str,
    line: usize,
    column: usize,
    severity: &'a str,
    kind: &'a str,
    message: &'a str,
    unevaluated: bool,
    /// A guard that was not run (a command guard without `--allow-commands`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    skipped: bool,
}

pub fn run(ctx: &Ctx, a: &CheckArgs) -> Result<Outcome> {
    let dir = a.rules.clone().unwrap_or_else(|| ctx.kb.rules_dir());
    let rules = match check::load_rules(&dir) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                ctx.error(e);
            }
            return Ok(Outcome::Errors);
        }
    };
    let known: Vec<&str> = rules.iter().map(|r| r.rule.id.as_str()).collect();
    for id in &a.only {
        if !known.contains(&id.as_str()) {
            let hint = suggest(id, &known)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            anyhow::bail!("no rule `{id}` in {}{hint}", dir.display());
        }
    }
    let opts = Options {
        allow_commands: a.allow_commands,
        only: a.only.clone(),
    };
    let report = check::check(&rules, &a.target, &opts)?;
    let by_id: BTreeMap<&str, &LoadedRule> =
        rules.iter().map(|r| (r.rule.id.as_str(), r)).collect();
    match a.format {
        ReportFormat::Json => {
            let json: Vec<JsonFinding> = report
                .findings
                .iter()
                .map(|f| JsonFinding {
                    rule: &f.rule,
                    incidents: &f.incidents,
                    path: &f.path,
                    line: f.line,
                    column: f.column,
                    severity: f.severity.as_str(),
                    kind: f.kind,
                    message: &f.message,
                    unevaluated: f.unevaluated,
                    skipped: false,
                })
                .chain(report.skipped.iter().map(|s| {
                    JsonFinding {
                        rule: &s.rule,
                        incidents: by_id
                            .get(s.rule.as_str())
                            .map_or(&[], |r| &r.rule.incidents),
                        path: ".",
                        line: 0,
                        column: 0,
                        severity: "note",
                        kind: s.kind,
                        message: &s.reason,
                        unevaluated: false,
                        skipped: true,
                    }
                }))
                .collect();
            let mut out = ctx.raw_stdout();
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        ReportFormat::Sarif => {
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
            let diags: Vec<Diagnostic> = report
                .findings
                .iter()
                .map(|f| diagnostic(f, &by_id))
                .collect();
            let ok = !report.findings.iter().any(|f| f.unevaluated);
            let mut out = ctx.raw_stdout();
            let notices: Vec<report::Notice> = report
                .skipped
                .iter()
                .map(|s| report::Notice {
                    rule: s.rule.clone(),
                    message: s.reason.clone(),
                })
                .collect();
            serde_json::to_writer_pretty(
                &mut out,
                &report::sarif("check", &sarif_rules, &diags, &notices, ok),
            )?;
            writeln!(out)?;
        }
        ReportFormat::Human => {
            let diags: Vec<Diagnostic> = report
                .findings
                .iter()
                .map(|f| diagnostic(f, &by_id))
                .collect();
            let mut out = ctx.stdout();
            write!(out, "{}", report::human(&diags, ctx.color_stdout()))?;
            for s in &report.skipped {
                ctx.warn(format!("rule {}: {}", s.rule, s.reason));
            }
            if !ctx.quiet {
                let violated: std::collections::BTreeSet<&str> =
                    report.findings.iter().map(|f| f.rule.as_str()).collect();
                let head = if report.findings.is_empty() {
                    "clean".to_string()
                } else {
                    format!(
                        "{} finding(s) from {} rule(s)",
                        report.findings.len(),
                        violated.len()
                    )
                };
                eprintln!(
                    "hindsight check: {head}; {} rules, {} guards, {} files searched, {} suppressed",
                    report.rules, report.guards, report.files_scanned, report.suppressed
                );
            }
        }
    }
    Ok(if report.failed() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
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
        severity: f.severity,
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
    }
}

/// The known id closest to `id`, if it is close.
fn suggest<'a>(id: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(id, k), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}
