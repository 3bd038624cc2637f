//! Sentence-level classification of prose that no heading classifies.
//!
//! Postmortems written as paragraphs ("The root cause was identified as...", "This led
//! to orders showing...", "To mitigate the immediate impact, we...", "For future
//! occurrences, we will...") say what each sentence is by how it is phrased. Each
//! sentence gets the fields its cues point at, possibly several ("A bad config caused a
//! quota service to fail" is a cause and a symptom), or none.
//!
//! Cues are families of phrasing, not phrases of one document: causal connectives
//! ("due to", "stemmed from", "caused"), what an observer reports ("users experienced",
//! "errors", "slower", "alerts fired"), remedial actions in the past tense ("rolled
//! back", "restarted", "to mitigate"), commitments about the future ("we will", "going
//! forward", "to prevent"), and reflection ("lessons", "could have been avoided").
//! Strong cues count 2, weak ones 1; a field needs 2.

use regex::Regex;
use std::sync::OnceLock;

/// Fields a sentence can feed, as bits.
pub(super) const CAUSE: u8 = 1;
pub(super) const SYMPTOM: u8 = 2;
pub(super) const FIX: u8 = 4;
pub(super) const PREVENTION: u8 = 8;
pub(super) const LESSON: u8 = 16;

struct Cues {
    /// (field, strong cues, weak cues), matched against lower-cased text.
    fields: Vec<(u8, Regex, Regex)>,
    /// Sentences that say nothing about the incident (apologies, thanks, the article
    /// describing itself, "there was no remediation"), or deny an effect.
    null: Regex,
    /// Sentences that report what did *not* happen to the incident: not symptoms.
    unaffected: Regex,
    /// Future phrasing: what will be done is not what was done.
    future: Regex,
    /// What could have been done, or would have happened.
    conditional: Regex,
}

