//! From incidents to rules: every instructive lesson becomes a rule, lessons that name
//! the same check (or say the same thing) merge into one rule citing every incident,
//! and guards stated exactly in a ```` ```hindsight-guard ```` block replace inferred ones.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::applies::Context;
use super::infer::{self, Lesson, Origin, Polarity, Strength};
use super::learned;
use super::model::{Check, Guard, Level, Rule, RuleStatus, Source};
use crate::document::{Block, Document};
use crate::incident::{Incident, slug};
use crate::taxonomy::SectionKind;

/// An incident as the compiler needs it: the record and its repaired text.
pub struct Input<'a> {
    pub incident: &'a Incident,
    pub text: &'a str,
}

/// A `hindsight-guard` block that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for BlockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: hindsight-guard block: {}",
            self.path, self.line, self.message
        )
    }
}

/// What a `hindsight-guard` block may say; everything but the guards is optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Explicit {
    id: Option<String>,
    title: Option<String>,
    severity: Option<Level>,
    why: Option<String>,
    #[serde(rename = "do")]
    do_: Option<String>,
    dont: Option<String>,
    #[serde(default)]
    applies_to: Vec<String>,
    #[serde(default, rename = "guard")]
    guards: Vec<Guard>,
}

/// Sources a rule file lists (all its incidents are listed by id): a lesson from
/// thousands of postmortems made rule files of megabytes, and held a million
/// sources in memory at 100,000 incidents.
const RULE_SOURCES: usize = 50;

/// One lesson on its way to becoming (part of) a rule. It borrows from its incident
/// (there are about ten per incident); a `Source` is made only for rules that keep it.
struct Candidate<'a> {
    rank: (u8, &'a str, usize),
    incident: &'a Incident,
    line: usize,
    lesson: Lesson,
    /// Active when it is a standing practice from lessons or prevention.
    status: RuleStatus,
    /// Boxed: few candidates have one, and inline it tripled the size of every
    /// candidate (about 870,000 of them at 100,000 incidents).
    explicit: Option<Box<Explicit>>,
}

/// What one incident teaches, apart from the incident: a lesson, where it is in the
/// record, and the status it gives its rule. The lessons of an incident with no
/// `hindsight-guard` block are a function of its record alone, so a build can keep
/// them for the next (see `learned`).
#[derive(Debug, Clone, PartialEq)]
pub struct Learned {
    /// Lessons, prevention, fixes: 0, 1, 2.
    pub field: u8,
    pub line: usize,
    pub lesson: Lesson,
    pub status: RuleStatus,
}

/// Compile rules from `inputs`. Errors in `hindsight-guard` blocks are returned with the
/// rules from everything else.
pub fn compile(inputs: &[Input]) -> (Vec<Rule>, Vec<BlockError>) {
    let (rules, errors, _) = compile_with(inputs, vec![None; inputs.len()]);
    (rules, errors)
}

