//! The file scan behind pattern and file guards: one walk, one regex pass per file.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use regex::bytes::{Regex, RegexSet, RegexSetBuilder};

use super::prefilter::Prefilter;
use super::{Finding, LoadedRule, finding};
use crate::lines::{Excerpt, Lines};
use crate::rules::guard::{Contains, When};
use crate::rules::model::{PATTERN_SIZE_LIMIT, compile_pattern};
use crate::rules::{Check, Guard};

/// Folders never worth scanning.
const SKIP_DIRS: [&str; 3] = [".git", "node_modules", ".hindsight"];

/// What the walk found.
pub(super) struct Scan {
    pub findings: Vec<Finding>,
    pub suppressed: usize,
    pub files_read: usize,
    /// The target's files, and the guards' conditions judged against them.
    pub conditions: Conditions,
}

impl Scan {
    /// Whether a guard's `when` holds in the target.
    pub(super) fn applies(&self, g: &Guard) -> bool {
        self.conditions.holds(&g.when)
    }
}

/// The `when` conditions of the guards, judged once each against the walked target.
pub(super) struct Conditions {
    target: std::path::PathBuf,
    paths: BTreeSet<String>,
    /// `contains` entries already judged, by files and pattern.
    judged: std::sync::Mutex<HashMap<(Vec<String>, String), bool>>,
}

/// Of a file a `contains` condition reads, only the start: enough for a manifest or a
/// unit file, and bounded for anything else.
const CONDITION_BYTES: u64 = 1 << 20;

impl Conditions {
    /// The folders (relative, `.`-free) that hold a file some literal file name or glob
    /// in `when.exists` names, and where that file says what each `when.contains` about
    /// files of its name asks: where a command guard about that manifest runs.
    pub(super) fn manifest_folders(&self, when: &When) -> Vec<String> {
        // A pattern that does not compile never holds, so the guard does not get here.
        let about: Vec<(GlobSet, Regex)> = when
            .contains
            .iter()
            .filter(|c| !c.pattern.is_empty())
            .filter_map(|c| Some((globset(&c.files).ok()?, compile_pattern(&c.pattern).ok()?)))
            .collect();
        let says = |p: &str| {
            about
                .iter()
                .filter(|(globs, _)| globs.is_match(p))
                .all(|(_, re)| self.file_matches(p, re))
        };
        let mut out: BTreeSet<String> = BTreeSet::new();
        for e in &when.exists {
            let pattern = if e.contains('/') || e.contains("**") {
                e.clone()
            } else {
                format!("**/{e}")
            };
            let Some(g) = glob(&pattern) else { continue };
            for p in self.paths.iter().filter(|p| g.is_match(p) && says(p)) {
                let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
                // Manifests inside dependencies are not the project's.
                if !dir.split('/').any(|c| c == "node_modules" || c == "vendor") {
                    out.insert(dir.to_string());
                }
            }
        }
        out.into_iter()
            .map(|d| if d.is_empty() { ".".into() } else { d })
            .collect()
    }

    fn holds(&self, when: &When) -> bool {
        let exists = when.exists.is_empty() || when.exists.iter().any(|e| self.exists(e));
        exists && when.contains.iter().all(|c| self.contains(c))
    }

    fn exists(&self, e: &str) -> bool {
        // `**/.env.production`: also at the root, where it is often gitignored (a
        // secret) and so not among the walked paths.
        if let Some(name) = e.strip_prefix("**/")
            && !name.contains(['*', '?', '[', '{', '/'])
            && self.target.join(name).exists()
        {
            return true;
        }
        if e.contains(['*', '?', '[', '{']) {
            glob(e).is_some_and(|g| self.paths.iter().any(|p| g.is_match(p)))
        } else {
            self.target.join(e).exists()
        }
    }

