//! `hindsight lint`: check postmortems; human, JSON or SARIF output; `--fix` repairs
//! damaged text in place; `--explain CODE` says what a code means.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use super::args::LintArgs;
use super::{Ctx, Outcome};
use crate::fsio;
use crate::lines::Excerpt;
use crate::lint::{self, Code, Finding, Settings};
use crate::report::{Diagnostic, Level, Origin, SarifRule};

/// One linted file.
struct Linted {
    path: String,
    id: String,
    /// The lines findings point at, to show under them (as read, for damaged lines).
    lines: std::collections::BTreeMap<usize, String>,
    findings: Vec<Finding>,
    repaired: usize,
}

pub(super) fn run(ctx: &Ctx, a: &LintArgs) -> Result<Outcome> {
    if let Some(code) = &a.explain {
        return explain(ctx, code);
    }
    let config = &ctx.config;
    let settings = Settings::new(&config.lint, &config.source)?;
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
            ctx.note(format!(
                "fixed {} ({})",
                l.path,
                super::count(l.repaired, "repair", "repairs")
            ));
        }
    }
    report(ctx, a.format, &linted, errors)?;
    let failed = linted
        .iter()
        .flat_map(|l| &l.findings)
        .any(|f| f.level == Level::Error);
    Ok(if errors > 0 {
        Outcome::Errors
    } else if failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn lint_file(ctx: &Ctx, path: &Path, settings: &Settings, fix: bool) -> Result<Linted> {
    let reason = |e: crate::kb::LoadError| anyhow::anyhow!("{}", e.reason());
    let mut parsed = ctx.kb.parse_file(path).map_err(reason)?;
    let mut repaired = 0;
    let mut original = String::from_utf8_lossy(&parsed.bytes).into_owned();
    if fix && parsed.ingested.changed() {
        fsio::rewrite(path, parsed.ingested.text.as_bytes())
            .context("could not write the repaired file")?;
        repaired = parsed.ingested.repairs.len();
        // The file holds the repaired text now: lint that, as a fresh read would.
        parsed = ctx.kb.parse_file(path).map_err(reason)?;
        original = parsed.ingested.text.clone();
    }
    let input = lint::Input {
        dir: path.parent(),
        original: &original,
        ingested: &parsed.ingested,
        doc: &parsed.doc,
        incident: &parsed.incident,
    };
    let findings = lint::lint(&input, settings);
    // Only the lines findings point at are kept; damaged ones as they are in the file.
    let repaired_lines: Vec<&str> = parsed.ingested.text.lines().collect();
    let orig: Vec<&str> = original.lines().collect();
    let lines = findings
        .iter()
        .filter(|f| f.line > 0)
        .filter_map(|f| {
            let src = if f.code == Code::Mojibake && orig.len() == repaired_lines.len() {
                orig.get(f.line - 1)
            } else {
                repaired_lines.get(f.line - 1)
            };
            src.map(|s| (f.line, s.to_string()))
        })
        .collect();
    Ok(Linted {
        path: parsed.incident.path.clone(),
        id: parsed.incident.id,
        lines,
        findings,
        repaired,
    })
}

fn diagnostic(l: &Linted, f: &Finding) -> Diagnostic {
    Diagnostic {
        code: f.code.name().to_string(),
        level: f.level,
        title: f.message.clone(),
        path: l.path.clone(),
        // A finding about the whole file is at its first line: SARIF and editors need
        // a line, and JSON says the same.
        line: f.line.max(1),
        column: f.column.max(1),
        end_column: f.end_column.max(f.column.max(1)),
        source_line: l
            .lines
            .get(&f.line)
            .map(|line| Excerpt::around(line, f.column.max(1), f.end_column)),
        label: None,
        notes: Vec::new(),
        help: f.help.clone(),
        origin: Origin::Lint,
    }
}

/// `unread`: files that could not be read (already reported), for the summary line.
fn report(
    ctx: &Ctx,
    format: super::args::ReportFormat,
    linted: &[Linted],
    unread: usize,
) -> Result<()> {
    let rules: Vec<SarifRule> = Code::ALL
        .iter()
        .map(|c| SarifRule {
            id: c.name().to_string(),
            short: c.summary().to_string(),
            full: c.explain().to_string(),
            help: format!("hindsight lint --explain {}", c.name()),
            level: c.level(),
        })
        .collect();
    let mut reporter = ctx.reporter(format, "lint", rules);
    let mut count = [0usize; 3];
    for l in linted {
        for f in &l.findings {
            count[f.level as usize] += 1;
            reporter.diagnostic(&diagnostic(l, f))?;
        }
    }
    reporter.finish(true)?;
    if format != super::args::ReportFormat::Human || ctx.quiet {
        return Ok(());
    }
    let files = linted.iter().filter(|l| !l.findings.is_empty()).count();
    let unread = match unread {
        0 => String::new(),
        n => format!("; {n} could not be read"),
    };
    let total: usize = count.iter().sum();
    let mut out = ctx.stdout();
    if total == 0 && unread.is_empty() {
        writeln!(
            out,
            "{}: clean",
            super::count(linted.len(), "postmortem", "postmortems")
        )?;
    } else if total == 0 {
        writeln!(
            out,
            "{}: no findings{unread}",
            super::count(linted.len(), "postmortem", "postmortems")
        )?;
    } else {
        writeln!(
            out,
            "{}, {} in {files} of {}{unread}",
            super::count(count[Level::Error as usize], "error", "errors"),
            super::count(
                count[Level::Warning as usize] + count[Level::Note as usize],
                "warning",
                "warnings"
            ),
            super::count(linted.len(), "postmortem", "postmortems")
        )?;
    }
    Ok(())
}

fn explain(ctx: &Ctx, code: &str) -> Result<Outcome> {
    let mut out = ctx.stdout();
    if code.is_empty() {
        for c in Code::ALL {
            writeln!(
                out,
                "{:<18} {:<8} {}",
                c.name(),
                c.level().as_str(),
                c.summary()
            )?;
        }
        return Ok(Outcome::Clean);
    }
    let Some(c) = Code::from_name(code) else {
        let hint = Code::suggest(code)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        bail!("no lint code `{code}`{hint}; `hindsight lint --explain` lists them");
    };
    writeln!(
        out,
        "{} ({} by default): {}\n",
        c.name(),
        c.level().as_str(),
        c.summary()
    )?;
    writeln!(out, "{}", c.explain())?;
    Ok(Outcome::Clean)
}
