//! Rule files as TOML, written by hand so they read well and never change for nothing:
//! patterns in literal strings, one key per line, stable order.

use std::fmt::Write;

use super::model::{Check, Guard, Rule};

/// A TOML string: literal (`'...'`) when it can be, so patterns keep their backslashes.
fn string(s: &str) -> String {
    if !s.contains('\'') && !s.chars().any(|c| c.is_control() && c != '\t') {
        return format!("'{s}'");
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Plain values read better with double quotes; only patterns need literal strings.
fn text(s: &str) -> String {
    if s.contains('"') || s.contains('\\') || s.chars().any(char::is_control) {
        string(s)
    } else {
        format!("\"{s}\"")
    }
}

fn list(items: &[String], quote: fn(&str) -> String) -> String {
    let parts: Vec<String> = items.iter().map(|s| quote(s)).collect();
    let one_line = format!("[{}]", parts.join(", "));
    if one_line.len() <= 80 {
        return one_line;
    }
    let mut out = String::from("[\n");
    for p in parts {
        let _ = writeln!(out, "    {p},");
    }
    out.push(']');
    out
}

/// The keys of one `[[guard]]` table.
fn guard_toml(o: &mut String, g: &Guard) {
    let _ = writeln!(o, "kind = \"{}\"", g.kind());
    match &g.check {
        Check::ForbidPattern { pattern, files } | Check::RequirePattern { pattern, files } => {
            let _ = writeln!(o, "pattern = {}", string(pattern));
            let _ = writeln!(o, "files = {}", list(files, string));
        }
        Check::RequireFile { path, min_size } => {
            let _ = writeln!(o, "path = {}", text(path));
            if let Some(s) = min_size {
                let _ = writeln!(o, "min_size = \"{s}\"");
            }
        }
        Check::ForbidFile { files } => {
            let _ = writeln!(o, "files = {}", list(files, string));
        }
        Check::GitClean { repo, untracked } => {
            if let Some(r) = repo {
                let _ = writeln!(o, "repo = {}", text(r));
            }
            if *untracked {
                let _ = writeln!(o, "untracked = true");
            }
        }
        Check::Command { argv, cwd, timeout } => {
            let _ = writeln!(o, "argv = {}", list(argv, text));
            if let Some(c) = cwd {
                let _ = writeln!(o, "cwd = {}", text(c));
            }
            let _ = writeln!(o, "timeout = {timeout}");
        }
    }
    if let Some(m) = g.message() {
        let _ = writeln!(o, "message = {}", text(m));
    }
    if !g.stages.is_empty() {
        let names: Vec<String> = g.stages.iter().map(|s| s.as_str().to_string()).collect();
        let _ = writeln!(o, "stage = {}", list(&names, text));
    }
    if !g.when.exists.is_empty() {
        let _ = writeln!(o, "when.exists = {}", list(&g.when.exists, string));
    }
    if !g.when.contains.is_empty() {
        let items: Vec<String> = g
            .when
            .contains
            .iter()
            .map(|c| {
                format!(
                    "{{ files = {}, pattern = {} }}",
                    list(&c.files, string),
                    string(&c.pattern)
                )
            })
            .collect();
        let _ = writeln!(o, "when.contains = [{}]", items.join(", "));
    }
}

/// The TOML text of a rule (without the generated-file marker).
pub fn rule_toml(r: &Rule) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "id = {}", text(&r.id));
    let _ = writeln!(o, "title = {}", text(&r.title));
    let _ = writeln!(o, "severity = \"{}\"", r.severity.as_str());
    let _ = writeln!(o, "status = \"{}\"", r.status.as_str());
    let _ = writeln!(o, "why = {}", text(&r.why));
    if let Some(d) = &r.do_ {
        let _ = writeln!(o, "do = {}", text(d));
    }
    if let Some(d) = &r.dont {
        let _ = writeln!(o, "dont = {}", text(d));
    }
    if !r.steps.is_empty() {
        let _ = writeln!(o, "steps = {}", list(&r.steps, text));
    }
    let _ = writeln!(o, "incidents = {}", list(&r.incidents, text));
    if !r.applies_to.is_empty() {
        let _ = writeln!(o, "applies_to = {}", list(&r.applies_to, string));
    }
    for s in &r.sources {
        let _ = writeln!(o, "\n[[source]]");
        let _ = writeln!(o, "incident = {}", text(&s.incident));
        let _ = writeln!(o, "path = {}", text(&s.path));
        let _ = writeln!(o, "line = {}", s.line);
        let _ = writeln!(o, "text = {}", text(&s.text));
    }
    for g in &r.guards {
        let _ = writeln!(o, "\n[[guard]]");
        guard_toml(&mut o, g);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::model::{Contains, Level, RuleStatus, Size, Source, Stage, When, parse_rule};
    use std::path::Path;

    #[test]
    fn renders_and_reads_back() {
        let r = Rule {
            id: "no-rsync-delete".into(),
            title: "Never use `rsync --delete` in production".into(),
            severity: Level::Error,
            status: RuleStatus::Proposed,
            why: "It \"deleted\" the backend.".into(),
            do_: None,
            dont: Some("Never use `rsync --delete` in production".into()),
            steps: Vec::new(),
            incidents: vec!["a".into(), "b".into()],
            applies_to: vec!["**/*.sh".into()],
            sources: vec![Source {
                incident: "a".into(),
                path: "incidents/a.md".into(),
                line: 3,
                text: "x".into(),
            }],
            guards: vec![
                Guard::new(Check::ForbidPattern {
                    pattern: r#"(?m)^[^#\n]*\brsync\b[^\n]*?\s(?:--delete)(?:[\s=;|&)"']|$)"#
                        .into(),
                    files: (0..12).map(|i| format!("**/*.ext{i}")).collect(),
                }),
                Guard {
                    when: When {
                        exists: vec!["dist".into()],
                        contains: vec![Contains {
                            files: vec!["wrangler.toml".into()],
                            pattern: "pages_build_output_dir".into(),
                        }],
                    },
                    stages: vec![Stage::Deploy],
                    message: Some("the worker".into()),
                    ..Guard::new(Check::RequireFile {
                        path: "dist/_worker.js".into(),
                        min_size: Some(Size(100_000)),
                    })
                },
                Guard::new(Check::Command {
                    argv: vec!["npm".into(), "run".into(), "build".into()],
                    cwd: None,
                    timeout: 300,
                }),
                Guard::new(Check::GitClean {
                    repo: None,
                    untracked: false,
                }),
            ],
        };
        let t = rule_toml(&r);
        assert!(
            t.contains("pattern = \"(?m)^[^#\\\\n]*"),
            "has a quote, so a basic string: {t}"
        );
        assert_eq!(parse_rule(Path::new("x.toml"), &t).unwrap(), r);
        assert_eq!(
            rule_toml(&parse_rule(Path::new("x.toml"), &t).unwrap()),
            t,
            "stable"
        );
    }
}
