//! The command layer: the only code that prints. Parses arguments, runs a command,
//! reports errors once, and maps outcomes to exit codes (0 ok, 1 findings, 2 error).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod build;
mod check;
mod docs;
mod export;
mod fix;
mod lint;
mod mcp;
mod new;
mod parse;
mod rules;
mod search;
mod serve;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

pub use args::{Args, ColorWhen, Command};

use crate::kb::KnowledgeBase;

/// What a command concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done; nothing to report.
    Clean,
    /// Done; found what the command looks for (lint errors, violations, stale files).
    Findings,
    /// Done, but some inputs could not be processed (each reported already).
    Errors,
}

/// Shared context for commands.
pub struct Ctx {
    pub kb: KnowledgeBase,
    /// `hindsight.toml` as read (defaults if there is none); each command checks the
    /// tables it uses.
    pub config: crate::config::Config,
    pub quiet: bool,
    pub verbose: bool,
    pub color: ColorWhen,
}

impl Ctx {
    /// Standard output, with colour decided by `--color`, `NO_COLOR` and the terminal.
    pub fn stdout(&self) -> anstream::AutoStream<io::StdoutLock<'static>> {
        let choice = match self.color {
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
            ColorWhen::Auto => anstream::AutoStream::choice(&io::stdout()),
        };
        anstream::AutoStream::new(io::stdout().lock(), choice)
    }

    /// Standard output untouched, for exact text and machine-readable formats (the
    /// colour stream would strip control characters that belong to the data).
    pub fn raw_stdout(&self) -> io::StdoutLock<'static> {
        io::stdout().lock()
    }

    /// Report a non-fatal error and go on.
    pub fn error(&self, msg: impl std::fmt::Display) {
        let _ = writeln!(io::stderr(), "hindsight: error: {msg}");
    }

    /// Load every postmortem in the knowledge base's `incidents/`; errors are reported
    /// and counted. The record cache is brought up to date.
    pub fn load_incidents(&self) -> (Vec<crate::kb::Loaded>, usize) {
        let (loaded, errors, pending) = self.load_incidents_deferred();
        if let Some(p) = pending {
            p.write(&loaded);
        }
        (loaded, errors)
    }

    /// `load_incidents`, leaving the record cache to the caller to write (when the run
    /// got as far as writing anything).
    pub fn load_incidents_deferred(
        &self,
    ) -> (
        Vec<crate::kb::Loaded>,
        usize,
        Option<crate::kb::PendingCache>,
    ) {
        let mut errors = 0;
        let files = match self.kb.postmortem_files(&[self.kb.incidents_dir()]) {
            Ok(f) => f,
            Err(e) => {
                self.error(e);
                return (Vec::new(), 1, None);
            }
        };
        let (results, pending) = self.kb.load_all_cached(&files);
        let mut loaded = Vec::with_capacity(files.len());
        for r in results {
            match r {
                Ok(l) => loaded.push(l),
                Err(e) => {
                    self.error(e);
                    errors += 1;
                }
            }
        }
        (loaded, errors, pending)
    }

    /// The knowledge base's write lock for command `what`, waited for (saying so once)
    /// while another hindsight holds it.
    pub fn lock(&self, what: &str) -> Result<crate::kb::Lock, crate::kb::LockError> {
        let lock = self.kb.lock(what, crate::kb::DEFAULT_WAIT, |holder| {
            self.note(format!(
                "waiting for another hindsight ({holder}) to finish with this knowledge base"
            ))
        })?;
        Ok(lock)
    }

    /// The knowledge base's search index, brought up to date unless `cached` (then an
    /// existing index is used as it stands). Postmortems that cannot be read are
    /// reported as warnings: the search still runs on the rest.
    pub fn index(&self, cached: bool) -> anyhow::Result<crate::search::SearchIndex> {
        if !self.kb.incidents_dir().is_dir() {
            anyhow::bail!(
                "{}: no such folder, so no knowledge base to search here (use -C DIR)",
                self.kb.incidents_dir().display()
            );
        }
        let opts = crate::search::OpenOptions {
            refresh: !cached,
            ..Default::default()
        };
        let lock = self.lock("search")?;
        Ok(self.index_from(&lock, &opts, &[]).map(|(i, _)| i)?)
    }

    /// `index`, with the lock held, options and postmortems already loaded; also
    /// returns what the update did.
    pub fn index_from(
        &self,
        lock: &crate::kb::Lock,
        opts: &crate::search::OpenOptions,
        loaded: &[crate::kb::Loaded],
    ) -> Result<(crate::search::SearchIndex, crate::search::UpdateStats), crate::search::IndexError>
    {
        let (index, stats) =
            crate::search::SearchIndex::open_updated_from(&self.kb, lock, opts, loaded)?;
        if let Some(p) = &stats.moved_aside {
            self.warn(format!(
                "{} held files hindsight did not write; moved them to {}",
                crate::search::SearchIndex::dir(&self.kb).display(),
                p.display()
            ));
        }
        if loaded.is_empty() {
            for e in &stats.errors {
                self.warn(format!("not indexed: {e}"));
            }
        }
        Ok((index, stats))
    }

    /// The reporter for `format` on standard output (warnings about the run on stderr
    /// unless quiet); `tool` and `rules` describe the run for SARIF.
    pub fn reporter<'a>(
        &'a self,
        format: args::ReportFormat,
        tool: &'a str,
        rules: Vec<crate::report::SarifRule>,
    ) -> Box<dyn crate::report::Report + 'a> {
        use crate::report::Format;
        let (format, out): (Format, Box<dyn Write>) = match format {
            args::ReportFormat::Human => (
                Format::Human {
                    color: self.color_stdout(),
                },
                Box::new(self.stdout()),
            ),
            args::ReportFormat::Json => (Format::Json, Box::new(self.raw_stdout())),
            args::ReportFormat::Sarif => (Format::Sarif, Box::new(self.raw_stdout())),
        };
        let notes = (!self.quiet).then(|| Box::new(io::stderr()) as Box<dyn Write>);
        crate::report::reporter(format, out, notes, tool, rules)
    }

    /// True when colour should be used on standard output.
    pub fn color_stdout(&self) -> bool {
        match self.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
            }
        }
    }

    /// With `--verbose`, say on stderr how long a step took since `since`.
    pub fn timing(&self, step: &str, since: std::time::Instant) {
        if self.verbose {
            let _ = writeln!(
                io::stderr(),
                "hindsight: {step}: {:.2} s{}",
                since.elapsed().as_secs_f64(),
                memory().unwrap_or_default()
            );
        }
    }

    /// Say something worth knowing on stderr unless quiet (not a problem).
    pub fn note(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let _ = writeln!(io::stderr(), "hindsight: {msg}");
        }
    }

    /// Report a warning unless quiet.
    pub fn warn(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            let _ = writeln!(io::stderr(), "hindsight: warning: {msg}");
        }
    }
}

