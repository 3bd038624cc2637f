//! The heading taxonomy: which canonical section a heading, as people write it, means.
//!
//! Built from the variants seen in 11 postmortem templates and 334 real postmortems
//! (shared/research/heading-taxonomy.tsv). Headings are normalised (case, numbering,
//! emoji, trailing `:` `?`, parentheticals) and matched exactly, then by key phrase,
//! then with typo tolerance. Anything else is `Other`, kept, never dropped.

use serde::{Deserialize, Serialize};

/// The kinds, written once: the enum, `ALL` and the names come from this list.
macro_rules! section_kinds {
    ($($kind:ident => $name:literal,)*) => {
        /// A canonical section kind.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum SectionKind {
            $($kind,)*
        }

        /// Every kind, in a stable order.
        pub const ALL: &[SectionKind] = &[$(SectionKind::$kind,)*];

        impl SectionKind {
            /// The snake_case name used in JSON, config and lint messages.
            pub fn name(self) -> &'static str {
                match self {
                    $(SectionKind::$kind => $name,)*
                }
            }
        }
    };
}

section_kinds! {
    Summary => "summary",
    Background => "background",
    Impact => "impact",
    Symptoms => "symptoms",
    Trigger => "trigger",
    RootCause => "root_cause",
    FiveWhys => "five_whys",
    ContributingFactors => "contributing_factors",
    Detection => "detection",
    Resolution => "resolution",
    ActionItems => "action_items",
    Prevention => "prevention",
    LessonsLearned => "lessons_learned",
    WentWell => "went_well",
    WentWrong => "went_wrong",
    GotLucky => "got_lucky",
    Recurrence => "recurrence",
    Timeline => "timeline",
    People => "people",
    Metrics => "metrics",
    Communications => "communications",
    Appendix => "appendix",
    OpenQuestions => "open_questions",
    Other => "other",
}

impl SectionKind {
    /// The kind called `name` (as `name()` spells it).
    pub fn from_name(name: &str) -> Option<SectionKind> {
        ALL.iter().copied().find(|k| k.name() == name)
    }

    /// Sections that explain why the incident happened.
    pub fn is_cause(self) -> bool {
        matches!(
            self,
            SectionKind::RootCause
                | SectionKind::Trigger
                | SectionKind::ContributingFactors
                | SectionKind::FiveWhys
        )
    }
}

