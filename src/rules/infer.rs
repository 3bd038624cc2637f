//! From one statement in a postmortem to a lesson: is it an instruction, which way does
//! it point (do / don't), and does it name something a machine can check?
//!
//! Inference reads what the sentence names, not which incident it is from: a command
//! with flags in backticks (`rsync --delete`, `git push --force`), a bare tool
//! (`PM2 should not be installed`), a path (`dist/_worker.js` exists and is > 100 KB), a
//! setting (`DEBUG=true`), an image tag (`:latest`), a build or test command to run, or
//! server drift (on-server edits, uncommitted changes). Sentences that name nothing
//! checkable still become agent rules, with no guessed guard.

use super::applies::{Context, condition};
use super::model::Guard;

mod guards;
mod mood;

pub use guards::{Family, SCRIPT_FILES};
pub use mood::{Strength, durable, one_off, plain};

/// Whether a lesson tells you to do something or not to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    Do,
    Dont,
}

/// What one sentence teaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The instruction: the sentence's main clause, as written.
    pub text: String,
    /// The sentence it comes from, as the postmortem writes it (label included).
    pub source: String,
    /// Rationale written after a dash, `because`, `so we don't`... (`Never X - it deletes Y`).
    pub reason: Option<String>,
    pub polarity: Polarity,
    pub strength: Strength,
    pub guards: Vec<Guard>,
    /// What the first guard is about, in a few words (`git push --force`, `pm2`,
    /// `DEBUG=true`): rule ids are named after it.
    pub subject: Option<String>,
    /// Steps nested under the lesson in the postmortem.
    pub steps: Vec<String>,
    /// A guard was named whose condition the incident does not tell: the lesson waits
    /// for review rather than alarm where the mistake cannot happen.
    pub unsure: bool,
}

/// Where statements come from decides how they are read: lessons and prevention are
/// instructions; fixes only teach when they removed or added something checkable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Lesson,
    Prevention,
    Fix,
}

/// All lessons in `statement` (one per instructive clause), with guards that apply
/// everywhere: what a statement alone says.
pub fn lessons(statement: &str, origin: Origin) -> Vec<Lesson> {
    lessons_in(statement, origin, None)
}

/// All lessons in `statement`, their guards' conditions inferred from `ctx`, the
/// incident the statement is part of.
pub fn lessons_in(statement: &str, origin: Origin, ctx: Option<&Context>) -> Vec<Lesson> {
    let body = strip_label(statement);
    let label = &statement[..statement.len() - body.len()];
    let mut out = Vec::new();
    for (n, sentence) in split_sentences(body).into_iter().enumerate() {
        let sentence = sentence
            .trim()
            .trim_matches(|c| c == '"' || c == '“' || c == '”');
        // The label names the lesson (`Strict adherence to documentation: ...`).
        let source = if n == 0 {
            format!("{label}{sentence}")
        } else {
            sentence.to_string()
        };
        let parts = listed(sentence).unwrap_or_else(|| clauses(sentence));
        for clause in parts {
            out.extend(lesson(clause, &source, origin, ctx));
        }
    }
    out
}

