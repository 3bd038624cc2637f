//! Command-line arguments (clap derive). The command names, flags and exit codes are
//! hindsight's public contract; see the design document.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes: 0 success or clean, 1 findings (lint errors, guard violations, files
needing repair, stale outputs), 2 usage, input or configuration error.";

/// Turn incident postmortems into a searchable knowledge base, a static site, guard
/// rules that run before a deploy, and rule files for coding agents.
#[derive(Debug, Parser)]
#[command(name = "hindsight", version, after_help = AFTER_HELP, propagate_version = true)]
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
    #[arg(short, long, global = true)]
    pub quiet: bool,

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
    /// Show mojibake repairs; print, rewrite or check repaired files.
    Fix(FixArgs),
    /// Print Incident records as a JSON array.
    Parse(ParseArgs),
    /// Compile guard rules (rules/*.toml) and agent rule files from the postmortems.
    Rules(RulesArgs),
    /// Run the guard rules against a repository or build output.
    Check(CheckArgs),
}

#[derive(Debug, ClapArgs)]
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

    /// Only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub only: Vec<String>,
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
