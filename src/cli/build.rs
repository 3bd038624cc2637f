//! `hindsight build`: the main job. Reads every postmortem once, brings the search
//! index up to date, compiles guard rules and agent files, and reports incidents that
//! look like a recurrence of another.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result};

use super::args::{BuildArgs, RulesArgs};
use super::{Ctx, Outcome};
use crate::search::{OpenOptions, RECURRENCE};

pub fn run(ctx: &Ctx, _a: &BuildArgs) -> Result<Outcome> {
    let t = Instant::now();
    let (loaded, load_errors) = ctx.load_incidents();
    ctx.timing("read and parse", t);
    let t = Instant::now();
    let opts = OpenOptions {
        verify: true,
        ..OpenOptions::default()
    };
    let (index, stats) = ctx.index_from(&opts, &loaded).context("search index")?;
    ctx.timing("index", t);
    let t = Instant::now();

    let changed: std::collections::HashSet<&str> =
        stats.changed.iter().map(String::as_str).collect();
    let dated: Vec<(&str, Option<&str>)> = loaded
        .iter()
        .filter(|l| changed.contains(l.incident.path.as_str()))
        .map(|l| (l.incident.id.as_str(), l.incident.date.as_deref()))
        .collect();
    let recurrences = index.recurrences(&dated)?;
    ctx.timing("recurrences", t);
    let mut out = ctx.stdout();
    if !ctx.quiet {
        writeln!(
            out,
            "indexed {} postmortem(s) ({} changed, {} removed{})",
            index.len(),
            stats.indexed,
            stats.removed,
            if stats.rebuilt { ", index rebuilt" } else { "" }
        )?;
    }
    for r in &recurrences {
        writeln!(
            out,
            "possible recurrence: {} looks like {} (similarity {:.2} ≥ {RECURRENCE}; shared: {})",
            r.id,
            r.like.hit.id,
            r.like.hit.score,
            r.like.shared.join(", ")
        )?;
    }
    drop(out);
    let t = Instant::now();
    let rules = if load_errors == 0 {
        let r = super::rules::write(ctx, &loaded, &RulesArgs::default())?;
        ctx.timing("rules", t);
        r
    } else {
        ctx.warn("rules not compiled: some postmortems could not be read");
        Outcome::Errors
    };
    Ok(if load_errors > 0 {
        Outcome::Errors
    } else {
        rules
    })
}
