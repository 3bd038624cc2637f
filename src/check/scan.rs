//! The file scan behind pattern and file guards: one walk, one regex pass per file.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use regex::bytes::{Regex, RegexSet};

use super::{Finding, LoadedRule, finding};
use crate::rules::Guard;

/// Folders never worth scanning.
const SKIP_DIRS: [&str; 3] = [".git", "node_modules", ".hindsight"];
/// Files larger than this are not searched (logs, dumps, bundles).
const MAX_FILE: u64 = 64 << 20;

/// What the walk found.
pub struct Scan {
    pub findings: Vec<Finding>,
    pub suppressed: usize,
    pub files_read: usize,
    /// Every file under the target (relative, `/`-separated), sorted.
    pub paths: BTreeSet<String>,
}

impl Scan {
    /// Whether a guard's `if_exists` condition holds in `target`.
    pub fn applies(&self, g: &Guard, target: &Path) -> bool {
        applies(g.if_exists(), &self.paths, target)
    }
}

fn applies(if_exists: &[String], paths: &BTreeSet<String>, target: &Path) -> bool {
    if if_exists.is_empty() {
        return true;
    }
    if_exists.iter().any(|e| {
        if e.contains(['*', '?', '[', '{']) {
            match glob(e) {
                Some(g) => paths.iter().any(|p| g.is_match(p)),
                None => false,
            }
        } else {
            target.join(e).exists()
        }
    })
}

fn glob(g: &str) -> Option<globset::GlobMatcher> {
    GlobBuilder::new(g)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// A pattern guard ready to run.
struct Pattern<'a> {
    rule: &'a LoadedRule,
    guard: &'a Guard,
    re: Regex,
    globs: GlobSet,
    require: bool,
}

/// Walk `target` and run every forbid-pattern, require-pattern and forbid-file guard.
pub fn scan(rules: &[&LoadedRule], target: &Path) -> Result<Scan, String> {
    let mut patterns = Vec::new();
    let mut forbid_files = Vec::new();
    let mut extra_roots: BTreeSet<String> = BTreeSet::new();
    for r in rules {
        for g in &r.rule.guards {
            let files = match g {
                Guard::ForbidPattern { pattern, files, .. }
                | Guard::RequirePattern { pattern, files, .. } => {
                    let re = Regex::new(pattern)
                        .map_err(|e| format!("{}: rule {}: {e}", r.file.display(), r.rule.id))?;
                    patterns.push(Pattern {
                        rule: r,
                        guard: g,
                        re,
                        globs: globset(files)?,
                        require: matches!(g, Guard::RequirePattern { .. }),
                    });
                    files
                }
                Guard::ForbidFile { files, .. } => {
                    forbid_files.push((*r, g, globset(files)?));
                    files
                }
                Guard::RequireFile { path, .. } => {
                    extra_roots.extend(literal_dir(path));
                    continue;
                }
                _ => continue,
            };
            for f in files {
                extra_roots.extend(literal_dir(f));
            }
        }
    }
    let paths = walk(target, &extra_roots);
    let live: Vec<bool> = patterns
        .iter()
        .map(|p| applies(p.guard.if_exists(), &paths, target))
        .collect();
    let set = RegexSet::new(patterns.iter().map(|p| p.re.as_str())).map_err(|e| e.to_string())?;

    // Files some live pattern guard selects, with the guards that select them.
    let work: Vec<(&String, Vec<usize>)> = paths
        .iter()
        .filter_map(|p| {
            let which: Vec<usize> = (0..patterns.len())
                .filter(|&i| live[i] && patterns[i].globs.is_match(p))
                .collect();
            (!which.is_empty()).then_some((p, which))
        })
        .collect();
    let per_file: Vec<(Vec<Finding>, usize, Vec<usize>)> = work
        .par_iter()
        .map(|(rel, which)| search_file(target, rel, which, &patterns, &set))
        .collect();

    let mut out = Scan {
        findings: Vec::new(),
        suppressed: 0,
        files_read: work.len(),
        paths: BTreeSet::new(),
    };
    let mut satisfied = vec![false; patterns.len()];
    for (f, s, hits) in per_file {
        out.findings.extend(f);
        out.suppressed += s;
        for h in hits {
            satisfied[h] = true;
        }
    }
    for (i, p) in patterns.iter().enumerate() {
        if !(p.require && live[i]) || satisfied[i] {
            continue;
        }
        // Required somewhere among the files it names; none has it.
        if let Some((first, _)) = work.iter().find(|(_, w)| w.contains(&i)) {
            let msg = p
                .guard
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}: {}", p.rule.rule.title, p.guard.describe()));
            out.findings
                .push(finding(p.rule, p.guard, (*first).clone(), 0, msg));
        }
    }
    for (r, g, globs) in &forbid_files {
        if !applies(g.if_exists(), &paths, target) {
            continue;
        }
        for p in paths.iter().filter(|p| globs.is_match(p)) {
            let msg = g
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}: this file must not be here", r.rule.title));
            out.findings.push(finding(r, g, p.clone(), 0, msg));
        }
    }
    out.paths = paths;
    Ok(out)
}

