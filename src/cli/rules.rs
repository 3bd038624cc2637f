//! `hindsight rules`: compile guard rules and agent files, or check they are current.

use std::io::Write;

use anyhow::{Context, Result, bail};

use super::args::RulesArgs;
use super::{Ctx, Outcome};
use crate::owned::{self, Action};
use crate::rules::Rule;
use crate::rules::agents::ALL_TARGETS;
use crate::rules::generate::generate;

pub fn run(ctx: &Ctx, a: &RulesArgs) -> Result<Outcome> {
    let (loaded, load_errors) = ctx.load_incidents();
    if load_errors > 0 {
        bail!("{load_errors} postmortem(s) could not be read; no rules written");
    }
    write(ctx, &loaded, a, false).map(|(o, _)| o)
}

/// Compile `loaded` into rule and agent files and write (or check) them; also returns
/// the rules. Inside `build` (`in_build`), the closing summary line is left to it.
pub fn write(
    ctx: &Ctx,
    loaded: &[crate::kb::Loaded],
    a: &RulesArgs,
    in_build: bool,
) -> Result<(Outcome, Vec<Rule>)> {
    let agents_out = a
        .agents_out
        .clone()
        .unwrap_or_else(|| ctx.kb.rules_dir().join("agents"));
    let targets = if a.no_agents {
        Vec::new()
    } else if a.targets.is_empty() {
        ALL_TARGETS.to_vec()
    } else {
        a.targets.clone()
    };
    let generated = match generate(&ctx.kb, loaded, &agents_out, &targets) {
        Ok(g) => g,
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
    let plan = owned::plan(&generated.files, &generated.owned_dirs);
    let mut out = ctx.stdout();
    let rel = |p: &std::path::Path| ctx.kb.relative(p);
    let rules_dir = ctx.kb.rules_dir();
    for (path, action, _) in &plan {
        // A rule file of the user's is a rule all the same (see `generate`).
        let used = if path.parent() == Some(rules_dir.as_path()) {
            "; its rule is used as written"
        } else {
            ""
        };
        match action {
            Action::KeepEdited => ctx.warn(format!(
                "kept {}: edited by hand since it was generated (delete it, or remove its hindsight-generated line, to settle it){used}",
                rel(path)
            )),
            Action::KeepForeign => ctx.warn(format!("kept {}: not written by hindsight, so not overwritten{used}", rel(path))),
            Action::KeepStale => ctx.warn(format!("kept {}: no longer generated, but edited by hand{used}", rel(path))),
            _ => {}
        }
    }
    let writes: Vec<&(std::path::PathBuf, Action, Option<String>)> =
        plan.iter().filter(|(_, a, _)| a.writes()).collect();
    let guarded = generated
        .rules
        .iter()
        .filter(|r| !r.guards.is_empty())
        .count();
    if a.check {
        for (path, action, _) in &writes {
            let what = match action {
                Action::Create => "missing",
                Action::Delete => "no longer generated",
                _ => "out of date",
            };
            writeln!(out, "{}: {what}", rel(path))?;
        }
        if !writes.is_empty() {
            if !in_build {
                writeln!(out, "{} file(s) stale; run `hindsight rules`", writes.len())?;
            }
            return Ok((Outcome::Findings, generated.rules));
        }
        if !ctx.quiet && !in_build {
            writeln!(
                out,
                "rules are up to date: {} rules ({guarded} with guards)",
                generated.rules.len()
            )?;
        }
        return Ok((Outcome::Clean, generated.rules));
    }
    owned::apply(&plan).context("writing rule files")?;
    if !ctx.quiet && writes.len() <= 20 {
        for (path, action, _) in &writes {
            let verb = match action {
                Action::Create => "created",
                Action::Delete => "deleted",
                _ => "updated",
            };
            writeln!(out, "{verb} {}", rel(path))?;
        }
    }
    if !ctx.quiet && !in_build {
        writeln!(
            out,
            "{} rules ({guarded} with guards) from {} postmortems; {} file(s) written",
            generated.rules.len(),
            loaded.len(),
            writes.len()
        )?;
    }
    Ok((Outcome::Clean, generated.rules))
}
