//! From a parsed `Document` to an `Incident`: which sections feed which fields, and
//! where metadata hides when there is no section for it.

use std::collections::BTreeSet;

use super::dates::{self, find_date};
use super::{
    Incident, RepairSummary, SectionRef, Severity, Statement, Status, id_from_path, levels, prose,
    signals, timeline,
};
use crate::document::{Block, Document, Section};
use crate::ingest::Ingested;
use crate::taxonomy::SectionKind::{self, *};

const SUMMARY_CHARS: usize = 600;

/// A statement found in the document, before its section is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub text: String,
    pub line: usize,
}
/// Front matter tags a record keeps (the rest are ignored); real ones have a handful.
const MAX_FRONT_MATTER_TAGS: usize = 32;

pub(super) fn incident(path: &str, doc: &Document, ingested: &Ingested) -> Incident {
    let fm = &doc.front_matter;
    let id = fm
        .text(&["id", "slug"])
        .map(|s| signals::slug(&s))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| id_from_path(path));
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let title = doc
        .h1
        .clone()
        .or_else(|| fm.text(&["title", "name"]))
        .unwrap_or_else(|| stem.to_string());
    let (mut date, named) = date(doc, &title, path);
    let year = date
        .as_deref()
        .or(named.as_deref())
        .and_then(dates::year_of);

    let summary = summary(doc);
    let impact = impact(doc);
    let mut causes = Vec::new();
    let mut symptoms = Vec::new();
    let mut fixes = Vec::new();
    let mut lessons = Vec::new();
    let mut prevention = Vec::new();
    for (idx, s) in doc.sections.iter().enumerate() {
        match s.effective {
            k if k.is_cause() => split_symptoms(s, &mut causes, &mut symptoms),
            // An untimed "Timeline:" inside a root-cause analysis is a chain of causes.
            Timeline if under_cause(doc, idx) && timeline::entries_of(s, year).is_empty() => {
                causes.extend(statements_of(s, false))
            }
            Symptoms => symptoms.extend(statements_of(s, false)),
            Resolution => fixes.extend(statements_of(s, true)),
            Prevention | ActionItems => prevention.extend(statements_of(s, false)),
            LessonsLearned => lessons.extend(statements_of(s, false)),
            // What went well, badly or luckily is what the team learned.
            WentWrong | WentWell | GotLucky => lessons.extend(statements_of(s, false)),
            _ => {}
        }
        // A heading that states its content (`Root Cause: systemd vs. PM2 Conflict`),
        // after what the section says.
        if let Some((_, told)) = s.heading.split_once(':')
            && s.kind != Other
            && told.split_whitespace().count() >= 2
            && let Some(f) = statement(told, s.line)
        {
            match s.kind {
                k if k.is_cause() => causes.push(f),
                Symptoms | Impact => symptoms.push(f),
                Resolution => fixes.push(f),
                LessonsLearned => lessons.push(f),
                Prevention | ActionItems => prevention.push(f),
                _ => {}
            }
        }
    }
    // Stated outright (`**Root Causes:** ...`, `__Initial Concerns__: ...`), a value
    // goes where its key says; they lead their lists.
    let mut stated: [Vec<Found>; 5] = Default::default();
    // Values whose key names no field, read by their own cues: after the sections'.
    let mut read: Vec<(u8, Found)> = Vec::new();
    for m in &doc.metadata {
        let f = Found {
            text: strip_marks(&m.value),
            line: m.line,
        };
        if f.text.split_whitespace().count() < 2 {
            continue;
        }
        let (bits, named) = meta_fields(&m.key, &f.text);
        if !named {
            // Only where no heading already sends the line to a field.
            let (allowed, _) = prose_policy(doc, m.section);
            if matches!(
                doc.sections[m.section].effective,
                Summary | Background | Other
            ) {
                read.push((bits & allowed, f));
            }
            continue;
        }
        for (i, bit) in [
            prose::CAUSE,
            prose::SYMPTOM,
            prose::FIX,
            prose::LESSON,
            prose::PREVENTION,
        ]
        .into_iter()
        .enumerate()
        {
            if bits & bit != 0 {
                stated[i].push(f.clone());
            }
        }
    }
    let [c, sy, fx, le, pr] = stated;
    causes.splice(0..0, c);
    symptoms.splice(0..0, sy);
    fixes.splice(0..0, fx);
    lessons.splice(0..0, le);
    prevention.splice(0..0, pr);
    let timeline = timeline::entries_or_stamps(doc, year);
    {
        let mut fields = Fields {
            causes: &mut causes,
            symptoms: &mut symptoms,
            fixes: &mut fixes,
            lessons: &mut lessons,
            prevention: &mut prevention,
        };
        for (bits, f) in &read {
            fields.add(*bits, f);
        }
    }
    if date.is_none() {
        // Failing a stated date, the day of the timeline's first timed event (a day
        // with no time is often context written before it), else of its first dated one;
        // a file name's date is when the postmortem was filed, often days later.
        let clock = regex!(r"\d:\d\d");
        date = timeline
            .iter()
            .filter(|e| clock.is_match(&e.time))
            .find_map(|e| find_date(&e.time, None))
            .or_else(|| timeline.iter().find_map(|e| find_date(&e.time, None)))
            .or(named);
    }
    {
        let mut fields = Fields {
            causes: &mut causes,
            symptoms: &mut symptoms,
            fixes: &mut fixes,
            lessons: &mut lessons,
            prevention: &mut prevention,
        };
        classify_prose(doc, &timeline, &mut fields);
    }
    let all_text = &ingested.text;
    for e in signals::error_strings(all_text) {
        let known = symptoms.iter().any(|s| s.text.contains(&e));
        if !known {
            let line = all_text[..all_text.find(&e).unwrap_or(0)]
                .matches('\n')
                .count()
                + 1;
            symptoms.push(Found { text: e, line });
        }
    }

    let severity = severity(doc, &title);
    let status = status(doc, &title);
    let mut tags: BTreeSet<String> = signals::tags(all_text).into_iter().collect();
    // Tags make pages: a front matter of 100,000 tags must not make a site of as many.
    for t in fm
        .list(&["tags", "categories", "keywords", "category"])
        .into_iter()
        .take(MAX_FRONT_MATTER_TAGS)
    {
        let s = signals::slug(&t);
        if !s.is_empty() {
            tags.insert(s);
        }
    }
    let sections: Vec<SectionRef> = doc.sections[1..]
        .iter()
        .map(|s| SectionRef {
            kind: s.kind,
            heading: s.heading.clone(),
            line: s.line,
            effective: s.effective,
        })
        .collect();
    let parents = doc.item_parents();
    let finish = |v: Vec<Found>| -> Vec<Statement> {
        dedup(v)
            .into_iter()
            .map(|f| Statement {
                section: super::section_at(&sections, f.line).unwrap_or(Other),
                parent: parents.get(&f.line).copied(),
                text: f.text,
                line: f.line,
            })
            .collect()
    };
    let causes = finish(causes);
    let symptoms = finish(symptoms);
    let fixes = finish(fixes);
    let lessons = finish(lessons);
    let prevention = finish(prevention);
    Incident {
        id,
        path: path.to_string(),
        title: strip_marks(&title),
        date,
        severity,
        status,
        summary,
        impact,
        causes,
        symptoms,
        fixes,
        lessons,
        prevention,
        timeline,
        commands: commands(doc),
        tags: tags.into_iter().collect(),
        sections,
        repairs: RepairSummary {
            encoding: ingested.encoding.clone(),
            count: ingested.repairs.len(),
            lossy: ingested.lossy(),
        },
    }
}