/// `compile`, taking each input's lessons from `known` where given (as an earlier
/// `compile_with` returned them for the same record) instead of reading them again.
/// Also returns the lessons of each input read this time, encoded to keep for the next
/// (see `learned`); `None` for inputs taken from `known` and for an incident with
/// `hindsight-guard` blocks, whose lessons are read again every time.
pub fn compile_with(
    inputs: &[Input],
    known: Vec<Option<Vec<Learned>>>,
) -> (Vec<Rule>, Vec<BlockError>, Vec<Option<Vec<u8>>>) {
    use rayon::prelude::*;
    let per_input: Vec<PerInput> = inputs
        .par_iter()
        .zip(known)
        .map_init(learned::Guards::new, |guards, (input, known)| match known {
            Some(learned) => {
                let candidates = learned
                    .into_iter()
                    .map(|l| Candidate::from_learned(input.incident, l))
                    .collect();
                (candidates, Vec::new(), None)
            }
            None => {
                let (candidates, errors) = candidates_of(input);
                let keep = errors.is_empty() && candidates.iter().all(|c| c.explicit.is_none());
                // Encoded at once: kept as lessons until the merge, every lesson of a
                // first build was twice in memory.
                let kept = keep
                    .then(|| {
                        let list: Vec<Learned> =
                            candidates.iter().map(Candidate::learned).collect();
                        learned::encoded(&list, guards)
                    })
                    .flatten();
                (candidates, errors, kept)
            }
        })
        .collect();
    // Sized once: grown by doubling, the list briefly needed three times its size.
    let mut candidates = Vec::with_capacity(per_input.iter().map(|(c, _, _)| c.len()).sum());
    let mut errors = Vec::new();
    let mut learned = Vec::with_capacity(inputs.len());
    for (c, e, l) in per_input {
        candidates.extend(c);
        errors.extend(e);
        learned.push(l);
    }
    candidates.sort_by(|a, b| a.rank.cmp(&b.rank));
    let by_id: BTreeMap<&str, &Incident> = inputs
        .iter()
        .map(|i| (i.incident.id.as_str(), i.incident))
        .collect();
    (merge(candidates, &by_id), errors, learned)
}

/// One input's candidates, the errors in its blocks, and its lessons (encoded) if read
/// this time.
type PerInput<'a> = (Vec<Candidate<'a>>, Vec<BlockError>, Option<Vec<u8>>);

impl<'a> Candidate<'a> {
    fn from_learned(incident: &'a Incident, l: Learned) -> Candidate<'a> {
        Candidate {
            rank: (l.field, &incident.id, l.line),
            incident,
            line: l.line,
            lesson: l.lesson,
            status: l.status,
            explicit: None,
        }
    }

    fn learned(&self) -> Learned {
        Learned {
            field: self.rank.0,
            line: self.line,
            lesson: self.lesson.clone(),
            status: self.status,
        }
    }
}

/// The lessons of one incident, and errors in its `hindsight-guard` blocks.
fn candidates_of<'a>(input: &Input<'a>) -> (Vec<Candidate<'a>>, Vec<BlockError>) {
    let mut candidates = Vec::new();
    let mut errors = Vec::new();
    let inc = input.incident;
    let explicit = explicit_blocks(inc, input.text, &mut errors);
    let has_explicit = !explicit.is_empty();
    let ctx = Context::of(inc);
    let mut owner: HashMap<usize, usize> = HashMap::new();
    for (field, origin, rank) in [
        (&inc.lessons, Origin::Lesson, 0u8),
        (&inc.prevention, Origin::Prevention, 1),
        (&inc.fixes, Origin::Fix, 2),
    ] {
        for st in field {
            // A step of a lesson (`Run npm run dev` under `Always test locally`) is
            // part of it, never a rule alone.
            // A step of a step belongs to the same lesson.
            let top = st.parent.map(|p| owner.get(&p).copied().unwrap_or(p));
            if let Some(parent) = top.and_then(|p| {
                candidates
                    .iter_mut()
                    .rev()
                    .find(|c: &&mut Candidate| c.line == p)
            }) {
                owner.insert(st.line, parent.line);
                adopt(parent, &st.text, origin, &ctx);
                continue;
            }
            // A step of a statement that is no rule (`Vite build completes` under
            // `Build system is fixed`) describes that state; it is no rule alone.
            if top.is_some_and(|p| field.iter().any(|o| o.line == p)) {
                continue;
            }
            let mut found = infer::lessons_in(&st.text, origin, Some(&ctx));
            // `Post-deployment verification` over its steps: a lesson's name.
            if found.is_empty()
                && origin != Origin::Fix
                && field.iter().any(|c| c.parent == Some(st.line))
            {
                found.extend(infer::named(&st.text));
            }
            for mut lesson in found {
                // Action items are mostly one-off tasks ("Test button visibility"):
                // they stand only when they say never/always/must/every.
                if st.section == SectionKind::ActionItems
                    && lesson.strength == Strength::Practice
                    && infer::one_off(&infer::plain(&lesson.text))
                {
                    lesson.strength = Strength::Task;
                }
                if has_explicit {
                    // Stated guards win: inferred ones from this incident go.
                    lesson.guards.clear();
                    if origin == Origin::Fix {
                        continue;
                    }
                }
                let Some(status) = status_of(&lesson, origin) else {
                    continue;
                };
                candidates.push(Candidate {
                    rank: (rank, &inc.id, st.line),
                    incident: inc,
                    line: st.line,
                    lesson,
                    status,
                    explicit: None,
                });
            }
        }
    }
    for (line, e) in explicit {
        let text = e
            .title
            .clone()
            .or_else(|| e.dont.clone())
            .or_else(|| e.do_.clone())
            .unwrap_or_default();
        candidates.push(Candidate {
            rank: (0, &inc.id, line),
            incident: inc,
            line,
            lesson: Lesson {
                source: text.clone(),
                text,
                reason: e.why.clone(),
                polarity: Polarity::Dont,
                strength: Strength::Practice,
                guards: e.guards.clone(),
                subject: None,
                unsure: false,
                steps: Vec::new(),
            },
            status: RuleStatus::Active,
            explicit: Some(Box::new(e)),
        });
    }
    // Each lesson is a rule and several files: one postmortem of 100,000 lessons wrote
    // 400,003 files. Its first lessons (by field, then line) are kept.
    candidates.sort_by_key(|c| (c.explicit.is_none(), c.status, c.rank.0, c.rank.2));
    candidates.truncate(MAX_RULES_PER_INCIDENT);
    (candidates, errors)
}

