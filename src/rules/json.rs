//! `hindsight rules --json`: the compiled rules as scripts and reviews read them, each
//! with the text an agent is told.

use serde::Serialize;

use super::agents::instruction;
use super::model::{Guard, Level, Rule, RuleStatus, Source};

#[derive(Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    status: RuleStatus,
    severity: Level,
    title: &'a str,
    #[serde(rename = "do")]
    do_: Option<&'a str>,
    dont: Option<&'a str>,
    steps: &'a [String],
    why: &'a str,
    incidents: &'a [String],
    applies_to: &'a [String],
    sources: &'a [Source],
    guards: &'a [Guard],
    /// The line AGENTS.md gives the rule (active rules only reach it).
    agent_text: String,
}

/// The rules as a pretty JSON array, sorted by id, ending in a newline.
pub fn to_json(rules: &[Rule]) -> String {
    let mut sorted: Vec<&Rule> = rules.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let view: Vec<RuleJson> = sorted
        .into_iter()
        .map(|r| RuleJson {
            id: &r.id,
            status: r.status,
            severity: r.severity,
            title: &r.title,
            do_: r.do_.as_deref(),
            dont: r.dont.as_deref(),
            steps: &r.steps,
            why: &r.why,
            incidents: &r.incidents,
            applies_to: &r.applies_to,
            sources: &r.sources,
            guards: &r.guards,
            agent_text: instruction(r),
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&view).expect("rules serialise");
    s.push('\n');
    s
}
