//! Postmortem lint: checks a reviewer would make of a new postmortem (required
//! sections, template text left in, metadata, timeline order, owners, damaged text,
//! links), each with a stable code and a level that `hindsight.toml` can change.

mod checks;
pub mod codes;
mod suppress;

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{ConfigError, LintConfig, Source};
use crate::document::Document;
use crate::incident::Incident;
use crate::ingest::Ingested;
use crate::rules::Level;
use crate::taxonomy::SectionKind;

pub use codes::Code;

/// One finding in one postmortem.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    /// 1-based; 0 for the file as a whole.
    pub line: usize,
    /// 1-based, in characters; 0 with `line` 0.
    pub column: usize,
    /// Exclusive, in characters.
    pub end_column: usize,
    pub message: String,
    /// What to do about it (the repair, for damaged text).
    pub help: Option<String>,
}

/// The section kinds required by default: what the common templates agree on.
pub const DEFAULT_REQUIRED: &[&str] = &[
    "summary",
    "impact",
    "timeline",
    "root_cause",
    "resolution",
    "action_items",
    "lessons_learned",
];

/// Lint settings, from `[lint]` in hindsight.toml.
#[derive(Debug, Clone)]
pub struct Settings {
    pub required: Vec<SectionKind>,
    /// Level per code; `None` turns the code off.
    levels: BTreeMap<Code, Option<Level>>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings::new(&LintConfig::default(), &Source::default()).expect("the defaults are valid")
    }
}

impl Settings {
    /// Settings from `[lint]`; an unknown kind, code or level is an error at its line
    /// of `source`.
    pub fn new(cfg: &LintConfig, source: &Source) -> Result<Settings, ConfigError> {
        use crate::config::Key::Name;
        let names: Vec<&str> = match &cfg.required {
            Some(r) => r.iter().map(String::as_str).collect(),
            None => DEFAULT_REQUIRED.to_vec(),
        };
        let required = names
            .iter()
            .map(|n| {
                SectionKind::from_name(n).ok_or_else(|| {
                    source.error(&[Name("lint"), Name("required")], format!("[lint] required: `{n}` is not a section kind (e.g. summary, impact, timeline, root_cause)"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut levels: BTreeMap<Code, Option<Level>> =
            Code::ALL.iter().map(|&c| (c, Some(c.level()))).collect();
        for (code, level) in &cfg.level {
            let Some(c) = Code::from_name(code) else {
                let hint = Code::suggest(code)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                let at = [Name("lint"), Name("level"), Name(code)];
                return Err(source.error(&at, format!("[lint.level]: no lint code `{code}`{hint}")));
            };
            let level = match level.as_str() {
                "error" => Some(Level::Error),
                "warning" => Some(Level::Warning),
                "note" => Some(Level::Note),
                "allow" | "off" => None,
                other => {
                    let at = [Name("lint"), Name("level"), Name(code)];
                    return Err(source.error(
                        &at,
                        format!(
                            "[lint.level] {code} = \"{other}\": use error, warning, note or allow"
                        ),
                    ));
                }
            };
            levels.insert(c, level);
        }
        Ok(Settings { required, levels })
    }

    fn level(&self, code: Code) -> Option<Level> {
        self.levels.get(&code).copied().flatten()
    }
}

/// A postmortem as lint reads it.
pub struct Input<'a> {
    /// Where the file is, to resolve relative links (None: links are not checked).
    pub dir: Option<&'a Path>,
    /// The text as read, before repair (for showing damaged lines).
    pub original: &'a str,
    pub ingested: &'a Ingested,
    pub doc: &'a Document,
    pub incident: &'a Incident,
}

/// Lint one postmortem: findings in line order, suppressions applied.
pub fn lint(input: &Input, settings: &Settings) -> Vec<Finding> {
    let mut raw = checks::all(input, settings);
    let (allows, mut bad) = suppress::parse(&input.ingested.text);
    raw.retain(|f| !suppress::allowed(&allows, f));
    raw.append(&mut bad);
    let mut out: Vec<Finding> = raw
        .into_iter()
        .filter_map(|mut f| {
            f.level = settings.level(f.code)?;
            Some(f)
        })
        .collect();
    out.sort_by(|a, b| (a.line, a.column, a.code.name()).cmp(&(b.line, b.column, b.code.name())));
    out.dedup();
    capped(out)
}

/// Findings of one code a file may have; past this, one more counts the rest (a line
/// of 8,000 broken links is one problem to its author, not 8,000).
const PER_CODE: usize = 100;

fn capped(findings: Vec<Finding>) -> Vec<Finding> {
    let mut shown: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut more: BTreeMap<&'static str, (usize, Finding)> = BTreeMap::new();
    let mut out = Vec::with_capacity(findings.len().min(PER_CODE * 4));
    for f in findings {
        let n = shown.entry(f.code.name()).or_default();
        if *n < PER_CODE {
            *n += 1;
            out.push(f);
        } else {
            more.entry(f.code.name()).or_insert((0, f)).0 += 1;
        }
    }
    for (code, (n, first)) in more {
        out.push(Finding {
            message: format!(
                "and {n} more `{code}` findings in this file, from line {} on",
                first.line
            ),
            help: None,
            ..first
        });
    }
    out
}

/// Findings for ids shared by more than one postmortem: every file after the first
/// (in the given order) gets one, naming the first.
pub fn duplicate_ids<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
    settings: &Settings,
) -> Vec<(&'a str, Finding)> {
    let Some(level) = settings.level(Code::DuplicateId) else {
        return Vec::new();
    };
    let mut first: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out = Vec::new();
    for (path, id) in files {
        match first.get(id) {
            Some(other) => out.push((
                path,
                Finding {
                    code: Code::DuplicateId,
                    level,
                    line: 0,
                    column: 0,
                    end_column: 0,
                    message: format!("id `{id}` is also the id of {other}"),
                    help: Some(
                        "rename the file or set a distinct `id:` in its front matter".into(),
                    ),
                },
            )),
            None => {
                first.insert(id, path);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
