//! The five tools, each a library call: their inputs and outputs (the JSON Schemas a
//! client is shown come from these types), checking the arguments, and the result as
//! structured content plus a short text. A failure the caller can act on (an unknown
//! id, a target that is not a folder) is a tool error; arguments that do not fit the
//! schema are a JSON-RPC error (invalid params).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::lessons;
use super::state::State;
use super::text;
use crate::check::{self, LoadedRule, Options};
use crate::report::{Diagnostic, Notice, Origin};
use crate::rules::Stage;
use crate::search::{Hit, Match, Similar, Target};

/// The URI scheme of an incident resource.
pub(super) const INCIDENT_URI: &str = "hindsight://incident/";

/// Most hits or results a call may ask for.
const MAX_LIMIT: u32 = 100;

/// What a tool returns when it ran: its result, or a message for the caller.
pub(super) type Outcome = Result<CallToolResult, String>;

/// `arguments` read as `T`, or invalid params naming the tool and what is wrong.
pub(super) fn parse<T: DeserializeOwned>(tool: &str, arguments: JsonObject) -> Result<T, McpError> {
    serde_json::from_value(serde_json::Value::Object(arguments))
        .map_err(|e| McpError::invalid_params(format!("{tool}: bad arguments: {e}"), None))
}

fn limit(tool: &str, given: Option<u32>, default: u32) -> Result<usize, McpError> {
    match given.unwrap_or(default) {
        n @ 1..=MAX_LIMIT => Ok(n as usize),
        n => Err(McpError::invalid_params(
            format!("{tool}: bad arguments: limit {n} is not between 1 and {MAX_LIMIT}"),
            None,
        )),
    }
}

/// `value` as the structured content, `text` as the content shown.
fn result<T: Serialize>(value: &T, text: String) -> Outcome {
    let v = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let mut r = CallToolResult::structured(v);
    r.content = vec![ContentBlock::text(text)];
    Ok(r)
}

/// The outcome of `f`: a tool's body, once its arguments are known to be good, written
/// as a closure so `?` gives a tool error.
fn ran(f: impl FnOnce() -> Outcome) -> Outcome {
    f()
}

/// A tool error: the tool ran and the caller should read why it failed.
pub(super) fn tool_error(msg: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(msg)])
}

/// `x` as the decimal it prints as (33.68, not 33.68000030517578 once widened).
fn decimal(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

fn uri(id: &str) -> String {
    format!("{INCIDENT_URI}{id}")
}

// ---- search_incidents ----

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SearchInput {
    /// What to look for, in `hindsight search`'s query language: words (an incident must
    /// have every one; stemmed), "a phrase", prefix*, a OR b, -without, field:word
    /// (title, summary, cause, symptom, fix, lesson, prevention, tag, body),
    /// severity:critical, status:resolved, date:2025-08, after:2025-01-01,
    /// before:2026-01-01. When nothing has every word, words a typo away are tried,
    /// then incidents with some of the words.
    pub query: String,
    /// At most this many hits (1 to 100; default 10).
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
}

/// One past incident found.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct HitOut {
    pub id: String,
    pub title: String,
    /// YYYY-MM-DD, when the postmortem says.
    pub date: Option<String>,
    pub severity: Option<String>,
    /// Relevance (higher is better; comparable within one answer).
    pub score: f64,
    /// The passage that matched, or the summary.
    pub snippet: String,
    /// The postmortem, relative to the knowledge base.
    pub path: String,
    pub tags: Vec<String>,
    /// The incident as a resource (`resources/read`).
    pub uri: String,
}

