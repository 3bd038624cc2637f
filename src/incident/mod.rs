//! The `Incident` record: what one postmortem says, structured. Field names are part of
//! hindsight's JSON contract (see the design's table).

mod dates;
mod extract;
mod levels;
mod signals;
mod timeline;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::ingest::Ingested;

pub use dates::find_date;
pub use extract::statements_of;
pub use levels::{severity as normalize_severity, status as normalize_status};
pub use signals::{is_command, slug};

/// One structured postmortem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    /// The source file, relative to the knowledge base root, with `/` separators.
    pub path: String,
    pub title: String,
    /// ISO `YYYY-MM-DD`.
    pub date: Option<String>,
    pub severity: Option<String>,
    pub status: Option<String>,
    pub summary: String,
    pub impact: String,
    pub causes: Vec<String>,
    pub symptoms: Vec<String>,
    pub fixes: Vec<String>,
    pub lessons: Vec<String>,
    pub prevention: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
    pub commands: Vec<String>,
    pub tags: Vec<String>,
    pub sections: Vec<SectionRef>,
    pub repairs: RepairSummary,
    /// Source line of each statement in `causes`, `symptoms`, `fixes`, `lessons` and
    /// `prevention` (parallel arrays), so rules and lint can point at the postmortem.
    pub lines: LineMap,
}

/// Source lines per statement field, read and written as a JSON object sorted by
/// field. A sorted list rather than a `BTreeMap`: a tree node was 670 bytes a record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineMap(Vec<(String, Vec<usize>)>);

impl LineMap {
    pub fn get(&self, field: &str) -> Option<&Vec<usize>> {
        let at = self
            .0
            .binary_search_by(|(k, _)| k.as_str().cmp(field))
            .ok()?;
        Some(&self.0[at].1)
    }

    /// Set the lines of `field`, replacing any it had.
    pub fn insert(&mut self, field: String, lines: Vec<usize>) {
        match self.0.binary_search_by(|(k, _)| k.cmp(&field)) {
            Ok(at) => self.0[at].1 = lines,
            Err(at) => self.0.insert(at, (field, lines)),
        }
    }
}

impl Serialize for LineMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de> Deserialize<'de> for LineMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<LineMap, D::Error> {
        let map = BTreeMap::<String, Vec<usize>>::deserialize(d)?;
        Ok(LineMap(map.into_iter().collect()))
    }
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
    /// A taxonomy name: borrowed when parsed (a record has about ten sections, and an
    /// owned name each was a tenth of a loaded postmortem's memory).
    pub kind: Cow<'static, str>,
    pub heading: String,
    pub line: usize,
    /// The kind that applies to its content: its own, or (for an `other` subsection)
    /// the nearest parent's.
    pub effective: Cow<'static, str>,
}

/// How the bytes were decoded and what was repaired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairSummary {
    pub encoding: String,
    pub count: usize,
    pub lossy: bool,
}

/// A statement and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub text: String,
    pub line: usize,
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
    pub fn section_at(&self, line: usize) -> Option<&str> {
        self.sections
            .iter()
            .take_while(|s| s.line <= line)
            .last()
            .map(|s| s.effective.as_ref())
    }

    /// Statements of `field` (`causes`, `lessons`, ...) with their source lines.
    pub fn statements(&self, field: &str) -> Vec<Statement> {
        let texts = match field {
            "causes" => &self.causes,
            "symptoms" => &self.symptoms,
            "fixes" => &self.fixes,
            "lessons" => &self.lessons,
            "prevention" => &self.prevention,
            _ => return Vec::new(),
        };
        let lines = self.lines.get(field);
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Statement {
                text: t.clone(),
                line: lines.and_then(|l| l.get(i)).copied().unwrap_or(0),
            })
            .collect()
    }
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
