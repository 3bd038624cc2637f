//! The record's JSON form (part of hindsight's contract): statement fields as lists of
//! strings, and their source lines in `lines`, an object of parallel arrays sorted by
//! field name. Read back, each statement's section comes from `sections`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Incident, RepairSummary, SectionRef, Severity, Statement, Status, TimelineEntry};

#[derive(Serialize)]
struct Out<'a> {
    id: &'a str,
    path: &'a str,
    title: &'a str,
    date: &'a Option<String>,
    severity: &'a Option<Severity>,
    status: &'a Option<Status>,
    summary: &'a str,
    impact: &'a str,
    causes: Texts<'a>,
    symptoms: Texts<'a>,
    fixes: Texts<'a>,
    lessons: Texts<'a>,
    prevention: Texts<'a>,
    timeline: &'a [TimelineEntry],
    commands: &'a [String],
    tags: &'a [String],
    sections: &'a [SectionRef],
    repairs: &'a RepairSummary,
    lines: Lines<'a>,
    /// For nested list items, the line of the item above them; only when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    parents: Option<Parents<'a>>,
}

/// Statement texts, written as a list of strings.
struct Texts<'a>(&'a [Statement]);

impl Serialize for Texts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|st| &st.text))
    }
}

/// Statement lines of one field, written as a list of numbers.
struct LineList<'a>(&'a [Statement]);

impl Serialize for LineList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|st| st.line))
    }
}

/// The parent lines of one field's statements (`null` for a top-level one).
struct ParentList<'a>(&'a [Statement]);

impl Serialize for ParentList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|st| st.parent))
    }
}

/// The `parents` object, fields in name order.
#[derive(Serialize)]
struct Parents<'a> {
    causes: ParentList<'a>,
    fixes: ParentList<'a>,
    lessons: ParentList<'a>,
    prevention: ParentList<'a>,
    symptoms: ParentList<'a>,
}

/// The `lines` object, fields in name order.
#[derive(Serialize)]
struct Lines<'a> {
    causes: LineList<'a>,
    fixes: LineList<'a>,
    lessons: LineList<'a>,
    prevention: LineList<'a>,
    symptoms: LineList<'a>,
}

impl Serialize for Incident {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Out {
            id: &self.id,
            path: &self.path,
            title: &self.title,
            date: &self.date,
            severity: &self.severity,
            status: &self.status,
            summary: &self.summary,
            impact: &self.impact,
            causes: Texts(&self.causes),
            symptoms: Texts(&self.symptoms),
            fixes: Texts(&self.fixes),
            lessons: Texts(&self.lessons),
            prevention: Texts(&self.prevention),
            timeline: &self.timeline,
            commands: &self.commands,
            tags: &self.tags,
            sections: &self.sections,
            repairs: &self.repairs,
            lines: Lines {
                causes: LineList(&self.causes),
                fixes: LineList(&self.fixes),
                lessons: LineList(&self.lessons),
                prevention: LineList(&self.prevention),
                symptoms: LineList(&self.symptoms),
            },
            parents: [
                &self.causes,
                &self.fixes,
                &self.lessons,
                &self.prevention,
                &self.symptoms,
            ]
            .iter()
            .any(|f| f.iter().any(|st| st.parent.is_some()))
            .then(|| Parents {
                causes: ParentList(&self.causes),
                fixes: ParentList(&self.fixes),
                lessons: ParentList(&self.lessons),
                prevention: ParentList(&self.prevention),
                symptoms: ParentList(&self.symptoms),
            }),
        }
        .serialize(s)
    }
}

#[derive(Deserialize)]
struct In {
    id: String,
    path: String,
    title: String,
    date: Option<String>,
    severity: Option<Severity>,
    status: Option<Status>,
    summary: String,
    impact: String,
    causes: Vec<String>,
    symptoms: Vec<String>,
    fixes: Vec<String>,
    lessons: Vec<String>,
    prevention: Vec<String>,
    timeline: Vec<TimelineEntry>,
    commands: Vec<String>,
    tags: Vec<String>,
    sections: Vec<SectionRef>,
    repairs: RepairSummary,
    #[serde(default)]
    lines: LinesIn,
    #[serde(default)]
    parents: ParentsIn,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ParentsIn {
    causes: Vec<Option<usize>>,
    fixes: Vec<Option<usize>>,
    lessons: Vec<Option<usize>>,
    prevention: Vec<Option<usize>>,
    symptoms: Vec<Option<usize>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinesIn {
    causes: Vec<usize>,
    fixes: Vec<usize>,
    lessons: Vec<usize>,
    prevention: Vec<usize>,
    symptoms: Vec<usize>,
}

impl<'de> Deserialize<'de> for Incident {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Incident, D::Error> {
        let r = In::deserialize(d)?;
        let sections = r.sections;
        let field = |texts: Vec<String>,
                     lines: Vec<usize>,
                     parents: Vec<Option<usize>>|
         -> Vec<Statement> {
            texts
                .into_iter()
                .enumerate()
                .map(|(i, text)| {
                    let line = lines.get(i).copied().unwrap_or(0);
                    let section = super::section_at(&sections, line)
                        .unwrap_or(crate::taxonomy::SectionKind::Other);
                    Statement {
                        text,
                        line,
                        section,
                        parent: parents.get(i).copied().flatten(),
                    }
                })
                .collect()
        };
        let causes = field(r.causes, r.lines.causes, r.parents.causes);
        let symptoms = field(r.symptoms, r.lines.symptoms, r.parents.symptoms);
        let fixes = field(r.fixes, r.lines.fixes, r.parents.fixes);
        let lessons = field(r.lessons, r.lines.lessons, r.parents.lessons);
        let prevention = field(r.prevention, r.lines.prevention, r.parents.prevention);
        Ok(Incident {
            id: r.id,
            path: r.path,
            title: r.title,
            date: r.date,
            severity: r.severity,
            status: r.status,
            summary: r.summary,
            impact: r.impact,
            causes,
            symptoms,
            fixes,
            lessons,
            prevention,
            timeline: r.timeline,
            commands: r.commands,
            tags: r.tags,
            sections,
            repairs: r.repairs,
        })
    }
}
