//! `hindsight lint`: check postmortems; human, JSON or SARIF output; `--fix` repairs
//! damaged text in place; `--explain CODE` says what a code means.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::Serialize;

use super::args::{LintArgs, ReportFormat};
use super::{Ctx, Outcome};
use crate::config::Config;
use crate::document::Document;
use crate::fsio;
use crate::incident::Incident;
use crate::ingest;
use crate::lines::Excerpt;
use crate::lint::{self, CODES, Finding, Settings, codes};
use crate::report::{self, Diagnostic, SarifRule};
use crate::rules::Level;

/// One linted file.
struct Linted {
    path: String,
    id: String,
    /// The lines findings point at, to show under them (as read, for damaged lines).
    lines: std::collections::BTreeMap<usize, String>,
    findings: Vec<Finding>,
    repaired: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    severity: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_column: usize,
    message: &'a str,
    help: Option<&'a str>,
}

pub fn run(ctx: &Ctx, a: &LintArgs) -> Result<Outcome> {
    if let Some(code) = &a.explain {
        return explain(ctx, code);
    }
    let config = Config::load(&ctx.kb.root).map_err(anyhow::Error::new)?;
    let settings = Settings::new(&config.lint).map_err(|e| anyhow::anyhow!(e))?;
    let roots = if a.paths.is_empty() {
        vec![ctx.kb.incidents_dir()]
    } else {
        a.paths.clone()
    };
    let files = ctx
        .kb
        .postmortem_files(&roots)
        .map_err(anyhow::Error::new)?;
    let results: Vec<(PathBuf, Result<Linted>)> = files
        .par_iter()
        .map(|f| (f.clone(), lint_file(ctx, f, &settings, a.fix)))
        .collect();
    let mut errors = 0;
    let mut linted = Vec::new();
    for (path, r) in results {
        match r {
            Ok(l) => linted.push(l),
            Err(e) => {
                ctx.error(format!("{}: {e:#}", path.display()));
                errors += 1;
            }
        }
    }
    let dupes = lint::duplicate_ids(
        linted.iter().map(|l| (l.path.as_str(), l.id.as_str())),
        &settings,
    );
    let dupes: Vec<(String, Finding)> =
        dupes.into_iter().map(|(p, f)| (p.to_string(), f)).collect();
    for (p, f) in dupes {
        if let Some(l) = linted.iter_mut().find(|l| l.path == p) {
            l.findings.insert(0, f);
        }
    }
    if a.fix && !ctx.quiet {
        for l in linted.iter().filter(|l| l.repaired > 0) {
            ctx.warn(format!("fixed {} ({} repair(s))", l.path, l.repaired));
        }
    }
    report(ctx, a.format, &linted, errors)?;
    let failed = linted
        .iter()
        .flat_map(|l| &l.findings)
        .any(|f| f.severity == Level::Error);
    Ok(if errors > 0 {
        Outcome::Errors
    } else if failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn lint_file(ctx: &Ctx, path: &Path, settings: &Settings, fix: bool) -> Result<Linted> {
    let bytes = crate::kb::read_bytes(path).map_err(|e| anyhow::anyhow!("{}", e.reason()))?;
    let ingested = ingest::ingest_postmortem(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut repaired = 0;
    if fix && ingested.changed() {
        fsio::write_atomic(path, ingested.text.as_bytes())
            .context("could not write the repaired file")?;
        repaired = ingested.repairs.len();
    }
    let original = if repaired > 0 {
        ingested.text.clone()
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    // After --fix the file holds the repaired text: lint that, as a fresh read would.
    let ingested = if repaired > 0 {
        ingest::ingest(ingested.text.as_bytes()).map_err(|e| anyhow::anyhow!("{e}"))?
    } else {
        ingested
    };
    let rel = ctx.kb.relative(path);
    let doc = Document::parse(&ingested.text);
    let incident = Incident::from_document(&rel, &doc, &ingested);
    let input = lint::Input {
        dir: path.parent(),
        original: &original,
        ingested: &ingested,
        doc: &doc,
        incident: &incident,
    };
    let findings = lint::lint(&input, settings);
    // Only the lines findings point at are kept; damaged ones as they are in the file.
    let repaired_lines: Vec<&str> = ingested.text.lines().collect();
    let orig: Vec<&str> = original.lines().collect();
    let lines = findings
        .iter()
        .filter(|f| f.line > 0)
        .filter_map(|f| {
            let src = if f.code == "mojibake" && orig.len() == repaired_lines.len() {
                orig.get(f.line - 1)
            } else {
                repaired_lines.get(f.line - 1)
            };
            src.map(|s| (f.line, s.to_string()))
        })
        .collect();
    Ok(Linted {
        path: rel,
        id: incident.id,
        lines,
        findings,
        repaired,
    })
}

fn diagnostic(l: &Linted, f: &Finding) -> Diagnostic {
    Diagnostic {
        code: f.code.to_string(),
        severity: f.severity,
        title: f.message.clone(),
        path: l.path.clone(),
        line: f.line,
        column: f.column.max(1),
        end_column: f.end_column.max(f.column.max(1)),
        source_line: l
            .lines
            .get(&f.line)
            .map(|line| Excerpt::around(line, f.column.max(1), f.end_column)),
        label: None,
        notes: Vec::new(),
        help: f.help.clone(),
    }
}

/// `unread`: files that could not be read (already reported), for the summary line.
fn report(ctx: &Ctx, format: ReportFormat, linted: &[Linted], unread: usize) -> Result<()> {
    let all = || {
        linted
            .iter()
            .flat_map(|l| l.findings.iter().map(move |f| (l, f)))
    };
    match format {
        ReportFormat::Json => {
            let json: Vec<JsonFinding> = all()
                .map(|(l, f)| JsonFinding {
                    code: f.code,
                    severity: f.severity.as_str(),
                    path: &l.path,
                    line: f.line,
                    column: f.column,
                    end_column: f.end_column,
                    message: &f.message,
                    help: f.help.as_deref(),
                })
                .collect();
            let mut out = ctx.raw_stdout();
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        ReportFormat::Sarif => {
            let rules: Vec<SarifRule> = CODES
                .iter()
                .map(|c| SarifRule {
                    id: c.name.to_string(),
                    short: c.summary.to_string(),
                    full: c.explain.to_string(),
                    help: format!("hindsight lint --explain {}", c.name),
                    level: c.level,
                })
                .collect();
            let diags: Vec<Diagnostic> = all().map(|(l, f)| diagnostic(l, f)).collect();
            let mut out = ctx.raw_stdout();
            serde_json::to_writer_pretty(
                &mut out,
                &report::sarif("lint", &rules, &diags, &[], true),
            )?;
            writeln!(out)?;
        }
        ReportFormat::Human => {
            let diags: Vec<Diagnostic> = all().map(|(l, f)| diagnostic(l, f)).collect();
            let mut out = ctx.stdout();
            write!(out, "{}", report::human(&diags, ctx.color_stdout()))?;
            if !ctx.quiet {
                let count = |s: Level| diags.iter().filter(|d| d.severity == s).count();
                let files = linted.iter().filter(|l| !l.findings.is_empty()).count();
                let unread = match unread {
                    0 => String::new(),
                    n => format!("; {n} could not be read"),
                };
                if diags.is_empty() && unread.is_empty() {
                    writeln!(out, "{} postmortem(s): clean", linted.len())?;
                } else if diags.is_empty() {
                    writeln!(out, "{} postmortem(s): no findings{unread}", linted.len())?;
                } else {
                    writeln!(
                        out,
                        "{} error(s), {} warning(s) in {files} of {} postmortem(s){unread}",
                        count(Level::Error),
                        count(Level::Warning) + count(Level::Note),
                        linted.len()
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn explain(ctx: &Ctx, code: &str) -> Result<Outcome> {
    let mut out = ctx.stdout();
    if code.is_empty() {
        for c in CODES {
            writeln!(out, "{:<18} {:<8} {}", c.name, c.level.as_str(), c.summary)?;
        }
        return Ok(Outcome::Clean);
    }
    let Some(c) = codes::lookup(code) else {
        let hint = codes::suggest(code)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        bail!("no lint code `{code}`{hint}; `hindsight lint --explain` lists them");
    };
    writeln!(
        out,
        "{} ({} by default): {}\n",
        c.name,
        c.level.as_str(),
        c.summary
    )?;
    writeln!(out, "{}", c.explain)?;
    Ok(Outcome::Clean)
}