/// The fields a `Key: value` line feeds: by what its key names (`Root Causes`,
/// `Resolution`, `Lesson`; `Initial Concerns` and `Issue` are what was seen), else, for
/// a key that names no field and is no header field, by its value's own cues.
fn meta_fields(key: &str, value: &str) -> (u8, bool) {
    use prose::*;
    let k = key.to_lowercase();
    let header = regex!(
        r"^(?:date|time|when|day|start|end|duration|severity|sev|priority|status|state|owner|owners|author|authors|lead|leads|team|teams|id|version|commit|branch|url|link|environment|service|services|system|component|tags?|category|type|incident(?: id| number)?|reported by|responders?|detected by|by|from|to|subject|cc|updated|last updated|created|published)$"
    );
    if regex!(r"^(?:status|state|current status)$").is_match(&k) {
        // `Status: Production completely offline` says what was seen.
        return (prose::classify(&value.to_lowercase()) & SYMPTOM, true);
    }
    if regex!(r"concern|symptom|observ|alert|error|what happened|impact|detected$").is_match(&k)
        && !regex!(r"^(?:impact level|incident type)$").is_match(&k)
    {
        return (SYMPTOM, true);
    }
    let named = match crate::taxonomy::classify(key) {
        kind if kind.is_cause() => CAUSE,
        Symptoms | Impact | Detection => SYMPTOM,
        Resolution => FIX,
        LessonsLearned => LESSON,
        Prevention | ActionItems => PREVENTION,
        _ if k == "fixed by" => FIX,
        Summary | Background | Other if !header.is_match(&k) => {
            return (prose::classify(&value.to_lowercase()), false);
        }
        _ => 0,
    };
    (named, true)
}

