//! Rule files for coding agents, rendered from the same rules as the guards: Cursor
//! `.mdc` files, `AGENTS.md`, `CLAUDE.md`, Copilot instructions, Windsurf and Cline rules.
//!
//! Cursor front matter is written by hand, line by line: `globs` as one unquoted
//! comma-joined string (Cursor keeps quotes literally), never `globs` together with
//! `alwaysApply: true`. Windsurf truncates a rule file past 6,000 characters, so bodies
//! are kept under it. Nothing here holds a timestamp: the same rules give the same bytes.

use std::path::{Path, PathBuf};

use super::model::{Level, Rule};
use crate::incident::Incident;
use crate::owned::{self, Desired, Syntax, relative_link};

/// Where agent files go, and which agents.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Cursor,
    AgentsMd,
    Claude,
    Copilot,
    Windsurf,
    Cline,
}

pub const ALL_TARGETS: [Target; 6] = [
    Target::Cursor,
    Target::AgentsMd,
    Target::Claude,
    Target::Copilot,
    Target::Windsurf,
    Target::Cline,
];

/// Incidents linked per rule: the newest. A lesson learned from thousands of
/// postmortems would otherwise put megabytes of links into an agent's context.
const AGENT_INCIDENTS: usize = 5;
/// Windsurf truncates rule files beyond this many characters.
const WINDSURF_LIMIT: usize = 6000;
const NOTE: &str = "generated from the postmortems by hindsight; edit the postmortem, or delete this line to keep your edits";

/// The incident facts a rule file cites.
#[derive(Clone)]
pub struct Cited<'a> {
    pub incident: &'a Incident,
    /// The postmortem file, as a path on disk.
    pub file: PathBuf,
}

/// Every agent file for `rules`, to be written under `out` (a repository root).
pub fn render(
    rules: &[Rule],
    cited: &[Cited],
    out: &Path,
    targets: &[Target],
    budget: Budget,
) -> Vec<Desired> {
    // Sorted by id for lookups; stable, so the first of equal ids stays first.
    let mut by_id: Vec<Cited> = cited.to_vec();
    by_id.sort_by(|a, b| a.incident.id.cmp(&b.incident.id));
    let cited = by_id.as_slice();
    let mut files = Vec::new();
    for t in targets {
        match t {
            Target::Cursor => {
                let dir = out.join(".cursor/rules");
                for r in rules {
                    let body = body(r, cited, &dir);
                    let (front, lines) = cursor_front_matter(r);
                    let text = format!("{front}{body}");
                    files.push(owned_file(dir.join(format!("{}.mdc", r.id)), &text, lines));
                }
            }
            Target::Windsurf => {
                let dir = out.join(".windsurf/rules");
                for r in rules {
                    let mut body = body(r, cited, &dir);
                    let (front, lines) = windsurf_front_matter(r);
                    let room = WINDSURF_LIMIT.saturating_sub(front.len() + 200);
                    if body.len() > room {
                        let cut = body
                            .char_indices()
                            .take_while(|(i, _)| *i < room)
                            .last()
                            .map_or(0, |(i, _)| i);
                        body.truncate(cut);
                        body.push_str("\n\n(Shortened for Windsurf's 6,000-character limit; see the postmortem.)\n");
                    }
                    files.push(owned_file(
                        dir.join(format!("{}.md", r.id)),
                        &format!("{front}{body}"),
                        lines,
                    ));
                }
            }
            Target::Cline => {
                let dir = out.join(".clinerules");
                for r in rules {
                    let body = body(r, cited, &dir);
                    let (front, lines) = cline_front_matter(r);
                    files.push(owned_file(
                        dir.join(format!("{}.md", r.id)),
                        &format!("{front}{body}"),
                        lines,
                    ));
                }
            }
            Target::AgentsMd => files.push(shared(
                out.join("AGENTS.md"),
                "# AGENTS.md\n\n",
                rules,
                cited,
                out,
                budget,
            )),
            Target::Claude => {
                if targets.contains(&Target::AgentsMd) {
                    files.push(claude_import(out.join("CLAUDE.md")));
                } else {
                    files.push(shared(
                        out.join("CLAUDE.md"),
                        "# CLAUDE.md\n\n",
                        rules,
                        cited,
                        out,
                        budget,
                    ));
                }
                // Claude Code loads `.claude/rules/*.md` when a file matching `paths` is read.
                let dir = out.join(CLAUDE_RULES);
                files.extend(path_files(rules, cited, &dir, "md", claude_front_matter));
            }
            Target::Copilot => {
                let dir = out.join(".github");
                files.push(shared(
                    dir.join("copilot-instructions.md"),
                    "# Copilot instructions\n\n",
                    rules,
                    cited,
                    &dir,
                    budget,
                ));
                // Path instructions: Copilot adds them when it works on a matching file.
                let dir = out.join(COPILOT_INSTRUCTIONS);
                files.extend(path_files(
                    rules,
                    cited,
                    &dir,
                    "instructions.md",
                    copilot_front_matter,
                ));
            }
        }
    }
    files
}