/// A step nested under a lesson joins it: its text as a step, its guards as the
/// lesson's (`Run npm run build` under `Always test locally` is checked for it).
fn adopt(parent: &mut Candidate, step: &str, origin: Origin, ctx: &Context) {
    if parent.lesson.steps.len() < MAX_STEPS {
        parent.lesson.steps.push(step.trim().to_string());
    }
    for l in infer::lessons_in(step, origin, Some(ctx)) {
        if l.unsure {
            continue;
        }
        for g in l.guards {
            if !parent.lesson.guards.contains(&g) {
                parent.lesson.guards.push(g);
            }
        }
    }
}

/// Steps a rule keeps: a checklist, not a manual.
const MAX_STEPS: usize = 12;

/// Whether a lesson becomes an active rule, a proposed one, or none. Precision first:
/// only standing practices from lessons and prevention are active; plans, and tasks
/// or fixes that name a check, wait for review; other tasks are no rules at all.
fn status_of(lesson: &Lesson, origin: Origin) -> Option<RuleStatus> {
    match (lesson.strength, origin) {
        (Strength::Practice, Origin::Lesson | Origin::Prevention) if lesson.unsure => {
            Some(RuleStatus::Proposed)
        }
        (Strength::Practice, Origin::Lesson | Origin::Prevention) => Some(RuleStatus::Active),
        (Strength::Plan, _) => Some(RuleStatus::Proposed),
        _ if !lesson.guards.is_empty() => Some(RuleStatus::Proposed),
        _ => None,
    }
}

/// Lessons (and explicit blocks) one postmortem may turn into rules.
const MAX_RULES_PER_INCIDENT: usize = 50;

fn explicit_blocks(
    inc: &Incident,
    text: &str,
    errors: &mut Vec<BlockError>,
) -> Vec<(usize, Explicit)> {
    let mut out = Vec::new();
    // Parsing the markdown again is the costly part; most postmortems have no block.
    if !text.contains("hindsight-guard") {
        return out;
    }
    let doc = Document::parse(text);
    for s in &doc.sections {
        for b in &s.blocks {
            let Block::Code { lang, text, line } = b else {
                continue;
            };
            if lang != "hindsight-guard" {
                continue;
            }
            match toml::from_str::<Explicit>(text) {
                Ok(e) if e.guards.is_empty() => errors.push(BlockError {
                    path: inc.path.clone(),
                    line: *line,
                    message: "no [[guard]] in the block".into(),
                }),
                Ok(e) => match block_problem(&e, text) {
                    Some((at, message)) => errors.push(BlockError {
                        path: inc.path.clone(),
                        line: line + at,
                        message,
                    }),
                    None => out.push((*line, e)),
                },
                Err(err) => {
                    let at = err.span().map_or(0, |sp| {
                        text[..sp.start.min(text.len())].matches('\n').count()
                    });
                    errors.push(BlockError {
                        path: inc.path.clone(),
                        line: line + 1 + at,
                        message: err.message().to_string(),
                    });
                }
            }
        }
    }
    out
}