const CAUSE_STRONG: &str = concat!(
    r"\broot[- ]?causes?\b|\bcaused by\b|\bdue to\b|\bbecause\b|\bstemm(?:ed|ing|s) from\b",
    r"|\bresult(?:ed|ing|s)? from\b|\btriggered by\b|\bcontribut(?:ed|ing|ed to|ing to)\b",
    r"|\bunderlying (?:cause|issue|problem)\b|\bthe (?:core |main |primary |real )?(?:cause|problem|issue|culprit) (?:was|is|were|appears|seems|lay)\b",
    r"|\b(?:a|the|this) (?:bug|flaw|defect|regression|misconfiguration|typo|race condition|memory leak|mistake|oversight)\b",
    r"|\bbugs? (?:in|introduced|that)\b|\bmisconfigur|\bcaused\b|\bcauses\b|\bled to\b|\blead to\b|\bleading to\b",
    r"|\bresult(?:ed|s|ing)? in\b|\b(?:was|were|is|are) not (?:tested|reviewed|caught|detected|validated|recorded|documented|monitored)\b",
    r"|\bwithout (?:testing|review|validation|backoff|exponential|a test|checking)\b|\bfailed to (?:account|consider|check|validate|handle|renew)\b",
    r"|\bincorrectly assumed\b|\bwrongly assumed\b|\boverlooked\b|\bexpired\b|\bexhausted\b|\boverload(?:ed|ing)?\b|\bintroduced (?:a|an|the)\b",
    r"|\bwas (?:changed|modified|raised|lowered|misconfigured|deleted|overwritten)\b|\bhad been (?:changed|modified|raised|lowered|set|removed|overwritten)\b",
    r"|\b(?:investigation|analysis|examination|review|we|team) (?:later |further |then )?(?:showed|revealed|found|determined|discovered|identified|established)\b",
    r"|\b(?:nobody|no one|no-one) (?:had )?(?:noticed|spotted|caught|knew|checked|reviewed|revisited|owned|tested|realized|realised)\b",
    r"|\b(?:has|had|have) no\b|\bthere (?:was|were) no\b|\b(?:is|was|were) missing\b|\bmissing (?:a|the)\b",
    r"|\brevealed that\b|\bidentified that\b|\bfound that\b|\bturned out\b|\bdiscovered that\b|\bdetermined that\b|\b(?:began|started)\b[^.]{0,30}\bwith (?:a|an)\b"
);
const CAUSE_WEAK: &str = concat!(
    r"\btriggered\b|\btrigger\b|\bcausing\b|\bafter (?:a|the) (?:change|deploy|deployment|upgrade|update|migration)\b",
    r"|\bfault\b|\bquirk\b|\bvulnerab|\bassum(?:ed|ption|ing)\b|\bphish|\blacked\b|\blacking\b|\bmissing\b|\bincorrect(?:ly)?\b|\bwrong(?:ly)?\b",
    r"|\bunexpected(?:ly)?\b|\bnon-atomic\b|\bedge case\b|\bmisjudged\b|\bforgot\b|\bdiverged\b|\bdrift\b",
    r"|\bmalicious\b|\battackers?\b|\bill intent\b|\bimpersonat|\bspoof|\bexploit|\btyposquat|\bconsequence\b",
    // How latent faults are told without a causal connective: what had been done before
    // (the pluperfect), what happened quietly, in place of what was meant, by default,
    // or without what it needed.
    r"|\bhad (?:been |already |recently |just |quietly |silently |previously |also )?(?:[a-z]+ed|[a-z]+en|set|put|left|built|made|cut)\b",
    r"|\bsilently\b|\bquietly\b|\binstead of\b|\bby default\b|\bwithout (?:its|their|a|an|the|any)\b|\binterrupted\b"
);
const SYMPTOM_STRONG: &str = concat!(
    r"\b(?:users?|customers?|clients?|people|visitors|developers|players|we) (?:experienced|saw|see|were seeing|noticed|reported|received|got|hit|encountered|were (?:unable|not able)|could not|couldn't|started (?:seeing|getting|to see))\b",
    r"|\bunable to\b|\bcould not be\b|\b(?:could not|couldn't) (?:connect|log ?in|sign ?in|scan|reach|load|access|open|pay|check ?out|print|send|receive|upload|download|book|order|submit|start|boot|authenticate)\b|\bfailed with\b|\berrors?\b|\b[45]\d\d(?:s|\b)|\bexceptions?\b",
    r"|\btime[sd]? ?outs?\b|\btiming out\b|\bslow(?:er|ness|ly|ed| down| to respond)?\b|\blatency\b|\bdegrad(?:ed|ation|ing)\b",
    r"|\bunavailab(?:le|ility)\b|\bunreachable\b|\binaccessible\b|\boutages?\b|\bdowntime\b|\bwent down\b|\b(?:was|were|is) down\b",
    r"|\balerts?\b|\balarms?\b|\bpaged\b|\bpages? (?:fired|went)\b|\bdashboards? (?:showed|showing|displayed|lit)\b",
    r"|\bstall(?:ed|s)?\b|\bpacket loss\b|\bspik(?:e|ed|es)\b|\belevated\b|\bsurge\b|\bcrash(?:ed|es|ing)?\b|\bcrash ?loop",
    r"|\brestart(?:ing)? loop\b|\bread-only\b|\bhung\b|\bhanging\b|\bfrozen\b|\bstuck\b|\boffline\b|\bnot working\b|\bstopped working\b",
    r"|\bloading forever\b|\bbroken\b|\bwere broken\b|\bfailures?\b|\bfailing\b|\bcomplain(?:ed|ts?)\b|\bdisrupt(?:ed|ion|ions)\b",
    r"|\bdropped (?:to|by)\b|\bincrease in\b|\bdecrease in\b|\bsuspicious\b|\bmalicious\b|\bunauthori[sz]ed\b|\bdata loss\b",
    r"|\bslowdowns?\b|\babnormal\b|\banomal(?:y|ies|ous)\b|\bunusual (?:activity|traffic|behaviou?r|login)|\bunexpected (?:activity|traffic|behaviou?r|login)",
    r"|\b(?:erroneous|incorrect|wrong|inconsistent|corrupt(?:ed)?|garbled|stale|invalid) (?:results?|data|values?|output|responses?|answers?|totals?|balances?)\b",
    r"|\b(?:was|were|got) (?:notified|alerted|paged)\b|\bbug reports?\b|\bnotified (?:us|the)\b",
    r"|\bfail(?:ed|s|ing)? to (?:resolve|load|connect|start|respond|download|upload|serve|process|complete|deliver|send|boot|build|deploy|sync|open|reach|return|scan|render|authenticate|log ?in)\b",
    r"|\btak(?:e|es|ing|en) (?:up to |over |more than |about )?\d+\+?\s*(?:ms|milliseconds|seconds|minutes|mins|hours)\b",
    // What failed, said of the things that fail ("service-to-service calls failed",
    // "every sidecar rejected every peer").
    // "failed to" is left to the verbs above: "switches failed to learn" is a cause.
    r"|\b[a-z-]+s (?:failed|timed out|errored|were rejected|were dropped)(?:\s*[.,;:]|$| (?:with|for|on|at|in|after|because|and|when|while|until|during))",
    r"|\brejected (?:every|all|each|most)\b"
);
const SYMPTOM_WEAK: &str = concat!(
    r"\bfailed\b|\bfail\b|\baffect(?:ed|ing|s)?\b|\bimpact(?:ed|ing|s)?\b|\bnoticed\b|\bobserved\b|\bdetected\b|\breported\b",
    r"|\bindicating\b|\bsymptoms?\b|\bdeaths?\b|\bkilled\b|\blost\b|\bmissing\b|\bdeleted\b|\bdeletion\b|\bduplicate\b|\bcopies\b",
    r"|\bincorrect\b|\berroneous\b|\bwrong\b|\bemails?\b|\breceived\b|\bintermittent(?:ly)?\b|\bqueue(?:d|ing)?\b|\bbacklog\b",
    r"|\bled to\b|\blead to\b|\bleading to\b|\bresult(?:ed|ing)? in\b|\bcausing\b|\bcaused\b|\boutcry\b|\bbacklash\b|\bcomplaints?\b",
    r"|\bsank\b|\bsinking\b|\bsunk\b|\bcapsiz|\bcollaps|\bexplo(?:ded|sion)\b|\bidentical\b|\bnumerous\b|\brecogni[sz]es\b|\bnotices\b|\breports\b"
);
const FIX_STRONG: &str = concat!(
    r"\brolled (?:it )?back\b|\brollback\b|\brolling back\b|\breverted\b|\breverting\b|\brestarted\b|\brebooted\b|\brestored\b",
    r"|\brestoring\b|\bto mitigate\b|\bmitigated\b|\bto (?:restore|resolve|recover|stop|remediate|contain|work around)\b",
    r"|\bresolved (?:the|it|by|itself|when|after)\b|\b(?:was|were|got) (?:resolved|fixed|mitigated|restored|recovered)\b",
    r"|\bresolved itself\b|\bfixed (?:the|by|it|this)\b|\bpatched\b|\bhot-?fix(?:ed)?\b|\bdeployed (?:a|the) (?:fix|patch)\b",
    r"|\bapplied (?:a|the) (?:fix|patch|workaround)\b|\bfailed over\b|\bfail(?:ed)?-?over to\b|\bdiverted\b|\brerouted\b|\brouted (?:the )?traffic\b",
    r"|\bdisabled\b|\bsuspended\b|\bfirewalled\b|\bblocked\b|\bremoved (?:the|all|it|them)\b|\bmanually\b|\bwas stopped\b|\bstopped (?:the|all)\b",
    r"|\brecreated\b|\brebuilt\b|\breplaced\b|\bflushed\b|\bpurged\b|\bcleared\b|\breset\b|\brecovered\b|\bback to normal\b|\breturned to normal\b",
    r"|\bscaled (?:up|out|down)\b|\badded (?:more )?capacity\b|\bquarantin|\brotated\b|\brevoked\b|\bshut (?:it |them )?down\b|\bdrained\b",
    r"|\bwas released\b|\bre-?deployed\b|\bkilled (?:the|all|off)\b|\bterminated\b|\bisolated\b|\bairgapped\b|\bwas uninstalled\b",
    r"|\bcleaned up\b|\breinstalled\b|\bre-?enabled\b|\bincreased (?:the )?(?:capacity|limit|memory|quota|timeout|pool)\b|\bresolution came\b",
    r"|\bthe fix (?:was|is)\b|\bworkaround\b|\bimmediate (?:fix|action|response)\b|\bremediat(?:ed|ion steps)\b",
    r"|\b(?:disables|suspends|restarts|reverts|rolls back|restores|blocks|resets|rotates|revokes|isolates|quarantines|reboots|redeploys|fails over|reroutes|purges|flushes)\b",
    r"|\brevert(?:s|ed|ing)?\b|\bforce[- ](?:reset|push(?:ed)?)\b",
    // What the team itself stopped doing ("we stopped routing traffic to it").
    r"|\bwe (?:then |quickly |immediately |also )?(?:stopped|paused|halted) [a-z]+ing\b",
    r"|\b(?:include[ds]?|ship(?:ped|s)?|release[ds]?|roll(?:ed|s)? out|land(?:ed|s)?|merged?) (?:a|the) fix\b|\b(?:a|the) fix (?:was|is) (?:added|merged|deployed|released|shipped)\b"
);
const FIX_WEAK: &str = concat!(
    r"\bfixed\b|\bfix\b|\bresolved\b|\bremoved?\b|\bremoves\b|\bstopped\b|\bincreased\b|\bdeleted?\b|\bdeletes\b",
    r"|\brestart\b|\brevert\b|\bmitigation\b|\benabled?\b|\benables\b|\binstall(?:ed|s)?\b|\buninstall|\bwas yanked\b|\byanked\b|\blocked\b"
);
const PREVENTION_STRONG: &str = concat!(
    r"\bwe will\b|\bwe'll\b|\bwe would like to\b|\bwill (?:be|also|now|add|implement|introduce|improve|require|ensure|review|continue|work|build|create|make|move|change|run|start|stop|alert|monitor|document|update|audit|enforce|treat|cap|limit)\b",
    r"|\bno longer\b|\b(?:we|team|teams|they) (?:are|'re) (?:also |now |currently )?(?:working|adding|building|implementing|improving|introducing|redesigning|reviewing|planning|updating|changing|moving|rolling out|exploring|investing|evaluating|investigating ways)\b",
    r"|\b(?:is|are) (?:also |now |currently )?(?:working on|building|implementing|improving|redesigning|exploring|planning|developing|introducing|enhancing|adding)\b",
    r"|\bgoing forward\b|\bin the future\b|\bfor (?:the )?future\b|\bfuture (?:occurrences|incidents|deployments|releases|changes)\b",
    r"|\bto prevent\b|\bprevent(?:ing)? (?:similar|this|such|recurrence|a repeat|future|it from)\b|\bfrom now on\b|\bfrom here on\b",
    r"|\bplan(?:s|ned|ning)? to\b|\bfollow-?ups?\b|\baction items?\b|\bremediation (?:efforts|items|steps|work|actions) (?:include|are|will)\b",
    r"|\bpost-incident\b|\bpost-mortem (?:actions|items)\b|\baims? to\b|\bintends? to\b|\bgoing to\b|\bnext steps?\b",
    r"|\bha(?:s|ve) since\b|\bsince then\b|\bto avoid (?:this|similar|such|a repeat|future|recurrence)\b|\bto reduce the (?:risk|likelihood|chance)\b",
    r"|\bcorrective (?:actions?|measures?)\b|\bpreventive\b|\bpreventative\b|\bsafeguards?\b"
);
const PREVENTION_WEAK: &str = concat!(
    r"\bshould\b|\bneed to\b|\bneeds to\b|\bmust\b|\bimprov(?:e|ing|ements?)\b|\bensure\b|\badd(?:ing)?\b|\bimplement(?:ing)?\b",
    r"|\bautomat(?:e|ing)\b|\brequire\b|\benforce\b|\bmonitoring\b|\bcheck(?:s|list)?\b|\breview\b|\baudit\b|\bdocument(?:ation)?\b|\btraining\b|\beducation\b"
);
const LESSON_STRONG: &str = concat!(
    r"\blessons?\b|\blearn(?:ed|t|ings?)\b|\btakeaways?\b|\bwe realized\b|\bin hindsight\b|\bin retrospect\b",
    r"|\bcould have been (?:avoided|prevented|caught|detected|faster|mitigated)\b|\bshould have\b|\bimportance of\b",
    r"|\bkey insights?\b|\bthe (?:dangers?|risks?|value|need) (?:of|for)\b|\breminder\b|\bwe now know\b|\bthis (?:showed|shows|taught|highlights?|highlighted)\b"
);
const LESSON_WEAK: &str =
    r"\bwent well\b|\bwent wrong\b|\bwent poorly\b|\bnever\b|\balways\b|\bbetter\b";