/// Where Claude Code's path-scoped rules and Copilot's path instructions live.
pub const CLAUDE_RULES: &str = ".claude/rules";
pub const COPILOT_INSTRUCTIONS: &str = ".github/instructions";

/// One file per rule that names the files it is about (`applies_to`), with the
/// front matter `front` writes; rules about no file are in the shared block only.
fn path_files(
    rules: &[Rule],
    cited: &[Cited],
    dir: &Path,
    ext: &str,
    front: fn(&Rule, &[&str]) -> (String, usize),
) -> Vec<Desired> {
    rules
        .iter()
        .filter_map(|r| {
            let globs = plain_globs(r);
            if globs.is_empty() {
                return None;
            }
            let (front, lines) = front(r, &globs);
            let text = format!("{front}{}", body(r, cited, dir));
            Some(owned_file(
                dir.join(format!("{}.{ext}", r.id)),
                &text,
                lines,
            ))
        })
        .collect()
}

/// `paths:` as a list of quoted globs: the documented form (the string form has been
/// read wrongly by some Claude Code versions).
fn claude_front_matter(_r: &Rule, globs: &[&str]) -> (String, usize) {
    let mut f = String::from("---\npaths:\n");
    for g in globs {
        f.push_str(&format!("  - {}\n", yaml_quoted(g)));
    }
    f.push_str("---\n");
    let lines = f.lines().count();
    (f, lines)
}

/// `applyTo` is one quoted, comma-joined string of globs.
fn copilot_front_matter(r: &Rule, globs: &[&str]) -> (String, usize) {
    let f = format!(
        "---\napplyTo: {}\ndescription: {}\n---\n",
        yaml_quoted(&globs.join(",")),
        description(r)
    );
    let lines = f.lines().count();
    (f, lines)
}

fn owned_file(path: PathBuf, text: &str, marker_line: usize) -> Desired {
    Desired {
        path,
        content: owned::stamp(text, marker_line, Syntax::Html, NOTE),
        shared: false,
    }
}

/// A shared file: only the block between the markers is hindsight's.
fn shared(
    path: PathBuf,
    header: &str,
    rules: &[Rule],
    cited: &[Cited],
    dir: &Path,
    budget: Budget,
) -> Desired {
    let existing = std::fs::read_to_string(&path).ok();
    let block = index(rules, cited, dir, budget);
    Desired {
        content: owned::splice(existing.as_deref(), header, &block),
        path,
        shared: true,
    }
}

/// CLAUDE.md imports AGENTS.md (Claude Code reads `@path` lines) rather than holding a
/// second copy: one block to keep current, and half the context. A new file gets the
/// import outside the markers; a person's CLAUDE.md that lacks it gets it in the block,
/// since the text outside the markers is theirs.
fn claude_import(path: PathBuf) -> Desired {
    let existing = std::fs::read_to_string(&path).ok();
    let imports = |t: &str| t.lines().any(|l| l.trim() == "@AGENTS.md");
    let outside = existing.as_deref().map(|t| {
        let (b, e) = (t.find(owned::BEGIN), t.find(owned::END));
        match (b, e) {
            (Some(b), Some(e)) if b < e => imports(&t[..b]) || imports(&t[e..]),
            _ => imports(t),
        }
    });
    let block = if outside.unwrap_or(true) {
        "The lessons from past incidents are in AGENTS.md, imported above.\n".to_string()
    } else {
        "@AGENTS.md\n".to_string()
    };
    Desired {
        content: owned::splice(existing.as_deref(), "# CLAUDE.md\n\n@AGENTS.md\n\n", &block),
        path,
        shared: true,
    }
}

