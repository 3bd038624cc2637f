//! The short text each tool returns beside its structured result: what a person (or
//! an agent that ignores structured content) reads, a line or two per item.

use std::fmt::Write;

use super::tools::{CheckOutput, GetOutput, HitOut, LessonsOutput, SearchOutput, SimilarOutput};

fn hit_line(o: &mut String, n: usize, h: &HitOut) {
    let meta: Vec<&str> = [h.date.as_deref(), h.severity.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let meta = if meta.is_empty() {
        String::new()
    } else {
        format!(" ({})", meta.join(", "))
    };
    let _ = writeln!(o, "{n}. {} — {}{meta} [score {}]", h.id, h.title, h.score);
    if !h.snippet.is_empty() {
        let _ = writeln!(o, "   {}", h.snippet);
    }
}

pub(super) fn search(query: &str, out: &SearchOutput) -> String {
    let mut o = String::new();
    let how = match out.matched.as_str() {
        "near" => " (within one typo of the words)",
        "some" => " (matching some of the words)",
        _ => "",
    };
    if out.hits.is_empty() {
        let _ = writeln!(o, "No past incident matches `{query}`.");
    } else {
        let _ = writeln!(o, "{} past incident(s) for `{query}`{how}:", out.hits.len());
    }
    for (i, h) in out.hits.iter().enumerate() {
        hit_line(&mut o, i + 1, h);
    }
    o
}

pub(super) fn similar(out: &SimilarOutput) -> String {
    let mut o = String::new();
    if out.results.is_empty() {
        o.push_str("No past incident shares enough words to compare.\n");
    }
    for (i, s) in out.results.iter().enumerate() {
        hit_line(&mut o, i + 1, &s.hit);
        if !s.shared.is_empty() {
            let _ = writeln!(o, "   shared: {}", s.shared.join(", "));
        }
    }
    o
}

pub(super) fn record(out: &GetOutput) -> String {
    let field = |k: &str| out.incident.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let mut o = String::new();
    let _ = writeln!(o, "{} — {}", out.id, field("title"));
    for k in ["date", "severity", "status"] {
        if !field(k).is_empty() {
            let _ = writeln!(o, "{k}: {}", field(k));
        }
    }
    if !field("summary").is_empty() {
        let _ = writeln!(o, "{}", field("summary"));
    }
    for (k, label) in [("causes", "cause"), ("lessons", "lesson")] {
        if let Some(items) = out.incident.get(k).and_then(|v| v.as_array()) {
            for s in items.iter().filter_map(|v| v.as_str()).take(5) {
                let _ = writeln!(o, "{label}: {s}");
            }
        }
    }
    let _ = writeln!(
        o,
        "(full markdown, {} bytes, in the structured result and at {})",
        out.markdown.len(),
        out.uri
    );
    o
}

pub(super) fn lessons(out: &LessonsOutput) -> String {
    let mut o = String::new();
    if out.lessons.is_empty() {
        let _ = writeln!(
            o,
            "No lesson among the {} active rules applies to these files.",
            out.active_rules
        );
    }
    for l in &out.lessons {
        let advice = l.dont.as_deref().or(l.do_.as_deref()).unwrap_or(&l.title);
        let guard = if l.guarded {
            "; `check` enforces it"
        } else {
            ""
        };
        let _ = writeln!(o, "- [{}] {advice} ({}{guard})", l.severity, l.rule);
        if !l.why.is_empty() {
            let _ = writeln!(o, "  why: {}", l.why);
        }
        let _ = writeln!(
            o,
            "  from: {}; matched by {}",
            l.incidents.join(", "),
            l.matched_by.join(", ")
        );
    }
    o
}

pub(super) fn check(out: &CheckOutput) -> String {
    let mut o = String::new();
    let found: Vec<&serde_json::Value> = out
        .findings
        .iter()
        .filter(|f| f.get("skipped").is_none())
        .collect();
    let head = if found.is_empty() {
        "clean".to_string()
    } else {
        format!("{} finding(s)", found.len())
    };
    let _ = writeln!(
        o,
        "check {}: {head}; {} rules, {} guards, {} files searched, {} suppressed",
        out.target, out.rules, out.guards, out.files_scanned, out.suppressed
    );
    let s = |f: &serde_json::Value, k: &str| {
        f.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    for f in &out.findings {
        let line = f.get("line").and_then(|v| v.as_u64()).unwrap_or(0);
        let at = if line > 0 {
            format!("{}:{line}", s(f, "path"))
        } else {
            s(f, "path")
        };
        let _ = writeln!(
            o,
            "{} {at}: {} [{}]",
            s(f, "severity"),
            s(f, "message"),
            s(f, "rule")
        );
    }
    o
}