    fn contains(&self, c: &Contains) -> bool {
        let key = (c.files.clone(), c.pattern.clone());
        if let Some(&v) = self.judged.lock().expect("lock").get(&key) {
            return v;
        }
        let v = match (globset(&c.files), compile_pattern(&c.pattern)) {
            (Ok(globs), _) if c.pattern.is_empty() => self.paths.iter().any(|p| globs.is_match(p)),
            (Ok(globs), Ok(re)) => self
                .paths
                .iter()
                .filter(|p| globs.is_match(p))
                .any(|p| self.file_matches(p, &re)),
            _ => false,
        };
        self.judged.lock().expect("lock").insert(key, v);
        v
    }
}

impl Conditions {
    /// Whether the start of the target's file `rel` matches `re` (unreadable: no).
    fn file_matches(&self, rel: &str, re: &Regex) -> bool {
        use std::io::Read;
        let mut head = Vec::new();
        std::fs::File::open(self.target.join(rel))
            .and_then(|f| f.take(CONDITION_BYTES).read_to_end(&mut head))
            .is_ok_and(|_| re.is_match(&head))
    }
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

/// The guards the walk serves, compiled, and the folders they name outright.
struct Plan<'a> {
    patterns: Vec<Pattern<'a>>,
    forbid_files: Vec<(&'a LoadedRule, &'a Guard, GlobSet)>,
    extra_roots: BTreeSet<String>,
}

fn plan<'a>(rules: &[&'a LoadedRule]) -> Result<Plan<'a>, String> {
    let mut plan = Plan {
        patterns: Vec::new(),
        forbid_files: Vec::new(),
        extra_roots: BTreeSet::new(),
    };
    for r in rules {
        for g in &r.rule.guards {
            let files = match &g.check {
                Check::ForbidPattern { pattern, files }
                | Check::RequirePattern { pattern, files } => {
                    let re = compile_pattern(pattern)
                        .map_err(|e| format!("{}: rule {}: {e}", r.file.display(), r.rule.id))?;
                    plan.patterns.push(Pattern {
                        rule: r,
                        guard: g,
                        re,
                        globs: globset(files)?,
                        require: matches!(g.check, Check::RequirePattern { .. }),
                    });
                    files.clone()
                }
                Check::ForbidFile { files } => {
                    plan.forbid_files.push((*r, g, globset(files)?));
                    files.clone()
                }
                Check::RequireFile { path, .. } => vec![path.clone()],
                _ => Vec::new(),
            };
            let named = files
                .iter()
                .chain(&g.when.exists)
                .chain(g.when.contains.iter().flat_map(|c| &c.files));
            plan.extra_roots
                .extend(named.filter_map(|f| literal_dir(f)));
        }
    }
    Ok(plan)
}

/// Walk `target` and run every forbid-pattern, require-pattern and forbid-file guard
/// that applies there.
pub(super) fn scan(rules: &[&LoadedRule], target: &Path) -> Result<Scan, String> {
    let plan = plan(rules)?;
    let (paths, unread) = walk(target, &plan.extra_roots);
    let conditions = Conditions {
        target: target.to_path_buf(),
        paths,
        judged: std::sync::Mutex::new(HashMap::new()),
    };
    let patterns = &plan.patterns;
    let live: Vec<bool> = patterns
        .iter()
        .map(|p| conditions.holds(&p.guard.when))
        .collect();
    // Files some live pattern guard selects, with the guards that select them.
    let work: Vec<(&String, Vec<usize>)> = conditions
        .paths
        .iter()
        .filter_map(|p| {
            let which: Vec<usize> = (0..patterns.len())
                .filter(|&i| live[i] && patterns[i].globs.is_match(p))
                .collect();
            (!which.is_empty()).then_some((p, which))
        })
        .collect();
    let mut findings = search(target, patterns, &live, &work);
    findings.extend(forbidden_files(&plan, &conditions));
    findings.extend(unreadable(&plan, &unread));
    let suppressed = findings.iter().map(|(_, s)| s).sum();
    Ok(Scan {
        findings: findings.into_iter().flat_map(|(f, _)| f).collect(),
        suppressed,
        files_read: work.len(),
        conditions,
    })
}