/// The record's statement fields while they are gathered.
struct Fields<'a> {
    causes: &'a mut Vec<Found>,
    symptoms: &'a mut Vec<Found>,
    fixes: &'a mut Vec<Found>,
    lessons: &'a mut Vec<Found>,
    prevention: &'a mut Vec<Found>,
}

impl Fields<'_> {
    fn add(&mut self, bits: u8, f: &Found) {
        for (bit, field) in [
            (prose::CAUSE, &mut *self.causes),
            (prose::SYMPTOM, &mut *self.symptoms),
            (prose::FIX, &mut *self.fixes),
            (prose::PREVENTION, &mut *self.prevention),
            (prose::LESSON, &mut *self.lessons),
        ] {
            if bits & bit != 0 {
                field.push(f.clone());
            }
        }
    }
}

/// What the sentence classifier may add from a section of `kind` (beyond what the
/// heading already sends to a field), and the field that the section leans to: its
/// weak cues are enough there.
fn prose_policy(doc: &Document, idx: usize) -> (u8, u8) {
    use prose::*;
    let s = &doc.sections[idx];
    let all = CAUSE | SYMPTOM | FIX | PREVENTION | LESSON;
    match s.effective {
        k if k.is_cause() => (SYMPTOM | FIX, 0),
        Summary | Background | Other => (all, 0),
        Impact => (CAUSE | SYMPTOM, SYMPTOM),
        Detection => (CAUSE | SYMPTOM | FIX, SYMPTOM),
        Resolution => (CAUSE | PREVENTION | SYMPTOM, 0),
        // What went wrong, outside a lessons section, is mostly why it happened.
        WentWrong if !under(doc, idx, LessonsLearned) => (CAUSE | SYMPTOM | PREVENTION, CAUSE),
        _ => (0, 0),
    }
}

/// Sentences of prose classified into fields: those of sections that no heading sends
/// to a field, and the sentences of headed sections that say more than their heading
/// (a root-cause section's "users saw 502s"). A paragraph ending in `:` hands its
/// fields to the list that follows it; timeline events that say what was seen or done
/// are symptoms or fixes.
fn classify_prose(doc: &Document, timeline: &[super::TimelineEntry], out: &mut Fields<'_>) {
    use prose::*;
    // Inside the story of an earlier incident, told as background.
    let mut earlier = false;
    for (idx, s) in doc.sections.iter().enumerate() {
        let (allowed, lean) = prose_policy(doc, idx);
        if allowed == 0 || s.effective == Timeline {
            continue;
        }
        let in_cause = s.effective.is_cause();
        let mut story = Story::new(s.effective);
        // Fields a lead-in (`The lessons we take away are:`) hands to its list.
        let mut lead = 0u8;
        let mut item_leads: Vec<u8> = Vec::new();
        for (bi, b) in s.blocks.iter().enumerate() {
            if is_prompt_block(b) {
                continue;
            }
            let (texts, from_lead): (Vec<String>, u8) = match b {
                // `**Key**: value` lines are read by key, not as prose.
                Block::Paragraph { text, .. } | Block::Item { text, .. }
                    if is_metadata(text, doc) =>
                {
                    continue;
                }
                Block::Paragraph { text, .. } => {
                    lead = 0;
                    (sentences(text), 0)
                }
                Block::Item { text, parent, .. } => {
                    let inherited = parent
                        .and_then(|p| item_leads.get(p).copied())
                        .unwrap_or(lead);
                    (vec![text.clone()], inherited)
                }
                _ => {
                    lead = 0;
                    continue;
                }
            };
            let mut prev = 0u8;
            let mut own_lead = 0u8;
            for (ti, t) in texts.iter().enumerate() {
                let lower = t.to_lowercase();
                earlier = prose::earlier_story(&lower).unwrap_or(earlier);
                let Some(mut bits) =
                    story.read(&lower, prose::classify(&lower) | from_lead, ti == 0)
                else {
                    continue;
                };
                if lean != 0
                    && !prose::is_null(&lower)
                    && (matches!(s.effective, Impact | WentWrong) || prose::leans(&lower, lean))
                {
                    bits |= lean;
                }
                if bits == 0 && !prose::is_null(&lower) {
                    // An unmarked sentence continues the one before it.
                    bits = prev;
                }
                prev = bits;
                if t.trim_end().ends_with(':') {
                    own_lead = bits;
                }
                if in_cause && bits & CAUSE != 0 {
                    bits &= !(SYMPTOM | FIX);
                }
                let mut bits = bits & allowed;
                if earlier {
                    bits &= !FIX;
                }
                if bits == 0 || is_chat_or_log(t) {
                    continue;
                }
                if let Some(f) = statement(t, b.line()) {
                    out.add(bits, &f);
                }
            }
            match b {
                Block::Paragraph { .. } => lead = own_lead,
                Block::Item { .. } => {
                    item_leads.resize(bi + 1, 0);
                    item_leads[bi] = own_lead;
                }
                _ => {}
            }
        }
    }
    // Timeline events are terse: what was seen leans to a symptom, what was done to a
    // fix, on their weak cues too; each sentence of an event on its own.
    for e in timeline {
        for t in sentences(&e.event) {
            let lower = t.to_lowercase();
            let all = prose::classify(&lower);
            let mut bits = all & (CAUSE | SYMPTOM | FIX);
            if all & (CAUSE | PREVENTION) == 0
                && !prose::is_null(&lower)
                && !prose::is_conditional(&lower)
            {
                for lean in [SYMPTOM, FIX] {
                    if prose::leans(&lower, lean) {
                        bits |= lean;
                    }
                }
            }
            if bits != 0
                && let Some(f) = statement(&t, e.line)
            {
                out.add(bits, &f);
            }
        }
    }
}