/// Exact variants (normalised) per kind, from the taxonomy and the seed postmortems.
const VARIANTS: &[(SectionKind, &[&str])] = {
    use SectionKind::*;
    &[
        (
            Summary,
            &[
                "summary",
                "issue summary",
                "incident summary",
                "executive summary",
                "overview",
                "tl dr",
                "tldr",
                "brief description",
                "description",
                "outage description",
                "problem summary",
                "summary of impact",
                "issue overview",
                "issue description",
                "incident overview",
                "situation",
                "current situation",
                "what happened",
            ],
        ),
        (
            Background,
            &[
                "background",
                "leadup",
                "lead up",
                "context",
                "chain of events",
            ],
        ),
        (
            Impact,
            &[
                "impact",
                "customer impact",
                "incident impact",
                "user impact",
                "affected users",
                "what was exposed",
                "what was affected",
                "who was affected",
                "end user impact",
                "infrastructure impact",
                "productivity impact",
                "data loss impact",
                "affected crates",
                "scope",
                "data integrity",
                "business impact",
                "user impact and scope",
            ],
        ),
        (
            Symptoms,
            &[
                "symptoms",
                "symptom",
                "symptom cascade",
                "affected urls",
                "affected services",
                "error messages",
                "errors",
                "observed behavior",
                "observed behaviour",
                "signs",
            ],
        ),
        (
            Trigger,
            &["trigger", "triggers", "fault", "triggering change"],
        ),
        (
            RootCause,
            &[
                "root cause",
                "root causes",
                "root cause analysis",
                "root cause of the outage",
                "root cause of the issue",
                "root causes and trigger",
                "root cause and mitigation",
                "what caused the incident",
                "what were the root causes",
                "identified cause",
                "why did it happen",
                "why it happened",
                "why the event happened",
                "why it failed",
                "the technical problem",
                "analysis",
                "how did it happen",
                "technical analysis",
                "technical analysis and root cause",
                "cause",
                "causes",
                "problem",
                "the problem",
                "why did this happen",
                "what went wrong technically",
            ],
        ),
        (
            FiveWhys,
            &[
                "five whys",
                "the five whys",
                // "5 Whys" and "The 5 Whys" once leading numbering is dropped.
                "whys",
                "the 5 whys",
                "whys analysis",
                "five whys analysis",
                "root cause identification the five whys",
            ],
        ),
        (
            ContributingFactors,
            &[
                "contributing factors",
                "contributing conditions analysis",
                "contributors",
                "process breakdown",
                "process breakdowns",
                "why it wasn t caught",
                "why was this hard to detect",
            ],
        ),
        (
            Detection,
            &[
                "detection",
                "how was the incident detected",
                "incident response analysis",
            ],
        ),
        (
            Resolution,
            &[
                "resolution",
                "resolution and recovery",
                "mitigation and resolution",
                "recovery",
                "response",
                "actions taken",
                "action taken",
                "immediate actions",
                "immediate actions completed",
                "mitigators",
                "mitigation",
                "remediation",
                "solution",
                "solution implemented",
                "fix",
                "fixes",
                "the fix",
                "recovery actions",
                "recovery procedure",
                "recovery procedure used",
                "immediate response",
                "what we fixed",
                "how we fixed it",
                "workaround",
                "immediate action required",
                "rollback",
                "rollback plan",
                "rollback procedure",
                // Blog posts to customers: "What we did right away".
                "what we did",
                "what we did right away",
                "what we did immediately",
                "steps taken",
                "immediate steps",
            ],
        ),
        (
            ActionItems,
            &[
                "what we are doing about it",
                "what we re doing about it",
                "what we re changing",
                "what we are doing next",
                "what we are changing",
                "what we will do",
                "what happens next",
                "action items",
                "action items and followups",
                "follow ups",
                "follow up",
                "followups",
                "corrective actions",
                "next steps",
                "future measures",
                "future actions",
                "recommendations",
                "planned actions",
                "moving forward",
                "short term improvements",
                "medium term improvements",
                "long term improvements",
                "short term",
                "medium term",
                "long term",
                "longer term",
                "improvements",
                "recommended next steps",
                "required actions",
                "todo",
                "to do",
                "tasks",
            ],
        ),
        (
            Prevention,
            &[
                "prevention",
                "prevention measures",
                "prevention measures implemented",
                "preventive actions",
                "preventative measures",
                "corrective and preventative measures",
                "how are we preventing it from happening again",
                "how to prevent this",
                "preventing recurrence",
                "safeguards",
                "guard rails",
                "guardrails",
            ],
        ),
        (
            LessonsLearned,
            &[
                "lessons learned",
                "lessons learnt",
                "lessons",
                "learnings",
                "learnings and risks",
                "key takeaways",
                "takeaways",
                "insights",
                "key learnings",
                "what we learned",
                "what we learnt",
                "what did we learn",
                "what have we learned",
                "what can we learn",
                "what we should have done",
                "reflections",
                // Start / stop / continue retrospectives: each list is how to work now.
                "start",
                "stop",
                "continue",
                "start doing",
                "stop doing",
                "keep doing",
                "continue doing",
                "do more of",
                "do less of",
                "what we will do differently",
                "what we ll do differently",
            ],
        ),
        (
            WentWell,
            &[
                "what went well",
                "what worked",
                "things that went well",
                "what went right",
            ],
        ),
        (
            WentWrong,
            &[
                "what went wrong",
                "what went poorly",
                "what went badly",
                "what didn t go so well",
                "what didn t work",
                "what could have gone better",
                "things that could have gone better",
                "what can be improved",
                "what could be improved",
                "what could have been better",
                "things that went poorly",
                "critical mistakes",
                "mistakes",
                "specific issues",
            ],
        ),
        (GotLucky, &["where we got lucky", "where did we get lucky"]),
        (
            Recurrence,
            &["recurrence", "backlog check", "post incident analysis"],
        ),
        (
            Timeline,
            &[
                "timeline",
                "timeline of events",
                "incident timeline",
                "timeline summary",
                "how we responded",
                "sequence of events",
                "chronology",
            ],
        ),
        (
            People,
            &[
                "responders",
                "attendees",
                "postmortem attendees",
                "involved parties",
                "participants",
                "thanks",
                "incident lead",
                "owners",
                "authors",
            ],
        ),
        (Metrics, &["stats", "metrics", "data", "incident timing"]),
        (
            Communications,
            &[
                "messaging",
                "internal email",
                "external message",
                "publication of the outage",
                "what should you do",
                "provide feedback",
            ],
        ),
        (
            Appendix,
            &[
                "appendix",
                "supporting information",
                "supporting documents",
                "q and a",
                "faq",
                "troubleshooting faq",
                "anything else",
                "references",
                "support resources",
            ],
        ),
        (OpenQuestions, &["open questions"]),
    ]
};

