//! Findings as data, and one reporter per output format: human (rustc-style, via
//! annotate-snippets), and SARIF 2.1.0 for code scanning; `hits` shows search results
//! to people. JSON shapes belong to each command (their field names are the contract).

pub mod hits;
mod sarif;

pub use sarif::{Notice, SarifRule, sarif};

use annotate_snippets::{AnnotationKind, Group, Level as Shown, Renderer, Snippet};

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

/// One finding, located in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Rule id or lint code.
    pub code: String,
    pub severity: Level,
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
}

fn level(s: Level) -> Shown<'static> {
    match s {
        Level::Error => Shown::ERROR,
        Level::Warning => Shown::WARNING,
        Level::Note => Shown::NOTE,
    }
}

/// rustc-style text for `diags`, coloured when `color`.
pub fn human(diags: &[Diagnostic], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        let lvl = level(d.severity);
        let mut group = Group::with_title(lvl.primary_title(d.title.as_str()).id(d.code.as_str()));
        match &d.source_line {
            Some(excerpt) if d.line > 0 => {
                let src = &excerpt.text;
                // Columns count characters of the whole line; spans count bytes of
                // the excerpt.
                let byte = |col: usize| {
                    src.char_indices()
                        .nth(excerpt.column(col).saturating_sub(1))
                        .map_or(src.len(), |(i, _)| i)
                };
                let (a, b) = (byte(d.column), byte(d.end_column.max(d.column)));
                let span = if b > a {
                    a..b
                } else {
                    a..(a + src[a..].chars().next().map_or(0, char::len_utf8))
                };
                let mut ann = AnnotationKind::Primary.span(span);
                if let Some(l) = &d.label {
                    ann = ann.label(l.as_str());
                }
                group = group.element(
                    Snippet::source(src.as_str())
                        .line_start(d.line)
                        .path(d.path.as_str())
                        .annotation(ann),
                );
            }
            _ => {
                // No line to show: point at the file itself.
                let loc = if d.line > 0 {
                    format!("{}:{}", d.path, d.line)
                } else {
                    d.path.clone()
                };
                group =
                    group.element(Snippet::<annotate_snippets::Annotation>::source("").path(loc));
            }
        }
        for n in &d.notes {
            group = group.element(Shown::NOTE.message(n.as_str()));
        }
        if let Some(h) = &d.help {
            group = group.element(Shown::HELP.message(h.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let d = Diagnostic {
            code: "no-rsync-delete".into(),
            severity: Level::Error,
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
        };
        let text = human(&[d], false);
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
