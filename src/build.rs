//! `hindsight build` as a library call: read every postmortem once, then bring the
//! search index up to date, compile the rules and agent files, and render the site,
//! in an order that refuses before it writes and swaps the site in last. Commands
//! call this and print what it returns; it prints nothing.

use std::time::Instant;

use crate::config::{Config, ConfigError};
use crate::kb::{KnowledgeBase, Loaded, Lock};
use crate::rules::generate::{self, Plan, SourceError};
use crate::search::{IndexError, OpenOptions, Recurrence, SearchIndex, UpdateStats};
use crate::site::{self, SiteError, output};

/// The site's state for the next build, in the state folder (see `output`).
const SITE_STATE: &str = "site-state";

/// What a build is told.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Build into a `site/` holding files hindsight did not write (they are kept).
    pub force: bool,
}

/// Told how the build is going: each step's time, and one tick per page rendered.
pub trait Progress: Sync {
    fn step(&self, name: &str, since: Instant);
    fn page(&self);
}

/// What a build did.
pub struct Built {
    pub rules: Plan,
    pub site: output::Published,
    pub index: UpdateStats,
    /// Incidents this build (re)indexed that look like another.
    pub recurrences: Vec<Recurrence>,
}

/// Why a build stopped; nothing was written unless it says otherwise.
#[derive(Debug)]
pub enum BuildError {
    Config(ConfigError),
    /// Rule sources that could not be read (each one).
    Rules(Vec<SourceError>),
    Site(SiteError),
    Index(IndexError),
    Io(std::io::Error),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Config(e) => e.fmt(f),
            BuildError::Rules(errors) => write!(
                f,
                "{} hindsight-guard block(s) or rule file(s) could not be read; no rules written",
                errors.len()
            ),
            BuildError::Site(e) => e.fmt(f),
            BuildError::Index(e) => write!(f, "updating the search index: {e}"),
            BuildError::Io(e) => write!(f, "writing rule files: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Build `loaded` (every postmortem of `kb`) into rules, agent files, the site and
/// the index. The site folder and the rule sources are judged first, so a refusal
/// writes nothing; the site is rendered beside the old one, the rules written, then
/// the site swapped in, while the index is updated alongside.
pub fn build(
    kb: &KnowledgeBase,
    lock: &Lock,
    config: &Config,
    loaded: &[Loaded],
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Built, BuildError> {
    let site_config = site::settings(config).map_err(BuildError::Config)?;
    let state = kb.state_dir().join(SITE_STATE);
    let target =
        output::Target::open(&kb.site_dir(), opts.force, Some(&state)).map_err(BuildError::Site)?;
    let t = Instant::now();
    let agents = crate::rules::agents::Settings::new(config, kb).map_err(BuildError::Config)?;
    let rules = generate::plan(kb, loaded, &agents).map_err(BuildError::Rules)?;
    progress.step("rules", t);
    std::thread::scope(|scope| {
        let index = scope.spawn(|| update_index(kb, lock, loaded, progress));
        let t = Instant::now();
        let (templates, state) = (kb.templates_dir(), kb.state_dir());
        let mut input = site_input(loaded, &rules, &site_config, &templates);
        input.state = Some(&state);
        let site = target
            .render(|sink| site::render(&input, sink, &|| progress.page()))
            .and_then(|rendered| {
                rules
                    .apply()
                    .map_err(|e| SiteError::Io(kb.rules_dir(), e))?;
                rendered.commit()
            });
        progress.step("site", t);
        let (index, recurrences) = index.join().expect("search index thread")?;
        Ok(Built {
            site: site.map_err(BuildError::Site)?,
            rules,
            index,
            recurrences,
        })
    })
}

fn site_input<'a>(
    loaded: &'a [Loaded],
    rules: &'a Plan,
    config: &'a crate::config::SiteConfig,
    templates: &'a std::path::Path,
) -> site::Input<'a> {
    site::Input {
        loaded,
        rules: &rules.rules,
        config,
        templates,
        state: None,
    }
}

/// Bring the index up to date; recurrences among the incidents it changed.
fn update_index(
    kb: &KnowledgeBase,
    lock: &Lock,
    loaded: &[Loaded],
    progress: &dyn Progress,
) -> Result<(UpdateStats, Vec<Recurrence>), BuildError> {
    let t = Instant::now();
    let opts = OpenOptions {
        verify: true,
        ..OpenOptions::default()
    };
    let (index, stats) =
        SearchIndex::open_updated_from(kb, lock, &opts, loaded).map_err(BuildError::Index)?;
    progress.step("index", t);
    let t = Instant::now();
    let changed: std::collections::HashSet<&str> =
        stats.changed.iter().map(String::as_str).collect();
    let dated: Vec<(&str, Option<&str>)> = loaded
        .iter()
        .filter(|l| changed.contains(l.incident.path.as_str()))
        .map(|l| (l.incident.id.as_str(), l.incident.date.as_deref()))
        .collect();
    let recurrences = index.recurrences(&dated).map_err(BuildError::Index)?;
    progress.step("recurrences", t);
    Ok((stats, recurrences))
}

/// What `build --check` found stale: rule and agent files, then site files.
pub struct Stale {
    pub rules: Plan,
    pub site: Vec<String>,
}

/// Compare what a build would write with what is there; writes nothing.
pub fn check(kb: &KnowledgeBase, config: &Config, loaded: &[Loaded]) -> Result<Stale, BuildError> {
    let site_config = site::settings(config).map_err(BuildError::Config)?;
    let agents = crate::rules::agents::Settings::new(config, kb).map_err(BuildError::Config)?;
    let rules = generate::plan(kb, loaded, &agents).map_err(BuildError::Rules)?;
    let templates = kb.templates_dir();
    let input = site_input(loaded, &rules, &site_config, &templates);
    let site = output::check(&kb.site_dir(), |sink| site::render(&input, sink, &|| {}))
        .map_err(BuildError::Site)?;
    Ok(Stale { rules, site })
}
