//! The rule model: what a `rules/<id>.toml` file holds, and reading it back with errors
//! that name the file and line.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use super::guard::{Check, Contains, Guard, Stage, When};
pub use crate::config::{Key, toml_line};
pub use crate::report::Level;

/// One rule: a lesson from one or more incidents, with the checks that enforce it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// `error` (fails `check`) or `warning`.
    #[serde(default = "default_severity")]
    pub severity: Level,
    /// `active` rules reach agent files and `check`; `proposed` ones wait for a person.
    #[serde(default)]
    pub status: RuleStatus,
    /// Why the rule exists: what happened when it was broken.
    #[serde(default)]
    pub why: String,
    /// What to do, for agents (imperative).
    #[serde(default, rename = "do", skip_serializing_if = "Option::is_none")]
    pub do_: Option<String>,
    /// What not to do, for agents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dont: Option<String>,
    /// The lesson's own steps (the items nested under it in the postmortem).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    /// Ids of the incidents it comes from, sorted.
    #[serde(default)]
    pub incidents: Vec<String>,
    /// Globs of files the lesson is about (scopes agent rules, e.g. Cursor `globs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
    /// Where in the postmortems the lesson is written.
    #[serde(default, rename = "source", skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(default, rename = "guard", skip_serializing_if = "Vec::is_empty")]
    pub guards: Vec<Guard>,
}

fn default_severity() -> Level {
    Level::Error
}

/// Whether a rule is in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    /// In agent files, enforced by `check`.
    #[default]
    Active,
    /// Compiled and kept in `rules/`, listed for review, enforced by nothing.
    Proposed,
}

impl RuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Active => "active",
            RuleStatus::Proposed => "proposed",
        }
    }
}

/// A statement in a postmortem a rule was compiled from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub incident: String,
    pub path: String,
    pub line: usize,
    pub text: String,
}

/// A size in bytes, written as a number or `"100 KB"`, `"1KiB"`, `"2 MB"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b >= 1024 * 1024 && b.is_multiple_of(1024 * 1024) {
            write!(f, "{} MiB", b / (1024 * 1024))
        } else if b >= 1000 && b.is_multiple_of(1000) {
            write!(f, "{} KB", b / 1000)
        } else if b >= 1024 && b.is_multiple_of(1024) {
            write!(f, "{} KiB", b / 1024)
        } else {
            write!(f, "{b} bytes")
        }
    }
}

impl Size {
    /// Parse `100 KB`, `100KiB`, `1.5 MB`, `512 bytes`, `4096`.
    pub fn parse(s: &str) -> Option<Size> {
        let t = s.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: f64 = num.parse().ok()?;
        let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" | "byte" | "bytes" => 1.0,
            "k" | "kb" | "kilobyte" | "kilobytes" => 1000.0,
            "kib" => 1024.0,
            "m" | "mb" | "megabyte" | "megabytes" => 1_000_000.0,
            "mib" => 1024.0 * 1024.0,
            "g" | "gb" => 1e9,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            _ => return None,
        };
        Some(Size((n * mult).round() as u64))
    }
}

impl Serialize for Size {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Size, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Size(n)),
            Raw::S(s) => Size::parse(&s).ok_or_else(|| {
                serde::de::Error::custom(format!("not a size: {s:?} (try \"100 KB\")"))
            }),
        }
    }
}

/// A rule file that could not be read.
#[derive(Debug)]
pub struct RuleError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RuleError {}

/// The `*.toml` files directly in `dir`, sorted by name (the rule files of a rules
/// folder).
pub fn rule_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// A rule file, read and parsed.
#[derive(Debug)]
pub struct RuleFile {
    pub path: std::path::PathBuf,
    pub text: String,
    pub rule: Rule,
}

