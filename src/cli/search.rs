//! `hindsight search` and `hindsight similar`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::args::{SearchArgs, SimilarArgs};
use super::{Ctx, Outcome};
use crate::report::hits;
use crate::search::{Match, Target};

pub(super) fn search(ctx: &Ctx, a: &SearchArgs) -> Result<Outcome> {
    let q = a.query.join(" ");
    let index = ctx.index(a.cached)?;
    let found = index.search(&q, a.limit as usize)?;
    match found.first().map(|h| h.matched) {
        None => ctx.warn(format!("no incident matches `{q}`")),
        Some(Match::Near) => {
            ctx.warn("no incident matches every word; showing incidents within one typo of them")
        }
        Some(Match::Some) => {
            ctx.warn("no incident matches every word; showing incidents that match some of them")
        }
        _ => {}
    }
    if a.json {
        let mut out = ctx.raw_stdout();
        serde_json::to_writer_pretty(&mut out, &found)?;
        writeln!(out)?;
    } else {
        hits::hits(&mut ctx.stdout(), &found)?;
    }
    Ok(Outcome::Clean)
}

pub(super) fn similar(ctx: &Ctx, a: &SimilarArgs) -> Result<Outcome> {
    let index = ctx.index(a.cached)?;
    let path = Path::new(&a.target);
    let found = if path.is_file() {
        let loaded = ctx.kb.load(path)?;
        index.similar(
            Target::Incident(&loaded.incident, &loaded.plain()?),
            a.limit as usize,
        )
    } else if a.target.contains(['/', '\\']) || a.target.ends_with(".md") {
        // Looks like a path, so a missing file is the likelier mistake than an unknown id.
        std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
        anyhow::bail!("{}: not a file", path.display());
    } else {
        index.similar(Target::Id(&a.target), a.limit as usize)
    }?;
    if found.is_empty() {
        ctx.warn("no other incident shares enough words to compare");
    }
    if a.json {
        let mut out = ctx.raw_stdout();
        serde_json::to_writer_pretty(&mut out, &found)?;
        writeln!(out)?;
    } else {
        hits::similar(&mut ctx.stdout(), &found)?;
    }
    Ok(Outcome::Clean)
}
