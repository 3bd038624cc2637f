//! From one statement in a postmortem to a lesson: is it an instruction, which way does
//! it point (do / don't), and does it name something a machine can check?
//!
//! Inference reads what the sentence names, not which incident it is from: a command
//! with flags in backticks (`rsync --delete`, `git push --force`), a bare tool
//! (`PM2 should not be installed`), a path (`dist/_worker.js` exists and is > 100 KB), a
//! setting (`DEBUG=true`), an image tag (`:latest`), a build or test command to run, or
//! server drift (on-server edits, uncommitted changes). Sentences that name nothing
//! checkable still become agent rules, with no guessed guard.

use regex::Regex;

use super::model::{Check, Guard, Size};
use crate::incident::is_command;

/// Whether a lesson tells you to do something or not to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    Do,
    Dont,
}

/// What one sentence teaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The instruction, cleaned.
    pub text: String,
    /// Rationale written after a dash (`Never X - it deletes Y`).
    pub reason: Option<String>,
    pub polarity: Polarity,
    pub guards: Vec<Guard>,
    /// What the first guard is about, in a few words (`git push --force`, `pm2`,
    /// `DEBUG=true`): rule ids are named after it.
    pub subject: Option<String>,
}

/// Where statements come from decides how they are read: lessons and prevention are
/// instructions; fixes only teach when they removed or added something checkable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Lesson,
    Prevention,
    Fix,
}

/// Files where deploy and build commands live.
pub const SCRIPT_FILES: &[&str] = &[
    "**/*.sh",
    "**/*.bash",
    "**/*.zsh",
    "**/*.ps1",
    "**/Makefile",
    "**/makefile",
    "**/*.mk",
    "**/justfile",
    "**/Justfile",
    "**/Dockerfile",
    "**/Dockerfile.*",
    "**/Procfile",
    "**/package.json",
    "**/.github/workflows/*.yml",
    "**/.github/workflows/*.yaml",
    "**/.gitlab-ci.yml",
    "**/Jenkinsfile",
    "**/scripts/*",
    "**/bin/*",
    "**/deploy*",
];
const ENV_FILES: &[&str] = &["**/.env", "**/.env.*", "**/*.env"];
const IMAGE_FILES: &[&str] = &[
    "**/Dockerfile",
    "**/Dockerfile.*",
    "**/*.dockerfile",
    "**/docker-compose*.yml",
    "**/docker-compose*.yaml",
    "**/compose*.yml",
    "**/compose*.yaml",
    "**/k8s/**/*.yaml",
    "**/k8s/**/*.yml",
    "**/*.k8s.yaml",
    "**/helm/**/*.yaml",
    "**/deploy/**/*.yaml",
    "**/deploy/**/*.yml",
    "**/.github/workflows/*.yml",
    "**/.github/workflows/*.yaml",
];
const SQL_FILES: &[&str] = &["**/*.sql", "**/migrations/**", "**/migrate/**"];