/// Run the pattern guards over the files they select: forbid-pattern findings, then
/// require-pattern guards no file satisfied, then guards past their time budget. Each
/// entry is findings and how many were suppressed.
fn search(
    target: &Path,
    patterns: &[Pattern],
    live: &[bool],
    work: &[(&String, Vec<usize>)],
) -> Vec<(Vec<Finding>, usize)> {
    // One pass over each file finds which patterns match at all. Together the patterns
    // can be too large for one set; then every file is searched by each pattern.
    let set = RegexSetBuilder::new(patterns.iter().map(|p| p.re.as_str()))
        .size_limit(PATTERN_SIZE_LIMIT * 8)
        .build()
        .ok();
    let engines = Engines {
        patterns,
        set: set.as_ref(),
        prefilter: Prefilter::new(patterns.iter().map(|p| p.re.as_str())),
        budget: Budget::new(patterns.len()),
    };
    // Each thread reuses one read buffer: a fresh one per file costs page faults.
    let per_file: Vec<FileResult> = work
        .par_iter()
        .map_init(Vec::new, |buf, (rel, which)| {
            search_file(target, rel, which, &engines, buf)
        })
        .collect();
    let mut satisfied = vec![false; patterns.len()];
    let mut out = Vec::new();
    for r in per_file {
        for &h in &r.hits {
            satisfied[h] = true;
        }
        out.push((r.findings, r.suppressed));
    }
    for (i, p) in patterns.iter().enumerate() {
        if engines.budget.exhausted(i) {
            let msg = format!(
                "{}: the pattern took over {} s of searching, so the guard fails closed; make it narrower",
                p.rule.rule.title,
                GUARD_BUDGET.as_secs()
            );
            let mut f = finding(p.rule, p.guard, ".".into(), 0, msg);
            f.unevaluated = true;
            out.push((vec![f], 0));
        } else if p.require && live[i] && !satisfied[i] {
            // Required somewhere among the files it names; none has it.
            if let Some((first, _)) = work.iter().find(|(_, w)| w.contains(&i)) {
                let msg =
                    p.guard.message().map(str::to_string).unwrap_or_else(|| {
                        format!("{}: {}", p.rule.rule.title, p.guard.describe())
                    });
                out.push((vec![finding(p.rule, p.guard, (*first).clone(), 0, msg)], 0));
            }
        }
    }
    out
}

/// Files a forbid-file guard that applies finds in the target.
fn forbidden_files(plan: &Plan, conditions: &Conditions) -> Vec<(Vec<Finding>, usize)> {
    let mut out = Vec::new();
    for (r, g, globs) in &plan.forbid_files {
        if !conditions.holds(&g.when) {
            continue;
        }
        for p in conditions.paths.iter().filter(|p| globs.is_match(p)) {
            let msg = g
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}: this file must not be here", r.rule.title));
            out.push((vec![finding(r, g, p.clone(), 0, msg)], 0));
        }
    }
    out
}