/// What is wrong with a parsed block, as a rule file would be judged: its line within
/// the block (1-based) and the message. An id names files, so it must be a slug.
fn block_problem(e: &Explicit, text: &str) -> Option<(usize, String)> {
    use super::model::{Key, is_rule_id, toml_line, validate_guards};
    if let Some(id) = e.id.as_deref().filter(|id| !is_rule_id(id)) {
        let at = toml_line(text, &[Key::Name("id")]).unwrap_or(1);
        return Some((
            at,
            format!("rule id {id:?} must be letters, digits, '-' or '_'"),
        ));
    }
    let p = validate_guards(&e.guards).err()?;
    Some((p.line_in(text).unwrap_or(1), p.message))
}

/// What makes two lessons the same rule: the checks they name, else their words.
fn key(l: &Lesson) -> String {
    if l.guards.is_empty() {
        let way = match l.polarity {
            Polarity::Do => "do",
            Polarity::Dont => "dont",
        };
        return format!("text:{way} {}", normalize(&l.text));
    }
    let mut sigs: Vec<String> = l.guards.iter().map(signature).collect();
    sigs.sort();
    sigs.join("|")
}

fn signature(g: &Guard) -> String {
    match &g.check {
        Check::ForbidPattern { pattern, .. } => format!("forbid-pattern:{pattern}"),
        Check::RequirePattern { pattern, .. } => format!("require-pattern:{pattern}"),
        Check::RequireFile { path, .. } => format!("require-file:{path}"),
        Check::ForbidFile { files } => format!("forbid-file:{}", files.join(",")),
        Check::GitClean { repo, .. } => format!("git-clean:{}", repo.as_deref().unwrap_or(".")),
        Check::Command { argv, .. } => format!("command:{}", argv.join(" ")),
    }
}

/// The words of a normalised text that count for overlap (filler left out), sorted
/// and without repeats.
fn word_set(s: &str) -> Vec<&str> {
    const STOP: [&str; 10] = [
        "the", "a", "an", "to", "of", "and", "in", "on", "for", "with",
    ];
    let mut w: Vec<&str> = s.split(' ').filter(|w| !STOP.contains(w)).collect();
    w.sort_unstable();
    w.dedup();
    w
}

/// Word sets overlapping in at least two words and at least 3/4 of their union.
fn similar_sets(inter: usize, a: usize, b: usize) -> bool {
    let union = a + b - inter;
    union > 0 && inter >= 2 && inter * 4 >= union * 3
}

