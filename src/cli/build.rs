//! `hindsight build`: the main job. Reads every postmortem once, brings the search
//! index up to date, compiles guard rules and agent files, renders the site, and
//! reports incidents that look like a recurrence of another. `--check` writes nothing
//! and exits 1 if the committed `rules/` or `site/` are stale.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use anyhow::Result;

use super::args::BuildArgs;
use super::{Ctx, Outcome};
use crate::build::{self, BuildError, Options, Progress};
use crate::search::{RECURRENCE, Recurrence};

/// At most this many recurrences are listed; the rest are counted.
const SHOWN_RECURRENCES: usize = 10;

pub(super) fn run(ctx: &Ctx, a: &BuildArgs) -> Result<Outcome> {
    run_counting(ctx, a).map(|(outcome, _)| outcome)
}

/// `run`, also telling how many files the build changed (site files changed, added or
/// removed, rule and agent files written): `serve` reloads pages only when some did.
pub(super) fn run_counting(ctx: &Ctx, a: &BuildArgs) -> Result<(Outcome, usize)> {
    let started = Instant::now();
    let incidents = ctx.kb.incidents_dir();
    if !incidents.is_dir() {
        anyhow::bail!(
            "{}: no such folder, so nothing to build here (postmortems go in incidents/; \
             `hindsight new` writes one, -C DIR builds another knowledge base)",
            incidents.display()
        );
    }
    let lock = (!a.check).then(|| ctx.lock("build")).transpose()?;
    let t = Instant::now();
    // A postmortem that cannot be read is reported (each by name) and left out; the
    // rest are built, and the exit status says something went wrong.
    let (loaded, load_errors, pending) = ctx.load_incidents_deferred();
    ctx.timing("read and parse", t);
    let unread = |outcome: Outcome| {
        if load_errors > 0 {
            ctx.error(format!(
                "{} could not be read and {} left out; the rest were {}",
                super::count(load_errors, "postmortem", "postmortems"),
                if load_errors == 1 { "was" } else { "were" },
                if a.check { "checked" } else { "built" }
            ));
            Outcome::Errors
        } else {
            outcome
        }
    };
    let Some(lock) = lock else {
        return check(ctx, &loaded).map(|o| (unread(o), 0));
    };
    let bar = Bar(progress(ctx, loaded.len()), ctx);
    let opts = Options { force: a.force };
    let built = build::build(&ctx.kb, &lock, &ctx.config, &loaded, &opts, &bar)
        .map_err(|e| report(ctx, e))?;
    // Only a build that went through updates the record cache: a refused one writes
    // nothing.
    if let Some(p) = pending {
        p.write(&loaded);
    }
    bar.0.finish_and_clear();
    super::rules::print_kept(ctx, &built.rules);
    super::rules::print_writes(ctx, &built.rules)?;
    let site_dir = ctx.kb.site_dir();
    for f in &built.site.kept {
        ctx.warn(format!(
            "kept {}, which hindsight did not write; later builds keep it too (delete it to stop)",
            ctx.kb.relative(&site_dir.join(f))
        ));
    }
    for f in &built.site.replaced {
        ctx.warn(format!(
            "replaced {} (edited by hand since the last build; --force)",
            ctx.kb.relative(&site_dir.join(f))
        ));
    }
    if let Some(p) = &built.index.moved_aside {
        ctx.warn(format!(
            "{} held files hindsight did not write; moved them to {}",
            crate::search::SearchIndex::dir(&ctx.kb).display(),
            p.display()
        ));
    }
    print_recurrences(ctx, &built.recurrences)?;
    if !ctx.quiet {
        let summary = &built.site.summary;
        writeln!(
            ctx.stdout(),
            "built {}: {} pages, {}, {} ({} with guards), search index {} KB, in {:.1} s",
            super::count(loaded.len(), "incident", "incidents"),
            summary.pages,
            super::count(summary.repairs, "repair", "repairs"),
            super::count(built.rules.rules.len(), "rule", "rules"),
            built.rules.guarded(),
            summary.search_bytes.div_ceil(1024),
            started.elapsed().as_secs_f64()
        )?;
    }
    let changed = built.site.changed + built.rules.writes().count();
    Ok((unread(Outcome::Clean), changed))
}

/// Report each unreadable rule source, then the error itself.
fn report(ctx: &Ctx, e: BuildError) -> anyhow::Error {
    if let BuildError::Rules(errors) = &e {
        for s in errors {
            ctx.error(s);
        }
    }
    anyhow::Error::new(e)
}

/// `build --check`: compare what a build would write with what is there.
fn check(ctx: &Ctx, loaded: &[crate::kb::Loaded]) -> Result<Outcome> {
    let t = Instant::now();
    let stale = build::check(&ctx.kb, &ctx.config, loaded).map_err(|e| report(ctx, e))?;
    ctx.timing("site", t);
    super::rules::print_kept(ctx, &stale.rules);
    let stale_rules = super::rules::report_stale(ctx, &stale.rules)?;
    let site_dir = ctx.kb.site_dir();
    let mut out = ctx.stdout();
    for f in &stale.site {
        writeln!(out, "{}: out of date", ctx.kb.relative(&site_dir.join(f)))?;
    }
    if stale_rules > 0 || !stale.site.is_empty() {
        writeln!(
            out,
            "the committed rules/ or site/ are stale; run `hindsight build`"
        )?;
        return Ok(Outcome::Findings);
    }
    if !ctx.quiet {
        writeln!(
            out,
            "rules/ and site/ are up to date ({} incidents, {} rules)",
            loaded.len(),
            stale.rules.rules.len()
        )?;
    }
    Ok(Outcome::Clean)
}

/// The progress bar, and `-v` step timings.
struct Bar<'a>(indicatif::ProgressBar, &'a Ctx);

impl Progress for Bar<'_> {
    fn step(&self, name: &str, since: Instant) {
        self.1.timing(name, since);
    }

    fn page(&self) {
        self.0.inc(1);
    }
}

fn print_recurrences(ctx: &Ctx, recurrences: &[Recurrence]) -> Result<()> {
    let mut out = ctx.stdout();
    for r in recurrences.iter().take(SHOWN_RECURRENCES) {
        writeln!(
            out,
            "possible recurrence: {} looks like {} (similarity {:.2} ≥ {RECURRENCE}; shared: {})",
            r.id,
            r.like.hit.id,
            r.like.hit.score,
            r.like.shared.join(", ")
        )?;
    }
    if recurrences.len() > SHOWN_RECURRENCES {
        writeln!(
            out,
            "... and {} more possible recurrences (hindsight similar ID lists them)",
            recurrences.len() - SHOWN_RECURRENCES
        )?;
    }
    Ok(())
}

/// A progress bar on a terminal for long builds; hidden when piped or quiet.
fn progress(ctx: &Ctx, len: usize) -> indicatif::ProgressBar {
    if ctx.quiet || len < 500 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} pages")
            .expect("template")
            .progress_chars("=> "),
    );
    bar.set_prefix("building");
    bar
}