/// Where a section's story stands. Told in order, a remedy cannot come before the
/// trouble it remedies: a summary or background that opens with what reads as a fix
/// and says what went wrong opens with the change that set things off. After "Here
/// is what went wrong." the story is the cause, until a paragraph turns to what was
/// done or will be.
struct Story {
    telling_cause: bool,
    /// A sentence of the section has been given a field.
    begun: bool,
    told_in_order: bool,
}

impl Story {
    fn new(kind: SectionKind) -> Story {
        Story {
            telling_cause: false,
            begun: false,
            told_in_order: matches!(kind, Summary | Background),
        }
    }

    /// The fields of a sentence whose cues gave `bits`; `None` for the announcement
    /// itself. `opens` is true for a paragraph's first sentence or a list item.
    fn read(&mut self, lower: &str, mut bits: u8, opens: bool) -> Option<u8> {
        use prose::*;
        if announces_cause(lower) {
            self.telling_cause = true;
            return None;
        }
        if opens && bits & (FIX | PREVENTION | LESSON) != 0 {
            self.telling_cause = false;
        }
        if self.telling_cause && !is_null(lower) {
            bits |= CAUSE;
        }
        // Before the trouble, a fix that also leans to a cause ("was interrupted when
        // the node was replaced") is the trigger.
        let opening = self.told_in_order && !self.begun && leans(lower, CAUSE);
        if (self.telling_cause || opening) && bits & FIX != 0 && bits & SYMPTOM == 0 {
            bits = (bits & !FIX) | CAUSE;
        }
        self.begun |= bits != 0;
        Some(bits)
    }
}

/// A line pasted from a chat or a log (`[16:12] marta: restarting`, `2024-01-02T10:00Z
/// ERROR ...`): the record of a conversation, not a statement about the incident.
fn is_chat_or_log(t: &str) -> bool {
    let re = regex!(
        r"^\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s+<?@?[\w.-]{1,24}>?:\s|^\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}[^\s]*\]?\s+\[?(?:INFO|WARN|WARNING|ERROR|DEBUG|FATAL|TRACE)\b|^\[?(?:INFO|WARN|WARNING|ERROR|DEBUG|FATAL)\]?\s"
    );
    re.is_match(t.trim())
}

/// True if section `idx` sits inside a cause section.
fn under_cause(doc: &Document, idx: usize) -> bool {
    doc.ancestors(idx)
        .skip(1)
        .any(|i| doc.sections[i].kind.is_cause())
}

/// True if section `idx` sits inside a section of `kind`.
fn under(doc: &Document, idx: usize, kind: SectionKind) -> bool {
    doc.ancestors(idx)
        .skip(1)
        .any(|i| doc.sections[i].kind == kind)
}

/// Sections a document opens with: where its own metadata lives.
fn in_header(doc: &Document, section: usize) -> bool {
    let s = &doc.sections[section];
    section == 0 || s.level == 1 || matches!(s.kind, Summary) || s.parent.is_none() && section <= 2
}

/// `Key: value` written inside a sentence of the header (`Date: 2025-07-23. Severity:
/// SEV-1.`), for the first of `keys` that appears.
fn inline_value(doc: &Document, keys: &[&str]) -> Option<String> {
    let re = regex!(r"(?i)\b(severity|sev|priority|status)\s*:\s*([^.;|\n]+)");
    doc.sections
        .iter()
        .enumerate()
        .filter(|(i, _)| in_header(doc, *i))
        .flat_map(|(_, s)| s.blocks.iter().filter_map(Block::text))
        .flat_map(|t| re.captures_iter(t))
        .find(|c| keys.iter().any(|k| c[1].eq_ignore_ascii_case(k)))
        .map(|c| c[2].trim().to_string())
}