fn cues() -> &'static Cues {
    static C: OnceLock<Cues> = OnceLock::new();
    C.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("a valid cue regex");
        Cues {
            fields: vec![
                (CAUSE, re(CAUSE_STRONG), re(CAUSE_WEAK)),
                (SYMPTOM, re(SYMPTOM_STRONG), re(SYMPTOM_WEAK)),
                (FIX, re(FIX_STRONG), re(FIX_WEAK)),
                (PREVENTION, re(PREVENTION_STRONG), re(PREVENTION_WEAK)),
                (LESSON, re(LESSON_STRONG), re(LESSON_WEAK)),
            ],
            null: re(concat!(
                r"\b(?:we|i) (?:are|am) (?:so |very |deeply |truly |sincerely )?sorry\b|\bwe (?:sincerely )?apologi[sz]e\b",
                r"|\bthank(?:s| you)\b|\bwe understand (?:how|that)\b|\bwe want to (?:explain|share|apologi)",
                r"|\b(?:the|this) (?:article|post|blog post|report|write-?up|summary) (?:focuses|describes|covers|is|does|was|explains)\b",
                r"|\bdoes not (?:detail|describe|mention|say|specify)\b|\bthere (?:is|are|was|were) no (?:specific |immediate )?(?:remediation|items|action|follow)",
                r"|\bnot related to\b|\bno (?:specific )?items in the backlog\b|\bplease (?:contact|reach|let us)\b|\bfeel free\b",
                r"|^for more (?:information|details|info)\b|\bcan be found (?:here|at|in)\b|\bvisit:?$|\bsee (?:here|below|above):?$",
                r"|\bdid an? (?:fantastic|great|good|excellent|amazing) job\b|\bkudos\b|\bwell done\b|\bgreat work\b"
            )),
            unaffected: re(concat!(
                r"\b(?:was|were|are|is) not (?:affected|impacted)\b|\bunaffected\b|\bnot impacted\b",
                r"|\bremained (?:operational|available|up|healthy|unaffected|online|functional)\b|\bno (?:customer |user )?(?:impact|data loss)\b"
            )),
            future: re(
                r"\bwill\b|\b'll\b|\bplan(?:s|ned)? to\b|\bgoing to\b|\bshould\b|\bneed to\b|\bmust\b",
            ),
            conditional: re(
                r"\b(?:could|would|might|may) (?:also )?have\b|\bhad we\b|\bif we had\b|\bwould\b",
            ),
        }
    })
}