/// `Never force push to main; use --force-with-lease on branches`: two instructions
/// pointing opposite ways, read separately.
fn clauses(sentence: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_code = false;
    for (i, c) in sentence.char_indices() {
        match c {
            '`' => in_code = !in_code,
            ';' if !in_code => {
                out.push(sentence[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(sentence[start..].trim());
    out.retain(|c| c.split_whitespace().count() >= 2);
    out
}

/// `Key lessons included the importance of X, the dangers of Y, and the need for Z`:
/// the lessons a sentence lists, each read as a clause of its own.
fn listed(sentence: &str) -> Option<Vec<&str>> {
    let intro = regex!(
        r"(?i)^(?:the |our |key |main |three |two |some )*(?:key |main )?(?:lessons?|takeaways?|learnings?)(?: (?:learned|learnt|we took|from this incident))? (?:included|include|includes|were|are|was|is)\b:?\s+"
    );
    let m = intro.find(sentence)?;
    let body = sentence[m.end()..].trim_end_matches(['.', '!']);
    let parts: Vec<&str> = regex!(r",\s+(?:and\s+)?|;\s+")
        .split(body)
        .map(str::trim)
        .collect();
    // A list, not one long clause with a comma in it.
    (parts.len() >= 2 && parts.iter().all(|p| p.split_whitespace().count() >= 2)).then_some(parts)
}

/// `Single Process Manager: Only systemd...` -> `Only systemd...`: a short label before
/// a colon names the lesson; the instruction follows.
fn strip_label(s: &str) -> &str {
    match s.split_once(": ") {
        Some((label, rest))
            if label.split_whitespace().count() <= 6
                && !label.contains('`')
                && rest.len() > label.len() =>
        {
            rest
        }
        _ => s,
    }
}

fn split_sentences(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = s.as_bytes();
    let mut in_code = false;
    for i in 0..b.len() {
        match b[i] {
            b'`' => in_code = !in_code,
            b'.' | b'!' | b'?' if !in_code && i + 1 < b.len() && b[i + 1] == b' ' => {
                let next = s[i + 2..].chars().next().unwrap_or(' ');
                if next.is_uppercase() || next == '`' {
                    out.push(s[start..=i].trim());
                    start = i + 2;
                }
            }
            _ => {}
        }
    }
    out.push(s[start..].trim());
    out.retain(|x| !x.is_empty());
    out
}

/// A list item that names the steps nested under it (`Post-deployment verification`):
/// a lesson of its own when it is a short noun phrase, not a statement of fact.
pub fn named(statement: &str) -> Option<Lesson> {
    let text = statement.trim().trim_end_matches([':', '.']).trim();
    let l = plain(text);
    let words: Vec<&str> = l.split(' ').collect();
    let finite = [
        "is", "are", "was", "were", "has", "have", "had", "will", "can", "did", "does", "do",
    ];
    if !(2..=8).contains(&words.len())
        || words.iter().any(|w| finite.contains(w))
        || text.ends_with('?')
        || text.contains('`')
    {
        return None;
    }
    Some(Lesson {
        text: text.to_string(),
        source: statement.trim().to_string(),
        reason: None,
        polarity: Polarity::Do,
        strength: Strength::Practice,
        guards: Vec::new(),
        subject: None,
        unsure: false,
        steps: Vec::new(),
    })
}

fn lesson(clause: &str, source: &str, origin: Origin, ctx: Option<&Context>) -> Option<Lesson> {
    let reading = mood::read(clause, origin)?;
    let mut found = guards::guards(reading.text, reading.polarity, origin);
    // `The pipeline fails if any production env file turns debug on`, `Fail CI when a
    // deploy script contains migrate reset`: what the check fails on is forbidden.
    if found.is_empty()
        && let Some(c) = regex!(
            r"(?i)\b(?:fail|fails|failing|reject|rejects|block|blocks|refuse|refuses)\b[^,;]*?\b(?:if|when|whenever)\s+(?P<cond>[^;]+)$"
        )
        .captures(reading.text)
    {
        found = guards::guards(&c["cond"], Polarity::Dont, origin);
    }
    if origin == Origin::Fix && found.is_empty() {
        return None;
    }
    let mut unsure = false;
    let found: Vec<(Guard, String)> = found
        .into_iter()
        .map(|(g, subject, family)| match ctx {
            None => (g, subject),
            Some(ctx) => match condition(g.clone(), &family, ctx) {
                Some(g) => (g, subject),
                None => {
                    unsure = true;
                    (g, subject)
                }
            },
        })
        .collect();
    Some(Lesson {
        unsure,
        steps: Vec::new(),
        text: reading.text.to_string(),
        source: source.trim().to_string(),
        reason: reading.reason.map(str::to_string),
        polarity: reading.polarity,
        strength: reading.strength,
        subject: found.first().map(|(_, s)| s.clone()),
        guards: found.into_iter().map(|(g, _)| g).collect(),
    })
}

#[cfg(test)]
mod tests;