/// The date the document states (front matter, `Date:` lines, the title, its opening
/// lines), and the date in its file name.
fn date(doc: &Document, title: &str, path: &str) -> (Option<String>, Option<String>) {
    let fm = &doc.front_matter;
    let keys = [
        "date",
        "incident_date",
        "start_time",
        "started",
        "start",
        "started_at",
        "published",
        "source_published_at",
        "created",
    ];
    if let Some(d) = keys
        .iter()
        .find_map(|k| fm.text(&[k]).and_then(|v| find_date(&v, None)))
    {
        return (Some(d), None);
    }
    let meta_keys = [
        "date",
        "date identified",
        "incident date",
        "time",
        "started",
        "start time",
        "started at",
        "detected",
        "date detected",
        "occurred",
        "when",
        "date of incident",
    ];
    if let Some(d) = doc.meta(&meta_keys).find_map(|m| find_date(&m.value, None)) {
        return (Some(d), None);
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    // A byline's date (`Posted by Dana on February 21, 2024`) is when the post was
    // written, like a file name's: the incident's own date comes first, from the rest
    // of the opening lines or the timeline.
    let byline = regex!(r"(?i)^\W*(?:posted|published|written|updated|last updated)\b");
    // A status page lists its updates newest first, each with its own byline: the
    // earliest is when the story began.
    let lines = |n: usize| {
        doc.sections
            .iter()
            .flat_map(|s| s.blocks.iter())
            .filter_map(Block::text)
            .take(n)
            .flat_map(str::lines)
    };
    let prose: Vec<String> = lines(3)
        .filter(|t| !byline.is_match(t))
        .map(|t| without_bylines(t).0)
        .collect();
    let filed = lines(12)
        .flat_map(|t| without_bylines(t).1)
        .chain(
            lines(12)
                .filter(|t| byline.is_match(t))
                .filter_map(|t| find_date(t, None)),
        )
        .min();
    let stated = find_date(title, None)
        .or_else(|| fm.text(&["title"]).and_then(|t| find_date(&t, None)))
        .or_else(|| prose.iter().find_map(|t| find_date(t, None)));
    (stated, filed.or_else(|| find_date(name, None)))
}

/// `text` with its inline bylines (`... resolved. Posted Mar 21, 2024 - 15:10 UTC`)
/// taken out, and their dates.
fn without_bylines(text: &str) -> (String, Vec<String>) {
    let mark = regex!(r"(?i)\b(?:posted|published|last updated)(?: on| at)?\s+");
    let (mut kept, mut dates, mut at) = (String::new(), Vec::new(), 0);
    for m in mark.find_iter(text) {
        let window = &text[m.end()..];
        let window = &window[..window.floor_char_boundary(40)];
        if m.start() < at {
            continue;
        }
        if let Some((date, end)) = dates::find_date_at(window, None)
            && window[..end].split_whitespace().count() <= 4
        {
            kept.push_str(&text[at..m.start()]);
            dates.push(date);
            at = m.end() + end;
        }
    }
    kept.push_str(&text[at..]);
    (kept, dates)
}

fn severity(doc: &Document, title: &str) -> Option<Severity> {
    let fm = &doc.front_matter;
    if let Some(s) = fm
        .text(&["severity", "sev", "priority"])
        .and_then(|v| levels::severity(&v))
    {
        return Some(s);
    }
    let keys = [
        "severity",
        "priority",
        "sev",
        "impact level",
        "incident severity",
    ];
    if let Some(s) = doc
        .meta(&keys)
        .filter(|m| in_header(doc, m.section))
        .find_map(|m| levels::severity(&m.value))
    {
        return Some(s);
    }
    if let Some(s) =
        inline_value(doc, &["severity", "sev", "priority"]).and_then(|v| levels::severity(&v))
    {
        return Some(s);
    }
    // A level named in the opening prose: "This severity 1 incident", "(P2 / high)".
    let named = regex!(r"(?i:\bsev(?:erity)?[- ]?[0-5]\b)|\bP[0-4]\b");
    if let Some(s) = doc
        .sections
        .iter()
        .enumerate()
        .filter(|(i, s)| in_header(doc, *i) || s.kind == Summary)
        .flat_map(|(_, s)| s.blocks.iter().filter_map(Block::text))
        .filter_map(|t| named.find(t))
        .find_map(|m| levels::severity(m.as_str()))
    {
        return Some(s);
    }
    let incident_heading = |h: &str| {
        let l = h.to_ascii_lowercase();
        l.contains("incident") || l.contains("outage") || l.contains("emergency")
    };
    // Only a level stated as a label counts; prose ("critical gaps") states none.
    std::iter::once(title)
        .chain(
            doc.sections
                .iter()
                .map(|s| s.heading.as_str())
                .filter(|h| incident_heading(h)),
        )
        .find_map(levels::stated_severity)
}

fn status(doc: &Document, title: &str) -> Option<Status> {
    if let Some(s) = doc
        .front_matter
        .text(&["status", "state"])
        .and_then(|v| levels::status(&v))
    {
        return Some(s);
    }
    // A closing "Incident Status" line is the latest word; else the first "Status".
    let latest = doc.meta(&["incident status"]).last();
    let first = doc.meta(&["status", "current status", "state"]).next();
    latest
        .or(first)
        .and_then(|m| levels::status(&m.value))
        .or_else(|| inline_value(doc, &["status"]).and_then(|v| levels::status(&v)))
        .or_else(|| {
            let tail = title.rsplit(['-', '–', '—', ':', '|']).next().unwrap_or("");
            levels::status(tail).filter(|_| tail.len() < title.len())
        })
}

/// A paragraph made only of `**Key**: value` lines says nothing as prose.
fn is_metadata(text: &str, doc: &Document) -> bool {
    doc.metadata
        .iter()
        .any(|m| text.starts_with(&format!("{}:", m.key)))
}

fn summary(doc: &Document) -> String {
    if let Some(s) = doc
        .front_matter
        .text(&["summary", "description", "tldr", "tl;dr"])
    {
        return truncate(&s);
    }
    let prose = |s: &Section| -> Option<String> {
        let paras: Vec<&str> = s
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { text, .. } if !is_metadata(text, doc) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        (!paras.is_empty()).then(|| truncate(&paras.join(" ")))
    };
    let items = |s: &Section| -> Option<String> {
        let items: Vec<&str> = s
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Item { text, depth: 0, .. } if !is_metadata(text, doc) => {
                    Some(text.as_str())
                }
                _ => None,
            })
            .collect();
        (!items.is_empty()).then(|| truncate(&items.join("; ")))
    };
    doc.sections_of(Summary)
        .find_map(prose)
        .or_else(|| doc.sections_of(Summary).find_map(items))
        .or_else(|| {
            doc.meta(&["issue", "summary", "description"])
                .next()
                .map(|m| truncate(&m.value))
        })
        .or_else(|| doc.sections.iter().find_map(prose))
        .unwrap_or_default()
}

