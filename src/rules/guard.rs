//! A guard: one machine-checkable condition of a rule, when it applies, and at which
//! stage of a change it holds.
//!
//! In a rule file each `[[guard]]` is one flat table (`kind`, the keys of that kind,
//! then `when`, `stage`, `message`); it is read into a typed `Guard` and written back the
//! same way. `if_exists` is the older spelling of `when.exists`.

use serde::{Deserialize, Serialize};

use super::model::Size;

/// One guard of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Raw", into = "Raw")]
pub struct Guard {
    pub check: Check,
    /// What the target must contain for the lesson to hold there.
    pub when: When,
    /// Where in a change's life the check holds; empty means the kind's default
    /// (see `Guard::stages`).
    pub stages: Vec<Stage>,
    pub message: Option<String>,
}

/// What a guard checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// A regex that must not match any line of the files.
    ForbidPattern { pattern: String, files: Vec<String> },
    /// A regex that some file among `files` must match (when any such file exists).
    RequirePattern { pattern: String, files: Vec<String> },
    /// A path that must exist, as a file at least `min_size` big if given.
    RequireFile {
        path: String,
        min_size: Option<Size>,
    },
    /// Files matching `files` must not exist.
    ForbidFile { files: Vec<String> },
    /// The git worktree at `repo` (default: the target) has no uncommitted changes to
    /// tracked files (or to any file, with `untracked`).
    GitClean {
        repo: Option<String>,
        untracked: bool,
    },
    /// A command that must exit 0; runs only with `check --allow-commands`.
    Command {
        argv: Vec<String>,
        cwd: Option<String>,
        /// Seconds.
        timeout: u64,
    },
}

/// When a guard applies: every condition given must hold (none given: always).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// At least one of these paths or globs exists in the target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exists: Vec<String>,
    /// For each entry, some file among `files` matches `pattern` (or exists, with no
    /// pattern).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contains: Vec<Contains>,
}

impl When {
    pub fn is_empty(&self) -> bool {
        self.exists.is_empty() && self.contains.is_empty()
    }
}

/// A file of the target that must say something for a guard to apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contains {
    pub files: Vec<String>,
    /// A regex; none (or empty) means any file among `files` will do.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pattern: String,
}

/// A point in a change's life that `check --stage` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(clap::ValueEnum)]
pub enum Stage {
    /// A checkout about to be committed (the pre-commit hook).
    Commit,
    /// A build about to be deployed: repository and build output.
    Deploy,
    /// The checkout on a server (where drift from version control happens).
    Server,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Commit => "commit",
            Stage::Deploy => "deploy",
            Stage::Server => "server",
        }
    }
}

impl Guard {
    /// A guard that always applies, at its kind's stages.
    pub fn new(check: Check) -> Guard {
        Guard {
            check,
            when: When::default(),
            stages: Vec::new(),
            message: None,
        }
    }

    pub fn kind(&self) -> &'static str {
        self.check.kind()
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The stages it holds at: as written, else the kind's own. Drift from git is a
    /// server's problem (a checkout with work in progress is not one); a command and a
    /// required file are about a build; what a file says holds from the commit on.
    pub fn stages(&self) -> Vec<Stage> {
        if !self.stages.is_empty() {
            return self.stages.clone();
        }
        match self.check {
            Check::GitClean { .. } => vec![Stage::Server],
            Check::Command { .. } | Check::RequireFile { .. } => vec![Stage::Deploy],
            _ => vec![Stage::Commit, Stage::Deploy],
        }
    }

    /// A short human description: what is flagged or required where.
    pub fn describe(&self) -> String {
        match &self.check {
            Check::ForbidPattern { files, .. } => {
                format!("flagged wherever it appears in {}", describe_files(files))
            }
            Check::RequirePattern { files, .. } => format!("required in {}", describe_files(files)),
            Check::RequireFile { path, min_size } => match min_size {
                Some(s) => format!("`{path}` must exist and be at least {s}"),
                None => format!("`{path}` must exist"),
            },
            Check::ForbidFile { files } => format!("must not contain {}", files.join(", ")),
            Check::GitClean { .. } => "no uncommitted changes to tracked files".to_string(),
            Check::Command { argv, .. } => format!("`{}` must succeed", argv.join(" ")),
        }
    }

    /// The condition in words, for people: `where wrangler.toml exists`.
    pub fn describe_when(&self) -> Option<String> {
        // Plain text: the site and the MCP server show it as written.
        let code = |s: &str| s.to_string();
        let globs = |files: &[String]| {
            if files.len() > 6 {
                describe_files(files)
            } else {
                files
                    .iter()
                    .map(|f| code(f))
                    .collect::<Vec<_>>()
                    .join(" or ")
            }
        };
        let mut parts = Vec::new();
        if !self.when.exists.is_empty() {
            parts.push(format!("where {} exists", globs(&self.when.exists)));
        }
        for c in &self.when.contains {
            parts.push(if c.pattern.is_empty() {
                format!("where a file matches {}", globs(&c.files))
            } else {
                format!(
                    "where {} match the pattern {}",
                    globs(&c.files),
                    code(&c.pattern)
                )
            });
        }
        (!parts.is_empty()).then(|| parts.join(" and "))
    }
}

