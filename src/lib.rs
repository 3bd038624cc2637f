//! hindsight: turns a folder of incident postmortems into a searchable knowledge base,
//! a static site, guard rules that run before a deploy, and rule files for coding agents.

/// A regex compiled once, the first time the expression is evaluated; `$re` must be a
/// valid pattern (a literal, or `concat!` of literals).
macro_rules! regex {
    ($re:expr) => {{
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        $crate::compiled(&RE, $re)
    }};
}

/// The regex in `cell`, compiled from `pattern` on first use (see `regex!`).
fn compiled(
    cell: &'static std::sync::OnceLock<regex::Regex>,
    pattern: &str,
) -> &'static regex::Regex {
    cell.get_or_init(|| regex::Regex::new(pattern).expect("a valid regex"))
}

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod document;
pub(crate) mod fsio;
pub mod incident;
pub mod ingest;
pub mod kb;
pub(crate) mod lines;
pub mod lint;
pub mod mcp;
pub mod owned;
pub mod report;
pub mod rules;
pub mod search;
pub mod site;
pub(crate) mod suggest;
pub mod taxonomy;