fn impact(doc: &Document) -> String {
    let parts: Vec<&str> = doc
        .sections_of(Impact)
        .flat_map(|s| s.blocks.iter())
        .filter_map(Block::text)
        .collect();
    if !parts.is_empty() {
        return truncate(&parts.join("; "));
    }
    doc.meta(&["impact", "user impact", "customer impact"])
        .next()
        .map(|m| truncate(&m.value))
        .or_else(|| doc.front_matter.text(&["impact"]))
        .unwrap_or_default()
}

/// Cause statements, with a `Symptom Cascade` (or `Symptoms:`) item and everything
/// under it moved to symptoms.
fn split_symptoms(s: &Section, causes: &mut Vec<Found>, symptoms: &mut Vec<Found>) {
    let mut symptomatic = vec![false; s.blocks.len()];
    for (i, b) in s.blocks.iter().enumerate() {
        if let Block::Item { text, parent, .. } = b {
            let own = text.to_ascii_lowercase().starts_with("symptom");
            symptomatic[i] = own || parent.is_some_and(|p| symptomatic[p]);
            if symptomatic[i] {
                if !own {
                    symptoms.extend(statement(text, b.line()));
                }
                continue;
            }
        }
        causes.extend(block_statements(b, false));
    }
}

/// The statements of one section: one per list item, one per sentence of prose; with
/// `code_comments`, the comments of shell blocks too (a recovery script's narrative).
pub fn statements_of(s: &Section, code_comments: bool) -> Vec<Found> {
    let mut out = Vec::new();
    for (i, b) in s.blocks.iter().enumerate() {
        // `Test locally first:` over a code block, not over a list, is a statement.
        if let Block::Item { text, line, .. } = b
            && text.trim_end().ends_with(':')
            && !is_prompt_block(b)
            && !s
                .blocks
                .get(i + 1)
                .is_some_and(|n| matches!(n, Block::Item { parent: Some(p), .. } if *p == i))
        {
            out.extend(statement(text.trim_end().trim_end_matches(':'), *line));
            continue;
        }
        out.extend(block_statements(b, code_comments));
    }
    out
}

fn block_statements(b: &Block, code_comments: bool) -> Vec<Found> {
    if is_prompt_block(b) {
        return Vec::new();
    }
    match b {
        Block::Item { text, line, .. } => statement(text, *line).into_iter().collect(),
        Block::Paragraph { text, line } => sentences(text)
            .into_iter()
            .filter_map(|s| statement(&s, *line))
            .collect(),
        Block::Code { lang, text, line } if code_comments && signals::is_shell(lang) => {
            script_steps(text, *line)
        }
        Block::Table {
            rows, row_lines, ..
        } => table_statements(rows, row_lines),
        _ => Vec::new(),
    }
}

