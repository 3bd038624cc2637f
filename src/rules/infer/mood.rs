//! The mood of one clause: is it an instruction at all, which way does it point, and is
//! it a standing practice or one team's plan for this incident?
//!
//! Polarity is read from the main clause only: "Do deployments more often so we don't
//! end up doing one big deployment" is a Do whose purpose clause holds a negation;
//! "Never deploy X without Y" is a Don't whose object carries a condition; "PM2 should
//! not be installed" is a Don't said as a statement. The text is never rewritten here:
//! what the source says is what the rule says.

use super::{Origin, Polarity};

/// How much a clause binds the team from now on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// A standing practice: "Always pin image tags", "Deploys must be reviewed".
    Practice,
    /// Something the team says it will do: "We will add alerting for the queue".
    Plan,
    /// A one-off task for this incident: "Upgrade the server to Node 20".
    Task,
}

/// What a clause says, once read.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reading<'a> {
    /// The main clause, as written.
    pub text: &'a str,
    /// A reason or purpose clause cut from the end (`- it deletes Y`, `so we don't…`).
    pub reason: Option<&'a str>,
    pub polarity: Polarity,
    pub strength: Strength,
}

/// Read one clause (a sentence, or one side of a `;`). `None` when it is no instruction:
/// an observation, a feeling, a fragment, a heading.
pub(super) fn read(clause: &str, origin: Origin) -> Option<Reading<'_>> {
    let clause = strip_discourse(clause.trim());
    let (text, reason) = split_reason(clause);
    let text = text.trim().trim_end_matches(['.', '!', ':', ',']).trim();
    if text.split_whitespace().count() < 2 {
        return None;
    }
    let l = plain(text);
    if !standalone(&l) {
        return None;
    }
    let (polarity, strength) = mood(&l, origin)?;
    Some(Reading {
        text,
        reason: reason
            .map(str::trim)
            .filter(|r| r.split_whitespace().count() >= 2),
        polarity,
        strength,
    })
}