/// All lessons in `statement` (one per instructive sentence).
pub fn lessons(statement: &str, origin: Origin) -> Vec<Lesson> {
    let body = strip_label(statement);
    split_sentences(body)
        .into_iter()
        .flat_map(clauses)
        .filter_map(|s| lesson(s, origin))
        .collect()
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

fn lesson(sentence: &str, origin: Origin) -> Option<Lesson> {
    let sentence = sentence
        .trim()
        .trim_matches(|c| c == '"' || c == '“' || c == '”');
    // `Never use X in production - It can delete Y`: instruction, then reason.
    let (text, reason) = match regex!(r"\s+[-–—]\s+").find(sentence) {
        Some(m) if !sentence[..m.start()].ends_with('`') => (
            sentence[..m.start()].trim(),
            Some(sentence[m.end()..].trim().to_string()),
        ),
        _ => (sentence, None),
    };
    let text = text.trim_end_matches(['.', '!', ':']).trim();
    if text.split_whitespace().count() < 2 {
        return None;
    }
    let polarity = polarity(text, origin)?;
    let found = guards(text, polarity, origin);
    if origin == Origin::Fix && found.is_empty() {
        return None;
    }
    Some(Lesson {
        text: text.to_string(),
        reason: reason.filter(|r| !r.is_empty()),
        polarity,
        subject: found.first().map(|(_, s)| s.clone()),
        guards: found.into_iter().map(|(g, _)| g).collect(),
    })
}

/// Is the sentence an instruction (or a requirement), and which way does it point?
fn polarity(text: &str, origin: Origin) -> Option<Polarity> {
    let l = text.to_lowercase();
    if origin == Origin::Fix {
        // `Removed dangerous X`: the fix forbids X. `Added Y`: the fix requires Y.
        let removed = regex!(
            r"^(removed|dropped|deleted|disabled|eliminated|stopped using|banned|replaced)\b"
        );
        return Some(if removed.is_match(&l) {
            Polarity::Dont
        } else {
            Polarity::Do
        });
    }
    let negative = regex!(
        r"\b(never|don'?t|do not|must not|mustn'?t|should not|shouldn'?t|shall not|cannot|can'?t|avoid|no longer|stop)\b|\b(forbidden|prohibited|not allowed|banned|disallowed)\b"
    );
    // `Never deploy X without Y`: a requirement of Y.
    let never_without = regex!(r"\b(never|don'?t|do not)\b.*\bwithout\b");
    let imperative = regex!(
        r"^(never|always|only|don'?t|do not|avoid|ensure|make sure|check|verify|confirm|validate|run|use|keep|test|deploy|pin|add|set|require|prefer|stop|remove|disable|enable|roll ?back|back ?up|document|monitor|alert|review|read|follow|wait|build|restart|preserve|create|update|upgrade|limit|rotate|lock|isolate|separate|tag|commit|push|revert|configure|schedule|automate|treat|consult)\b"
    );
    let modal = regex!(
        r"\b(should|must|shall|needs? to|has to|have to)\b|\bis (mandatory|required)\b|\bare (mandatory|required)\b"
    );
    // Checklist items: `dist/_worker.js` exists and is > 100 KB.
    let requirement = regex!(
        r"`[^`]+`\s+(exists|is present|is generated|is built|passes|succeeds|is committed|is clean)\b"
    );
    let instructive = imperative.is_match(&l)
        || modal.is_match(&l)
        || negative.is_match(&l)
        || (origin == Origin::Prevention && requirement.is_match(&l));
    if !instructive || !standalone(&l) {
        return None;
    }
    if negative.is_match(&l) && !never_without.is_match(&l) {
        Some(Polarity::Dont)
    } else {
        Some(Polarity::Do)
    }
}

/// Sentences that read as rules on their own: not `It is destructive...` (whose "it"
/// is elsewhere), not `Build system is fixed` (a noun, not the verb "build"), not
/// `Never deletes existing files` (a description of a script, not an instruction).
fn standalone(l: &str) -> bool {
    let words: Vec<&str> = l.split_whitespace().collect();
    let first = words.first().copied().unwrap_or("");
    let second = words
        .get(1)
        .copied()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric());
    const PRONOUNS: [&str; 10] = [
        "it", "this", "that", "these", "those", "they", "we", "i", "he", "she",
    ];
    if PRONOUNS.contains(&first) {
        return false;
    }
    const NOUNISH: [&str; 16] = [
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "will",
        "time",
        "system",
        "status",
        "completes",
        "fails",
        "passes",
        "succeeds",
        "process",
    ];
    if NOUNISH.contains(&second) {
        return false;
    }
    let third_person = second.len() > 3
        && second.ends_with('s')
        && !second.ends_with("ss")
        && !second.ends_with("us");
    !(matches!(first, "never" | "always") && third_person)
}

/// What a code span names.
#[derive(Debug, Clone, PartialEq)]
enum Subject {
    /// A command: leading words, then flags and arguments.
    Command(Vec<String>),
    Path(String),
    Setting(String, String),
    Sql(String),
    Other,
}

fn subject(span: &str) -> Subject {
    let s = span.trim();
    if regex!(r"(?i)^(drop\s+(table|database|schema)|truncate(\s+table)?|delete\s+from)\b")
        .is_match(s)
    {
        return Subject::Sql(s.to_string());
    }
    if let Some(c) = regex!(r"^(?:export\s+)?([A-Z][A-Z0-9_]{1,60})\s*=\s*(\S+)$").captures(s) {
        return Subject::Setting(c[1].to_string(), c[2].trim_matches(['"', '\'']).to_string());
    }
    if is_command(s) {
        return Subject::Command(s.split_whitespace().map(str::to_string).collect());
    }
    let pathish = !s.contains(' ')
        && (s.contains('/')
            || s.starts_with('.')
            || s.rsplit_once('.').is_some_and(|(a, ext)| {
                !a.is_empty()
                    && (1..=5).contains(&ext.len())
                    && ext.chars().all(|c| c.is_ascii_alphanumeric())
            }));
    if pathish && !s.contains("://") && !s.starts_with('-') {
        return Subject::Path(s.trim_start_matches("./").to_string());
    }
    Subject::Other
}