/// Key phrases for headings no variant matches exactly, most specific first.
const PHRASES: &[(&str, SectionKind)] = {
    use SectionKind::*;
    &[
        ("five whys", FiveWhys),
        ("5 whys", FiveWhys),
        ("root cause", RootCause),
        ("contributing", ContributingFactors),
        ("went well", WentWell),
        ("went right", WentWell),
        ("went wrong", WentWrong),
        ("lucky", GotLucky),
        ("lesson", LessonsLearned),
        ("learning", LessonsLearned),
        ("takeaway", LessonsLearned),
        ("timeline", Timeline),
        ("symptom", Symptoms),
        ("affected url", Symptoms),
        ("prevent", Prevention),
        ("safeguard", Prevention),
        ("action item", ActionItems),
        ("follow up", ActionItems),
        ("next step", ActionItems),
        ("recommend", ActionItems),
        ("improvement", ActionItems),
        ("impact", Impact),
        ("resolution", Resolution),
        ("recovery", Resolution),
        ("mitigation", Resolution),
        ("remediation", Resolution),
        ("rollback", Resolution),
        ("solution", Resolution),
        ("trigger", Trigger),
        ("detection", Detection),
        ("detected", Detection),
        ("summary", Summary),
        ("overview", Summary),
        ("background", Background),
        ("why", RootCause),
        ("cause", RootCause),
        ("analysis", RootCause),
        ("appendix", Appendix),
        // Meeting notes, chat transcripts and raw logs pasted below a postmortem.
        ("notes", Appendix),
        ("minutes", Appendix),
        ("transcript", Appendix),
        ("chat", Appendix),
        ("question", OpenQuestions),
    ]
};

/// Normalise a heading for matching: lower case, no numbering, emoji, markup,
/// parentheticals or trailing punctuation; words separated by single spaces.
pub fn normalize(heading: &str) -> String {
    let mut s = String::with_capacity(heading.len());
    let mut depth = 0usize;
    for c in heading.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '&' | '+' => s.push_str(" and "),
            c if c.is_alphanumeric() => s.extend(c.to_lowercase()),
            _ => s.push(' '),
        }
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    // Leading numbering: "1", "9", "iv", "a" (as in "A. Summary").
    let skip = words
        .iter()
        .take_while(|w| {
            w.chars().all(|c| c.is_ascii_digit())
                || (words.len() > 1 && matches!(**w, "i" | "ii" | "iii" | "iv" | "v" | "vi"))
                || w.starts_with("step")
                || **w == "section"
        })
        .count();
    words[skip.min(words.len())..].join(" ")
}

/// The canonical kind of a document's title (a level-1 heading): exact variants only,
/// since titles are sentences (`FluxStudio Production Recovery - Executive Summary`).
pub fn classify_title(heading: &str) -> SectionKind {
    let n = normalize(heading);
    VARIANTS
        .iter()
        .find(|(_, v)| v.contains(&n.as_str()))
        .map_or(SectionKind::Other, |(k, _)| *k)
}

/// True when `text` is, word for word, a heading some template uses (`Things that
/// could have gone better.`, `Root cause`): a prompt or a heading left in the text,
/// not a statement.
pub fn is_heading_text(text: &str) -> bool {
    let n = normalize(text);
    !n.is_empty() && VARIANTS.iter().any(|(_, v)| v.contains(&n.as_str()))
}

/// The canonical kind of a heading.
pub fn classify(heading: &str) -> SectionKind {
    // The same headings recur across a knowledge base and the fuzzy match is costly:
    // remember answers per thread (bounded).
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, SectionKind>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(k) = SEEN.with(|c| c.borrow().get(heading).copied()) {
        return k;
    }
    let k = classify_uncached(heading);
    SEEN.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 50_000 {
            c.clear();
        }
        c.insert(heading.to_string(), k);
    });
    k
}

