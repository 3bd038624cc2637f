//! Guards from what a lesson names: a command with flags, a bare tool, a path, a
//! setting, an image tag, a build or test command, server drift.

use regex::Regex;

use super::{Origin, Polarity};
use crate::incident::is_command;
use crate::rules::guard::Contains;
use crate::rules::model::{Check, Guard, Size};

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
    // Deploy scripts by name, but not generated pages such as `site/tags/deploy.html`.
    "**/deploy",
    "**/deploy*.py",
    "**/fabfile.py",
    "**/playbook*.yml",
    "**/playbooks/**/*.yml",
    "**/roles/*/tasks/*.yml",
];
/// Files that deploy, by name.
const DEPLOY_FILES: &[&str] = &[
    "**/deploy",
    "**/deploy/**",
    "**/*deploy*.sh",
    "**/*deploy*.bash",
    "**/*deploy*.py",
    "**/*release*.sh",
    "**/.github/workflows/*deploy*.yml",
    "**/.github/workflows/*deploy*.yaml",
    "**/.github/workflows/*release*.yml",
    "**/.github/workflows/*release*.yaml",
    "**/fabfile.py",
    "**/playbook*.yml",
    "**/playbooks/**/*.yml",
];
const ENV_FILES: &[&str] = &["**/.env", "**/.env.*", "**/*.env"];
/// Env files a production deploy reads: a `.env.example` or local `.env` that turns
/// debug on is the development template, not the incident.
const PRODUCTION_ENV_FILES: &[&str] = &[
    "**/.env.production",
    "**/.env.production.local",
    "**/.env.prod",
    "**/*.production.env",
    "**/*.prod.env",
    "**/production.env",
    "**/prod.env",
];
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
        .chain(folders(text))
        .collect()
}

/// Folders named in words: `in the release folder`, `the release directory contains`.
fn folders(text: &str) -> Vec<String> {
    regex!(r"(?i)\b(?:in|into|inside|under|within|that|the)\s+(?:the\s+|every\s+|each\s+|a\s+)?([a-z0-9_.-]{2,40})\s+(?:folder|directory)\b")
        .captures_iter(text)
        .map(|c| format!("{}/", c[1].to_lowercase()))
        .filter(|f| !matches!(f.as_str(), "the/" | "a/" | "every/" | "each/" | "that/" | "same/" | "whole/" | "entire/" | "right/" | "wrong/" | "project/" | "root/"))
        .collect()
}

/// File names written without backticks (`contains .env.production`), for sentences
/// that name no code span.
fn bare_paths(text: &str) -> Vec<&str> {
    regex!(r"(?:^|\s)(\.[A-Za-z0-9][A-Za-z0-9_.-]{1,60}|[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)+)(?:[\s,;:)]|$)")
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str().trim_end_matches('.')))
        .filter(|p| p.len() > 2)
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

/// What kind of mistake a guard is about: it decides how its condition is inferred
/// (see `rules::applies`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Family {
    /// A process manager that must not run the app (`pm2`).
    Manager(String),
    /// A sync that deletes on the destination (`rsync --delete`).
    DestructiveSync,
    /// A file that must be present.
    RequiredFile,
    /// Precise on its own: a pattern or check that means the mistake wherever it is.
    Plain,
}