/// Read and parse each of `files` (see `rule_files`) whose text `keep` accepts, in
/// order. Every file that cannot be read or parsed is an error, as is an id an earlier
/// file used; all are collected.
pub fn read_rule_files(
    files: Vec<std::path::PathBuf>,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<RuleFile>, Vec<RuleError>> {
    let mut read: Vec<RuleFile> = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(RuleError {
                    path,
                    line: None,
                    column: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        if !keep(&text) {
            continue;
        }
        let rule = match parse_rule(&path, &text) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(first) = read.iter().find(|f| f.rule.id == rule.id) {
            errors.push(RuleError {
                message: format!(
                    "rule id {:?} is also used by {}",
                    rule.id,
                    first.path.display()
                ),
                path,
                line: Some(1),
                column: None,
            });
            continue;
        }
        read.push(RuleFile { path, text, rule });
    }
    if errors.is_empty() {
        Ok(read)
    } else {
        Err(errors)
    }
}

/// Parse a rule from TOML `text` read from `path`, checking what serde cannot:
/// patterns compile, lists are not empty, the id is a slug.
pub fn parse_rule(path: &Path, text: &str) -> Result<Rule, RuleError> {
    let err = |line: Option<usize>, column: Option<usize>, message: String| RuleError {
        path: path.to_path_buf(),
        line,
        column,
        message,
    };
    let rule: Rule = toml::from_str(text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (line, col)
            })
            .map_or((None, None), |(l, c)| match key_line(text, e.message()) {
                Some(k) => (Some(k), None),
                None => (Some(l), Some(c)),
            });
        err(line, col, e.message().to_string())
    })?;
    if !is_rule_id(&rule.id) {
        return Err(err(
            toml_line(text, &[Key::Name("id")]),
            None,
            format!("rule id {:?} must be letters, digits, '-' or '_'", rule.id),
        ));
    }
    validate_guards(&rule.guards).map_err(|p| err(p.line_in(text), None, p.message))?;
    Ok(rule)
}

/// A guard's own errors (a kind it does not know, a key its kind does not take) are
/// reported by toml at the guards' array; the line of the guard and key they name says
/// more: `unknown guard kind `x``, `a `k` guard takes no `key``, `a `k` guard needs ...`.
fn key_line(text: &str, message: &str) -> Option<usize> {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let (kind, key) = if message.starts_with("unknown guard kind") {
        (*quoted.first()?, "kind")
    } else if message.contains(" takes no ") {
        (*quoted.first()?, *quoted.get(1)?)
    } else if message.contains(" needs ") {
        (*quoted.first()?, "kind")
    } else {
        return None;
    };
    let doc = toml::de::DeTable::parse(text).ok()?;
    let (_, guards) = doc.get_ref().iter().find(|(k, _)| k.get_ref() == "guard")?;
    let toml::de::DeValue::Array(guards) = guards.get_ref() else {
        return None;
    };
    let i = guards.iter().position(|g| {
        let toml::de::DeValue::Table(t) = g.get_ref() else {
            return false;
        };
        let has = |name: &str| t.iter().any(|(k, _)| k.get_ref() == name);
        let kind_is = t.iter().any(|(k, v)| {
            k.get_ref() == "kind"
                && matches!(v.get_ref(), toml::de::DeValue::String(s) if s.as_ref() == kind)
        });
        kind_is && has(key)
    })?;
    toml_line(text, &[Key::Name("guard"), Key::Index(i), Key::Name(key)])
}

/// True when `id` can name a rule and its files: ASCII letters, digits, `-` and `_`,
/// so no id (from a rule file or a postmortem's block) can reach outside its folder.
pub fn is_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// What is wrong with one guard: which guard (its index in `[[guard]]`), which key,
/// and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardProblem {
    pub guard: usize,
    pub key: &'static str,
    pub message: String,
}

impl GuardProblem {
    /// The 1-based line of the key in the TOML `text` the guards were read from, else
    /// of the guard's own header.
    pub fn line_in(&self, text: &str) -> Option<usize> {
        let at = [Key::Name("guard"), Key::Index(self.guard)];
        let key = |k| toml_line(text, &[at[0], at[1], Key::Name(k)]);
        // `when.exists` may be written with its older name.
        let older = (self.key == "when").then(|| key("if_exists")).flatten();
        key(self.key).or(older).or_else(|| toml_line(text, &at))
    }
}

/// Check what serde cannot: patterns compile within the size limit, lists are not
/// empty, globs parse, and every path stays inside the target.
pub fn validate_guards(guards: &[Guard]) -> Result<(), GuardProblem> {
    for (i, g) in guards.iter().enumerate() {
        validate_guard(g).map_err(|(key, message)| GuardProblem {
            guard: i,
            key,
            message,
        })?;
    }
    Ok(())
}