fn normalize(s: &str) -> String {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn merge(candidates: Vec<Candidate>, incidents: &BTreeMap<&str, &Incident>) -> Vec<Rule> {
    // Each candidate joins the earliest group whose key is its own, or (for agent-only
    // lessons) whose words nearly match ("Deploy to preview first" / "Deploy to preview
    // environment first"). Near matches are found by prefix filtering: with each word
    // set ordered rarest word first, two sets that overlap by 3/4 share a word among
    // their first n - ceil(3n/4) + 1, so only those words are indexed and looked up
    // (looking up every word was quadratic in common words at 100,000 incidents).
    let words_of = |c: &Candidate| -> Vec<String> {
        key(&c.lesson)
            .strip_prefix("text:")
            .map(|t| word_set(t).into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    };
    let mut freq: HashMap<String, usize> = HashMap::new();
    for c in &candidates {
        for w in words_of(c) {
            *freq.entry(w).or_default() += 1;
        }
    }
    let rarest_first = |words: &mut Vec<String>| {
        words.sort_by(|a, b| freq[a].cmp(&freq[b]).then_with(|| a.cmp(b)));
    };
    let prefix = |n: usize| n - (3 * n).div_ceil(4) + 1;
    let mut groups: Vec<(String, Vec<Candidate>)> = Vec::new();
    let mut exact: HashMap<String, usize> = HashMap::new();
    let mut group_words: Vec<Vec<String>> = Vec::new();
    let mut by_prefix: HashMap<String, Vec<usize>> = HashMap::new();
    for c in candidates {
        let k = key(&c.lesson);
        let mut found = exact.get(&k).copied();
        let mut words = words_of(&c);
        rarest_first(&mut words);
        if !words.is_empty() {
            let mine: std::collections::HashSet<&str> = words.iter().map(String::as_str).collect();
            let mut near: Vec<usize> = words[..prefix(words.len())]
                .iter()
                .flat_map(|w| by_prefix.get(w).map_or(&[][..], Vec::as_slice))
                .copied()
                .collect();
            near.sort_unstable();
            near.dedup();
            let near = near.into_iter().find(|&g| {
                let theirs = &group_words[g];
                let inter = theirs.iter().filter(|w| mine.contains(w.as_str())).count();
                similar_sets(inter, words.len(), theirs.len())
            });
            found = match (found, near) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        match found {
            Some(g) => groups[g].1.push(c),
            None => {
                let g = groups.len();
                exact.insert(k.clone(), g);
                if k.starts_with("text:") {
                    for w in &words[..prefix(words.len()).min(words.len())] {
                        by_prefix.entry(w.clone()).or_default().push(g);
                    }
                }
                group_words.push(if k.starts_with("text:") {
                    words
                } else {
                    Vec::new()
                });
                groups.push((k, vec![c]));
            }
        }
    }
    let mut rules: Vec<Rule> = groups
        .into_iter()
        .map(|(_, g)| rule_from(g, incidents))
        .collect();
    // Ids are stable slugs; the rare clash gets a number, in a stable order.
    rules.sort_by(|a, b| a.id.cmp(&b.id).then(a.sources.cmp(&b.sources)));
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for r in &mut rules {
        let n = seen.entry(r.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            r.id = format!("{}-{}", r.id, n);
        }
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules
}

fn rule_from(group: Vec<Candidate>, incidents: &BTreeMap<&str, &Incident>) -> Rule {
    let first = &group[0];
    let explicit = group.iter().find_map(|c| c.explicit.as_ref());
    let mut guards: Vec<Guard> = Vec::new();
    for c in &group {
        for g in &c.lesson.guards {
            merge_guard(&mut guards, g);
        }
    }
    let mut ids: Vec<String> = group.iter().map(|c| c.incident.id.clone()).collect();
    ids.sort();
    ids.dedup();
    // In the order `Source` sorts in, without making one for every candidate.
    let mut keyed: Vec<(&str, &str, usize, &str)> = group
        .iter()
        .map(|c| {
            let i = c.incident;
            (
                i.id.as_str(),
                i.path.as_str(),
                c.line,
                c.lesson.source.as_str(),
            )
        })
        .collect();
    keyed.sort_unstable();
    keyed.dedup();
    let sources: Vec<Source> = keyed
        .into_iter()
        .take(RULE_SOURCES)
        .map(|(incident, path, line, text)| Source {
            incident: incident.into(),
            path: path.into(),
            line,
            text: text.into(),
        })
        .collect();
    let title = explicit
        .and_then(|e| e.title.clone())
        .unwrap_or_else(|| title_case(&first.lesson.text));
    let (do_, dont) = match (explicit, first.lesson.polarity) {
        (Some(e), _) => (e.do_.clone(), e.dont.clone()),
        (None, Polarity::Dont) => (None, Some(first.lesson.text.clone())),
        (None, Polarity::Do) => (Some(first.lesson.text.clone()), None),
    };
    let why = explicit
        .and_then(|e| e.why.clone())
        .or_else(|| {
            group
                .iter()
                .find_map(|c| c.lesson.reason.clone())
                .map(|r| sentence(&r))
        })
        .unwrap_or_else(|| why(&first.lesson.text, &ids, incidents));
    let severity = explicit
        .and_then(|e| e.severity)
        .unwrap_or(if guards.is_empty() {
            Level::Warning
        } else {
            Level::Error
        });
    let applies_to = explicit
        .filter(|e| !e.applies_to.is_empty())
        .map(|e| e.applies_to.clone())
        .unwrap_or_else(|| applies_to(&guards));
    let id = explicit
        .and_then(|e| e.id.clone())
        .unwrap_or_else(|| id_for(&first.lesson, &guards));
    let status = group
        .iter()
        .map(|c| c.status)
        .min()
        .unwrap_or(RuleStatus::Proposed);
    Rule {
        id,
        title,
        severity,
        status,
        steps: first.lesson.steps.clone(),
        why,
        do_,
        dont,
        incidents: ids,
        applies_to,
        sources,
        guards,
    }
}

/// Two lessons requiring the same file: the larger minimum size wins.
fn merge_guard(guards: &mut Vec<Guard>, g: &Guard) {
    if let Some(existing) = guards.iter_mut().find(|e| signature(e) == signature(g)) {
        if let (Check::RequireFile { min_size: a, .. }, Check::RequireFile { min_size: b, .. }) =
            (&mut existing.check, &g.check)
            && b.map(|s| s.0) > a.map(|s| s.0)
        {
            *a = *b;
        }
        return;
    }
    guards.push(g.clone());
}

/// The files an agent should be reminded of the rule for: those it would edit to
/// break it (scripts, manifests), never a file whose absence is the problem.
fn applies_to(guards: &[Guard]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in guards {
        let add: &[String] = match &g.check {
            Check::ForbidPattern { files, .. }
            | Check::RequirePattern { files, .. }
            | Check::ForbidFile { files } => files,
            _ => &[],
        };
        for a in add {
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
    }
    out
}

/// A stable id: named after the check it makes, else after the lesson's first words.
fn id_for(lesson: &Lesson, guards: &[Guard]) -> String {
    let text = &lesson.text;
    // Guards from its steps check the lesson; the lesson names it.
    let guards = if lesson.subject.is_none() && !lesson.steps.is_empty() {
        &[]
    } else {
        guards
    };
    let base = match guards.first().map(|g| &g.check) {
        Some(Check::ForbidPattern { .. }) | Some(Check::ForbidFile { .. }) => {
            let subject = lesson.subject.clone().unwrap_or_else(|| short(text));
            format!("no-{}", slug(&subject))
        }
        Some(Check::RequireFile { path, .. }) => format!("require-{}", slug(path)),
        Some(Check::Command { argv, .. }) => format!("run-{}", slug(&argv.join(" "))),
        Some(Check::GitClean { .. }) => "no-uncommitted-server-changes".to_string(),
        Some(Check::RequirePattern { .. }) | None => slug(&short(text)),
    };
    let id: String = base.chars().take(60).collect();
    id.trim_end_matches('-').to_string()
}

fn short(text: &str) -> String {
    const STOP: [&str; 12] = [
        "the", "a", "an", "to", "of", "and", "in", "on", "for", "is", "are", "be",
    ];
    text.split_whitespace()
        .filter(|w| !STOP.contains(&w.to_lowercase().as_str()))
        .take(6)
        .collect::<Vec<_>>()
        .join(" ")
}

fn title_case(s: &str) -> String {
    let t = s.trim().trim_end_matches('.');
    // Shouting is for incident notes, not rule titles: `NEVER deploy` -> `Never deploy`.
    // Only words said for emphasis: `DROP TABLE` and `DEBUG` are names.
    const SHOUTED: [&str; 14] = [
        "NEVER",
        "ALWAYS",
        "MUST",
        "ONLY",
        "EVER",
        "AGAIN",
        "STOP",
        "AVOID",
        "DON'T",
        "EVERY",
        "CRITICAL",
        "IMPORTANT",
        "STRICTLY",
        "WARNING",
    ];
    let words: Vec<String> = t
        .split(' ')
        .map(|w| {
            let bare = w.trim_matches(|c: char| !c.is_alphabetic() && c != '\'');
            if SHOUTED.contains(&bare) && !w.contains('`') {
                let mut c = w.chars();
                c.next().map_or(String::new(), |f| {
                    f.to_string() + &c.as_str().to_lowercase()
                })
            } else {
                w.to_string()
            }
        })
        .collect();
    let mut out = words.join(" ");
    if let Some(f) = out.chars().next() {
        out = f.to_uppercase().collect::<String>() + &out[f.len_utf8()..];
    }
    out
}

fn sentence(s: &str) -> String {
    let mut t = title_case(s);
    if !t.ends_with(['.', '!', '?']) {
        t.push('.');
    }
    t
}

/// Why, from the incidents themselves: the cause or symptom the rule addresses (the one
/// sharing most words with it), else the incident's title and date.
/// Incidents a rule's `why` quotes; the rest are counted. Quoting every one made a
/// `why` of megabytes for a lesson from thousands of postmortems.
const WHY_INCIDENTS: usize = 3;

fn why(rule: &str, ids: &[String], incidents: &BTreeMap<&str, &Incident>) -> String {
    let found: Vec<&&Incident> = ids
        .iter()
        .filter_map(|id| incidents.get(id.as_str()))
        .collect();
    let words = content_words(rule);
    let mut parts: Vec<String> = found
        .iter()
        .take(WHY_INCIDENTS)
        .map(|inc| {
            let named = match &inc.date {
                Some(d) => format!("{} ({d})", inc.title),
                None => inc.title.clone(),
            };
            let best = inc
                .causes
                .iter()
                .chain(&inc.symptoms)
                .map(|s| (overlap(&words, &content_words(&s.text)), s))
                .filter(|(n, _)| *n > 0)
                .max_by_key(|(n, s)| (*n, std::cmp::Reverse(s.line)));
            match best {
                Some((_, s)) => format!("{named}: {}", first_sentence(&s.text)),
                None => format!("Learned from {named}."),
            }
        })
        .collect();
    if found.len() > WHY_INCIDENTS {
        parts.push(format!(
            "And {} more incidents.",
            found.len() - WHY_INCIDENTS
        ));
    }
    parts.join(" ")
}

/// Words that carry meaning, folded to a crude stem (`deploys`, `deployed` -> `deploy`).
fn content_words(s: &str) -> Vec<String> {
    const STOP: [&str; 24] = [
        "this", "that", "with", "from", "were", "have", "been", "they", "their", "there", "when",
        "what", "which", "will", "would", "should", "must", "never", "always", "before", "after",
        "into", "than", "then",
    ];
    let mut w: Vec<String> = s
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4 && !STOP.contains(w))
        .map(|w| {
            let w = w.strip_suffix("ing").or(w.strip_suffix("ed")).unwrap_or(w);
            w.strip_suffix('s').unwrap_or(w).to_string()
        })
        .collect();
    w.sort();
    w.dedup();
    w
}

fn overlap(a: &[String], b: &[String]) -> usize {
    a.iter().filter(|w| b.binary_search(w).is_ok()).count()
}

fn first_sentence(s: &str) -> String {
    let cut = s.find(". ").map_or(s, |i| &s[..=i]);
    let mut t: String = cut.chars().take(220).collect();
    if t.len() < cut.len() {
        t.push('…');
    }
    if !t.ends_with(['.', '…', '!', '?']) {
        t.push('.');
    }
    t
}

#[cfg(test)]
mod tests;
