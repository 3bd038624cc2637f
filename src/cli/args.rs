//! Command-line arguments (clap derive). The command names, flags and exit codes are
//! hindsight's public contract; see the design document.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes: 0 success or clean, 1 findings (lint errors, guard violations, files
needing repair, stale outputs), 2 usage, input or configuration error.";

/// The exit codes, for the man page's EXIT STATUS.
pub(crate) const EXIT_CODES: &str = "0 success or clean; 1 findings (lint errors, guard \
violations, files needing repair, stale outputs); 2 usage, input or configuration error.";

const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("HINDSIGHT_REVISION"),
    ")"
);

/// Turn incident postmortems into a searchable knowledge base, a static site, guard
/// rules that run before a deploy, and rule files for coding agents.
#[derive(Debug, Parser)]
#[command(name = "hindsight", version = VERSION, after_help = AFTER_HELP, propagate_version = true)]
pub struct Args {
    /// Knowledge base root (holds incidents/, rules/, templates/, site/).
    #[arg(
        short = 'C',
        long = "dir",
        global = true,
        value_name = "DIR",
        default_value = "."
    )]
    pub dir: PathBuf,

    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// Print only errors and findings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also print what each step took, on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: index the postmortems, compile rules and agent files, render the
    /// site, and report likely recurrences.
    Build(BuildArgs),
    /// Show mojibake repairs; print, rewrite or check repaired files.
    Fix(FixArgs),
    /// Print Incident records as a JSON array.
    Parse(ParseArgs),
    /// Compile guard rules (rules/*.toml) and agent rule files from the postmortems.
    Rules(RulesArgs),
    /// Run the guard rules against a repository or build output.
    Check(CheckArgs),
    /// Check postmortems: required sections, template text, metadata, timeline order,
    /// action item owners, damaged text, links.
    Lint(LintArgs),
    /// Start a postmortem: incidents/YYYY-MM-DD-slug.md from templates/incident.md.
    New(NewArgs),
    /// Search past incidents.
    #[command(after_help = QUERY_HELP)]
    Search(SearchArgs),
    /// List the past incidents most like one incident or a new postmortem file.
    Similar(SimilarArgs),
    /// Print every Incident record as one JSON line, for a search cluster's bulk import.
    Export(ExportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff) on standard output.
    Man,
    /// Build, serve site/ on 127.0.0.1, and rebuild and reload pages when the
    /// postmortems, templates or hindsight.toml change.
    Serve(ServeArgs),
    /// Serve the knowledge base to coding agents: an MCP server on stdin and stdout
    /// (tools search_incidents, similar_incidents, get_incident, lessons_for, check).
    Mcp,
}

const QUERY_HELP: &str = "\
Query language:
  rsync delete            incidents with every word (stemmed: deleted, deletes match)
  \"git reset --hard\"      a phrase          deploy*      a prefix
  rsync OR scp            either word       -staging     without the word
  cause:rsync             one field: title: summary: cause: symptom: fix: lesson:
                          prevention: tag: body:
  severity:critical       also sev:SEV-1, sev:P0, severity:high ...
  status:resolved         resolved, recovering, investigating, open
  date:2025-08            a year, month or day; date:[2025-01-01 TO 2025-06-30]
  after:2025-09-01        on or after a day; before:2026-01-01 strictly before
Unquoted text such as dist/_worker.js or --delete is searched as written. When no
incident matches every word, words one typo away are tried (EADRINUSE finds
EADDRINUSE), then incidents matching some of the words; a note on stderr says so.";

#[derive(Debug, ClapArgs)]
pub struct BuildArgs {
    /// Write nothing; exit 1 if the committed rules/ or site/ differ from a fresh build.
    #[arg(long)]
    pub check: bool,

    /// Build even if site/ holds files hindsight did not write or that were edited by
    /// hand: those files are kept in the new site (never deleted), edited pages replaced.
    #[arg(long, conflicts_with = "check")]
    pub force: bool,
}

#[derive(Debug, ClapArgs, Default)]
pub struct RulesArgs {
    /// Exit 1 if any generated file is missing or out of date; write nothing.
    #[arg(long)]
    pub check: bool,

    /// Repository to write agent files into (default: rules/agents in the knowledge base).
    #[arg(long, value_name = "DIR")]
    pub agents_out: Option<PathBuf>,

    /// Agent files to write (comma-separated; default: all).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "TARGETS")]
    pub targets: Vec<crate::rules::agents::Target>,