fn validate_guard(g: &Guard) -> Result<(), (&'static str, String)> {
    let path_in =
        |key: &'static str, p: &str| inside_target(p).map_err(|m| (key, format!("`{key}` {m}")));
    match &g.check {
        Check::ForbidPattern { pattern, files } | Check::RequirePattern { pattern, files } => {
            compile_pattern(pattern).map_err(|m| ("pattern", m))?;
            if files.is_empty() {
                return Err((
                    "files",
                    "`files` is empty: say which files to search".into(),
                ));
            }
            check_globs(files).map_err(|m| ("files", m))?;
        }
        Check::ForbidFile { files } => {
            if files.is_empty() {
                return Err(("files", "`files` is empty".into()));
            }
            check_globs(files).map_err(|m| ("files", m))?;
        }
        Check::RequireFile { path, .. } if path.trim().is_empty() => {
            return Err(("path", "`path` is empty".into()));
        }
        Check::RequireFile { path, .. } => path_in("path", path)?,
        Check::Command { argv, .. } if argv.is_empty() => {
            return Err(("argv", "`argv` is empty".into()));
        }
        Check::Command { cwd: Some(c), .. } => path_in("cwd", c)?,
        Check::GitClean { repo: Some(r), .. } => path_in("repo", r)?,
        Check::Command { .. } | Check::GitClean { .. } => {}
    }
    check_globs(&g.when.exists).map_err(|m| ("when", m))?;
    for c in &g.when.contains {
        check_globs(&c.files).map_err(|m| ("when", m))?;
        compile_pattern(&c.pattern).map_err(|m| ("when", m))?;
    }
    Ok(())
}

/// The most memory one guard's compiled pattern may take. The regex crate's own
/// limit is 10 MiB; a guard is a line-sized pattern, and a pattern near the limit
/// (`(?:\w+\s*){1,200}`) makes every search of a large file slow.
pub const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// `pattern` compiled as `check` compiles it, or why it cannot be.
pub fn compile_pattern(pattern: &str) -> Result<regex::bytes::Regex, String> {
    regex::bytes::RegexBuilder::new(pattern)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let msg = e.to_string();
            let last = msg.lines().last().unwrap_or("").trim();
            let last = last.trim_start_matches("error: ");
            if matches!(e, regex::Error::CompiledTooBig(_)) {
                format!(
                    "pattern is too large once compiled (over {} KiB): narrow its repetitions or classes",
                    PATTERN_SIZE_LIMIT >> 10
                )
            } else {
                format!("pattern does not compile: {last}")
            }
        })
}

/// Why `path` (a target-relative path or glob) could name something outside the
/// target, if it could: absolute paths, `~`, drive letters and `..` segments.
pub fn inside_target(path: &str) -> Result<(), String> {
    let p = path.trim();
    if p.starts_with(['/', '\\', '~']) || p.as_bytes().get(1) == Some(&b':') {
        return Err(format!(
            "{path:?} is absolute; paths are relative to the target"
        ));
    }
    if p.split(['/', '\\']).any(|seg| seg == "..") {
        return Err(format!(
            "{path:?} leaves the target (`..`); paths are relative to the target"
        ));
    }
    if p.contains('\0') {
        return Err(format!("{path:?} holds a NUL byte"));
    }
    Ok(())
}