/// Guards for the checkable things `text` names, each with what it is about.
pub(super) fn guards(
    text: &str,
    polarity: Polarity,
    origin: Origin,
) -> Vec<(Guard, String, Family)> {
    let mut out: Vec<(Guard, String, Family)> = Vec::new();
    let l = text.to_lowercase();
    let mut spans = code_spans(text);
    if spans.is_empty() {
        spans = bare_paths(text);
    }
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
                    out.push((g, words.join(" "), family_of(&words)));
                }
            }
            (Subject::Command(words), Polarity::Do) if origin != Origin::Fix => {
                if let Some(g) = run_command(&words, &l) {
                    out.push((g, words.join(" "), Family::Plain));
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
                Family::Plain,
            )),
            (Subject::Setting(key, value), Polarity::Dont) => out.push((
                Guard::new(Check::ForbidPattern {
                    pattern: format!(
                        r#"(?im)^\s*(?:export\s+)?{}\s*=\s*["\x27]?{}["\x27]?\s*$"#,
                        regex::escape(&key),
                        regex::escape(&value)
                    ),
                    files: globs(if l.contains("prod") {
                        PRODUCTION_ENV_FILES
                    } else {
                        ENV_FILES
                    }),
                }),
                format!("{key}={value}"),
                Family::Plain,
            )),
            (Subject::Path(p), Polarity::Do) if mentions_existence(&l) => {
                // `the release folder contains .env.production`: the file is in it.
                let at = match places.iter().find(|f| f.ends_with('/')) {
                    Some(dir) if !p.contains('/') => format!("{dir}{p}"),
                    _ => p.clone(),
                };
                out.push((require_file(&at, size_in(text)), at, Family::RequiredFile));
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
                    Family::Plain,
                ));
            }
            _ => {}
        }
        // `:latest` in backticks, or an image reference with that tag.
        if polarity == Polarity::Dont && span.ends_with(":latest") {
            out.push((forbid_latest_tag(&l), "latest tag".into(), Family::Plain));
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
                    Family::Manager(tool.to_string()),
                ));
            }
        }
        if re_force_push().is_match(&l) && !spans.iter().any(|s| s.contains("push")) {
            let words = ["git".to_string(), "push".to_string(), "--force".to_string()];
            out.extend(forbid_command(&words).map(|g| (g, words.join(" "), Family::Plain)));
        }
        if (l.contains("mutable") && l.contains("tag")) || l.contains("latest tag") {
            out.push((forbid_latest_tag(&l), "latest tag".into(), Family::Plain));
        }
        if l.contains("debug")
            && (l.contains("env") || l.contains("environment file"))
            && spans.is_empty()
        {
            out.push((Guard::new(Check::ForbidPattern {
                pattern: r#"(?im)^\s*(?:export\s+)?[A-Z_]*DEBUG\s*=\s*["\x27]?(?:true|1|yes|on)["\x27]?\s*$"#.into(),
                files: globs(PRODUCTION_ENV_FILES),
            }), "debug in env files".into(), Family::Plain));
        }
    }
    // `a deploy script contains migrate reset or DROP TABLE`: words a file of that kind
    // must not hold, when nothing in backticks says it more exactly.
    if polarity == Polarity::Dont && spans.is_empty() {
        out.extend(contained(text));
    }
    if server_drift(&l) {
        out.push((
            Guard::new(Check::GitClean {
                repo: None,
                untracked: false,
            }),
            "uncommitted server changes".into(),
            Family::Plain,
        ));
    }
    // `Never force push to a protected branch`: only pushes that name one.
    if regex!(r"\b(protected|main|master|default|shared|release) branch").is_match(&l)
        || regex!(r"\b(?:to|on|into) (?:main|master)\b").is_match(&l)
    {
        for (g, subject, _) in &mut out {
            if subject.starts_with("git push") {
                *g = protected_force_push();
            }
        }
    }
    if !places.is_empty() {
        let narrowed = location_globs(&places);
        for (g, _, _) in &mut out {
            if let Check::ForbidPattern { files, .. } = &mut g.check {
                *files = narrowed.clone();
            }
        }
    }
    dedup(out)
}

