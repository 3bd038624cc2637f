//! `hindsight rules`: compile guard rules and agent files, or check they are current.
//! `build` reports its rule files with the same printers.

use std::io::Write;

use anyhow::{Context, Result, bail};

use super::args::RulesArgs;
use super::{Ctx, Outcome};
use crate::owned::Action;
use crate::rules::agents::Settings;
use crate::rules::generate::{self, Plan};
use crate::rules::model::RuleStatus;
use crate::rules::render::rule_toml;

pub(super) fn run(ctx: &Ctx, a: &RulesArgs) -> Result<Outcome> {
    let reading = a.check || a.json || a.review;
    let _lock = (!reading).then(|| ctx.lock("rules")).transpose()?;
    let (loaded, load_errors) = ctx.load_incidents();
    if load_errors > 0 {
        bail!("{load_errors} postmortem(s) could not be read; no rules written");
    }
    let mut agents = Settings::new(&ctx.config, &ctx.kb)?;
    if a.no_agents {
        agents.targets.clear();
    } else if !a.targets.is_empty() {
        agents.targets = a.targets.clone();
    }
    if let Some(out) = &a.agents_out {
        agents.out = out.clone();
    }
    let plan = plan_or_report(ctx, &loaded, &agents)?;
    if a.json {
        ctx.stdout()
            .write_all(crate::rules::json::to_json(&plan.rules).as_bytes())?;
        return Ok(Outcome::Clean);
    }
    if a.review {
        return review(ctx, &plan);
    }
    if !a.accept.is_empty() {
        accept(ctx, &plan, &a.accept)?;
        // The accepted rules are the user's now: plan again so agent files have them.
        let plan = plan_or_report(ctx, &loaded, &agents)?;
        plan.apply().context("writing rule files")?;
        print_writes(ctx, &plan)?;
        return Ok(Outcome::Clean);
    }
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

fn plan_or_report(ctx: &Ctx, loaded: &[crate::kb::Loaded], agents: &Settings) -> Result<Plan> {
    generate::plan(&ctx.kb, loaded, agents).or_else(|errors| {
        for e in &errors {
            ctx.error(e);
        }
        bail!(
            "{} hindsight-guard block(s) or rule file(s) could not be read; no rules written",
            errors.len()
        )
    })
}

/// List the proposed rules, for a person to accept or leave.
fn review(ctx: &Ctx, plan: &Plan) -> Result<Outcome> {
    let mut out = ctx.stdout();
    let proposed: Vec<_> = plan
        .rules
        .iter()
        .filter(|r| r.status == RuleStatus::Proposed)
        .collect();
    for r in &proposed {
        writeln!(out, "{}: {}", r.id, crate::rules::agents::instruction(r))?;
        for s in r.sources.iter().take(3) {
            writeln!(out, "  {}:{}: {}", s.path, s.line, s.text)?;
        }
    }
    if !ctx.quiet {
        writeln!(
            out,
            "{} proposed rule(s); `hindsight rules --accept ID` makes one active",
            proposed.len()
        )?;
    }
    Ok(Outcome::Clean)
}

/// Make proposed rules active: each one's file becomes the user's (its generated
/// line removed, `status = "active"`), so later runs keep it as written.
fn accept(ctx: &Ctx, plan: &Plan, ids: &[String]) -> Result<()> {
    for id in ids {
        let Some(rule) = plan.rules.iter().find(|r| &r.id == id) else {
            bail!("no rule {id:?}; `hindsight rules --review` lists the proposed ones");
        };
        if rule.status == RuleStatus::Active {
            ctx.warn(format!("{id} is already active"));
            continue;
        }
        let path = ctx.kb.rules_dir().join(format!("{id}.toml"));
        // A proposed rule in a file the user edited is theirs to change.
        if let Ok(text) = std::fs::read_to_string(&path)
            && crate::owned::ownership(&text) != crate::owned::Ownership::Unedited
        {
            bail!(
                "{} is yours (edited by hand): set status = \"active\" in it",
                ctx.kb.relative(&path)
            );
        }
        let mut r = rule.clone();
        r.status = RuleStatus::Active;
        crate::fsio::write_atomic(&path, rule_toml(&r).as_bytes())
            .with_context(|| format!("writing {}", ctx.kb.relative(&path)))?;
        if !ctx.quiet {
            writeln!(ctx.stdout(), "accepted {id}: {}", ctx.kb.relative(&path))?;
        }
    }
    Ok(())
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
            // A rule file the user wrote (or accepted) is theirs: nothing to settle.
            Action::KeepForeign if !used.is_empty() && !ctx.verbose => {}
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