/// The fields `sentence` reads as, as bits (`CAUSE | SYMPTOM`...). `lower` must be
/// the sentence in lower case.
pub(super) fn classify(lower: &str) -> u8 {
    let c = cues();
    if c.null.is_match(lower) {
        return 0;
    }
    let mut out = 0;
    for (field, strong, weak) in &c.fields {
        let strong_here = if *field == FIX {
            strong
                .find_iter(lower)
                .any(|m| !describes(lower, m.start(), m.as_str()))
        } else {
            strong.is_match(lower)
        };
        let mut score = 2 * u8::from(strong_here);
        if score < 2 {
            // "Customers who had signed in" says who, not what had been done.
            let counts = |m: &regex::Match<'_>| {
                !(*field == CAUSE
                    && m.as_str().starts_with("had ")
                    && lower[..m.start()].ends_with("who "))
            };
            score += weak.find_iter(lower).filter(counts).take(2).count() as u8;
        }
        if score >= 2 {
            out |= field;
        }
    }
    if out & FIX != 0 && c.conditional.is_match(lower) {
        // "Anyone could have restarted the chain": what might have been done.
        out &= !FIX;
    } else if out & FIX != 0 && c.future.is_match(lower) {
        // "We will restart the service" is a plan, not what was done.
        out &= !FIX;
        out |= PREVENTION;
    }
    if out & SYMPTOM != 0 && c.unaffected.is_match(lower) {
        out &= !SYMPTOM;
    }
    out
}