/// A folder that could not be read may hide what any of these guards look for: each
/// fails closed for it.
fn unreadable(plan: &Plan, unread: &[(String, String)]) -> Vec<(Vec<Finding>, usize)> {
    let guards: Vec<(&LoadedRule, &Guard)> = plan
        .patterns
        .iter()
        .map(|p| (p.rule, p.guard))
        .chain(plan.forbid_files.iter().map(|(r, g, _)| (*r, *g)))
        .collect();
    let mut out = Vec::new();
    for (path, why) in unread {
        for (r, g) in &guards {
            let msg = format!(
                "{}: could not read {path} ({why}), so it could not be checked",
                r.rule.title
            );
            let mut f = finding(r, g, path.clone(), 0, msg);
            f.unevaluated = true;
            out.push((vec![f], 0));
        }
    }
    out
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
fn walk(target: &Path, extra: &BTreeSet<String>) -> (BTreeSet<String>, Vec<(String, String)>) {
    let skip = |e: &ignore::DirEntry| !SKIP_DIRS.iter().any(|d| e.file_name() == *d);
    let filtered = ignore::WalkBuilder::new(target)
        .hidden(false)
        .git_global(false)
        .parents(false)
        .require_git(false)
        .follow_links(false)
        .add_custom_ignore_filename(".hindsightignore")
        .filter_entry(skip)
        .build_parallel();
    let found = std::sync::Mutex::new(Walked::default());
    collect(target, filtered, &found);
    for dir in extra {
        let root = target.join(dir);
        if root.is_dir() {
            let whole = ignore::WalkBuilder::new(&root)
                .standard_filters(false)
                .follow_links(false)
                .filter_entry(skip)
                .build_parallel();
            collect(target, whole, &found);
        }
    }
    let Walked { files, mut unread } = found.into_inner().expect("walk lock");
    unread.sort();
    unread.dedup();
    (files, unread)
}

/// What the walks found: files, and folders they could not read (with why).
#[derive(Default)]
struct Walked {
    files: BTreeSet<String>,
    unread: Vec<(String, String)>,
}

/// The files one walk finds (relative to `target`) and the folders it could not read,
/// added to `found`. Threads keep their own lists and add them once, when done.
fn collect(target: &Path, walk: ignore::WalkParallel, found: &std::sync::Mutex<Walked>) {
    struct Lists<'a> {
        target: &'a Path,
        files: Vec<String>,
        unread: Vec<(String, String)>,
        found: &'a std::sync::Mutex<Walked>,
    }
    impl Drop for Lists<'_> {
        fn drop(&mut self) {
            let mut f = self.found.lock().expect("walk lock");
            f.files.extend(self.files.drain(..));
            f.unread.append(&mut self.unread);
        }
    }
    walk.run(|| {
        let mut lists = Lists {
            target,
            files: Vec::new(),
            unread: Vec::new(),
            found,
        };
        Box::new(move |e| {
            match e {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    lists.files.extend(relative(lists.target, e.path()));
                }
                Ok(_) => {}
                Err(e) => lists.unread.extend(walk_error(lists.target, &e)),
            }
            ignore::WalkState::Continue
        })
    });
}

/// `p` relative to `target`, with `/` between components; `None` for the target itself.
fn relative(target: &Path, p: &Path) -> Option<String> {
    let r = p.strip_prefix(target).ok()?;
    let s = r.to_string_lossy().replace('\\', "/");
    (!s.is_empty()).then_some(s)
}

/// The folder or file a walk error is about (relative to the target) and why, for
/// errors that hide files from the guards; a broken ignore file is not one.
fn walk_error(target: &Path, e: &ignore::Error) -> Option<(String, String)> {
    use ignore::Error as E;
    match e {
        E::WithPath { path, err } => {
            let why = walk_error(target, err).map_or_else(|| err.to_string(), |(_, w)| w);
            let rel = path.strip_prefix(target).unwrap_or(path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            Some((if rel.is_empty() { ".".into() } else { rel }, why))
        }
        E::WithDepth { err, .. } | E::WithLineNumber { err, .. } => walk_error(target, err),
        E::Io(io) => Some((".".into(), super::io_reason(io))),
        E::Loop { child, .. } => Some((child.to_string_lossy().into_owned(), "a link loop".into())),
        E::Partial(errs) => errs.first().and_then(|e| walk_error(target, e)),
        _ => None,
    }
}

/// Findings one guard may make in one file: past this, one more says how many
/// were left out (a minified bundle can match on every statement).
const FINDINGS_PER_FILE: usize = 100;

/// Bytes searched at a time. A file is read in chunks that end at a line end, so a file
/// of any size is searched in bounded memory and a guard's time budget is looked at
/// between chunks; a line longer than this is cut (a match across the cut is missed).
const CHUNK: usize = 4 << 20;

/// CPU time one pattern guard may take over all the files it searches. Patterns are
/// size-limited when read, so this is a backstop: past it the guard fails closed.
pub(super) const GUARD_BUDGET: Duration = Duration::from_secs(10);

/// Time spent by each pattern guard, shared by the threads searching files.
struct Budget(Vec<AtomicU64>);

impl Budget {
    fn new(n: usize) -> Budget {
        Budget((0..n).map(|_| AtomicU64::new(0)).collect())
    }

    fn spent(&self, i: usize) -> Duration {
        Duration::from_nanos(self.0[i].load(Ordering::Relaxed))
    }

    fn exhausted(&self, i: usize) -> bool {
        self.spent(i) > GUARD_BUDGET
    }

    fn add(&self, i: usize, t: Duration) {
        let nanos = u64::try_from(t.as_nanos()).unwrap_or(u64::MAX);
        self.0[i].fetch_add(nanos, Ordering::Relaxed);
    }
}

/// What searching one file found.
#[derive(Default)]
struct FileResult {
    findings: Vec<Finding>,
    suppressed: usize,
    /// Require-pattern guards the file satisfied.
    hits: Vec<usize>,
}

/// One forbid-pattern guard's progress through a file.
#[derive(Default, Clone, Copy)]
struct Progress {
    last_line: usize,
    shown: usize,
    more: usize,
}

/// The pattern guards and what finds which of them a chunk matches: the words they
/// need, then the patterns, within each guard's time budget.
struct Engines<'a> {
    patterns: &'a [Pattern<'a>],
    /// All patterns in one automaton, when they fit in one.
    set: Option<&'a RegexSet>,
    prefilter: Prefilter,
    budget: Budget,
}