impl HitOut {
    fn of(h: Hit) -> HitOut {
        HitOut {
            uri: uri(&h.id),
            id: h.id,
            title: h.title,
            date: h.date,
            severity: h.severity,
            score: decimal(h.score),
            snippet: h.snippet,
            path: h.path,
            tags: h.tags,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct SearchOutput {
    /// How the hits matched: `all` (every word), `near` (every word, after correcting
    /// words no incident has to ones a typo away), `some` (some of the words), or
    /// `none` (no hit).
    pub matched: String,
    /// Best first.
    pub hits: Vec<HitOut>,
}

fn match_name(m: Option<Match>) -> &'static str {
    match m {
        None => "none",
        Some(Match::All) => "all",
        Some(Match::Near) => "near",
        Some(Match::Some) => "some",
        Some(Match::Similar) => "similar",
    }
}

pub(super) fn search(st: &mut State, args: JsonObject) -> Result<Outcome, McpError> {
    let a: SearchInput = parse("search_incidents", args)?;
    let limit = limit("search_incidents", a.limit, 10)?;
    Ok(ran(|| {
        let index = st.index()?;
        let hits = index.search(&a.query, limit).map_err(|e| e.to_string())?;
        let out = SearchOutput {
            matched: match_name(hits.first().map(|h| h.matched)).to_string(),
            hits: hits.into_iter().map(HitOut::of).collect(),
        };
        result(&out, text::search(&a.query, &out))
    }))
}

// ---- similar_incidents ----

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SimilarInput {
    /// A plan, a diff, an error message or a draft postmortem to compare with past
    /// incidents (give this or `id`).
    pub text: Option<String>,
    /// An incident id, to find the others most like it (give this or `text`).
    pub id: Option<String>,
    /// At most this many incidents (1 to 100; default 5).
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
}

/// A past incident like the one asked about.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct SimilarOut {
    #[serde(flatten)]
    pub hit: HitOut,
    /// The words that weigh most in both (as written in the text or incident asked about).
    pub shared: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct SimilarOutput {
    /// Most similar first; `score` is the cosine similarity of their words (0 nothing
    /// shared, 1 the same words; from 0.5 it is likely the same failure).
    pub results: Vec<SimilarOut>,
}

pub(super) fn similar(st: &mut State, args: JsonObject) -> Result<Outcome, McpError> {
    let a: SimilarInput = parse("similar_incidents", args)?;
    let limit = limit("similar_incidents", a.limit, 5)?;
    let asked = match (&a.text, &a.id) {
        (Some(t), None) => Asked::Text(t),
        (None, Some(id)) => Asked::Id(id),
        _ => {
            return Err(McpError::invalid_params(
                "similar_incidents: bad arguments: give exactly one of `text` and `id`",
                None,
            ));
        }
    };
    Ok(ran(|| {
        let index = st.index()?;
        let found = match asked {
            Asked::Id(id) => index.similar(Target::Id(id), limit),
            Asked::Text(t) => {
                let (incident, plain) = described(t)?;
                index.similar(Target::Incident(&incident, &plain), limit)
            }
        }
        .map_err(|e| e.to_string())?;
        let out = SimilarOutput {
            results: found
                .into_iter()
                .map(|Similar { hit, shared }| SimilarOut {
                    hit: HitOut::of(hit),
                    shared,
                })
                .collect(),
        };
        result(&out, text::similar(&out))
    }))
}

enum Asked<'a> {
    Text(&'a str),
    Id(&'a str),
}

/// A free text read as a postmortem is (repaired, parsed), with no id or path of its
/// own, so no indexed incident is taken for it; and its plain text.
fn described(t: &str) -> Result<(crate::incident::Incident, String), String> {
    let ingested = crate::ingest::ingest(t.as_bytes()).map_err(|e| e.to_string())?;
    let doc = crate::document::Document::parse(&ingested.text);
    let mut incident = crate::incident::Incident::from_document("", &doc, &ingested);
    incident.id = String::new();
    incident.path = String::new();
    Ok((incident, doc.plain_text()))
}

// ---- get_incident ----

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct GetInput {
    /// The incident's id, as the other tools give it.
    pub id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct GetOutput {
    pub id: String,
    pub uri: String,
    /// The Incident record, the same JSON as `hindsight parse` prints for it.
    #[schemars(schema_with = "record_schema")]
    pub incident: serde_json::Value,
    /// The postmortem as markdown, with damaged text (mojibake) repaired.
    pub markdown: String,
}

/// The record's main fields; `hindsight parse`'s JSON is the contract.
fn record_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let strings = serde_json::json!({"type": "array", "items": {"type": "string"}});
    schemars::json_schema!({
        "type": "object",
        "description": "An Incident record (see `hindsight parse`).",
        "required": ["id", "path", "title", "summary", "causes", "fixes", "lessons", "tags"],
        "properties": {
            "id": {"type": "string"},
            "path": {"type": "string"},
            "title": {"type": "string"},
            "date": {"type": ["string", "null"]},
            "severity": {"type": ["string", "null"]},
            "status": {"type": ["string", "null"]},
            "summary": {"type": "string"},
            "impact": {"type": "string"},
            "causes": strings,
            "symptoms": strings,
            "fixes": strings,
            "lessons": strings,
            "prevention": strings,
            "commands": strings,
            "tags": strings,
            "timeline": {"type": "array", "items": {"type": "object"}},
        },
    })
}

/// The record and repaired markdown of incident `id`.
pub(super) fn record(st: &mut State, id: &str) -> Result<(serde_json::Value, String), String> {
    let catalog = st.catalog()?;
    let Some(entry) = catalog.get(id) else {
        let hint = catalog
            .closest(id)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return Err(format!(
            "no incident with id `{id}` in the knowledge base{hint}"
        ));
    };
    let file = entry.file.clone();
    let loaded = st.kb.load(&file).map_err(|e| e.to_string())?;
    let markdown = loaded
        .text()
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let value = serde_json::to_value(&loaded.incident).map_err(|e| e.to_string())?;
    Ok((value, markdown))
}

pub(super) fn get(st: &mut State, args: JsonObject) -> Result<Outcome, McpError> {
    let a: GetInput = parse("get_incident", args)?;
    Ok(ran(|| {
        let (incident, markdown) = record(st, &a.id)?;
        let out = GetOutput {
            uri: uri(&a.id),
            id: a.id.clone(),
            incident,
            markdown,
        };
        result(&out, text::record(&out))
    }))
}

// ---- lessons_for ----

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LessonsInput {
    /// Files about to be edited or deployed, relative to the repository root (as rule
    /// globs name them: `scripts/deploy.sh`, `dist/_worker.js`).
    pub paths: Vec<String>,
    /// Optional: the plan or diff, for lessons its words or lines call up.
    pub text: Option<String>,
}

/// What a guard checks.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct GuardOut {
    pub kind: String,
    /// What it flags or requires, in words.
    pub checks: String,
    /// When it applies, if only sometimes.
    pub when: Option<String>,
    /// Where in a change's life it holds: commit, deploy, server.
    pub stages: Vec<String>,
}

/// An active rule that applies.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct LessonOut {
    pub rule: String,
    pub title: String,
    /// `error` (fails `check`) or `warning`.
    pub severity: String,
    /// What to do.
    #[serde(rename = "do")]
    pub do_: Option<String>,
    /// What not to do.
    pub dont: Option<String>,
    /// What happened when it was broken.
    pub why: String,
    /// Ids of the incidents it was learned from.
    pub incidents: Vec<String>,
    /// Which of the given paths it applies to.
    pub paths: Vec<String>,
    /// Why it applies: `applies_to <glob>`, `<kind> guard`, `tag <tag>` (a tag of one
    /// of its incidents, held by at most half of all incidents, named in a path or the
    /// text), or the text having a line its guard flags.
    pub matched_by: Vec<String>,
    /// True when a guard checks it (`check` enforces it).
    pub guarded: bool,
    pub guards: Vec<GuardOut>,
    /// The rule file.
    pub file: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct LessonsOutput {
    /// Those matched by a file glob, a guard or the text first, then those matched by
    /// a tag only; each group by rule id.
    pub lessons: Vec<LessonOut>,
    /// Active rules in the knowledge base.
    pub active_rules: usize,
}

fn load_rules(st: &State) -> Result<Vec<LoadedRule>, String> {
    check::load_rules(&st.kb.rules_dir()).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The lessons for `paths` and `text`.
pub(super) fn lessons_of(
    st: &mut State,
    paths: &[String],
    text: Option<&str>,
) -> Result<LessonsOutput, String> {
    let rules = load_rules(st)?;
    let catalog = st.catalog()?;
    let tags: HashMap<&str, &[String]> = catalog
        .entries()
        .map(|e| (e.id.as_str(), e.tags.as_slice()))
        .collect();
    let cwd = std::env::current_dir().ok();
    let paths: Vec<String> = paths
        .iter()
        .map(|p| lessons::normalize(p, cwd.as_deref()))
        .collect();
    let found = lessons::applicable(&rules, &paths, text, &tags);
    let active = rules
        .iter()
        .filter(|r| r.rule.status == crate::rules::model::RuleStatus::Active)
        .count();
    Ok(LessonsOutput {
        lessons: found
            .into_iter()
            .map(|a| {
                let r = &a.rule.rule;
                LessonOut {
                    rule: r.id.clone(),
                    title: r.title.clone(),
                    severity: r.severity.as_str().to_string(),
                    do_: r.do_.clone(),
                    dont: r.dont.clone(),
                    why: r.why.clone(),
                    incidents: r.incidents.clone(),
                    paths: a.paths.clone(),
                    matched_by: a.reasons.iter().map(lessons::Reason::describe).collect(),
                    guarded: !r.guards.is_empty(),
                    guards: r
                        .guards
                        .iter()
                        .map(|g| GuardOut {
                            kind: g.kind().to_string(),
                            checks: g.describe(),
                            when: g.describe_when(),
                            stages: g.stages().iter().map(|s| s.as_str().to_string()).collect(),
                        })
                        .collect(),
                    file: st.kb.relative(&a.rule.file),
                }
            })
            .collect(),
        active_rules: active,
    })
}

pub(super) fn lessons_for(st: &mut State, args: JsonObject) -> Result<Outcome, McpError> {
    let a: LessonsInput = parse("lessons_for", args)?;
    if a.paths.is_empty() && a.text.is_none() {
        return Err(McpError::invalid_params(
            "lessons_for: bad arguments: give `paths` (and optionally `text`)",
            None,
        ));
    }
    Ok(ran(|| {
        let out = lessons_of(st, &a.paths, a.text.as_deref())?;
        result(&out, text::lessons(&out))
    }))
}

// ---- check ----

/// A point in a change's life.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum StageArg {
    /// A checkout about to be committed.
    Commit,
    /// A build about to be deployed: repository and build output.
    Deploy,
    /// A deployed checkout on a server, where uncommitted edits are drift.
    Server,
}

impl From<StageArg> for Stage {
    fn from(s: StageArg) -> Stage {
        match s {
            StageArg::Commit => Stage::Commit,
            StageArg::Deploy => Stage::Deploy,
            StageArg::Server => Stage::Server,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CheckInput {
    /// The repository or build output folder to check (relative to the server's
    /// working folder, as `hindsight check TARGET`).
    pub target: String,
    /// Only the guards that hold at this stage (default: every stage but `server`).
    pub stage: Option<StageArg>,
}

/// One finding, as `hindsight check --format json` writes it.
#[derive(Debug, Serialize, JsonSchema)]
#[allow(dead_code)]
struct FindingShape {
    /// The rule's id.
    rule: String,
    /// The incidents the rule was learned from.
    incidents: Vec<String>,
    /// Relative to the target; `.` for a guard that was not run.
    path: String,
    /// 1-based; 0 for a whole file or folder.
    line: usize,
    column: usize,
    /// `error`, `warning`, or `note` for a guard that was not run.
    severity: String,
    /// The guard's kind.
    kind: String,
    message: String,
    /// The guard could not be evaluated, so it failed closed.
    unevaluated: bool,
    /// Present (true) for a guard that was not run: command guards never run here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    skipped: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct CheckOutput {
    pub target: String,
    /// Exactly what `hindsight check --format json` prints for the same target.
    #[schemars(with = "Vec<FindingShape>")]
    pub findings: Vec<serde_json::Value>,
    /// True when `check` would exit 1: a finding at error level, or a guard that
    /// failed closed.
    pub failed: bool,
    pub rules: usize,
    pub guards: usize,
    pub files_scanned: usize,
    /// Findings silenced by an inline `hindsight: allow`.
    pub suppressed: usize,
}

/// The findings of `report` in `check --format json`'s form, from its own reporter.
fn findings_json(
    rules: &[LoadedRule],
    report: &check::Report,
) -> Result<Vec<serde_json::Value>, String> {
    let incidents = |id: &str| {
        rules
            .iter()
            .find(|r| r.rule.id == id)
            .map_or_else(Vec::new, |r| r.rule.incidents.clone())
    };
    let mut buf = Vec::new();
    {
        let mut reporter = crate::report::reporter(
            crate::report::Format::Json,
            Box::new(&mut buf),
            None,
            "check",
            Vec::new(),
        );
        for f in &report.findings {
            reporter
                .diagnostic(&Diagnostic {
                    code: f.rule.clone(),
                    level: f.severity,
                    title: f.message.clone(),
                    path: f.path.clone(),
                    line: f.line,
                    column: f.column,
                    end_column: f.end_column,
                    source_line: f.source_line.clone(),
                    label: None,
                    notes: Vec::new(),
                    help: None,
                    origin: Origin::Guard {
                        incidents: f.incidents.clone(),
                        kind: f.kind,
                        unevaluated: f.unevaluated,
                    },
                })
                .map_err(|e| e.to_string())?;
        }
        for s in &report.skipped {
            reporter
                .notice(&Notice {
                    rule: s.rule.clone(),
                    incidents: incidents(&s.rule),
                    kind: s.kind,
                    message: s.reason.clone(),
                })
                .map_err(|e| e.to_string())?;
        }
        reporter
            .finish(!report.findings.iter().any(|f| f.unevaluated))
            .map_err(|e| e.to_string())?;
    }
    serde_json::from_slice(&buf).map_err(|e| e.to_string())
}

pub(super) fn check(st: &mut State, args: JsonObject) -> Result<Outcome, McpError> {
    let a: CheckInput = parse("check", args)?;
    Ok(ran(|| {
        let target = PathBuf::from(&a.target);
        folder(&target)?;
        let rules = load_rules(st)?;
        let opts = Options {
            allow_commands: false,
            only: Vec::new(),
            stage: a.stage.map(Stage::from),
        };
        let report = check::check(&rules, &target, &opts).map_err(|e| e.to_string())?;
        let out = CheckOutput {
            target: a.target.clone(),
            findings: findings_json(&rules, &report)?,
            failed: report.failed(),
            rules: report.rules,
            guards: report.guards,
            files_scanned: report.files_scanned,
            suppressed: report.suppressed,
        };
        result(&out, text::check(&out))
    }))
}

/// `target` is a folder, or why not.
fn folder(target: &Path) -> Result<(), String> {
    match std::fs::metadata(target) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(format!(
            "{}: not a folder; check takes a repository or build output folder",
            target.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("{}: no such folder", target.display()))
        }
        Err(e) => Err(format!("{}: {e}", target.display())),
    }
}