/// The steps of a recovery script: each comment with the commands under it
/// (`Force reset to last working commit: `git reset --hard 59a77c4``).
fn script_steps(code: &str, first: usize) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    let mut commands: Vec<String> = Vec::new();
    let mut open: Option<Found> = None;
    let close = |open: &mut Option<Found>, commands: &mut Vec<String>, out: &mut Vec<Found>| {
        if let Some(mut f) = open.take() {
            if !commands.is_empty() {
                let list: Vec<String> = commands.iter().map(|c| format!("`{c}`")).collect();
                f.text = format!(
                    "{}: {}",
                    f.text.trim_end_matches([':', '.']),
                    list.join(", ")
                );
            }
            out.push(f);
        }
        commands.clear();
    };
    for (i, l) in code.lines().enumerate() {
        let l = l.trim();
        if let Some(c) = l.strip_prefix('#') {
            close(&mut open, &mut commands, &mut out);
            open = statement(c.trim_start_matches(['#', ' ']), first + 1 + i);
        } else if open.is_some()
            && signals::is_command(l.trim_start_matches("$ "))
            && commands.len() < 4
        {
            commands.push(l.trim_start_matches("$ ").to_string());
        }
    }
    close(&mut open, &mut commands, &mut out);
    out
}

/// Rows of an action-item (or actions-taken) table, one statement each: the column
/// that says what is done, without owner, status, due date, priority or ticket columns.
fn table_statements(rows: &[Vec<String>], row_lines: &[usize]) -> Vec<Found> {
    let Some(header) = rows.first() else {
        return Vec::new();
    };
    let lower: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    let bookkeeping = regex!(
        r"^(?:owners?|assignees?|who|by|status|state|due(?: date)?|date|deadline|target|priority|pri|prio|type|kind|category|bugs?|tickets?|issues?|jira|links?|id|#|eta|teams?|done|severity|when|tracking|prs?|pull requests?|bug #|ticket #|notes?|time|timestamp)$"
    );
    let wanted = regex!(
        r"action|item|task|description|what|follow|remediation|fix|improvement|change|recommendation|title|summary|measure|step|lesson|prevent|mitigation|work"
    );
    let keep: Vec<usize> = {
        let chosen: Vec<usize> = (0..lower.len())
            .filter(|&i| wanted.is_match(&lower[i]) && !bookkeeping.is_match(lower[i].trim()))
            .collect();
        if chosen.is_empty() {
            (0..lower.len())
                .filter(|&i| !bookkeeping.is_match(lower[i].trim()))
                .collect()
        } else {
            chosen
        }
    };
    rows[1..]
        .iter()
        .enumerate()
        .filter_map(|(r, row)| {
            let cells: Vec<&str> = keep
                .iter()
                .filter_map(|&c| row.get(c).map(String::as_str))
                .filter(|c| !c.trim().is_empty())
                .collect();
            statement(
                &cells.join(" — "),
                row_lines.get(r + 1).copied().unwrap_or(1),
            )
        })
        .collect()
}

/// Clean a statement: no leading status marks or bullets, single spaces.
fn statement(text: &str, line: usize) -> Option<Found> {
    let t = strip_marks(text);
    let words = t.split_whitespace().count();
    // "Key Rules:" and "Pre-deployment check:" introduce a list; they say nothing.
    let header = t.ends_with(':') && words <= 4;
    let enough = words >= 2 || (words == 1 && t.len() > 6);
    let heading = crate::taxonomy::is_heading_text(&t) || prose::says_nothing(&t.to_lowercase());
    (enough && !header && !heading && !is_prompt(&t) && !is_stamp(&t))
        .then_some(Found { text: t, line })
}

/// A line that only says when something was posted (`Posted Mar 21, 2024 - 15:10
/// UTC`, `Updated on 2024-03-21 at 10:00`): a status page's byline, not a statement.
fn is_stamp(t: &str) -> bool {
    let word = regex!(
        r"(?i)^(?:posted|updated|published|last|on|at|\W+|\d[\d:.,/-]*(?:am|pm|z)?|utc|gmt|[a-z]{2,4}t|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?)$"
    );
    let mut words = t.split_whitespace();
    regex!(r"(?i)^(?:posted|updated|published|last updated)\b").is_match(t)
        && words.all(|w| word.is_match(w))
}

/// A list item or paragraph that opens with a template prompt: all of it is the
/// template's, examples included.
fn is_prompt_block(b: &Block) -> bool {
    matches!(b, Block::Item { .. } | Block::Paragraph { .. })
        && b.text().is_some_and(|t| is_prompt(unmarked(t)))
}