/// Search one file, chunk by chunk. A file that cannot be read fails closed for every
/// guard that selects it; a binary file (a NUL in its first 8 KiB) is not searched.
fn search_file(
    target: &Path,
    rel: &str,
    which: &[usize],
    engines: &Engines,
    buf: &mut Vec<u8>,
) -> FileResult {
    let mut out = FileResult::default();
    let unreadable = |e: std::io::Error| {
        let why = super::io_reason(&e);
        which
            .iter()
            .map(|&i| {
                let p = &engines.patterns[i];
                let mut f = finding(
                    p.rule,
                    p.guard,
                    rel.to_string(),
                    0,
                    format!(
                        "{}: could not read this file ({why}), so it could not be checked",
                        p.rule.rule.title
                    ),
                );
                f.unevaluated = true;
                f
            })
            .collect::<Vec<_>>()
    };
    let mut chunks = match std::fs::File::open(target.join(rel)) {
        Ok(f) => Chunks::new(f, std::mem::take(buf)),
        Err(e) => {
            out.findings = unreadable(e);
            return out;
        }
    };
    let mut progress = vec![Progress::default(); engines.patterns.len()];
    let mut line_base = 0;
    let mut prev_line = Vec::new();
    let mut first = true;
    let mut candidates = Vec::new();
    loop {
        let (chunk, last) = match chunks.next() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                out.findings = unreadable(e);
                *buf = chunks.into_buffer();
                return out;
            }
        };
        if first && chunk[..chunk.len().min(8192)].contains(&0) {
            break; // binary
        }
        first = false;
        engines.prefilter.candidates(chunk, which, &mut candidates);
        let lines = std::cell::OnceCell::new();
        let at = Chunk {
            rel,
            bytes: chunk,
            lines: &lines,
            line_base,
            prev_line: &prev_line,
        };
        search_chunk(&at, which, engines, &candidates, &mut progress, &mut out);
        if !last {
            // Lines are counted only when a later chunk needs to know where it starts.
            let lines = at.lines();
            let last = lines.line(chunk.len().saturating_sub(1));
            line_base += last;
            prev_line = lines.text(last).to_vec();
        }
    }
    *buf = chunks.into_buffer();
    for &i in which {
        let (p, pr) = (&engines.patterns[i], progress[i]);
        if pr.more > 0 {
            let msg = format!(
                "{}: and {} more lines of this file match; only the first {FINDINGS_PER_FILE} are shown",
                p.rule.rule.title, pr.more
            );
            out.findings
                .push(finding(p.rule, p.guard, rel.to_string(), 0, msg));
        }
    }
    out.hits.sort_unstable();
    out.hits.dedup();
    out
}

/// A piece of a file being searched.
struct Chunk<'a> {
    rel: &'a str,
    bytes: &'a [u8],
    /// Where its lines start, worked out when first needed.
    lines: &'a std::cell::OnceCell<Lines<'a>>,
    /// Lines of the file before this chunk.
    line_base: usize,
    /// The file's line before this chunk's first (for an allow comment above it).
    prev_line: &'a [u8],
}