/// `<kind of file> contains A or B`: a forbidden pattern per phrase, searched in the
/// files of that kind, outside comments.
fn contained(text: &str) -> Vec<(Guard, String, Family)> {
    let Some(c) = regex!(
        r"(?i)\b(?P<kind>deploy scripts?|scripts?|workflows?|pipelines?|ci files?|manifests?|dockerfiles?|migrations?)\b[^,;]{0,30}?\bcontains?\s+(?P<items>[^,.;:]+)"
    )
    .captures(text) else {
        return Vec::new();
    };
    let kind = c["kind"].to_lowercase();
    let files = if kind.starts_with("deploy") {
        // A deploy script, not every script: `prisma migrate reset` is a developer's
        // `db:reset` in package.json, and a test job's setup in CI.
        globs(DEPLOY_FILES)
    } else if kind.starts_with("manifest") {
        globs(IMAGE_FILES)
    } else if kind.starts_with("migration") {
        globs(SQL_FILES)
    } else {
        globs(SCRIPT_FILES)
    };
    regex!(r"(?i)\s+(?:or|and|nor)\s+|,\s*")
        .split(c["items"].trim())
        .map(str::trim)
        .filter(|p| (1..=3).contains(&p.split_whitespace().count()) && p.len() >= 4)
        .map(|p| {
            let words: Vec<String> = p.split_whitespace().map(escape).collect();
            let pattern = format!(r"(?im)^[^#\n]*?(?P<hit>\b{}\b)", words.join(r"\s+"));
            let g = Guard::new(Check::ForbidPattern {
                pattern,
                files: files.clone(),
            });
            (g, p.to_string(), Family::Plain)
        })
        .collect()
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
        // The previous word's terminator may have eaten the space before this one; in
        // a list (`["rsync", "-a", "--delete"]`) the word starts after a quote.
        let gap = if i == 0 {
            r#"[^\n]*?[\s"\x27\[,]"#
        } else {
            r#"(?:[^\n]*?[\s"\x27\[,])?"#
        };
        pattern.push_str(&format!(r#"{gap}(?:{alt})(?:[\s=;|&)"\x27]|$)"#));
    }
    // Options kept in a variable (`RSYNC_OPTS="-avz --delete"`) mean the same.
    if lead.len() == 1 && rest.len() == 1 {
        let var = format!(r"[A-Za-z_]*{}[A-Za-z_]*", escape(&lead[0].to_uppercase()));
        let alts = flag_aliases(&lead, &rest[0]);
        let alt = alts.iter().map(|a| escape(a)).collect::<Vec<_>>().join("|");
        pattern.push_str(&format!(
            r#"|(?:export\s+)?{var}\s*=[^\n]*?[\s"\x27](?:{alt})(?:[\s=;|&)"\x27]|$)"#
        ));
    }
    // Ansible's rsync module: `synchronize: ... delete=yes`, or `delete: true` among
    // the keys of its mapping.
    if lead.len() == 1 && lead[0] == "rsync" && rest.len() == 1 && rest[0].starts_with("--del") {
        pattern.push_str(
            r#"|(?:ansible\.posix\.)?synchronize:[^\n]*?\bdelete\s*=\s*(?:yes|true|True)\b|(?:ansible\.posix\.)?synchronize:[ \t]*\n(?:[ \t]+[\w.]+:[^\n]*\n)*?[ \t]+delete:[ \t]*["\x27]?(?:yes|true|True)\b"#,
        );
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

/// Commands whose mistake depends on where they run.
fn family_of(words: &[String]) -> Family {
    let tool = words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w).to_lowercase());
    match tool.as_deref() {
        Some("rsync") if words.iter().any(|w| w.starts_with("--del")) => Family::DestructiveSync,
        Some(t @ ("pm2" | "forever" | "nodemon" | "supervisord")) if words.len() == 1 => {
            Family::Manager(t.to_string())
        }
        _ => Family::Plain,
    }
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
        // Every spelling that deletes on the destination.
        (["rsync", ..], "--delete" | "--del") => &[
            "--delete",
            "--del",
            "--delete-before",
            "--delete-during",
            "--delete-delay",
            "--delete-after",
            "--delete-excluded",
            "--delete-missing-args",
        ],
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
    if let Some(script) = package_script(words) {
        // `npm run build` means something only where a package defines `build`: it runs
        // in each folder whose package.json does (`server/`), and a package without the
        // script is not one the lesson is about.
        g.when.exists = vec![format!("**/{PACKAGE_JSON}")];
        g.when.contains = vec![Contains {
            files: vec![format!("**/{PACKAGE_JSON}")],
            pattern: format!(
                r#""scripts"\s*:\s*\{{[^}}]*"{}"\s*:"#,
                regex::escape(&script)
            ),
        }];
    }
    Some(g)
}

const PACKAGE_JSON: &str = "package.json";

/// The package.json script a package-manager command runs (`npm run build`, `npm test`,
/// `yarn lint`, `pnpm run check`), if it runs one.
fn package_script(words: &[String]) -> Option<String> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let script = match w.as_slice() {
        ["npm" | "pnpm" | "yarn" | "bun", "run" | "run-script", s, ..] => s,
        // `bun test` is bun's own test runner, not a script.
        ["npm" | "pnpm" | "yarn", "test" | "t" | "tst", ..] => "test",
        ["yarn" | "pnpm", s, ..] if !PACKAGE_MANAGER_COMMANDS.contains(s) => s,
        _ => return None,
    };
    (!script.starts_with('-')).then(|| script.to_string())
}