    /// Write guard rules only, no agent files.
    #[arg(long, conflicts_with = "targets")]
    pub no_agents: bool,

    /// Print the compiled rules as a JSON array; write nothing.
    #[arg(long, conflicts_with_all = ["check", "review", "accept"])]
    pub json: bool,

    /// List the proposed rules (in no agent file, enforced by nothing) for review.
    #[arg(long, conflicts_with_all = ["check", "accept"])]
    pub review: bool,

    /// Make proposed rules active (repeatable); their files become yours.
    #[arg(long, value_name = "ID", conflicts_with = "check")]
    pub accept: Vec<String>,
}

#[derive(Debug, ClapArgs)]
pub struct CheckArgs {
    /// Repository or build output folder to check.
    #[arg(value_name = "TARGET", default_value = ".")]
    pub target: PathBuf,

    /// Folder of rule files (default: rules/ in the knowledge base).
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// Run `command` guards (they execute commands named in rule files).
    #[arg(long)]
    pub allow_commands: bool,

    /// Only this rule (repeatable); a proposed rule runs when named.
    #[arg(long = "rule", value_name = "ID")]
    pub only: Vec<String>,

    /// Only guards that hold at this point of a change: commit (a checkout being
    /// committed), deploy (a build being deployed), server (a deployed checkout, where
    /// uncommitted edits are drift). Without it: every guard but the server's.
    #[arg(long, value_enum, value_name = "STAGE")]
    pub stage: Option<crate::rules::Stage>,
}

#[derive(Debug, ClapArgs)]
pub struct SearchArgs {
    /// What to look for (several arguments are joined into one query).
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,

    /// Print hits as a JSON array.
    #[arg(long)]
    pub json: bool,

    /// Show at most N hits.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,

    /// Use the index as it stands, without first checking incidents/ for changes
    /// (quicker on a large knowledge base; run `hindsight build` after editing).
    #[arg(long)]
    pub cached: bool,
}

#[derive(Debug, ClapArgs)]
pub struct SimilarArgs {
    /// An incident id (as `search` shows it) or a postmortem file, new or not.
    #[arg(value_name = "ID|FILE")]
    pub target: String,

    /// Print results as a JSON array.
    #[arg(long)]
    pub json: bool,

    /// Show at most N incidents.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub limit: u32,

    /// Use the index as it stands, without first checking incidents/ for changes
    /// (quicker on a large knowledge base; run `hindsight build` after editing).
    #[arg(long)]
    pub cached: bool,
}

#[derive(Debug, ClapArgs)]
pub struct ExportArgs {
    /// Newline-delimited JSON, one record per line (the only format).
    #[arg(long, required = true)]
    pub ndjson: bool,
}

#[derive(Debug, ClapArgs)]
pub struct LintArgs {
    /// Files or folders (default: the knowledge base's incidents/).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// Repair damaged text in place (atomically), then lint the repaired files.
    #[arg(long)]
    pub fix: bool,

    /// Explain a lint code (without one, list every code).
    #[arg(long, value_name = "CODE", num_args = 0..=1, default_missing_value = "")]
    pub explain: Option<String>,
}

#[derive(Debug, ClapArgs)]
pub struct NewArgs {
    /// The incident's title.
    pub title: String,

    /// The incident's date, YYYY-MM-DD (default: today, UTC).
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(Debug, ClapArgs)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, ClapArgs)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the URL is printed).
    #[arg(short, long, default_value_t = 3000)]
    pub port: u16,

    /// Serve site/ as it is: no build first, no rebuilds, no live reload.
    #[arg(long)]
    pub no_watch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, ClapArgs)]
#[command(group = clap::ArgGroup::new("mode").multiple(false))]
pub struct FixArgs {
    /// Files or folders to repair ("-" reads standard input).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print one file's repaired text exactly, nothing else.
    #[arg(long, group = "mode")]
    pub stdout: bool,

    /// Rewrite files in place (atomically; untouched if nothing changes).
    #[arg(long, group = "mode")]
    pub write: bool,

    /// Exit 1 if any file needs repair; change nothing.
    #[arg(long, group = "mode")]
    pub check: bool,

    /// Output format for the repair report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, ClapArgs)]
pub struct ParseArgs {
    /// Files or folders (default: the knowledge base's incidents/).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_app() {
        Args::command().debug_assert();
    }
}
