//! The "pre-deploy review" prompt: for the files of a change, the lessons that apply
//! and the guards that check them, with what to do before deploying.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Deserialize;

use super::state::State;
use super::tools::{LessonsOutput, lessons_of};

#[derive(Debug, Deserialize, JsonSchema)]
pub(super) struct ReviewArgs {
    /// The files the change touches, separated by commas, spaces or new lines.
    pub paths: String,
    /// Optional: the folder about to be deployed (the repository or its build output).
    pub target: Option<String>,
}

/// The review text for `args`.
pub(super) fn review(st: &mut State, args: &ReviewArgs) -> Result<String, String> {
    let paths: Vec<String> = args
        .paths
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    if paths.is_empty() {
        return Err("pre_deploy_review: `paths` names no file".into());
    }
    let found = lessons_of(st, &paths, None)?;
    Ok(render(&paths, args.target.as_deref(), &found))
}

fn render(paths: &[String], target: Option<&str>, found: &LessonsOutput) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Review this change before it is deployed, against what past incidents taught.\n\nFiles in the change: {}\n",
        paths.join(", ")
    );
    if found.lessons.is_empty() {
        let _ = writeln!(
            o,
            "None of the {} active lessons in the knowledge base names these files.",
            found.active_rules
        );
    } else {
        let _ = writeln!(o, "Lessons that apply:");
        for l in &found.lessons {
            let advice = l.dont.as_deref().or(l.do_.as_deref()).unwrap_or(&l.title);
            let _ = writeln!(o, "- {advice} (rule {}, {})", l.rule, l.severity);
            if !l.why.is_empty() {
                let _ = writeln!(o, "  Why: {}", l.why);
            }
            let _ = writeln!(o, "  Learned from: {}", l.incidents.join(", "));
            for g in &l.guards {
                let when = g
                    .when
                    .as_deref()
                    .map(|w| format!(", {w}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "  Guard ({}, at {}): {}{when}",
                    g.kind,
                    g.stages.join("/"),
                    g.checks
                );
            }
        }
    }
    let _ = writeln!(o, "\nBefore deploying:");
    let _ = writeln!(
        o,
        "1. Read the change against each lesson above; say which it could break and how."
    );
    let target = target.unwrap_or("the folder being deployed");
    let _ = writeln!(
        o,
        "2. Call the `check` tool on {target} with stage `deploy`; fix every finding, or say why it does not apply."
    );
    let _ = writeln!(
        o,
        "3. Call `similar_incidents` with a description of the change; read any incident scoring 0.3 or more (`get_incident`) and say whether this change could repeat it."
    );
    o
}
