//! Findings as data, and one reporter per output format: human (rustc-style, via
//! annotate-snippets), and SARIF 2.1.0 for code scanning; `hits` shows search results
//! to people. JSON shapes belong to each command (their field names are the contract).

pub mod hits;
mod human;
mod json;
mod sarif;

pub use human::render as human;
pub use sarif::SarifRule;

use serde::{Deserialize, Serialize};

use crate::lines::Excerpt;

/// How much a finding matters: `error` fails the run, `warning` and `note` inform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// One finding, located in a file: what `lint` and `check` both report.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Rule id or lint code.
    pub code: String,
    pub level: Level,
    /// Headline: what is wrong.
    pub title: String,
    /// Path relative to the folder that was checked, `/`-separated.
    pub path: String,
    /// 1-based; 0 when the finding is about the file as a whole.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Exclusive, in characters; equal to `column` for a point.
    pub end_column: usize,
    /// The text of `line` (or of its part around the span), when there is one to show.
    pub source_line: Option<Excerpt>,
    /// Label under the caret.
    pub label: Option<String>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    /// Which kind of check made it; machine formats say more for guards.
    pub origin: Origin,
}

/// What made a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A lint code.
    Lint,
    /// A guard of a rule.
    Guard {
        incidents: Vec<String>,
        kind: &'static str,
        /// It could not be evaluated, so it failed closed.
        unevaluated: bool,
    },
}

/// Something about a run that is not a finding: a guard that was not run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub rule: String,
    pub incidents: Vec<String>,
    pub kind: &'static str,
    pub message: String,
}

/// A reporter: one per output format, fed diagnostics as they come and finished once.
pub trait Report {
    fn diagnostic(&mut self, d: &Diagnostic) -> std::io::Result<()>;
    fn notice(&mut self, n: &Notice) -> std::io::Result<()>;
    /// Write what is left; `succeeded` is false when some check could not run.
    fn finish(self: Box<Self>, succeeded: bool) -> std::io::Result<()>;
}

/// The formats a reporter writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human { color: bool },
    Json,
    Sarif,
}

/// The reporter for `format`, writing to `out`; `notes` (stderr, unless quiet) takes
/// the human format's notices. `tool` and `rules` describe the run for SARIF.
pub fn reporter<'a>(
    format: Format,
    out: Box<dyn std::io::Write + 'a>,
    notes: Option<Box<dyn std::io::Write + 'a>>,
    tool: &'a str,
    rules: Vec<SarifRule>,
) -> Box<dyn Report + 'a> {
    match format {
        Format::Human { color } => Box::new(human::Human::new(out, notes, color)),
        Format::Json => Box::new(json::Json::new(out)),
        Format::Sarif => Box::new(sarif::Sarif::new(out, tool, rules)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let d = Diagnostic {
            code: "no-rsync-delete".into(),
            level: Level::Error,
            title: "Never use `rsync --delete` in production".into(),
            path: "deploy.sh".into(),
            line: 3,
            column: 12,
            end_column: 20,
            source_line: Some(Excerpt::around(
                "rsync -avz --delete dist/ host:/var/www/app/",
                12,
                20,
            )),
            label: Some("forbidden here".into()),
            notes: vec!["from incident fluxstudio (2025-10-16)".into()],
            help: None,
            origin: Origin::Lint,
        };
        let text = human(&d, false);
        assert!(
            text.starts_with("error[no-rsync-delete]: Never use `rsync --delete` in production\n"),
            "{text}"
        );
        assert!(text.contains("--> deploy.sh:3:12"), "{text}");
        assert!(text.contains("3 | rsync -avz --delete dist/"), "{text}");
        assert!(text.contains("^^^^^^^^ forbidden here"), "{text}");
        assert!(text.contains("note: from incident fluxstudio"), "{text}");
    }
}