/// One description line for front matter: one line, no `: ` or ` #`, no leading `#` or
/// backtick, no trailing space, so it never needs YAML quoting.
fn description(r: &Rule) -> String {
    let t: String = r
        .title
        .split(|c: char| c.is_whitespace() || !yaml_plain(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace('`', "");
    // ` #` starts a YAML comment and `: ` a mapping; one pass over ` ###` or `x:: y`
    // leaves another.
    let mut t = t;
    while t.contains(" #") || t.contains(": ") {
        t = t.replace(" #", " ").replace(": ", " - ");
    }
    let t = t
        .trim_start_matches([
            '#', '-', '*', '!', '&', '[', '{', '>', '|', '%', '@', '\'', '"',
        ])
        .trim_end_matches(':')
        .trim();
    let when = when_to_apply(r);
    if t.is_empty() {
        return format!("{when} (a lesson from a past incident)");
    }
    format!("{when} - {t}")
}

/// When an agent should read the rule, said as the work it is doing: from the files
/// the rule is about, else from what its words are about.
fn when_to_apply(r: &Rule) -> String {
    const FILES: [(&str, &str); 8] = [
        (".sh", "shell scripts"),
        ("workflows", "CI workflows"),
        ("gitlab-ci", "CI workflows"),
        ("Dockerfile", "Dockerfiles"),
        (".env", "environment files"),
        ("k8s", "Kubernetes manifests"),
        (".sql", "database migrations"),
        ("migrations", "database migrations"),
    ];
    let mut kinds: Vec<&str> = Vec::new();
    for g in &r.applies_to {
        for (needle, kind) in FILES {
            if g.contains(needle) && !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    if !kinds.is_empty() {
        kinds.truncate(3);
        return format!("Apply when editing {}", or_list(&kinds));
    }
    const TOPICS: [(&str, &str); 34] = [
        ("deploy", "deploying"),
        ("release", "releasing"),
        ("migrat", "changing the database schema"),
        ("rollback", "rolling back"),
        ("roll back", "rolling back"),
        ("server", "working on a server"),
        ("push", "pushing to git"),
        ("branch", "pushing to git"),
        ("alert", "setting up monitoring"),
        ("monitor", "setting up monitoring"),
        ("retry", "writing retries"),
        ("certificate", "handling certificates"),
        ("config", "changing configuration"),
        ("env", "changing configuration"),
        ("debug", "changing configuration"),
        ("test", "testing a change"),
        ("cron", "scheduling jobs"),
        ("schedul", "scheduling jobs"),
        ("job", "scheduling jobs"),
        (" scal", "scaling a service"),
        ("incident", "handling an incident"),
        ("postmortem", "handling an incident"),
        ("account", "managing accounts and access"),
        ("permission", "managing accounts and access"),
        ("secret", "handling secrets"),
        ("charg", "handling payments"),
        ("billing", "handling payments"),
        ("money", "handling payments"),
        ("dns", "changing DNS or the network"),
        ("network", "changing DNS or the network"),
        ("firmware", "updating firmware or dependencies"),
        ("upgrade", "updating firmware or dependencies"),
        ("bucket", "changing storage or backups"),
        ("backup", "changing storage or backups"),
    ];
    let title = r.title.to_lowercase();
    let words = format!("{title} {}", r.why.to_lowercase());
    let mut found: Vec<&str> = Vec::new();
    for (needle, work) in TOPICS {
        if title.contains(needle) && !found.contains(&work) {
            found.push(work);
        }
    }
    if found.is_empty() {
        found.extend(
            TOPICS
                .iter()
                .filter(|(n, _)| words.contains(n))
                .map(|(_, w)| *w)
                .take(1),
        );
    }
    found.truncate(2);
    match found.as_slice() {
        [] => "Apply when planning or reviewing a change".into(),
        f => format!("Apply when {}", or_list(f)),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Globs for Cursor: comma-joined, unquoted (Cursor reads the line as is, quotes
/// included); none with a comma, brace, whitespace or control character.
fn cursor_globs(r: &Rule) -> Option<String> {
    let globs = plain_globs(r);
    (!globs.is_empty()).then(|| globs.join(","))
}

/// The rule's `applies_to` globs that every target reads the same way.
fn plain_globs(r: &Rule) -> Vec<&str> {
    r.applies_to
        .iter()
        .map(String::as_str)
        .filter(|g| plain_glob(g))
        .collect()
}

/// A glob every target reads the same: no comma, brace, whitespace or control character.
fn plain_glob(g: &str) -> bool {
    !g.is_empty()
        && !g.contains([',', '{'])
        && !g.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Returns the front matter and the line the marker goes on (just after it).
fn cursor_front_matter(r: &Rule) -> (String, usize) {
    let mut f = String::from("---\n");
    f.push_str(&format!("description: {}\n", description(r)));
    match cursor_globs(r) {
        Some(g) => {
            f.push_str(&format!("globs: {g}\n"));
            f.push_str("alwaysApply: false\n");
        }
        None if r.severity == Level::Error => f.push_str("alwaysApply: true\n"),
        None => f.push_str("alwaysApply: false\n"),
    }
    f.push_str("---\n");
    let lines = f.lines().count();
    (f, lines)
}

fn windsurf_front_matter(r: &Rule) -> (String, usize) {
    let mut f = String::from("---\n");
    match cursor_globs(r) {
        Some(g) => f.push_str(&format!("trigger: glob\nglobs: {g}\n")),
        None if r.severity == Level::Error => f.push_str("trigger: always_on\n"),
        None => f.push_str(&format!(
            "trigger: model_decision\ndescription: {}\n",
            description(r)
        )),
    }
    f.push_str("---\n");
    let lines = f.lines().count();
    (f, lines)
}

fn cline_front_matter(r: &Rule) -> (String, usize) {
    if r.applies_to.is_empty() {
        return (String::new(), 0);
    }
    let mut f = String::from("---\npaths:\n");
    for g in &r.applies_to {
        f.push_str(&format!("  - {}\n", yaml_quoted(g)));
    }
    f.push_str("---\n");
    let lines = f.lines().count();
    (f, lines)
}

/// `s` as a YAML double-quoted scalar: `"` and `\` escaped, and every character YAML
/// does not allow as is (C0 and C1 controls, U+FEFF, U+FFFE, U+FFFF) or reads as a
/// line break (U+0085, U+2028, U+2029) written as `\uXXXX`. Found by fuzzing: JSON
/// quoting leaves C1 controls as they are, which YAML parsers refuse.
fn yaml_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if yaml_plain(c) => out.push(c),
            _ => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A character YAML takes as is in any scalar: printable, not a BOM, not read as a
/// line break. Found by fuzzing: U+FFFF in a title made `description:` unreadable.
fn yaml_plain(c: char) -> bool {
    matches!(c,
        ' '..='~'
        | '\u{A0}'..='\u{2027}'
        | '\u{202A}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FEFE}'
        | '\u{FF00}'..='\u{FFFD}'
        | '\u{10000}'..)
}

/// The first incident with `id`; `cited` is sorted by id (see `render`).
fn cite<'a>(cited: &'a [Cited], id: &str) -> Option<&'a Cited<'a>> {
    let at = cited.partition_point(|c| c.incident.id.as_str() < id);
    cited.get(at).filter(|c| c.incident.id == id)
}

fn incident_link(c: &Cited, from_dir: &Path) -> String {
    let date = c
        .incident
        .date
        .as_deref()
        .map(|d| format!(", {d}"))
        .unwrap_or_default();
    format!(
        "[{}{date}]({})",
        c.incident.title,
        relative_link(from_dir, &c.file)
    )
}

/// The body of a per-rule file: title, Do / Don't / Why, how it is checked, incidents.
fn body(r: &Rule, cited: &[Cited], from_dir: &Path) -> String {
    let mut b = format!("# {}\n\n", r.title);
    if let Some(d) = &r.dont {
        b.push_str(&format!("- {}\n", dont_line(d)));
    }
    if let Some(d) = &r.do_ {
        b.push_str(&format!("- {}\n", do_line(d)));
    }
    if !r.steps.is_empty() {
        b.push_str("- **Steps:**\n");
        for s in &r.steps {
            b.push_str(&format!("  - {}\n", s.trim()));
        }
    }
    b.push_str(&format!("- **Why:** {}\n", r.why));
    if !r.guards.is_empty() {
        let mut checks: Vec<String> = Vec::new();
        for d in r.guards.iter().map(|g| g.describe()) {
            if !checks.contains(&d) {
                checks.push(d);
            }
        }
        b.push_str(&format!(
            "- **Checked by:** `hindsight check` (rule `{}`): {}\n",
            r.id,
            checks.join("; ")
        ));
    }
    let links = incident_links(r, cited, from_dir);
    if !links.is_empty() {
        b.push_str(&format!("- **Incident:** {links}\n"));
    }
    b
}

/// Links to the newest `AGENT_INCIDENTS` incidents of `r`, then how many more.
fn incident_links(r: &Rule, cited: &[Cited], from_dir: &Path) -> String {
    let from = newest_first(r, cited);
    let mut links: Vec<String> = from
        .iter()
        .take(AGENT_INCIDENTS)
        .map(|c| incident_link(c, from_dir))
        .collect();
    if from.len() > AGENT_INCIDENTS {
        links.push(format!(
            "and {} more (`rules/{}.toml` lists them)",
            from.len() - AGENT_INCIDENTS,
            r.id
        ));
    }
    links.join("; ")
}

fn strip_end(s: &str) -> String {
    let t = s.trim().trim_end_matches('.');
    format!("{t}.")
}

/// A rule's instruction as it reads after its label. The label replaces a leading
/// negation (`Never use X` under "Don't:" reads twice) and a leading `always`; nothing
/// else is removed, so the bullet says what the source says. A Don't written as a
/// statement (`PM2 should not be used`, `Avoid manual edits`) keeps its own words and
/// gets no label: "Don't: Avoid…" would say the opposite.
fn dont_line(s: &str) -> String {
    match strip_lead(s, &["never ", "don't ", "don’t ", "do not "]) {
        Some(rest) => format!("**Don't:** {}", capitalised(rest)),
        None => capitalised(s),
    }
}

fn do_line(s: &str) -> String {
    let rest = strip_lead(s, &["always "]).unwrap_or(s);
    format!("**Do:** {}", capitalised(rest))
}

/// `s` without the first of `leads` it starts with (case-insensitively), if the rest
/// says something.
fn strip_lead<'a>(s: &'a str, leads: &[&str]) -> Option<&'a str> {
    let t = s.trim();
    leads.iter().find_map(|lead| {
        let head = t.get(..lead.len())?;
        let rest = t[lead.len()..].trim();
        (head.eq_ignore_ascii_case(lead) && !rest.is_empty()).then_some(rest)
    })
}

/// First letter upper case, one full stop at the end.
fn capitalised(s: &str) -> String {
    let mut c = s.trim().chars();
    strip_end(&c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    }))
}

/// How large the hindsight block of AGENTS.md and its kin may grow: an agent reads
/// all of it on every task, so only the lessons that matter most fit; the rest are one
/// file each (Cursor, Windsurf, Cline) and on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub bytes: usize,
    pub lines: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            bytes: 12_000,
            lines: 150,
        }
    }
}