fn globset(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(
            GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("bad glob {g:?}: {e}"))?,
        );
    }
    b.build().map_err(|e| e.to_string())
}

/// `dist/**/*.js` -> `dist`: a folder a rule names outright, walked even if ignored.
fn literal_dir(glob: &str) -> Option<String> {
    let cut = glob.find(['*', '?', '[', '{']).unwrap_or(glob.len());
    let lit = &glob[..cut];
    let dir = lit
        .rsplit_once('/')
        .map(|(d, _)| d)
        .unwrap_or(if cut == glob.len() { "" } else { lit });
    let dir = dir.trim_end_matches('/');
    (!dir.is_empty()).then(|| dir.to_string())
}

/// All regular files under `target`, relative: gitignore-aware, plus `extra` folders
/// walked whole (build output is usually ignored, and rules that name it mean it).
fn walk(target: &Path, extra: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let rel = |p: &Path| -> Option<String> {
        let r = p.strip_prefix(target).ok()?;
        let s = r.to_string_lossy().replace('\\', "/");
        (!s.is_empty()).then_some(s)
    };
    let skip = |e: &ignore::DirEntry| !SKIP_DIRS.iter().any(|d| e.file_name() == *d);
    let filtered = ignore::WalkBuilder::new(target)
        .hidden(false)
        .git_global(false)
        .parents(false)
        .require_git(false)
        .follow_links(false)
        .add_custom_ignore_filename(".hindsightignore")
        .filter_entry(skip)
        .build();
    for e in filtered.flatten() {
        if e.file_type().is_some_and(|t| t.is_file()) {
            out.extend(rel(e.path()));
        }
    }
    for dir in extra {
        let root = target.join(dir);
        if !root.is_dir() {
            continue;
        }
        let whole = ignore::WalkBuilder::new(&root)
            .standard_filters(false)
            .follow_links(false)
            .filter_entry(skip)
            .build();
        for e in whole.flatten() {
            if e.file_type().is_some_and(|t| t.is_file()) {
                out.extend(rel(e.path()));
            }
        }
    }
    out
}

