//! `hindsight rules`: compile guard rules and agent files, or check they are current.
//! `build` reports its rule files with the same printers.

use std::io::Write;

use anyhow::{Context, Result, bail};

use super::args::RulesArgs;
use super::{Ctx, Outcome};
use crate::owned::Action;
use crate::rules::agents::ALL_TARGETS;
use crate::rules::generate::{self, Plan};

pub(super) fn run(ctx: &Ctx, a: &RulesArgs) -> Result<Outcome> {
    let _lock = (!a.check).then(|| ctx.lock("rules")).transpose()?;
    let (loaded, load_errors) = ctx.load_incidents();
    if load_errors > 0 {
        bail!("{load_errors} postmortem(s) could not be read; no rules written");
    }
    let targets = if a.no_agents {
        Vec::new()
    } else if a.targets.is_empty() {
        ALL_TARGETS.to_vec()
    } else {
        a.targets.clone()
    };
    let agents_out = a
        .agents_out
        .clone()
        .unwrap_or_else(|| ctx.kb.rules_dir().join("agents"));
    let plan = match generate::plan(&ctx.kb, &loaded, &agents_out, &targets) {
        Ok(p) => p,
        Err(errors) => {
            for e in &errors {
                ctx.error(e);
            }
            bail!(
                "{} hindsight-guard block(s) or rule file(s) could not be read; no rules written",
                errors.len()
            );
        }
    };
    print_kept(ctx, &plan);
    let guarded = plan.guarded();
    if a.check {
        let stale = report_stale(ctx, &plan)?;
        if stale > 0 {
            writeln!(
                ctx.stdout(),
                "{} stale; run `hindsight rules`",
                super::count(stale, "file", "files")
            )?;
            return Ok(Outcome::Findings);
        }
        if !ctx.quiet {
            writeln!(
                ctx.stdout(),
                "rules are up to date: {} rules ({guarded} with guards)",
                plan.rules.len()
            )?;
        }
        return Ok(Outcome::Clean);
    }
    plan.apply().context("writing rule files")?;
    let written = print_writes(ctx, &plan)?;
    if !ctx.quiet {
        writeln!(
            ctx.stdout(),
            "{} rules ({guarded} with guards) from {} postmortems; {written} file(s) written",
            plan.rules.len(),
            loaded.len(),
        )?;
    }
    Ok(Outcome::Clean)
}

/// Say which files the plan keeps as they are, and why.
pub(super) fn print_kept(ctx: &Ctx, plan: &Plan) {
    let rules_dir = ctx.kb.rules_dir();
    for (path, action, _) in &plan.actions {
        // A rule file of the user's is a rule all the same (see `generate`).
        let used = if path.parent() == Some(rules_dir.as_path()) {
            "; its rule is used as written"
        } else {
            ""
        };
        let rel = ctx.kb.relative(path);
        match action {
            Action::KeepEdited => ctx.warn(format!(
                "kept {rel}: edited by hand since it was generated (delete it, or remove its hindsight-generated line, to settle it){used}"
            )),
            Action::KeepForeign => {
                ctx.warn(format!("kept {rel}: not written by hindsight, so not overwritten{used}"))
            }
            Action::KeepStale => {
                ctx.warn(format!("kept {rel}: no longer generated, but edited by hand{used}"))
            }
            _ => {}
        }
    }
}

/// Print each file the plan would change; returns how many.
pub(super) fn report_stale(ctx: &Ctx, plan: &Plan) -> Result<usize> {
    let mut out = ctx.stdout();
    let mut n = 0;
    for (path, action) in plan.writes() {
        let what = match action {
            Action::Create => "missing",
            Action::Delete => "no longer generated",
            _ => "out of date",
        };
        writeln!(out, "{}: {what}", ctx.kb.relative(path))?;
        n += 1;
    }
    Ok(n)
}

/// List what an applied plan changed when it is a short list; returns how many files
/// were written or removed.
pub(super) fn print_writes(ctx: &Ctx, plan: &Plan) -> Result<usize> {
    let writes: Vec<_> = plan.writes().collect();
    if !ctx.quiet && writes.len() <= 20 {
        let mut out = ctx.stdout();
        for (path, action) in &writes {
            let verb = match action {
                Action::Create => "created",
                Action::Delete => "deleted",
                _ => "updated",
            };
            writeln!(out, "{verb} {}", ctx.kb.relative(path))?;
        }
    }
    Ok(writes.len())
}