/// Run hindsight with the process arguments.
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let mut ctx = Ctx {
        kb: KnowledgeBase::new(args.dir.clone()),
        config: crate::config::Config::default(),
        quiet: args.quiet,
        verbose: args.verbose,
        color: args.color,
    };
    if !matches!(args.command, Command::Completions(_) | Command::Man) {
        // As `git -C`: a knowledge base root that is not there is an error before any
        // command runs, rather than one error per path under it.
        if !args.dir.is_dir() {
            let why = if args.dir.exists() {
                "not a folder"
            } else {
                "no such folder"
            };
            ctx.error(format!(
                "{}: {why} (the knowledge base root, -C)",
                args.dir.display()
            ));
            return ExitCode::from(2);
        }
        // A broken hindsight.toml stops every command, not only the ones that use it.
        match crate::config::Config::load(&ctx.kb.root) {
            Ok(c) => ctx.config = c,
            Err(e) => {
                ctx.error(e);
                return ExitCode::from(2);
            }
        }
    }
    let result = match &args.command {
        Command::Build(a) => build::run(&ctx, a),
        Command::Fix(a) => fix::run(&ctx, a),
        Command::Parse(a) => parse::run(&ctx, a),
        Command::Rules(a) => rules::run(&ctx, a),
        Command::Check(a) => check::run(&ctx, a),
        Command::Lint(a) => lint::run(&ctx, a),
        Command::New(a) => new::run(&ctx, a),
        Command::Completions(a) => docs::completions(&ctx, a),
        Command::Man => docs::man(&ctx),
        Command::Search(a) => search::search(&ctx, a),
        Command::Similar(a) => search::similar(&ctx, a),
        Command::Export(a) => export::run(&ctx, a),
        Command::Serve(a) => serve::run(&ctx, a),
        Command::Mcp => mcp::run(&ctx),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Ok(Outcome::Errors) => ExitCode::from(2),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            ctx.error(format!("{e:#}"));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let kind = c
            .downcast_ref::<io::Error>()
            .map(io::Error::kind)
            .or_else(|| {
                c.downcast_ref::<serde_json::Error>()
                    .and_then(|j| j.io_error_kind())
            });
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}

/// Resident and peak memory, for `--verbose` step lines (Linux only: read from
/// /proc, so the figures are the kernel's, not an allocator's estimate).
fn memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
    };
    Some(format!(
        ", {} MB resident, {} MB peak",
        kb("VmRSS:")? / 1024,
        kb("VmHWM:")? / 1024
    ))
}

/// `n` and the noun for it: `1 file`, `2 files` (`plural` for irregular nouns).
pub(crate) fn count(n: usize, one: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {plural}")
    }
}