/// Where agent files go, which, and how large the shared block may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub out: PathBuf,
    pub targets: Vec<Target>,
    pub budget: Budget,
}

impl Settings {
    /// From `[agents]` in the knowledge base's `hindsight.toml`.
    pub fn new(
        c: &crate::config::Config,
        kb: &crate::kb::KnowledgeBase,
    ) -> Result<Settings, crate::config::ConfigError> {
        use crate::config::Key;
        let a = &c.agents;
        let mut budget = Budget::default();
        for (key, value, min, slot) in [
            ("budget_bytes", a.budget_bytes, 1_000, &mut budget.bytes),
            ("budget_lines", a.budget_lines, 10, &mut budget.lines),
        ] {
            match value {
                Some(v) if v < min => {
                    return Err(c.source.error(
                        &[Key::Name("agents"), Key::Name(key)],
                        format!("[agents] {key} must be at least {min}"),
                    ));
                }
                Some(v) => *slot = v,
                None => {}
            }
        }
        Ok(Settings {
            out: a
                .out
                .as_ref()
                .map_or_else(|| kb.rules_dir().join("agents"), |o| kb.root.join(o)),
            targets: a.targets.clone().unwrap_or_else(|| ALL_TARGETS.to_vec()),
            budget,
        })
    }
}