/// Commands of yarn and pnpm themselves, which `yarn <name>` runs before a script.
const PACKAGE_MANAGER_COMMANDS: &[&str] = &[
    "add",
    "audit",
    "bin",
    "cache",
    "config",
    "create",
    "dedupe",
    "dlx",
    "exec",
    "import",
    "info",
    "init",
    "install",
    "link",
    "list",
    "ls",
    "outdated",
    "pack",
    "publish",
    "rebuild",
    "remove",
    "rm",
    "store",
    "unlink",
    "up",
    "update",
    "upgrade",
    "version",
    "why",
    "workspace",
    "workspaces",
];

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

/// `:latest` images; a lesson about manifests looks only at deploy manifests (a test
/// compose file pulling `redis:latest` is not production).
fn forbid_latest_tag(l: &str) -> Guard {
    let files = if l.contains("manifest") || l.contains("k8s") || l.contains("kubernetes") {
        globs(MANIFEST_FILES)
    } else {
        globs(IMAGE_FILES)
    };
    Guard::new(Check::ForbidPattern {
        pattern: r#"(?m)^[^#\n]*(?:image:\s*["\x27]?|FROM\s+(?:--platform=\S+\s+)?)[^\s"\x27#]+:latest\b"#.into(),
        files,
    })
}

/// Kubernetes and deploy manifests.
const MANIFEST_FILES: &[&str] = &[
    "**/k8s/**/*.yaml",
    "**/k8s/**/*.yml",
    "**/*.k8s.yaml",
    "**/helm/**/*.yaml",
    "**/charts/**/*.yaml",
    "**/kustomize/**/*.yaml",
    "**/manifests/**/*.yaml",
    "**/deploy/**/*.yaml",
    "**/deploy/**/*.yml",
];

/// A force push that names a protected branch (`git push -f origin HEAD:main`), for a
/// lesson about protected branches: a bot force-pushing its own branch is not it.
fn protected_force_push() -> Guard {
    let flag = r#"\s(?:--force|-f)(?:[\s=;|&)"\x27]|$)"#;
    let branch = r"\b(?:main|master|trunk|production|prod)\b";
    Guard::new(Check::ForbidPattern {
        pattern: format!(
            r"(?m)^[^#\n]*?(?P<hit>\bgit\s+push\b(?:[^\n]*?{branch}[^\n]*?{flag}|[^\n]*?{flag}[^\n]*?{branch}))"
        ),
        files: globs(SCRIPT_FILES),
    })
}

fn dedup(v: Vec<(Guard, String, Family)>) -> Vec<(Guard, String, Family)> {
    let mut out: Vec<(Guard, String, Family)> = Vec::new();
    for g in v {
        if !out.iter().any(|(x, _, _)| *x == g.0) {
            out.push(g);
        }
    }
    out
}