impl Check {
    pub fn kind(&self) -> &'static str {
        match self {
            Check::ForbidPattern { .. } => "forbid-pattern",
            Check::RequirePattern { .. } => "require-pattern",
            Check::RequireFile { .. } => "require-file",
            Check::ForbidFile { .. } => "forbid-file",
            Check::GitClean { .. } => "git-clean",
            Check::Command { .. } => "command",
        }
    }
}

/// Files a guard searches, in words: the usual script set is named, short lists shown.
fn describe_files(files: &[String]) -> String {
    if files.len() > 6 {
        let sh = files.iter().any(|f| f.ends_with(".sh"));
        let ci = files.iter().any(|f| f.contains("workflows"));
        return match (sh, ci) {
            (true, true) => {
                "deploy and build scripts, Makefiles, Dockerfiles, package.json and CI workflows"
                    .into()
            }
            _ => format!(
                "{} and {} more file patterns",
                files[..3].join(", "),
                files.len() - 3
            ),
        };
    }
    files.join(", ")
}

/// A `[[guard]]` table as written: every key any kind takes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    files: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_size: Option<Size>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    repo: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    untracked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    argv: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cwd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    if_exists: Vec<String>,
    #[serde(default, skip_serializing_if = "When::is_empty")]
    when: When,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    stage: Vec<Stage>,
}

const DEFAULT_TIMEOUT: u64 = 300;

impl TryFrom<Raw> for Guard {
    type Error = String;

    fn try_from(r: Raw) -> Result<Guard, String> {
        let need = |v: Option<String>, key: &str| {
            v.ok_or_else(|| format!("a `{}` guard needs `{key}`", r.kind))
        };
        let need_list = |v: Option<Vec<String>>, key: &str| {
            v.ok_or_else(|| format!("a `{}` guard needs `{key}`", r.kind))
        };
        let takes: &[&str] = match r.kind.as_str() {
            "forbid-pattern" | "require-pattern" => &["pattern", "files"],
            "require-file" => &["path", "min_size"],
            "forbid-file" => &["files"],
            "git-clean" => &["repo", "untracked"],
            "command" => &["argv", "cwd", "timeout"],
            other => {
                return Err(format!(
                    "unknown guard kind `{other}` (forbid-pattern, require-pattern, require-file, forbid-file, git-clean or command)"
                ));
            }
        };
        if let Some(k) = r.given().into_iter().find(|k| !takes.contains(k)) {
            return Err(format!("a `{}` guard takes no `{k}`", r.kind));
        }
        let check = match r.kind.as_str() {
            "forbid-pattern" => Check::ForbidPattern {
                pattern: need(r.pattern.clone(), "pattern")?,
                files: need_list(r.files.clone(), "files")?,
            },
            "require-pattern" => Check::RequirePattern {
                pattern: need(r.pattern.clone(), "pattern")?,
                files: need_list(r.files.clone(), "files")?,
            },
            "require-file" => Check::RequireFile {
                path: need(r.path.clone(), "path")?,
                min_size: r.min_size,
            },
            "forbid-file" => Check::ForbidFile {
                files: need_list(r.files.clone(), "files")?,
            },
            "git-clean" => Check::GitClean {
                repo: r.repo.clone(),
                untracked: r.untracked,
            },
            _ => Check::Command {
                argv: need_list(r.argv.clone(), "argv")?,
                cwd: r.cwd.clone(),
                timeout: r.timeout.unwrap_or(DEFAULT_TIMEOUT),
            },
        };
        let mut when = r.when;
        for e in r.if_exists {
            if !when.exists.contains(&e) {
                when.exists.push(e);
            }
        }
        Ok(Guard {
            check,
            when,
            stages: r.stage,
            message: r.message,
        })
    }
}

impl Raw {
    /// The kind-specific keys that were given.
    fn given(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut add = |set: bool, k| {
            if set {
                out.push(k)
            }
        };
        add(self.pattern.is_some(), "pattern");
        add(self.files.is_some(), "files");
        add(self.path.is_some(), "path");
        add(self.min_size.is_some(), "min_size");
        add(self.repo.is_some(), "repo");
        add(self.untracked, "untracked");
        add(self.argv.is_some(), "argv");
        add(self.cwd.is_some(), "cwd");
        add(self.timeout.is_some(), "timeout");
        out
    }
}

impl From<Guard> for Raw {
    fn from(g: Guard) -> Raw {
        let mut r = Raw {
            kind: g.kind().to_string(),
            message: g.message,
            when: g.when,
            stage: g.stages,
            ..Raw::default()
        };
        match g.check {
            Check::ForbidPattern { pattern, files } | Check::RequirePattern { pattern, files } => {
                r.pattern = Some(pattern);
                r.files = Some(files);
            }
            Check::RequireFile { path, min_size } => {
                r.path = Some(path);
                r.min_size = min_size;
            }
            Check::ForbidFile { files } => r.files = Some(files),
            Check::GitClean { repo, untracked } => {
                r.repo = repo;
                r.untracked = untracked;
            }
            Check::Command { argv, cwd, timeout } => {
                r.argv = Some(argv);
                r.cwd = cwd;
                r.timeout = Some(timeout);
            }
        }
        r
    }
}
