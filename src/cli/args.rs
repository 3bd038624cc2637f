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