fn code_spans(text: &str) -> Vec<&str> {
    regex!(r"`([^`\n]+)`")
        .captures_iter(text)
        .map(|c| c.get(1).expect("group").as_str())
        .collect()
}

fn size_in(text: &str) -> Option<Size> {
    let c = regex!(r"(?i)(?:>=?|≥|at least|larger than|bigger than|greater than|more than|over|above|minimum(?: of)?)\s*(\d+(?:\.\d+)?\s*(?:kib|kb|mib|mb|gib|gb|bytes|b)\b)")
    .captures(text)?;
    Size::parse(&c[1])
}

fn globs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Paths written as where something is (`in \`.env.production\``), not what it is.
fn locations(text: &str) -> Vec<String> {
    regex!(r"(?i)\b(?:in|into|inside|under|to|from|within)\s+(?:the\s+|any\s+|a\s+)?`([^`\n]+)`")
        .captures_iter(text)
        .filter_map(|c| match subject(&c[1]) {
            Subject::Path(p) => Some(p),
            _ => None,
        })
        .collect()
}

/// Globs for the files at `locations` (a file, or everything in a folder).
fn location_globs(locations: &[String]) -> Vec<String> {
    locations
        .iter()
        .map(|l| {
            let l = l.trim_end_matches('/');
            let is_file = l.rsplit('/').next().is_some_and(|n| n.contains('.'));
            match (l.contains('/'), is_file) {
                (_, false) => format!("{l}/**"),
                (false, true) => format!("**/{l}"),
                (true, true) => l.to_string(),
            }
        })
        .collect()
}

/// Guards for the checkable things `text` names, each with what it is about.
fn guards(text: &str, polarity: Polarity, origin: Origin) -> Vec<(Guard, String)> {
    let mut out: Vec<(Guard, String)> = Vec::new();
    let l = text.to_lowercase();
    let spans = code_spans(text);
    let places = locations(text);
    for span in &spans {
        if places
            .iter()
            .any(|p| p == span.trim().trim_start_matches("./"))
        {
            continue; // a location, used below to narrow the files searched
        }
        match (subject(span), polarity) {
            (Subject::Command(words), Polarity::Dont) => {
                if let Some(g) = forbid_command(&words) {
                    out.push((g, words.join(" ")));
                }
            }
            (Subject::Command(words), Polarity::Do) if origin != Origin::Fix => {
                if let Some(g) = run_command(&words, &l) {
                    out.push((g, words.join(" ")));
                }
            }
            (Subject::Sql(sql), Polarity::Dont) => out.push((
                Guard::new(Check::ForbidPattern {
                    pattern: format!(
                        r"(?i)\b{}\b",
                        sql.split_whitespace()
                            .map(regex::escape)
                            .collect::<Vec<_>>()
                            .join(r"\s+")
                    ),
                    files: globs(SQL_FILES)
                        .into_iter()
                        .chain(globs(SCRIPT_FILES))
                        .collect(),
                }),
                sql.clone(),
            )),
            (Subject::Setting(key, value), Polarity::Dont) => out.push((
                Guard::new(Check::ForbidPattern {
                    pattern: format!(
                        r#"(?im)^\s*(?:export\s+)?{}\s*=\s*["\x27]?{}["\x27]?\s*$"#,
                        regex::escape(&key),
                        regex::escape(&value)
                    ),
                    files: globs(ENV_FILES),
                }),
                format!("{key}={value}"),
            )),
            (Subject::Path(p), Polarity::Do) if mentions_existence(&l) => {
                out.push((require_file(&p, size_in(text)), p.clone()));
            }
            (Subject::Path(p), Polarity::Dont) if mentions_presence(&l) => {
                let pat = if p.contains('/') {
                    p.trim_end_matches('/').to_string()
                } else {
                    format!("**/{p}")
                };
                let pat = if p.ends_with('/') {
                    format!("{pat}/**")
                } else {
                    pat
                };
                out.push((
                    Guard::new(Check::ForbidFile { files: vec![pat] }),
                    p.clone(),
                ));
            }
            _ => {}
        }
        // `:latest` in backticks, or an image reference with that tag.
        if polarity == Polarity::Dont && span.ends_with(":latest") {
            out.push((forbid_latest_tag(), "latest tag".into()));
        }
    }
    if polarity == Polarity::Dont {
        // Tools named without backticks: `PM2 should not be installed or used`.
        for tool in ["pm2", "forever", "nodemon", "supervisord"] {
            let named = l
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| w == tool);
            let quoted = spans
                .iter()
                .any(|s| s.to_lowercase().split_whitespace().next() == Some(tool));
            if named && !quoted && (l.contains("use") || l.contains("install") || l.contains("run"))
            {
                out.push((
                    forbid_command(&[tool.to_string()]).expect("single word"),
                    tool.to_string(),
                ));
            }
        }
        if re_force_push().is_match(&l) && !spans.iter().any(|s| s.contains("push")) {
            let words = ["git".to_string(), "push".to_string(), "--force".to_string()];
            out.extend(forbid_command(&words).map(|g| (g, words.join(" "))));
        }
        if (l.contains("mutable") && l.contains("tag")) || l.contains("latest tag") {
            out.push((forbid_latest_tag(), "latest tag".into()));
        }
        if l.contains("debug")
            && (l.contains("env") || l.contains("environment file"))
            && spans.is_empty()
        {
            out.push((Guard::new(Check::ForbidPattern {
                pattern: r#"(?im)^\s*(?:export\s+)?[A-Z_]*DEBUG\s*=\s*["\x27]?(?:true|1|yes|on)["\x27]?\s*$"#.into(),
                files: globs(ENV_FILES),
            }), "debug in env files".into()));
        }
    }
    if server_drift(&l) {
        out.push((
            Guard::new(Check::GitClean {
                repo: None,
                untracked: false,
            }),
            "uncommitted server changes".into(),
        ));
    }
    if !places.is_empty() {
        let narrowed = location_globs(&places);
        for (g, _) in &mut out {
            if let Check::ForbidPattern { files, .. } = &mut g.check {
                *files = narrowed.clone();
            }
        }
    }
    dedup(out)
}