fn classify_uncached(heading: &str) -> SectionKind {
    let n = normalize(heading);
    if n.is_empty() {
        return SectionKind::Other;
    }
    for (kind, variants) in VARIANTS {
        if variants.contains(&n.as_str()) {
            return *kind;
        }
    }
    // A heading that opens with a section name and goes on with dates or notes
    // (`Timeline (all times UTC) 1/29/24, 2/15/24 - 2/16/24 All times approximations`).
    let words: Vec<&str> = n.split(' ').collect();
    for k in (1..=words.len().min(4)).rev() {
        let head = words[..k].join(" ");
        let rest_is_notes = words[k..].first().is_some_and(|w| {
            w.chars().all(|c| c.is_ascii_digit()) || matches!(*w, "all" | "times")
        });
        if rest_is_notes
            && let Some((kind, _)) = VARIANTS.iter().find(|(_, v)| v.contains(&head.as_str()))
        {
            return *kind;
        }
    }
    // Long headings are sentences, not section names: phrases only match short ones.
    if n.split(' ').count() <= 8 {
        for (phrase, kind) in PHRASES {
            if n.split(' ').any(|w| w == *phrase)
                || (phrase.contains(' ') && n.contains(phrase))
                || (phrase.len() >= 5 && n.split(' ').any(|w| w.starts_with(phrase)))
            {
                return *kind;
            }
        }
    }
    fuzzy(&n).unwrap_or(SectionKind::Other)
}

/// Variants within a small edit distance (`Lesons Learned`, `Appendinx`, `Atendees`).
fn fuzzy(n: &str) -> Option<SectionKind> {
    let budget = (n.chars().count() / 7).clamp(1, 3);
    let mut best: Option<(usize, SectionKind)> = None;
    for (kind, variants) in VARIANTS {
        for v in *variants {
            if v.len() < 5 {
                continue;
            }
            let d = edit_distance(n, v);
            if d <= budget && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, *kind));
            }
        }
    }
    best.map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 3 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::SectionKind::*;
    use super::*;

    #[test]
    fn normalises() {
        assert_eq!(normalize("🔍 ROOT CAUSE ANALYSIS"), "root cause analysis");
        assert_eq!(normalize("3. Timeline (all times UTC):"), "timeline");
        assert_eq!(normalize("**Why did it happen?**"), "why did it happen");
        assert_eq!(
            normalize("Action Items & Follow-ups"),
            "action items and follow ups"
        );
    }

    #[test]
    fn classifies_what_people_write() {
        let cases = [
            ("What we did right away", Resolution),
            ("What we're doing about it", ActionItems),
            ("What was exposed", Impact),
            ("5 Whys", FiveWhys),
            ("The 5 Whys", FiveWhys),
            ("Root Cause Analysis", RootCause),
            ("🔍 ROOT CAUSE ANALYSIS", RootCause),
            ("Contributing Factors", ContributingFactors),
            ("Root Cause: `systemd` vs. PM2 Conflict", RootCause),
            ("Technical Analysis & Root Cause", RootCause),
            ("Timeline (all times PST) 01/16/2024 - 02/28/2024", Timeline),
            ("🛡️ PREVENTION (For Future)", Prevention),
            ("📝 LESSONS LEARNED", LessonsLearned),
            ("Lesons Learned", LessonsLearned),
            ("Appendinx", Appendix),
            ("Affected URLs:", Symptoms),
            ("Solution Implemented", Resolution),
            ("What Went Right:", WentWell),
            ("Key Takeaways:", LessonsLearned),
            ("Where we got lucky", GotLucky),
            ("Database Setup", Other),
            ("Ops sync notes, 1 December", Appendix),
            ("Appendix: raw chat and logs", Appendix),
            ("Long-term", ActionItems),
            (
                "Timeline (all times UTC) 1/29/24, 2/15/24 - 2/16/24 All times approximations",
                Timeline,
            ),
            ("🔐 CLOUDFLARE DASHBOARD ACCESS", Other),
        ];
        for (h, k) in cases {
            assert_eq!(classify(h), k, "{h}");
        }
    }

    #[test]
    fn headings_left_in_text() {
        assert!(is_heading_text("Things that could have gone better."));
        assert!(is_heading_text("**Root cause:**"));
        assert!(!is_heading_text("The root cause was a bad config."));
    }

    #[test]
    fn names_round_trip() {
        for &k in ALL {
            assert_eq!(SectionKind::from_name(k.name()), Some(k));
        }
    }
}