impl<'a> Chunk<'a> {
    fn lines(&self) -> &Lines<'a> {
        self.lines.get_or_init(|| Lines::new(self.bytes))
    }
}

/// Run the patterns in `which` that the prefilter left as `candidates` over a chunk.
fn search_chunk(
    c: &Chunk,
    which: &[usize],
    engines: &Engines,
    candidates: &[bool],
    progress: &mut [Progress],
    out: &mut FileResult,
) {
    // Several candidates are told apart in one pass of the set; one is run alone.
    let several = which.iter().filter(|&&i| candidates[i]).nth(1).is_some();
    let matched = engines.set.filter(|_| several).map(|s| s.matches(c.bytes));
    for &i in which {
        let p = &engines.patterns[i];
        if !candidates[i] || engines.budget.exhausted(i) {
            continue;
        }
        let started = Instant::now();
        let may_match = match &matched {
            Some(m) => m.matched(i),
            None => p.re.is_match(c.bytes),
        };
        if may_match && p.require {
            out.hits.push(i);
        } else if may_match {
            pattern_findings(p, c, &mut progress[i], out);
        }
        engines.budget.add(i, started.elapsed());
    }
}

/// Whether the match at byte `at` of `line` sits inside a string that `echo` or `printf`
/// prints (`printf 'rsync --delete ...'`): shown, not run.
fn printed(line: &str, at: usize) -> bool {
    let Some(before) = line.get(..at.min(line.len())) else {
        return false;
    };
    regex!(r#"\b(?:echo|printf)(?:\s+-[a-z-]+)*\s+(["'])"#)
        .captures_iter(before)
        .any(|c| {
            let q = c.get(1).expect("quote");
            // Still inside the quote when the match starts.
            !before[q.end()..].contains(q.as_str())
        })
}

/// The findings of forbid-pattern `p` in one chunk: the first match of each line, at
/// most `FINDINGS_PER_FILE` a file; the rest are counted in `progress`.
fn pattern_findings(p: &Pattern, c: &Chunk, progress: &mut Progress, out: &mut FileResult) {
    for caps in p.re.captures_iter(c.bytes) {
        let m = caps.name("hit").or_else(|| caps.get(0)).expect("match");
        let (local, col) = c.lines().locate(m.start());
        let line_no = c.line_base + local;
        if line_no == progress.last_line {
            continue;
        }
        progress.last_line = line_no;
        let line_bytes = c.lines().text(local);
        let line = String::from_utf8_lossy(line_bytes);
        if printed(&line, col.saturating_sub(1)) {
            continue;
        }
        let prev = if local > 1 {
            c.lines().text(local - 1)
        } else {
            c.prev_line
        };
        let message = match suppression(&line, &String::from_utf8_lossy(prev), &p.rule.rule.id) {
            Some(true) => {
                out.suppressed += 1;
                continue;
            }
            Some(false) => format!(
                "`hindsight: allow {}` needs a reason after ` -- `",
                p.rule.rule.id
            ),
            None => p
                .guard
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| p.rule.rule.title.clone()),
        };
        if progress.shown == FINDINGS_PER_FILE {
            progress.more += 1;
            continue;
        }
        progress.shown += 1;
        let line_end = c.lines().start(local) + line_bytes.len();
        let hit = &c.bytes[m.start()..m.end().min(line_end).max(m.start())];
        let trimmed = hit.len()
            - hit
                .iter()
                .rev()
                .take_while(|b| b" \t=;|&)\"'".contains(b))
                .count();
        let width = String::from_utf8_lossy(&hit[..trimmed.max(1).min(hit.len())])
            .chars()
            .count();
        let mut f = finding(p.rule, p.guard, c.rel.to_string(), line_no, message);
        f.column = col;
        f.end_column = col + width.max(1);
        f.source_line = Some(Excerpt::around(&line, f.column, f.end_column));
        out.findings.push(f);
    }
}