fn check_globs(globs: &[String]) -> Result<(), String> {
    for g in globs {
        inside_target(g)?;
        globset::Glob::new(g).map_err(|e| format!("bad glob {g:?}: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = r#"
id = "no-rsync-delete"
title = "Never use `rsync --delete` in deployment scripts"
severity = "error"
why = "A deploy with rsync --delete wiped the backend."
incidents = ["fluxstudio"]

[[guard]]
kind = "forbid-pattern"
pattern = '\brsync\b[^\n]*\s--delete\b'
files = ["**/*.sh", "**/Makefile"]

[[guard]]
kind = "require-file"
path = "dist/_worker.js"
min_size = "100 KB"
"#;

    #[test]
    fn round_trip() {
        let r = parse_rule(Path::new("rules/x.toml"), RULE).unwrap();
        assert_eq!(r.guards.len(), 2);
        assert!(matches!(
            r.guards[1].check,
            Check::RequireFile {
                min_size: Some(Size(100_000)),
                ..
            }
        ));
        let back = toml::to_string(&r).unwrap();
        assert_eq!(parse_rule(Path::new("x"), &back).unwrap(), r);
    }

    #[test]
    fn errors_name_file_and_line() {
        let bad = RULE.replace("kind = \"require-file\"", "kind = \"require-fiel\"");
        let e = parse_rule(Path::new("rules/x.toml"), &bad).unwrap_err();
        assert_eq!(e.path, Path::new("rules/x.toml"));
        assert_eq!(e.line, Some(14), "{e}");
        assert!(e.to_string().starts_with("rules/x.toml:14"), "{e}");

        let bad = RULE.replace(r"\brsync\b[^\n]*\s--delete\b", r"(unclosed");
        let e = parse_rule(Path::new("r.toml"), &bad).unwrap_err();
        assert_eq!(e.line, Some(10), "{e}");
        assert!(e.message.contains("does not compile"), "{e}");

        let e = parse_rule(Path::new("r.toml"), "id = \"x\"\ntitle = 1\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn sizes() {
        assert_eq!(Size::parse("100 KB"), Some(Size(100_000)));
        assert_eq!(Size::parse("1KiB"), Some(Size(1024)));
        assert_eq!(Size::parse("2.5 MB"), Some(Size(2_500_000)));
        assert_eq!(Size::parse("12 parsecs"), None);
        assert_eq!(Size(100_000).to_string(), "100 KB");
    }
}

#[cfg(test)]
mod confinement_tests {
    use super::*;

    fn rule_with(guard: &str) -> String {
        format!("id = \"x\"\ntitle = \"t\"\n\n[[guard]]\n{guard}\n")
    }

    /// Every path a guard names stays inside the target, and the error points at the
    /// line of the key that names it.
    #[test]
    fn paths_that_leave_the_target_are_refused() {
        for guard in [
            "kind = \"require-file\"\npath = \"../../../../etc/passwd\"",
            "kind = \"require-file\"\npath = \"/etc/passwd\"",
            "kind = \"require-file\"\npath = \"C:\\\\Windows\"",
            "kind = \"forbid-file\"\nfiles = [\"../*\"]",
            "kind = \"forbid-pattern\"\nfiles = [\"a/../../b\"]\npattern = \"x\"",
            "kind = \"command\"\ncwd = \"/\"\nargv = [\"true\"]",
            "kind = \"git-clean\"\nrepo = \"../g1\"",
            "kind = \"forbid-file\"\nif_exists = [\"~/.ssh/id_rsa\"]\nfiles = [\"a\"]",
        ] {
            let text = rule_with(guard);
            let e = parse_rule(Path::new("r.toml"), &text).unwrap_err();
            assert_eq!(e.line, Some(6), "{guard}: {e}");
            assert!(e.message.contains("relative to the target"), "{guard}: {e}");
        }
        let ok = rule_with("kind = \"require-file\"\npath = \"dist/..x/_worker.js\"");
        assert!(parse_rule(Path::new("r.toml"), &ok).is_ok());
    }

    #[test]
    fn ids_cannot_name_other_folders() {
        for id in ["../../tmp/x", "a/b", "", ".hidden", "a b"] {
            assert!(!is_rule_id(id), "{id}");
        }
        assert!(is_rule_id("no-rsync-delete_2"));
    }

    /// A pattern's line is found by its key, however it is quoted.
    #[test]
    fn pattern_errors_point_at_the_pattern() {
        let text = "id = \"x\"\ntitle = \"the pattern (unclosed\"\n\n[[guard]]\nkind = \"forbid-file\"\nfiles = [\"a\"]\n\n[[guard]]\nkind = \"forbid-pattern\"\nfiles = [\"*.sh\"]\npattern = \"(unclosed\"\n";
        let e = parse_rule(Path::new("r.toml"), text).unwrap_err();
        assert_eq!(e.line, Some(11), "{e}");
    }

    #[test]
    fn oversized_patterns_are_refused_by_name() {
        let text = rule_with(
            "kind = \"forbid-pattern\"\nfiles = [\"*\"]\npattern = '(?:\\w+\\s*){1,200}!'",
        );
        let e = parse_rule(Path::new("r.toml"), &text).unwrap_err();
        assert!(e.message.contains("too large"), "{e}");
        assert_eq!(e.line, Some(7), "{e}");
    }
}
