//! `hindsight build`: the main job. Reads every postmortem once, brings the search
//! index up to date, compiles guard rules and agent files, renders the site, and
//! reports incidents that look like a recurrence of another. `--check` writes nothing
//! and exits 1 if the committed `rules/` or `site/` are stale.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use anyhow::{Context, Result};

use super::args::BuildArgs;
use super::rules::{Destination, Planned};
use super::{Ctx, Outcome};
use crate::config::SiteConfig;
use crate::search::{OpenOptions, RECURRENCE, Recurrence};
use crate::site::{self, output};

/// At most this many recurrences are listed; the rest are counted.
const SHOWN_RECURRENCES: usize = 10;

pub fn run(ctx: &Ctx, a: &BuildArgs) -> Result<Outcome> {
    let started = Instant::now();
    let site_config = site::settings(&ctx.config)?;
    let lock = (!a.check).then(|| ctx.lock("build")).transpose()?;
    let t = Instant::now();
    let (loaded, load_errors) = ctx.load_incidents();
    ctx.timing("read and parse", t);
    if load_errors > 0 {
        anyhow::bail!("{load_errors} postmortem(s) could not be read; nothing built");
    }
    let Some(lock) = lock else {
        return check(ctx, &site_config, &loaded);
    };
    // Everything that can refuse does so before anything is written: the site folder
    // (files of the user's in it) and the rule sources (broken blocks or rule files).
    let target = output::Target::open(&ctx.kb.site_dir(), a.force)?;
    let t = Instant::now();
    let planned = super::rules::plan(ctx, &loaded, &Destination::default_for(ctx))?;
    ctx.timing("rules", t);

    // The search index (tantivy's own threads) is built while the site is rendered;
    // its findings are printed once both are done.
    std::thread::scope(|scope| {
        let search = scope.spawn(|| search_step(ctx, &lock, &loaded));
        let built = write_outputs(ctx, &site_config, &loaded, &planned, target);
        let recurrences = search.join().expect("search index thread")?;
        let built = built?;
        print_recurrences(ctx, &recurrences)?;
        if !ctx.quiet {
            writeln!(
                ctx.stdout(),
                "built {} incident{}: {} pages, {} repairs, {} rules ({} with guards), search index {} KB, in {:.1} s",
                loaded.len(),
                if loaded.len() == 1 { "" } else { "s" },
                built.site.pages,
                built.site.repairs,
                planned.rules.len(),
                planned.guarded(),
                built.site.search_bytes.div_ceil(1024),
                started.elapsed().as_secs_f64()
            )?;
        }
        Ok(Outcome::Clean)
    })
}

/// Render the site beside the old one, then write the rules, then swap the site in: a
/// failed render leaves rules and site as they were.
fn write_outputs(
    ctx: &Ctx,
    config: &SiteConfig,
    loaded: &[crate::kb::Loaded],
    planned: &Planned,
    target: output::Target,
) -> Result<Built> {
    let t = Instant::now();
    let templates = ctx.kb.templates_dir();
    let input = site::Input {
        loaded,
        rules: &planned.rules,
        config,
        templates: &templates,
    };
    let bar = progress(ctx, loaded.len());
    let tick = || bar.inc(1);
    let rendered = target.render(|sink| site::render(&input, sink, &tick))?;
    bar.finish_and_clear();
    super::rules::apply(ctx, planned)?;
    let published = rendered.commit()?;
    ctx.timing("site", t);
    let site_dir = ctx.kb.site_dir();
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
    Ok(Built {
        site: published.summary,
    })
}

/// `build --check`: compare what a build would write with what is there.
fn check(ctx: &Ctx, config: &SiteConfig, loaded: &[crate::kb::Loaded]) -> Result<Outcome> {
    let planned = super::rules::plan(ctx, loaded, &Destination::default_for(ctx))?;
    let stale_rules = super::rules::report_stale(ctx, &planned)?;
    let t = Instant::now();
    let templates = ctx.kb.templates_dir();
    let input = site::Input {
        loaded,
        rules: &planned.rules,
        config,
        templates: &templates,
    };
    let site_dir = ctx.kb.site_dir();
    let stale = output::check(&site_dir, |sink| site::render(&input, sink, &|| {}))?;
    ctx.timing("site", t);
    let mut out = ctx.stdout();
    for f in &stale {
        writeln!(out, "{}: out of date", ctx.kb.relative(&site_dir.join(f)))?;
    }
    if stale_rules > 0 || !stale.is_empty() {
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
            planned.rules.len()
        )?;
    }
    Ok(Outcome::Clean)
}

/// What a build wrote, for the closing line.
struct Built {
    site: site::Summary,
}

/// Bring the search index up to date; recurrences among the incidents it changed.
fn search_step(
    ctx: &Ctx,
    lock: &crate::kb::Lock,
    loaded: &[crate::kb::Loaded],
) -> Result<Vec<Recurrence>> {
    let t = Instant::now();
    let opts = OpenOptions {
        verify: true,
        ..OpenOptions::default()
    };
    let (index, stats) = ctx.index_from(lock, &opts, loaded).with_context(|| {
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