/// A template prompt not yet filled in (`TODO: Why it happened.`): not the author's
/// words, so not a cause or a lesson (`lint` flags it as a placeholder).
fn is_prompt(t: &str) -> bool {
    ["TODO", "TBD", "FIXME"].iter().any(|m| {
        t.strip_prefix(m)
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    })
}

/// Remove leading emoji, check marks and bullets, and stray emphasis markers.
fn strip_marks(text: &str) -> String {
    unmarked(text)
        .replace("**", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` from its first letter, digit, quote, bracket or path character on.
fn unmarked(text: &str) -> &str {
    text.trim_start_matches(|c: char| !(c.is_alphanumeric() || "`\"'“‘([<.$/~".contains(c)))
}

/// Split prose into sentences at `.`, `!` or `?` (and a closing quote) followed by a
/// space and a capital or an opening quote; abbreviations (`e.g.`, `vs.`), single
/// letters and text inside double quotes stay whole.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quote = false;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut w = 0;
    while w < chars.len() {
        let (i, c) = chars[w];
        w += 1;
        match c {
            '"' => in_quote = !in_quote,
            '“' => in_quote = true,
            '”' => in_quote = false,
            _ => {}
        }
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        // Closing quotes and emphasis belong to the sentence.
        let mut e = w;
        let mut closes = false;
        while e < chars.len() && matches!(chars[e].1, '"' | '”' | '’' | '*' | ')') {
            closes |= matches!(chars[e].1, '"' | '”');
            e += 1;
        }
        if (in_quote && !closes) || e + 1 >= chars.len() || chars[e].1 != ' ' {
            continue;
        }
        let next = chars[e + 1].1;
        if !(next.is_uppercase() || matches!(next, '`' | '"' | '“')) {
            continue;
        }
        let word = text[start..i]
            .rsplit(' ')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(
            word.as_str(),
            "e.g" | "i.e" | "vs" | "etc" | "mr" | "dr" | "no" | "approx"
        ) || word.chars().count() == 1
        {
            continue;
        }
        let end = chars.get(e).map_or(text.len(), |(o, _)| *o);
        out.push(text[start..end].trim().to_string());
        start = end;
        w = e;
        in_quote = false;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

fn commands(doc: &Document) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in doc.sections.iter() {
        if !matches!(
            s.effective,
            Resolution | Prevention | ActionItems | LessonsLearned
        ) {
            continue;
        }
        for b in &s.blocks {
            let found = match b {
                _ if is_prompt_block(b) => Vec::new(),
                Block::Code { lang, text, .. } => signals::commands_in_code(lang, text),
                other => other
                    .text()
                    .map(signals::commands_inline)
                    .unwrap_or_default(),
            };
            for c in found {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    out
}

fn dedup(v: Vec<Found>) -> Vec<Found> {
    let mut seen = BTreeSet::new();
    v.into_iter()
        .filter(|s| seen.insert(s.text.clone()))
        .collect()
}

fn truncate(s: &str) -> String {
    let s = strip_marks(s);
    if s.chars().count() <= SUMMARY_CHARS {
        return s;
    }
    let cut: String = s.chars().take(SUMMARY_CHARS).collect();
    let end = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", &cut[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences() {
        assert_eq!(
            sentences("It broke. We fixed it e.g. by hand. Then `git push` ran! Done"),
            [
                "It broke.",
                "We fixed it e.g. by hand.",
                "Then `git push` ran!",
                "Done"
            ]
        );
        assert_eq!(
            sentences("\"NEVER deploy untested. NEVER.\" \"Deploy small.\""),
            ["\"NEVER deploy untested. NEVER.\"", "\"Deploy small.\""]
        );
    }

    #[test]
    fn status_page_bylines_are_not_statements() {
        assert!(statement("Posted Mar 21, 2024 - 15:10 UTC", 1).is_none());
        assert!(statement("Updated on 2024-03-21 at 10:00 PST", 1).is_none());
        assert!(statement("Posted the rollback plan to the channel.", 1).is_some());
    }

    #[test]
    fn template_prompts_are_not_statements() {
        for t in [
            "TODO: Why it happened.",
            "**TBD** who owns this",
            "- FIXME",
            "TODO",
        ] {
            assert_eq!(statement(t, 1), None, "{t}");
        }
        for t in [
            "TODOs piled up in the runbook",
            "Today TODO lists were lost",
        ] {
            assert!(statement(t, 1).is_some(), "{t}");
        }
    }

    #[test]
    fn strips_marks() {
        assert_eq!(
            strip_marks("✅ **Removed** dangerous `rsync`"),
            "Removed dangerous `rsync`"
        );
        assert_eq!(strip_marks("❌ Did NOT run"), "Did NOT run");
    }
}