/// Whether the verb `found` at byte `at` of `lower` says what something does, in a
/// relative clause ("the automation that rotates workload certificates"), rather than
/// what was done: a present-tense verb right after `that`, `which` or `who`.
fn describes(lower: &str, at: usize, found: &str) -> bool {
    let present = found
        .split_whitespace()
        .next()
        .is_some_and(|w| w.ends_with('s') && !w.ends_with("ss"));
    present && regex!(r"\b(?:that|which|who)\s+$").is_match(&lower[..at])
}

/// Where a narrative turns to an earlier incident ("preceded by a similar issue two
/// months prior") and back ("became unhealthy again"): what was done then is not this
/// incident's fix. `Some(true)` opens the earlier story, `Some(false)` closes it.
pub(super) fn earlier_story(lower: &str) -> Option<bool> {
    let opens = regex!(
        r"\bpreceded by\b|\b(?:a|an) (?:similar|previous|prior|earlier) (?:issue|incident|outage|problem)\b|\b(?:days?|weeks?|months?|years?) (?:prior|earlier|before)\b"
    );
    let closes = regex!(r"\bagain\b|\bthis time\b");
    if opens.is_match(lower) {
        Some(true)
    } else if closes.is_match(lower) {
        Some(false)
    } else {
        None
    }
}