fn re_force_push() -> &'static Regex {
    regex!(r"\bforce[- ]?push(es|ed|ing)?\b")
}

fn mentions_existence(l: &str) -> bool {
    [
        "exist",
        "present",
        "generated",
        "is built",
        "check",
        "verify",
        "confirm",
        "contain",
        "include",
        "ship",
        "missing",
        "must have",
        "has ",
    ]
    .iter()
    .any(|w| l.contains(w))
}

fn mentions_presence(l: &str) -> bool {
    [
        "commit", "ship", "deploy", "upload", "include", "present", "exist", "check in", "publish",
        "bundle", "leave", "left",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// Edits on the server, or uncommitted changes, that drift from version control.
fn server_drift(l: &str) -> bool {
    regex!(r"on-server edits?|server[- ]side edits?|server drift|uncommitted (changes|edits|work)|edit(ing|s)? (files )?directly on (a |the )?(production |live )?server|manual(ly)?,? (on-server )?(edit|change)s? (on|to) (the )?(production )?server|local changes on the server|working tree (is |must be )?clean")
    .is_match(l)
}

/// `forbid-pattern` for a command: its leading words, then each flag or argument on the
/// same (uncommented) line. Flags must end where the flag ends, so `--force` does not
/// match `--force-with-lease`, and `rsync --delete` does not match another tool's.
fn forbid_command(words: &[String]) -> Option<Guard> {
    let lead: Vec<&String> = words
        .iter()
        .take_while(|w| !w.starts_with('-'))
        .take(3)
        .collect();
    let rest = &words[lead.len()..];
    let head = lead
        .iter()
        .map(|w| escape(w))
        .collect::<Vec<_>>()
        .join(r"\s+");
    // `hit` marks what the checker underlines: the command, not the line before it.
    let mut pattern = format!(r"(?m)^[^#\n]*?(?P<hit>\b{head}\b");
    for (i, w) in rest.iter().enumerate() {
        let alts = flag_aliases(&lead, w);
        let alt = alts.iter().map(|a| escape(a)).collect::<Vec<_>>().join("|");
        // The previous word's terminator may have eaten the space before this one.
        let gap = if i == 0 {
            r"[^\n]*?\s"
        } else {
            r"(?:[^\n]*?\s)?"
        };
        pattern.push_str(&format!(r#"{gap}(?:{alt})(?:[\s=;|&)"\x27]|$)"#));
    }
    pattern.push(')');
    // A lone tool word (`pm2`) must read as a command, not as part of a path.
    if rest.is_empty() && lead.len() == 1 {
        pattern = format!(r#"(?m)^[^#\n]*?(?:^|[\s;&|(`"\x27])(?P<hit>{head})(?:\s|$)"#);
    }
    Some(Guard::new(Check::ForbidPattern {
        pattern,
        files: globs(SCRIPT_FILES),
    }))
}

/// `regex::escape`, minus the escapes a reader trips over (`-` outside a class).
fn escape(s: &str) -> String {
    regex::escape(s).replace("\\-", "-")
}

/// Spellings that mean the same flag to the same command.
fn flag_aliases(lead: &[&String], flag: &str) -> Vec<String> {
    let cmd: Vec<&str> = lead.iter().map(|s| s.as_str()).collect();
    let alts: &[&str] = match (cmd.as_slice(), flag) {
        (["git", "push", ..], "--force" | "-f") => &["--force", "-f"],
        (["rm", ..], "-rf" | "-fr" | "-Rf" | "-fR") => &["-rf", "-fr", "-Rf", "-fR"],
        (["kubectl", ..], "--force") => &["--force"],
        _ => &[],
    };
    if alts.is_empty() {
        vec![flag.to_string()]
    } else {
        alts.iter().map(|s| s.to_string()).collect()
    }
}

/// `command` guard for a check the lesson says to run (build, test, lint...), and the
/// project file that shows it applies. Servers and watchers never make guards.
fn run_command(words: &[String], lowered_sentence: &str) -> Option<Guard> {
    let joined = words.join(" ").to_lowercase();
    let checks = [
        "build",
        "test",
        "lint",
        "check",
        "typecheck",
        "tsc",
        "vet",
        "audit",
        "verify",
        "validate",
        "fmt",
    ];
    let servers = [
        "dev", "serve", "start", "watch", "logs", "tail", "-f", "status", "ssh", "curl", "open",
    ];
    let is_check = words
        .iter()
        .skip(1)
        .any(|w| checks.iter().any(|c| w.to_lowercase().contains(c)));
    let is_server = words
        .iter()
        .any(|w| servers.contains(&w.to_lowercase().as_str()));
    let deliberate = [
        "run", "build", "test", "before", "always", "must", "should", "ensure",
    ]
    .iter()
    .any(|w| lowered_sentence.contains(w));
    if !is_check || is_server || !deliberate || joined.contains('|') || joined.contains('>') {
        return None;
    }
    let marker = match words[0].as_str() {
        "npm" | "npx" | "yarn" | "pnpm" | "bun" => Some("package.json"),
        "cargo" => Some("Cargo.toml"),
        "make" => Some("Makefile"),
        "go" => Some("go.mod"),
        "mvn" => Some("pom.xml"),
        "gradle" | "./gradlew" => Some("build.gradle*"),
        "terraform" => Some("*.tf"),
        _ => None,
    };
    let mut g = Guard::new(Check::Command {
        argv: words.to_vec(),
        cwd: None,
        timeout: 300,
    });
    g.when.exists = marker.map(|m| vec![m.to_string()]).unwrap_or_default();
    Some(g)
}

fn require_file(path: &str, min_size: Option<Size>) -> Guard {
    let path = path.trim_end_matches('/').to_string();
    // Only where the folder it belongs in exists: a `dist/` rule says nothing to a repo
    // without build output.
    let if_exists = match path.rsplit_once('/') {
        Some((dir, _)) if !dir.is_empty() => vec![dir.to_string()],
        _ => Vec::new(),
    };
    let mut g = Guard::new(Check::RequireFile { path, min_size });
    g.when.exists = if_exists;
    g
}

fn forbid_latest_tag() -> Guard {
    Guard::new(Check::ForbidPattern {
        pattern: r#"(?m)^[^#\n]*(?:image:\s*["\x27]?|FROM\s+(?:--platform=\S+\s+)?)[^\s"\x27#]+:latest\b"#.into(),
        files: globs(IMAGE_FILES),
    })
}

fn dedup(v: Vec<(Guard, String)>) -> Vec<(Guard, String)> {
    let mut out: Vec<(Guard, String)> = Vec::new();
    for g in v {
        if !out.iter().any(|(x, _)| *x == g.0) {
            out.push(g);
        }
    }
    out
}

#[cfg(test)]
mod tests;