/// Lowercased, without emphasis markers or backticks, single-spaced: what the
/// patterns below read.
pub fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '*' | '_' | '`'))
        .collect::<String>()
        .to_lowercase()
        .replace(['’', '‘'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `Going forward, we will…` -> `we will…`: openers that say when, not what.
fn strip_discourse(s: &str) -> &str {
    // Adverbs of stance need no comma: `Ideally these should...` is about "these".
    if let Some(f) = regex!(
        r"(?i)^(?:however|ideally|unfortunately|fortunately|clearly|obviously|honestly|basically|also|additionally|finally)\b,?\s+"
    )
    .find(s)
    {
        return &s[f.end()..];
    }
    let m = regex!(
        r"(?i)^(?:going forward|moving forward|in the future|from now on|from here on|next time|in future|also|additionally|finally|however|ideally|unfortunately|fortunately|clearly|obviously|honestly|basically|lesson(?:s)?(?: learned)?|takeaway|rule|remember|note|tl;?dr|in short|in general|as a rule|as a result|therefore|thus|so)\s*[,:]\s*"
    );
    match m.find(s) {
        Some(f) => &s[f.end()..],
        None => s,
    }
}

/// Cut a trailing reason or purpose clause: `X - it deletes Y`, `X because Y`,
/// `X so we don't Y`, `X to avoid Y`. Never inside backticks, never at the start.
fn split_reason(s: &str) -> (&str, Option<&str>) {
    let cut = regex!(
        r"(?i)\s+[-–—]\s+|\s*\(\s*(?:because|since|as|so)\b|,?\s+(?:because|since|as otherwise|otherwise|so that|so (?P<subject>we|you|they|it|that|the|nobody|no one|there)\b|in order to|to avoid|to prevent|to make sure|which (?:would|could|will|caused|led)|as (?:this|it|that|these) (?:would|could|will|can|may|caused|led|is|was))"
    );
    for c in cut.captures_iter(s) {
        let m = c.get(0).expect("match");
        // `deploy - staging` inside code, or a cut before the instruction has begun.
        if in_code(s, m.start()) || s[..m.start()].split_whitespace().count() < 2 {
            continue;
        }
        let from = c.name("subject").map_or(m.end(), |g| g.start());
        let rest = s[from..]
            .trim_start_matches(['(', ' '])
            .trim_end_matches(')');
        return (&s[..m.start()], Some(rest).filter(|r| !r.is_empty()));
    }
    (s, None)
}

/// Whether byte `at` of `s` is inside a backtick code span.
fn in_code(s: &str, at: usize) -> bool {
    s[..at].matches('`').count() % 2 == 1
}

/// A clause that reads as a rule on its own: not `It is destructive` (whose "it" is
/// elsewhere), not `Only then promote`, not `Build system is fixed` (a noun, not the
/// verb "build"), not `Never deletes existing files` (a description of a script).
fn standalone(l: &str) -> bool {
    // `Add this to the documentation`: "this" stands for something said before.
    if regex!(r"\b(?:this|it|these|those)(?:\s+(?:to|in|into|on|for|from|with|as|at|up|out|down|again)\b|$)").is_match(l) {
        return false;
    }
    let words: Vec<&str> = l
        .split(' ')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
        .collect();
    let first = words.first().copied().unwrap_or("");
    let second = words.get(1).copied().unwrap_or("");
    const REFERS_BACK: [&str; 14] = [
        "it",
        "this",
        "that",
        "these",
        "those",
        "they",
        "he",
        "she",
        "i",
        "then",
        "there",
        "here",
        "which",
        "otherwise",
    ];
    if REFERS_BACK.contains(&first) || (first == "only" && second == "then") {
        return false;
    }
    if matches!(first, "never" | "always") && third_person(second) {
        return false;
    }
    true
}

fn third_person(w: &str) -> bool {
    w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us")
}

/// Polarity and strength, or `None` for a clause that instructs nothing.
fn mood(l: &str, origin: Origin) -> Option<(Polarity, Strength)> {
    if origin == Origin::Fix {
        return fix_mood(l);
    }
    if let Some(p) = leading_negation(l) {
        return Some((p, Strength::Practice));
    }
    // `Destructive commands do not belong in any deploy script`.
    if regex!(r"^[^,]{3,80}? (?:do not|does not|don't|doesn't|never) belong (?:in|on|to)\b|^[^,]{3,80}? (?:has|have) no place in\b").is_match(l) {
        return Some((Polarity::Dont, Strength::Practice));
    }
    // `When debugging, it is crucial to verify that...`: the instruction is the rest.
    if let Some(m) = regex!(r"(?:^|, )it(?:'s| is) (?:crucial|important|essential|vital|critical|key|necessary|imperative|best practice) (?P<not>not )?(?:to|that)\b").captures(l) {
        let p = if m.name("not").is_some() { Polarity::Dont } else { Polarity::Do };
        return Some((p, Strength::Practice));
    }
    if let Some(m) = modal(l) {
        return Some(m);
    }
    if let Some(p) = lesson_noun(l) {
        return Some((p, Strength::Practice));
    }
    // `Manual, on-server edits are a primary cause of this`: what to avoid, said as
    // what caused the incident.
    if regex!(r"^[^,]{3,80}?(?:,[^,]{3,40})? (?:is|are) (?:a|the|one of the) (?:primary |main |root |leading |common |major |biggest )?(?:cause|causes|source|sources) of\b").is_match(l) {
        return Some((Polarity::Dont, Strength::Practice));
    }
    if let Some(s) = imperative(l, origin) {
        return Some((Polarity::Do, s));
    }
    if let Some(p) = policy(l) {
        return Some((p, Strength::Practice));
    }
    // Checklist items: `dist/_worker.js` exists and is > 100 KB.
    let requirement = regex!(
        r"^\S+ (exists|is present|is generated|is built|passes|succeeds|is committed|is clean)\b"
    );
    if origin == Origin::Prevention && requirement.is_match(l) {
        return Some((Polarity::Do, Strength::Practice));
    }
    None
}

/// `Removed dangerous X`: the fix forbids X. `Added Y`: the fix requires Y. Fixes are
/// what one team did once; they stand only when a lesson says the same.
fn fix_mood(l: &str) -> Option<(Polarity, Strength)> {
    let removed =
        regex!(r"^(removed|dropped|deleted|disabled|eliminated|stopped using|banned|replaced)\b");
    Some(if removed.is_match(l) {
        (Polarity::Dont, Strength::Task)
    } else {
        (Polarity::Do, Strength::Task)
    })
}

/// `Never…`, `Don't…`, `Avoid…`, `Stop…`, `No more…`, `No change to X will be deployed…`.
fn leading_negation(l: &str) -> Option<Polarity> {
    let lead = regex!(
        r"^(?:(?:and|but|so|please|we|you|teams?|everyone|engineers|agents?)\s+)?(?:never|don'?t|do not|does not need|avoid|stop|no more|no longer|refrain from|nobody (?:should|may|must)|no one (?:should|may|must))\b"
    );
    if lead.is_match(l) {
        return Some(Polarity::Dont);
    }
    // `No change to the order path will be deployed during market hours`.
    let none = regex!(
        r"^no \w+(?:,? [\w-]+){0,8}?,? (?:will|shall|should|may|must|can|is|are|gets?|goes|go)\b"
    );
    // `No matter how many arrive, it will always...` says how it works, not what not to do.
    (none.is_match(l) && !l.starts_with("no matter ")).then_some(Polarity::Dont)
}

/// A subject and a modal verb: `X should (not) …`, `We need to…`, `We will…`.
fn modal(l: &str) -> Option<(Polarity, Strength)> {
    let m = regex!(
        r"\b(should|must|shall|needs? to|has to|have to|ought to|is required to|are required to|is to|are to|will|won't|'ll|are going to|is going to|plan to|intend to|would|could|may|can|cannot|can't|mustn't|shouldn't|need|needs)\b( not| never| no longer| always| only| also| now| first)?\b(?: have (\S+))?"
    )
    .captures(l)?;
    let verb = m.get(1).map_or("", |v| v.as_str());
    let after = m.get(2).map_or("", |v| v.as_str().trim());
    let before = &l[..m.get(0).map_or(0, |x| x.start())];
    // Reported speech is what someone said, not what the team does.
    if regex!(r"\b(suggested|said|asked|noted|thought|believed|mentioned|argued|proposed|claimed|wondered|felt|hoped|wished|decides|decided|concluded|determined|realized|realised|found)\b").is_match(before) {
        return None;
    }
    // `Have an incident response plan to notify...`: the noun, not the verb.
    if matches!(verb, "plan to" | "intend to")
        && !regex!(r"(?:^|\b(?:we|i|you|they|teams?|engineers|everyone))\s*$").is_match(before)
    {
        return None;
    }
    // The subject is a few words at most: `Release process should`, not a narrative
    // (`New rule created and will apply`). A condition before it (`When we merge to
    // main, we need to`) is no part of it; a relative clause (`Changes that were tested
    // on staging should`) may make it longer.
    let subject = regex!(r"^(?:when|whenever|if|once|before|after|while|unless|until)\b[^,]*,\s*")
        .find(before)
        .map_or(before, |m| &before[m.end()..]);
    let longest = if regex!(r"\b(?:that|which|who)\b").is_match(subject) {
        14
    } else {
        8
    };
    if subject.split_whitespace().count() > longest
        || subject.contains(", and ")
        || subject.trim_end().ends_with(" and")
    {
        return None;
    }
    // `should have caught`, `could have been`: hindsight about this incident; `should
    // have an owner` is a requirement.
    if m.get(3).is_some_and(|w| participle(w.as_str())) {
        return None;
    }
    let negated = matches!(after, "not" | "never" | "no longer")
        || matches!(verb, "won't" | "cannot" | "can't" | "mustn't" | "shouldn't");
    let polarity = if negated {
        Polarity::Dont
    } else {
        Polarity::Do
    };
    // `We will be discussing whether...`: deliberation is not yet a practice.
    let rest = &l[m.get(0).map_or(0, |x| x.end())..];
    if regex!(r"^\s*(?:be )?(?:discuss|discussing|consider|considering|evaluate|evaluating|explore|exploring|investigate|investigating|look into|looking into|think about|thinking about|decide|deciding)\b").is_match(rest) {
        return Some((polarity, Strength::Plan));
    }
    match verb {
        "should" | "must" | "shall" | "needs to" | "need to" | "has to" | "have to"
        | "ought to" | "is required to" | "are required to" | "is to" | "are to" | "mustn't"
        | "shouldn't" | "need" | "needs" => Some((polarity, Strength::Practice)),
        // `Secrets may not be committed`; `X can be deployed` says nothing.
        "may" | "can" | "cannot" | "can't" if negated => Some((polarity, Strength::Practice)),
        "will" | "won't" | "'ll" | "are going to" | "is going to" | "plan to" | "intend to" => {
            // `We will no longer include installer links`: a standing change; `The page
            // will be changed to no longer include links` is one edit.
            let standing = negated
                || matches!(after, "always" | "only")
                || regex!(r"\b(always|never|every|each|any|all|whenever|at least|by default|after \d+|more than \d+)\b")
                    .is_match(rest);
            Some((
                polarity,
                if standing {
                    Strength::Practice
                } else {
                    Strength::Plan
                },
            ))
        }
        _ => None,
    }
}

/// A standing policy said as what now happens: `Lifecycle rules go through code
/// review`, `The pipeline now fails if any production env file turns debug on`,
/// `Environment variables are filtered out of error pages in every environment`.
/// Routing through a process says so by itself; other verbs need a word that makes
/// the statement hold from now on, so `The alert fired` or `Client 5.1 is now on all
/// laptops` (a state, not a practice) are no rules.
fn policy(l: &str) -> Option<Polarity> {
    let head = regex!(
        r"^(?:the |all |every |any |each |our )?[a-z0-9][\w'/.-]*(?: [\w'/.-]+){0,6}? (?P<adv>now |automatically |always |never |no longer )?(?P<verb>go|goes|run|runs|fail|fails|force|forces|require|requires|reject|rejects|block|blocks|page|pages|alert|alerts|wait|waits|refuse|refuses|gets?|has|have|keeps?|stays?|(?:is|are) (?:now |always |never |not |no longer )?(?:\w+ed|written|taken|driven|given|hidden|forbidden|chosen|frozen|kept|run|built|set|shut|held))\b(?P<rest>.*)$"
    );
    let c = head.captures(l)?;
    let subject = &l[..c.name("verb").map_or(0, |v| v.start())];
    // A class of things (`firmware changes`), not a person or one file (`dist/static/
    // has all files` is a checklist item).
    if regex!(r"\b(?:i|we|you|he|she|they|it|this|that|there)\b").is_match(subject)
        || subject.contains(['/', '_', '.', '='])
    {
        return None;
    }
    let verb = &c["verb"];
    // The main clause only: `X are allowed for Y, although Y never needs them`.
    let rest = c["rest"].split(", ").next().unwrap_or("");
    // `All hosts have been patched`: done once, not a practice.
    if matches!(verb, "has" | "have") && regex!(r"^ (?:been|\w+ed)\b").is_match(rest) {
        return None;
    }
    let routed = matches!(verb, "go" | "goes") && rest.starts_with(" through ");
    let lasting = c.name("adv").is_some()
        || regex!(r"^(?:all|every|any|each) ").is_match(l)
        || regex!(r"\b(?:every|any|all|always|never|whenever|by default|like any other|only)\b")
            .is_match(rest);
    if !routed && !lasting {
        return None;
    }
    let adv = c.name("adv").map_or("", |a| a.as_str());
    let negated = regex!(r"\b(?:not|never|no longer)\b").is_match(&format!("{adv}{verb}"));
    Some(if negated {
        Polarity::Dont
    } else {
        Polarity::Do
    })
}

/// `caught`, `been`, `done`: the verb after `should have` looks back.
fn participle(w: &str) -> bool {
    const IRREGULAR: [&str; 24] = [
        "been", "done", "seen", "known", "caught", "taken", "made", "had", "gone", "run",
        "written", "built", "found", "thought", "told", "got", "gotten", "given", "kept", "spent",
        "set", "put", "read", "left",
    ];
    let w = w.trim_matches(|c: char| !c.is_alphanumeric());
    IRREGULAR.contains(&w) || (w.len() > 3 && w.ends_with("ed"))
}

/// `The importance of X`, `the need for X`, `the dangers of X`: lessons written as
/// what the incident taught.
fn lesson_noun(l: &str) -> Option<Polarity> {
    let c = regex!(
        r"^(?:the )?(importance|need|value|necessity|benefit|dangers?|risks?|perils?|cost) (?:of|for) \S"
    )
    .captures(l)?;
    Some(match &c[1] {
        "importance" | "need" | "value" | "necessity" | "benefit" => Polarity::Do,
        _ => Polarity::Dont,
    })
}

/// Verbs a rulebook starts with.
const VERBS: &[&str] = &[
    "do",
    "ensure",
    "make",
    "check",
    "verify",
    "confirm",
    "validate",
    "run",
    "use",
    "keep",
    "test",
    "deploy",
    "pin",
    "set",
    "require",
    "prefer",
    "enable",
    "disable",
    "roll",
    "back",
    "document",
    "monitor",
    "alert",
    "review",
    "read",
    "follow",
    "wait",
    "build",
    "restart",
    "preserve",
    "limit",
    "isolate",
    "separate",
    "tag",
    "commit",
    "push",
    "revert",
    "configure",
    "schedule",
    "automate",
    "treat",
    "consult",
    "have",
    "give",
    "retry",
    "diff",
    "rehearse",
    "continue",
    "start",
    "escalate",
    "page",
    "notify",
    "measure",
    "track",
    "log",
    "protect",
    "restrict",
    "audit",
    "scan",
    "sign",
    "store",
    "encrypt",
    "stage",
    "gate",
    "block",
    "reject",
    "fail",
    "time",
    "practice",
    "plan",
    "write",
    "communicate",
    "announce",
    "ask",
    "lock",
    "rate-limit",
    "throttle",
    "cap",
    "shed",
    "serve",
    "cache",
    "double-check",
    "re-check",
    "reconcile",
    "compare",
    "inspect",
    "look",
    "watch",
    "observe",
    "prepare",
    "maintain",
    "assign",
    "own",
    "name",
    "route",
    "favour",
    "favor",
    "abort",
    "pause",
    "degrade",
    "drain",
    "pair",
    "enforce",
    "standardise",
    "standardize",
    "train",
];

/// Verbs whose instruction holds beyond one incident even in an action-item list:
/// `Alert on non-fast-forward pushes`, `Retry with backoff`, `Pin every image`.
const STANDING_VERBS: &[&str] = &[
    "alert",
    "monitor",
    "retry",
    "pin",
    "limit",
    "restrict",
    "protect",
    "reject",
    "require",
    "enforce",
    "throttle",
    "rate-limit",
    "cap",
    "encrypt",
    "sign",
    "gate",
    "lock",
    "keep",
];

/// The verb a plain clause starts with, past a leading `always` or `only`.
fn lead_verb(l: &str) -> &str {
    let mut words = l.split(' ');
    match words.next() {
        Some("always" | "only") => words.next(),
        w => w,
    }
    .unwrap_or("")
}

/// Whether an action item (plain) is a one-off task rather than a practice: an
/// imperative that says neither never/always/every... nor starts with a verb whose
/// instruction stands by nature (`Alert on...`, `Fail CI when...`).
pub fn one_off(l: &str) -> bool {
    let verb = lead_verb(l);
    let imperative = VERBS.contains(&verb) || TASK_VERBS.contains(&verb);
    let standing = STANDING_VERBS.contains(&verb)
        || regex!(r"^(?:fail|block|reject) (?:ci|the ci|the build|builds|the pipeline|pipelines|the deploy|deploys|deployments|the release|releases|merges?|prs|pull requests)\b").is_match(l);
    imperative && !standing && !durable(l)
}

/// Verbs of one-off work: "Upgrade the server to Node 20", "Fix OAuth issues".
const TASK_VERBS: &[&str] = &[
    "upgrade",
    "downgrade",
    "fix",
    "migrate",
    "rotate",
    "revoke",
    "replace",
    "rename",
    "remove",
    "delete",
    "patch",
    "move",
    "rewrite",
    "investigate",
    "file",
    "open",
    "close",
    "refactor",
    "reset",
    "restore",
    "repair",
    "deprecate",
    "reinstall",
    "clean",
    "contact",
    "email",
    "complete",
    "finish",
    "implement",
    "add",
    "create",
    "update",
    "install",
    "uninstall",
    "publish",
    "release",
    "backport",
    "merge",
    "ship",
    "introduce",
    "improve",
    "increase",
    "decrease",
    "reduce",
    "raise",
    "lower",
    "extend",
    "expand",
    "investigate",
    "explore",
    "evaluate",
    "re-evaluate",
    "consider",
    "research",
    "discuss",
    "subscribe",
    "record",
    "issue",
    "enhance",
    "optimize",
    "optimise",
    "tune",
    "adjust",
    "change",
    "switch",
    "convert",
    "split",
    "combine",
    "bump",
    "purge",
    "provision",
    "decommission",
    "recreate",
    "rebuild",
    "redeploy",
    "re-run",
    "rerun",
    "follow-up",
    "follow",
    "finalize",
    "finalise",
    "draft",
];

/// An imperative: `Pin every image`, `Deploy to preview first`, `Upgrade the server`.
fn imperative(l: &str, origin: Origin) -> Option<Strength> {
    let words: Vec<&str> = l
        .split(' ')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
        .collect();
    // `Always X`, `Only X`: the verb is the next word (`Only 1 team reacted` has none).
    let at = usize::from(matches!(words[0], "always" | "only"));
    let first = words.get(at).copied().unwrap_or("");
    // `Rollback insufficiency`: two words are a heading unless the second is an adverb
    // (`Deploy incrementally`).
    if words.len() - at < 3 && !words.last().is_some_and(|w| w.ends_with("ly")) {
        return None;
    }
    // `Build system is fixed`, `Build time < 60 seconds`: a noun phrase and its state.
    let copula = |w: &&str| {
        matches!(
            *w,
            "is" | "are"
                | "was"
                | "were"
                | "has"
                | "have"
                | "had"
                | "will"
                | "can"
                | ""
                | "<"
                | ">"
                | "="
                | "<="
                | ">="
        )
    };
    if words.iter().skip(at + 1).take(2).any(copula) {
        return None;
    }
    let task = TASK_VERBS.contains(&first);
    // After `Always` any word is the verb (`Always warm the cache`); `Only` needs one
    // (`Only 1 team reacted`).
    let after_always = words[0] == "always" && first.chars().all(char::is_alphabetic);
    if !task && !after_always && !VERBS.contains(&first) {
        return None;
    }
    // `Make sure`, but not `Make` as a noun; `Back up`, `Roll back`, `Look for`.
    if first == "make" && !regex!(r"^make (sure|certain|it|every|all|each|a habit)\b").is_match(l) {
        return None;
    }
    let standing = durable(l);
    Some(match origin {
        _ if standing => Strength::Practice,
        // A lesson list says how to work; a follow-up list says what to do next.
        Origin::Lesson if !task => Strength::Practice,
        Origin::Prevention if !task => Strength::Practice,
        _ => Strength::Task,
    })
}

/// Words that make an instruction outlive one incident's to-do list.
pub fn durable(l: &str) -> bool {
    regex!(
        r"\b(always|never|every|each|any|must|should|whenever|before|after|until|no longer|by default|at least|at most|at a time|for all|for every|on every)\b"
    )
    .is_match(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pol(s: &str, o: Origin) -> Option<(Polarity, Strength)> {
        read(s, o).map(|r| (r.polarity, r.strength))
    }

    #[test]
    fn polarity_comes_from_the_main_clause() {
        use Polarity::*;
        use Strength::*;
        let cases = [
            (
                "NEVER deploy backend changes without local testing. NEVER.",
                Dont,
            ),
            (
                "Do deployments more often so we don't end up doing one big deployment",
                Do,
            ),
            ("PM2 should not be installed or used", Dont),
            ("Make all infrastructure pods be in the Guaranteed QoS", Do),
            ("Every action item should have a GitHub issue", Do),
            ("Avoid manual edits on servers", Dont),
            (
                "Stop batching schema changes together with feature releases",
                Dont,
            ),
            (
                "No change to the order path will be deployed during market hours",
                Dont,
            ),
            (
                "We will no longer include installer links on the wiki",
                Dont,
            ),
            ("Secrets may not be committed to the repository", Dont),
            ("Always verify health endpoints after deployment", Do),
            (
                "No account, human or bot, should have a force-push exception on main",
                Dont,
            ),
        ];
        for (s, want) in cases {
            let got = pol(s, Origin::Lesson);
            assert_eq!(got.map(|g| g.0), Some(want), "{s}");
            assert_eq!(got.map(|g| g.1), Some(Practice), "{s}");
        }
    }

    #[test]
    fn plans_and_tasks_are_not_practices() {
        for s in [
            "The installation wiki page will be changed to no longer include installer links",
            "We will add alerting for the queue depth",
            "We will be discussing whether to publish the policy",
        ] {
            assert_eq!(
                pol(s, Origin::Prevention).map(|p| p.1),
                Some(Strength::Plan),
                "{s}"
            );
        }
        for s in [
            "Upgrade server to Node 20",
            "Fix OAuth issues",
            "Rotate the leaked key",
        ] {
            assert_eq!(
                pol(s, Origin::Prevention).map(|p| p.1),
                Some(Strength::Task),
                "{s}"
            );
        }
    }

    #[test]
    fn observations_and_fragments_are_nothing() {
        for s in [
            "Only 1 team reacted proactively to the alert",
            "It is destructive in production",
            "Only then promote to production",
            "We should have caught this in staging",
            "Rollback insufficiency",
            "The deploy script ran at 14:02 and removed the backend folder",
            "Never deletes existing files",
            "We need to add this to the documentation",
            "However, the user suggested that the client should throw an error",
            "Ideally these should result in concrete action items",
        ] {
            assert_eq!(pol(s, Origin::Lesson), None, "{s}");
        }
    }

    #[test]
    fn reasons_are_cut_from_the_end() {
        let r = read(
            "Never use `rsync --delete` in production - It can delete critical files",
            Origin::Lesson,
        )
        .unwrap();
        assert_eq!(r.text, "Never use `rsync --delete` in production");
        assert_eq!(r.reason, Some("It can delete critical files"));
        let r = read(
            "Do deployments more often so we don't end up doing one big deployment",
            Origin::Lesson,
        )
        .unwrap();
        assert_eq!(r.text, "Do deployments more often");
        assert_eq!(r.reason, Some("we don't end up doing one big deployment"));
        let r = read("Run `deploy - staging` before production", Origin::Lesson).unwrap();
        assert_eq!(r.text, "Run `deploy - staging` before production");
    }

    #[test]
    fn policies_said_as_what_now_happens() {
        use Polarity::*;
        for (s, want) in [
            (
                "lifecycle rules go through code review like any other change",
                Do,
            ),
            (
                "The deploy pipeline now fails if any production env file turns debug mode on",
                Do,
            ),
            (
                "Environment variables are filtered out of error pages in every environment",
                Do,
            ),
            (
                "Any incident where customers were charged wrongly gets a postmortem",
                Do,
            ),
            (
                "Destructive database commands do not belong in any script",
                Dont,
            ),
            ("Cluster DNS needs alerts of its own", Do),
            (
                "When debugging a crash, it is crucial to verify the deployed code",
                Do,
            ),
            (
                "When we merge changes into main, we need to ensure they get deployed",
                Do,
            ),
            (
                "Changes that have been tested in isolation on staging should be deployed one at a time",
                Do,
            ),
        ] {
            assert_eq!(
                pol(s, Origin::Prevention),
                Some((want, Strength::Practice)),
                "{s}"
            );
        }
        // States and narrative are no policy.
        for s in [
            "Client 5.1 is now on all managed laptops",
            "The alert fired twenty minutes late",
            "All hosts have been patched",
            "dist/static/ has all files",
            "Full-zone purges are allowed for the key, although it never needs them",
        ] {
            assert_eq!(pol(s, Origin::Prevention), None, "{s}");
        }
    }

    #[test]
    fn lessons_written_as_what_was_learned() {
        assert_eq!(
            pol("the dangers of excessive logging", Origin::Lesson),
            Some((Polarity::Dont, Strength::Practice))
        );
        assert_eq!(
            pol(
                "the importance of prioritizing root cause fixes",
                Origin::Lesson
            ),
            Some((Polarity::Do, Strength::Practice))
        );
    }
}
