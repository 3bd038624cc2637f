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
    none.is_match(l).then_some(Polarity::Dont)
}

/// A subject and a modal verb: `X should (not) …`, `We need to…`, `We will…`.
fn modal(l: &str) -> Option<(Polarity, Strength)> {
    let m = regex!(
        r"\b(should|must|shall|needs? to|has to|have to|ought to|is required to|are required to|is to|are to|will|won't|'ll|are going to|is going to|plan to|intend to|would|could|may|can|cannot|can't|mustn't|shouldn't|need)\b( not| never| no longer| always| only| also| now| first)?(?: have (\S+))?"
    )
    .captures(l)?;
    let verb = m.get(1).map_or("", |v| v.as_str());
    let after = m.get(2).map_or("", |v| v.as_str().trim());
    let before = &l[..m.get(0).map_or(0, |x| x.start())];
    // Reported speech is what someone said, not what the team does.
    if regex!(r"\b(suggested|said|asked|noted|thought|believed|mentioned|argued|proposed|claimed|wondered|felt|hoped|wished)\b").is_match(before) {
        return None;
    }
    // The subject is a few words at most: `Release process should`, not a narrative
    // (`New rule created and will apply`).
    if before.split_whitespace().count() > 8
        || before.contains(", and ")
        || before.trim_end().ends_with(" and")
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
        | "shouldn't" | "need" => Some((polarity, Strength::Practice)),
        // `Secrets may not be committed`; `X can be deployed` says nothing.
        "may" | "can" | "cannot" | "can't" if negated => Some((polarity, Strength::Practice)),
        "will" | "won't" | "'ll" | "are going to" | "is going to" | "plan to" | "intend to" => {
            // `We will no longer include installer links`: a standing change; `The page
            // will be changed to no longer include links` is one edit.
            let standing = negated
                || matches!(after, "always" | "only")
                || regex!(r"\b(always|never|every|each|any|all|whenever|at least|by default)\b")
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
];

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