/// A file read in pieces that end at a line end (or at `CHUNK` bytes, in a longer line).
struct Chunks<R> {
    reader: R,
    buf: Vec<u8>,
    /// Bytes of `buf` already handed out.
    given: usize,
    done: bool,
}

impl<R: std::io::Read> Chunks<R> {
    /// Read `reader` into `buf` (emptied first; its room is reused).
    fn new(reader: R, mut buf: Vec<u8>) -> Chunks<R> {
        buf.clear();
        Chunks {
            reader,
            buf,
            given: 0,
            done: false,
        }
    }

    /// The next piece, and whether it is the file's last.
    fn next(&mut self) -> std::io::Result<Option<(&[u8], bool)>> {
        self.buf.drain(..self.given);
        self.given = 0;
        // `read_to_end` grows the buffer as the file needs, without zeroing it first:
        // resizing to `CHUNK` before each read cleared 8 MiB per small file, two thirds
        // of the time `check` took on a 50,000-file tree.
        if !self.done && self.buf.len() < CHUNK {
            use std::io::Read;
            let want = (CHUNK - self.buf.len()) as u64;
            let n = (&mut self.reader).take(want).read_to_end(&mut self.buf)?;
            self.done = (n as u64) < want;
        }
        if self.buf.is_empty() {
            return Ok(None);
        }
        let end = if self.done {
            self.buf.len()
        } else {
            memchr::memrchr(b'\n', &self.buf).map_or(self.buf.len(), |i| i + 1)
        };
        self.given = end;
        Ok(Some((&self.buf[..end], self.done)))
    }

    /// The read buffer, for the next file.
    fn into_buffer(self) -> Vec<u8> {
        self.buf
    }
}

/// An inline `hindsight: allow <ids> -- <reason>` on the line or the one above:
/// `Some(true)` silences the finding, `Some(false)` is an allow without a reason.
fn suppression(line: &str, prev: &str, id: &str) -> Option<bool> {
    let re =
        regex!(r"hindsight:\s*allow\s+([A-Za-z0-9_,\s-]+?)\s*(?:--\s*(.*?))?\s*(?:-->|\*/)?\s*$");
    for text in [line, prev] {
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
    fn a_printed_command_is_not_run() {
        let line = "printf 'Never rsync --delete to production' > notes";
        assert!(printed(line, line.find("rsync").unwrap()));
        let line = "echo \"deploying\" && rsync -a --delete dist/ host:app/";
        assert!(!printed(line, line.find("rsync").unwrap()));
        assert!(!printed("rsync -a --delete x y", 0));
    }

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
        let allow = "# hindsight: allow no-rsync-delete -- mirror job, see OPS-42";
        assert_eq!(
            suppression("rsync --delete a b", allow, "no-rsync-delete"),
            Some(true)
        );
        assert_eq!(suppression("rsync --delete a b", allow, "other"), None);
        let bare = "rsync --delete a b # hindsight: allow no-rsync-delete";
        assert_eq!(suppression(bare, "", "no-rsync-delete"), Some(false));
    }

    /// Chunks end at line ends, cover the file exactly, and a line longer than a chunk
    /// is cut rather than read whole.
    #[test]
    fn chunks_cover_the_file_at_line_ends() {
        let mut text = Vec::new();
        for i in 0..400_000 {
            text.extend_from_slice(format!("line {i} of the file\n").as_bytes());
        }
        text.extend(std::iter::repeat_n(b'x', CHUNK + 10));
        let mut c = Chunks::new(&text[..], Vec::new());
        let mut seen = Vec::new();
        let mut count = 0;
        while let Some((chunk, last)) = c.next().unwrap() {
            assert!(chunk.len() <= CHUNK);
            assert!(!last || seen.len() + chunk.len() == text.len());
            if seen.len() + chunk.len() < text.len() - CHUNK - 10 {
                assert_eq!(chunk.last(), Some(&b'\n'));
            }
            seen.extend_from_slice(chunk);
            count += 1;
        }
        assert_eq!(seen, text);
        assert!(count >= 3, "{count}");
    }
}
