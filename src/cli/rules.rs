//! `hindsight rules`: compile guard rules and agent files, or check they are current.
//! `build` plans and applies them through the same two steps.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::args::RulesArgs;
use super::{Ctx, Outcome};
use crate::kb::Loaded;
use crate::owned::{self, Action};
use crate::rules::Rule;
use crate::rules::agents::{ALL_TARGETS, Target};
use crate::rules::generate::generate;

pub fn run(ctx: &Ctx, a: &RulesArgs) -> Result<Outcome> {
    let _lock = (!a.check).then(|| ctx.lock("rules")).transpose()?;
    let (loaded, load_errors) = ctx.load_incidents();
    if load_errors > 0 {
        bail!("{load_errors} postmortem(s) could not be read; no rules written");
    }
    let planned = plan(ctx, &loaded, &Destination::of(ctx, a))?;
    let guarded = planned.guarded();
    if a.check {
        let stale = report_stale(ctx, &planned)?;
        if stale > 0 {
            writeln!(ctx.stdout(), "{stale} file(s) stale; run `hindsight rules`")?;
            return Ok(Outcome::Findings);
        }
        if !ctx.quiet {
            writeln!(
                ctx.stdout(),
                "rules are up to date: {} rules ({guarded} with guards)",
                planned.rules.len()
            )?;
        }
        return Ok(Outcome::Clean);
    }
    let written = apply(ctx, &planned)?;
    if !ctx.quiet {
        writeln!(
            ctx.stdout(),
            "{} rules ({guarded} with guards) from {} postmortems; {written} file(s) written",
            planned.rules.len(),
            loaded.len(),
        )?;
    }
    Ok(Outcome::Clean)
}

/// Where agent files go and which ones.
pub struct Destination {
    pub agents_out: PathBuf,
    pub targets: Vec<Target>,
}

impl Destination {
    fn of(ctx: &Ctx, a: &RulesArgs) -> Destination {
        let targets = if a.no_agents {
            Vec::new()
        } else if a.targets.is_empty() {
            ALL_TARGETS.to_vec()
        } else {
            a.targets.clone()
        };
        Destination {
            agents_out: a
                .agents_out
                .clone()
                .unwrap_or_else(|| ctx.kb.rules_dir().join("agents")),
            targets,
        }
    }

    /// The knowledge base's own agent folder, every target.
    pub fn default_for(ctx: &Ctx) -> Destination {
        Destination {
            agents_out: ctx.kb.rules_dir().join("agents"),
            targets: ALL_TARGETS.to_vec(),
        }
    }
}

/// The compiled rules and what writing them would do to each file.
pub struct Planned {
    pub rules: Vec<Rule>,
    actions: Vec<(PathBuf, Action, Option<String>)>,
}

impl Planned {
    pub fn guarded(&self) -> usize {
        self.rules.iter().filter(|r| !r.guards.is_empty()).count()
    }
}

/// Compile `loaded` and decide what to write, saying which files are kept and why.
/// Writes nothing.
pub fn plan(ctx: &Ctx, loaded: &[Loaded], dest: &Destination) -> Result<Planned> {
    let generated = match generate(&ctx.kb, loaded, &dest.agents_out, &dest.targets) {
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
    let actions = owned::plan(&generated.files, &generated.owned_dirs);
    let rules_dir = ctx.kb.rules_dir();
    for (path, action, _) in &actions {
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
    Ok(Planned {
        rules: generated.rules,
        actions,
    })
}

/// Print each file the plan would change; returns how many.
pub fn report_stale(ctx: &Ctx, planned: &Planned) -> Result<usize> {
    let mut out = ctx.stdout();
    let mut n = 0;
    for (path, action, _) in planned.actions.iter().filter(|(_, a, _)| a.writes()) {
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

/// Write the plan (atomically per file), listing what changed when it is a short
/// list; returns how many files were written or removed.
pub fn apply(ctx: &Ctx, planned: &Planned) -> Result<usize> {
    owned::apply(&planned.actions).context("writing rule files")?;
    let writes: Vec<_> = planned
        .actions
        .iter()
        .filter(|(_, a, _)| a.writes())
        .collect();
    if !ctx.quiet && writes.len() <= 20 {
        let mut out = ctx.stdout();
        for (path, action, _) in &writes {
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