/// A rule as one line of instruction, without links: what an agent is told.
pub fn instruction(r: &Rule) -> String {
    match (&r.dont, &r.do_) {
        (Some(d), _) => dont_line(d),
        (None, Some(d)) => do_line(d),
        (None, None) => strip_end(&r.title),
    }
}

/// A rule's incidents, newest first; undated last.
fn newest_first<'a>(r: &Rule, cited: &'a [Cited<'a>]) -> Vec<&'a Cited<'a>> {
    let mut from: Vec<&Cited> = r
        .incidents
        .iter()
        .filter_map(|id| cite(cited, id))
        .collect();
    from.sort_by(|a, b| {
        let (x, y) = (&a.incident.date, &b.incident.date);
        y.is_some().cmp(&x.is_some()).then_with(|| y.cmp(x))
    });
    from
}

/// The newest date among a rule's incidents (`None` sorts last).
fn newest<'a>(r: &Rule, cited: &'a [Cited<'a>]) -> Option<&'a str> {
    newest_first(r, cited).first()?.incident.date.as_deref()
}

/// The block for single-file targets: one line per rule, the most important first
/// (guarded, errors, recurring, recent), cut to the budget.
fn index(rules: &[Rule], cited: &[Cited], from_dir: &Path, budget: Budget) -> String {
    let mut b = String::from(
        "## Lessons from past incidents\n\n\
         Generated by hindsight from this project's postmortems. Edit the postmortems, not\n\
         the text between the hindsight markers; text outside them is yours.\n\n",
    );
    let mut ordered: Vec<(&Rule, Option<&str>)> =
        rules.iter().map(|r| (r, newest(r, cited))).collect();
    ordered.sort_by(|(a, da), (b, db)| {
        (a.guards.is_empty().cmp(&b.guards.is_empty()))
            .then(a.severity.cmp(&b.severity))
            .then(b.incidents.len().cmp(&a.incidents.len()))
            .then(db.cmp(da))
            .then(a.id.cmp(&b.id))
    });
    // Room for the closing line that says where the rest are.
    let reserve = 200;
    // The header, the markers and the closing line count against the line budget.
    let fixed_lines = b.lines().count() + 4;
    let mut shown = 0;
    for (r, _) in &ordered {
        let line = index_line(r, cited, from_dir);
        if b.len() + line.len() + reserve > budget.bytes || fixed_lines + shown + 1 > budget.lines {
            break;
        }
        b.push_str(&line);
        shown += 1;
    }
    let rest = ordered.len() - shown;
    if rest > 0 {
        b.push_str(&format!(
            "\n{rest} more lesson(s) are in `rules/` (`hindsight rules --json` lists them all) and on the site.\n"
        ));
    }
    b
}

/// One rule's line: instruction, why (one sentence), check, newest incident.
fn index_line(r: &Rule, cited: &[Cited], from_dir: &Path) -> String {
    let checked = if r.guards.is_empty() {
        String::new()
    } else {
        format!(" Checked by `hindsight check` (`{}`).", r.id)
    };
    let from = newest_first(r, cited);
    let mut links = from
        .first()
        .map(|c| format!(" {}", incident_link(c, from_dir)))
        .unwrap_or_default();
    if from.len() > 1 {
        links.push_str(&format!(" and {} more", from.len() - 1));
    }
    let steps = if r.steps.is_empty() {
        String::new()
    } else {
        format!(
            " Steps: {}.",
            clip(&r.steps.join("; "), 240).trim_end_matches('.')
        )
    };
    format!(
        "- {}{steps} *Why:* {}{checked}{links}\n",
        instruction(r),
        clip(&r.why, 300)
    )
}

/// At most `max` bytes of `s`, cut at a word, with an ellipsis.
fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let cut = s[..end].rfind(' ').unwrap_or(end);
    format!("{}…", s[..cut].trim_end())
}

#[cfg(test)]
mod tests;