/// Search one file; returns findings, how many were suppressed, and which require
/// guards it satisfied.
fn search_file(
    target: &Path,
    rel: &str,
    which: &[usize],
    patterns: &[Pattern],
    set: &RegexSet,
) -> (Vec<Finding>, usize, Vec<usize>) {
    let path = target.join(rel);
    let none = (Vec::new(), 0, Vec::new());
    match std::fs::metadata(&path) {
        Ok(m) if m.len() <= MAX_FILE => {}
        _ => return none,
    }
    let Ok(bytes) = std::fs::read(&path) else {
        return none;
    };
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return none; // binary
    }
    let matched = set.matches(&bytes);
    let mut findings = Vec::new();
    let mut suppressed = 0;
    let mut hits = Vec::new();
    for &i in which {
        if !matched.matched(i) {
            continue;
        }
        let p = &patterns[i];
        if p.require {
            hits.push(i);
            continue;
        }
        for caps in p.re.captures_iter(&bytes) {
            let m = caps.name("hit").or_else(|| caps.get(0)).expect("match");
            let (line_no, line_start) = line_of(&bytes, m.start());
            let line_end = bytes[line_start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |e| line_start + e);
            let line = String::from_utf8_lossy(&bytes[line_start..line_end])
                .trim_end_matches('\r')
                .to_string();
            let hit = &bytes[m.start()..m.end().min(line_end)];
            let trimmed = hit.len()
                - hit
                    .iter()
                    .rev()
                    .take_while(|b| b" \t=;|&)\"'".contains(b))
                    .count();
            let col = String::from_utf8_lossy(&bytes[line_start..m.start()])
                .chars()
                .count()
                + 1;
            let width = String::from_utf8_lossy(&hit[..trimmed.max(1).min(hit.len())])
                .chars()
                .count();
            let mut f = match suppression(&bytes, line_start, &line, &p.rule.rule.id) {
                Some(true) => {
                    suppressed += 1;
                    continue;
                }
                Some(false) => {
                    let msg = format!(
                        "`hindsight: allow {}` needs a reason after ` -- `",
                        p.rule.rule.id
                    );
                    finding(p.rule, p.guard, rel.to_string(), line_no, msg)
                }
                None => {
                    let msg = p
                        .guard
                        .message()
                        .map(str::to_string)
                        .unwrap_or_else(|| p.rule.rule.title.clone());
                    finding(p.rule, p.guard, rel.to_string(), line_no, msg)
                }
            };
            f.column = col;
            f.end_column = col + width.max(1);
            f.source_line = Some(line);
            findings.push(f);
        }
    }
    (findings, suppressed, hits)
}

fn line_of(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, start)
}

/// An inline `hindsight: allow <ids> -- <reason>` on the line or the one above:
/// `Some(true)` silences the finding, `Some(false)` is an allow without a reason.
fn suppression(bytes: &[u8], line_start: usize, line: &str, id: &str) -> Option<bool> {
    static ALLOW: OnceLock<regex::Regex> = OnceLock::new();
    let re = ALLOW.get_or_init(|| {
        regex::Regex::new(
            r"hindsight:\s*allow\s+([A-Za-z0-9_,\s-]+?)\s*(?:--\s*(.*?))?\s*(?:-->|\*/)?\s*$",
        )
        .expect("regex")
    });
    let prev = if line_start == 0 {
        String::new()
    } else {
        let end = line_start - 1;
        let start = bytes[..end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        String::from_utf8_lossy(&bytes[start..end]).to_string()
    };
    for text in [line, prev.as_str()] {
        if let Some(c) = re.captures(text) {
            let ids = c.get(1).map_or("", |m| m.as_str());
            if ids.split([',', ' ']).any(|x| x.trim() == id) {
                let reason = c.get(2).map_or("", |m| m.as_str().trim());
                return Some(!reason.is_empty());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_dirs() {
        assert_eq!(literal_dir("dist/_worker.js").as_deref(), Some("dist"));
        assert_eq!(literal_dir("dist/**/*.map").as_deref(), Some("dist"));
        assert_eq!(literal_dir("**/*.sh"), None);
        assert_eq!(
            literal_dir("build/static/**").as_deref(),
            Some("build/static")
        );
    }

    #[test]
    fn suppressions() {
        let text = b"x\n# hindsight: allow no-rsync-delete -- mirror job, see OPS-42\nrsync --delete a b\n";
        let start = 2 + text[2..].iter().position(|&b| b == b'\n').unwrap() + 1;
        assert_eq!(
            suppression(text, start, "rsync --delete a b", "no-rsync-delete"),
            Some(true)
        );
        assert_eq!(
            suppression(text, start, "rsync --delete a b", "other"),
            None
        );
        let bare = b"rsync --delete a b # hindsight: allow no-rsync-delete\n";
        assert_eq!(
            suppression(
                bare,
                0,
                "rsync --delete a b # hindsight: allow no-rsync-delete",
                "no-rsync-delete"
            ),
            Some(false)
        );
    }
}
