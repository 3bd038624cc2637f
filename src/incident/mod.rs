//! The `Incident` record: what one postmortem says, structured. Field names are part of
//! hindsight's JSON contract (see the design's table).

mod dates;
mod extract;
mod json;
mod levels;
mod prose;
mod signals;
mod timeline;

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::ingest::Ingested;
use crate::taxonomy::SectionKind;

pub use dates::find_date;
pub use extract::statements_of;
pub use levels::{Severity, Status, severity as normalize_severity, status as normalize_status};
pub use signals::{is_command, slug};

/// One structured postmortem. Serialised as the JSON contract says: statements as
/// plain strings, with their source lines in `lines` (see `json`).
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: String,
    /// The source file, relative to the knowledge base root, with `/` separators.
    pub path: String,
    pub title: String,
    /// ISO `YYYY-MM-DD`.
    pub date: Option<String>,
    pub severity: Option<Severity>,
    pub status: Option<Status>,
    pub summary: String,
    pub impact: String,
    pub causes: Vec<Statement>,
    pub symptoms: Vec<Statement>,
    pub fixes: Vec<Statement>,
    pub lessons: Vec<Statement>,
    pub prevention: Vec<Statement>,
    pub timeline: Vec<TimelineEntry>,
    pub commands: Vec<String>,
    pub tags: Vec<String>,
    pub sections: Vec<SectionRef>,
    pub repairs: RepairSummary,
}

/// One statement of a record field: its text, the source line it came from, and the
/// kind of section that holds that line (rules and lint point back at it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub text: String,
    pub line: usize,
    pub section: SectionKind,
    /// The line of the list item this one is nested under (a step of a lesson).
    pub parent: Option<usize>,
}

impl Statement {
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The texts of `statements` joined by `sep`.
pub fn join(statements: &[Statement], sep: &str) -> String {
    let mut out = String::new();
    for (i, s) in statements.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&s.text);
    }
    out
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// As written (`09:01 UTC`, `2024-01-16`, `2019-10-20 00:55`).
    pub time: String,
    pub event: String,
    pub line: usize,
}

/// A section as the record lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRef {
    pub kind: SectionKind,
    pub heading: String,
    pub line: usize,
    /// The kind that applies to its content: its own, or (for an `other` subsection)
    /// the nearest parent's.
    pub effective: SectionKind,
}

/// How the bytes were decoded and what was repaired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairSummary {
    pub encoding: String,
    pub count: usize,
    pub lossy: bool,
}

impl Incident {
    /// Build the record for the file at `path` (relative, `/`-separated) from its
    /// ingested text.
    pub fn from_text(path: &str, ingested: &Ingested) -> Incident {
        Incident::from_document(path, &Document::parse(&ingested.text), ingested)
    }

    /// Build the record from an already parsed document.
    pub fn from_document(path: &str, doc: &Document, ingested: &Ingested) -> Incident {
        extract::incident(path, doc, ingested)
    }

    /// The effective kind of the section holding source line `line`.
    pub fn section_at(&self, line: usize) -> Option<SectionKind> {
        section_at(&self.sections, line)
    }
}

fn section_at(sections: &[SectionRef], line: usize) -> Option<SectionKind> {
    sections
        .iter()
        .take_while(|s| s.line <= line)
        .last()
        .map(|s| s.effective)
}

/// The id a file gets when its front matter names none: its stem as a slug.
pub fn id_from_path(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = match name.rsplit_once('.') {
        Some((s, ext)) if !s.is_empty() && ext.len() <= 8 => s,
        _ => name,
    };
    let id = slug(stem);
    if id.is_empty() {
        "incident".to_string()
    } else {
        id
    }
}

#[cfg(test)]
mod tests;