/// True for a short sentence that announces the cause is told next ("Here is what
/// went wrong.", "So why did it happen?").
pub(super) fn announces_cause(lower: &str) -> bool {
    lower.split_whitespace().count() <= 10
        && regex!(
            r"\b(?:what went wrong|why (?:did )?(?:it|this|that) happen(?:ed)?|what caused (?:it|this|that|the (?:outage|incident|problem|issue|failure)))\b"
        )
        .is_match(lower)
}

/// True for what could have been done, or would have happened.
pub(super) fn is_conditional(lower: &str) -> bool {
    cues().conditional.is_match(lower)
}

/// True for a sentence that says nothing about the incident (an apology, thanks, a
/// pointer to elsewhere, praise): no field's statement.
pub(super) fn says_nothing(lower: &str) -> bool {
    cues().null.is_match(lower)
}

/// True for a sentence that reports what was not affected, or nothing at all.
pub(super) fn is_null(lower: &str) -> bool {
    let c = cues();
    c.null.is_match(lower) || c.unaffected.is_match(lower)
}

/// The weak cues of `field` alone, for sections that already lean towards it (a
/// detection section's "noticed elevated numbers" is a symptom).
pub(super) fn leans(lower: &str, field: u8) -> bool {
    let c = cues();
    !c.null.is_match(lower)
        && c.fields
            .iter()
            .find(|(f, _, _)| *f == field)
            .is_some_and(|(_, s, w)| s.is_match(lower) || w.is_match(lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &str) -> u8 {
        classify(&s.to_lowercase())
    }

    #[test]
    fn causes_and_their_effects() {
        assert_eq!(
            fields(
                "A bad config caused a quota service to fail, which caused multiple services to fail."
            ),
            CAUSE | SYMPTOM
        );
        assert_eq!(
            fields("The root cause was identified as a failure of a component on a fiber path.")
                & CAUSE,
            CAUSE
        );
        assert_eq!(
            fields("The incidents stemmed from a convergence of factors.") & CAUSE,
            CAUSE
        );
    }

    #[test]
    fn latent_faults_without_a_connective() {
        for s in [
            "A node image update had added our search domain to every node, silently.",
            "The purge emptied the entire zone instead of the article's own URLs, by default.",
            "The release was shipped without its env file and had booted with defaults.",
            "Nobody noticed in review because the diff was long.",
        ] {
            assert_ne!(fields(s) & CAUSE, 0, "{s}");
        }
        // Who had done something is not what had been done.
        assert_eq!(
            fields("Customers who had signed in found themselves logged in as the wrong user.")
                & CAUSE,
            0
        );
    }

    #[test]
    fn what_was_observed() {
        for s in [
            "Users experienced build failures during this time.",
            "The dashboard showed Failed to fetch leads.",
            "Our alerts on order latency fired at 09:17.",
            "Queries degraded for four hours.",
            "Every request returned 502s.",
            "Nearly all service-to-service calls failed until a new intermediate was issued.",
            "Their chain had expired, so every sidecar rejected every peer.",
        ] {
            assert_ne!(fields(s) & SYMPTOM, 0, "{s}");
        }
        assert_eq!(
            fields("Market data, holdings and funds were not affected.") & SYMPTOM,
            0
        );
        assert_eq!(
            fields("While the edge network remained operational, the control plane was slow.")
                & SYMPTOM,
            0
        );
    }

    #[test]
    fn what_was_done_and_what_will_be() {
        assert_eq!(
            fields(
                "To mitigate the immediate impact, we removed the slow node from the load balancer."
            ) & FIX,
            FIX
        );
        assert_eq!(
            fields("The deployment was rolled back, temporarily fixing the issue.") & FIX,
            FIX
        );
        assert_eq!(
            fields("From 07:00 about 1,100 people working remotely could not connect.") & SYMPTOM,
            SYMPTOM
        );
        // What a system does is not what was done.
        assert_eq!(
            fields("The automation that rotates workload certificates does not manage it.") & FIX,
            0
        );
        assert_eq!(fields("The on-call engineer rotates the keys.") & FIX, FIX);
        let plan = fields("We will restart the service automatically when it hangs.");
        assert_eq!(plan & FIX, 0);
        assert_eq!(plan & PREVENTION, PREVENTION);
        assert_eq!(
            fields("For future occurrences, we will treat timeout changes as risky.") & PREVENTION,
            PREVENTION
        );
        assert_eq!(
            fields("Honeycomb is also working on improving the ability to search feature flags.")
                & PREVENTION,
            PREVENTION
        );
        assert_eq!(
            fields("Initial mitigation attempts were hampered by red herrings.") & FIX,
            0
        );
    }

    #[test]
    fn reflection_and_nothing() {
        assert_eq!(
            fields("The outage could have been avoided by deploying the changes individually.")
                & LESSON,
            LESSON
        );
        assert_eq!(fields("We are sorry for the disruption this caused."), 0);
        assert_eq!(
            fields("The article does not detail any immediate remediation steps taken."),
            0
        );
        assert_eq!(fields("The weather was fine that day."), 0);
    }
}
