//! `hindsight build`: the main job. Reads every postmortem once, brings the search
//! index up to date, compiles guard rules and agent files, renders the site, and
//! reports incidents that look like a recurrence of another. `--check` writes nothing
//! and exits 1 if the committed `rules/` or `site/` are stale.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use anyhow::{Context, Result};

use super::args::{BuildArgs, RulesArgs};
use super::{Ctx, Outcome};
use crate::config::Config;
use crate::search::{OpenOptions, RECURRENCE, Recurrence};
use crate::site::{self, output};

/// At most this many recurrences are listed; the rest are counted.
const SHOWN_RECURRENCES: usize = 10;

pub fn run(ctx: &Ctx, a: &BuildArgs) -> Result<Outcome> {
    let started = Instant::now();
    let config = Config::load(&ctx.kb.root).map_err(anyhow::Error::new)?;
    let t = Instant::now();
    let (loaded, load_errors) = ctx.load_incidents();
    ctx.timing("read and parse", t);
    if load_errors > 0 {
        anyhow::bail!("{load_errors} postmortem(s) could not be read; nothing built");
    }

    // The search index (tantivy's own threads) is built while rules and the site
    // are rendered; its findings are printed once both are done.
    std::thread::scope(|scope| {
        let search = (!a.check).then(|| scope.spawn(|| search_step(ctx, &loaded)));
        let done = rules_and_site(ctx, a, &config, &loaded);
        let recurrences = match search {
            Some(h) => h.join().expect("search index thread")?,
            None => Vec::new(),
        };
        let (outcome, built) = done?;
        print_recurrences(ctx, &recurrences)?;
        if let (Some(b), false) = (built, ctx.quiet) {
            writeln!(
                ctx.stdout(),
                "built {} incident{}: {} pages, {} repairs, {} rules ({} with guards), search index {} KB, in {:.1} s",
                loaded.len(),
                if loaded.len() == 1 { "" } else { "s" },
                b.site.pages,
                b.site.repairs,
                b.rules,
                b.guards,
                b.site.search_bytes.div_ceil(1024),
                started.elapsed().as_secs_f64()
            )?;
        }
        Ok(outcome)
    })
}

/// What a build wrote, for the closing line.
struct Built {
    site: site::Summary,
    rules: usize,
    guards: usize,
}

/// Bring the search index up to date; recurrences among the incidents it changed.
fn search_step(ctx: &Ctx, loaded: &[crate::kb::Loaded]) -> Result<Vec<Recurrence>> {
    let t = Instant::now();
    let opts = OpenOptions {
        verify: true,
        ..OpenOptions::default()
    };
    let (index, stats) = ctx.index_from(&opts, loaded).with_context(|| {
        let dir = crate::search::SearchIndex::dir(&ctx.kb);
        format!("updating {}", ctx.kb.relative(&dir))
    })?;
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
    Ok(recurrences)
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

/// Compile rules and render the site (or, with `--check`, compare them).
fn rules_and_site(
    ctx: &Ctx,
    a: &BuildArgs,
    config: &Config,
    loaded: &[crate::kb::Loaded],
) -> Result<(Outcome, Option<Built>)> {
    let t = Instant::now();
    let rules_args = RulesArgs {
        check: a.check,
        ..RulesArgs::default()
    };
    let (rules_outcome, rules) = super::rules::write(ctx, loaded, &rules_args, true)?;
    ctx.timing("rules", t);

    let t = Instant::now();
    let templates = ctx.kb.templates_dir();
    let input = site::Input {
        loaded,
        rules: &rules,
        config: &config.site,
        templates: &templates,
    };
    let bar = progress(ctx, loaded.len());
    let tick = || bar.inc(1);
    let site_dir = ctx.kb.site_dir();
    let mut out = ctx.stdout();
    if a.check {
        let stale = output::check(&site_dir, |sink| site::render(&input, sink, &tick))?;
        bar.finish_and_clear();
        ctx.timing("site", t);
        for f in &stale {
            writeln!(out, "{}: out of date", ctx.kb.relative(&site_dir.join(f)))?;
        }
        if rules_outcome == Outcome::Findings || !stale.is_empty() {
            writeln!(
                out,
                "the committed rules/ or site/ are stale; run `hindsight build`"
            )?;
            return Ok((Outcome::Findings, None));
        }
        if !ctx.quiet {
            writeln!(
                out,
                "rules/ and site/ are up to date ({} incidents, {} rules)",
                loaded.len(),
                rules.len()
            )?;
        }
        return Ok((Outcome::Clean, None));
    }
    let published = output::publish(&site_dir, a.force, |sink| site::render(&input, sink, &tick))?;
    bar.finish_and_clear();
    ctx.timing("site", t);
    for f in &published.kept {
        ctx.warn(format!(
            "kept {} (not written by hindsight; --force)",
            ctx.kb.relative(&site_dir.join(f))
        ));
    }
    for f in &published.replaced {
        ctx.warn(format!(
            "replaced {} (edited by hand since the last build; --force)",
            ctx.kb.relative(&site_dir.join(f))
        ));
    }
    let built = Built {
        site: published.summary,
        rules: rules.len(),
        guards: rules.iter().filter(|r| !r.guards.is_empty()).count(),
    };
    Ok((Outcome::Clean, Some(built)))
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
