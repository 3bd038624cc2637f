//! When a guard applies, inferred from its incident rather than from the bare token:
//! the conditions under which the same mistake could happen again. A guard whose
//! condition cannot be inferred is not trusted to run (its rule is proposed).
//!
//! - A forbidden process manager (`pm2`) conflicted with another one the incident names
//!   (systemd): the guard applies where that other manager is configured.
//! - A destructive sync (`rsync --delete`) deleted a running server's files: it applies
//!   where the project restarts a server, and says how to allow a sync into a folder the
//!   artifact owns alone.
//! - A required file (`dist/_worker.js`) applies where its folder holds what the
//!   incident names beside it, or the project has a file of that name elsewhere.

use super::guard::{Check, Contains, Guard};
use super::infer::{Family, SCRIPT_FILES};

/// What an incident says, read once for all its guards, and only when one needs it:
/// most incidents name no guard, and reading every word of each was a third of
/// compiling the rules.
pub struct Context<'a> {
    source: Source<'a>,
    read: std::cell::OnceCell<Said>,
}

enum Source<'a> {
    Incident(&'a crate::incident::Incident),
    Text(String),
}

struct Said {
    /// Lower-cased words of every statement, summary and title.
    words: std::collections::BTreeSet<String>,
    /// Paths written in backticks anywhere in the record.
    paths: Vec<String>,
}

impl<'a> Context<'a> {
    pub fn of(inc: &'a crate::incident::Incident) -> Context<'a> {
        Context {
            source: Source::Incident(inc),
            read: std::cell::OnceCell::new(),
        }
    }

    pub fn from_text(text: &str) -> Context<'static> {
        Context {
            source: Source::Text(text.to_string()),
            read: std::cell::OnceCell::new(),
        }
    }

    fn said(&self) -> &Said {
        self.read.get_or_init(|| match &self.source {
            Source::Incident(inc) => Said::of(&text_of(inc)),
            Source::Text(text) => Said::of(text),
        })
    }

    fn says(&self, w: &str) -> bool {
        self.said().words.contains(w)
    }

    fn paths(&self) -> &[String] {
        &self.said().paths
    }
}

/// Everything an incident's record says, a line per part.
fn text_of(inc: &crate::incident::Incident) -> String {
    let mut text = format!("{}\n{}\n{}\n", inc.title, inc.summary, inc.impact);
    for s in [
        &inc.causes,
        &inc.symptoms,
        &inc.fixes,
        &inc.lessons,
        &inc.prevention,
    ]
    .into_iter()
    .flatten()
    {
        text.push_str(&s.text);
        text.push('\n');
    }
    for c in &inc.commands {
        text.push_str(c);
        text.push('\n');
    }
    text
}

impl Said {
    fn of(text: &str) -> Said {
        let words = text
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        let paths = regex!(r"`([^`\s]+)`")
            .captures_iter(text)
            .map(|c| c[1].trim_start_matches("./").to_string())
            .filter(|p| p.contains('/') || p.contains('.'))
            .collect();
        Said { words, paths }
    }
}

/// Process managers and the files that show one runs the app.
const MANAGERS: &[(&[&str], &[&str])] = &[
    (
        &["systemd", "systemctl", "journalctl"],
        &["**/*.service", "**/systemd/**"],
    ),
    (
        &["supervisord", "supervisorctl", "supervisor"],
        &["**/supervisord.conf", "**/supervisor/**/*.conf"],
    ),
    (&["pm2"], &["**/ecosystem.config.*", "**/pm2.json"]),
];

/// Build output folders every kind of project has.
const GENERIC_OUTPUT: &[&str] = &["dist", "build", "out", "public", "target", "www", "_site"];

/// Lines that restart or start a server process.
const RESTARTS: &str = r"(?m)^[^#\n]*\b(?:systemctl\s+(?:re)?start|service\s+\S+\s+(?:re)?start|pm2\s+(?:re)?start|pm2\s+reload|supervisorctl\s+restart|docker(?:-|\s+)compose\s+up|kubectl\s+rollout\s+restart)\b";

/// `guard` with its condition filled in from `ctx`, or `None` when the incident does
/// not say where the mistake applies.
pub fn condition(mut guard: Guard, family: &Family, ctx: &Context) -> Option<Guard> {
    match family {
        Family::Manager(tool) => {
            let markers: Vec<String> = MANAGERS
                .iter()
                .filter(|(names, _)| !names.contains(&tool.as_str()))
                .filter(|(names, _)| names.iter().any(|n| ctx.says(n)))
                .flat_map(|(_, files)| files.iter().map(|f| f.to_string()))
                .collect();
            if markers.is_empty() {
                return None;
            }
            guard.when.exists = markers;
        }
        Family::DestructiveSync => {
            let server = [
                "node_modules",
                "backend",
                "server",
                "restart",
                "systemctl",
                "pm2",
            ]
            .iter()
            .any(|w| ctx.says(w));
            if !server {
                return None;
            }
            guard.when.contains = vec![Contains {
                files: SCRIPT_FILES.iter().map(|s| s.to_string()).collect(),
                pattern: RESTARTS.to_string(),
            }];
            guard.message = Some(
                "deletes whatever the destination has that the source lacks; in the incident that was the running server's files. If the destination is a folder this artifact owns alone, allow it: `# hindsight: allow RULE -- reason`".into(),
            );
        }
        Family::RequiredFile => {
            let Check::RequireFile { path, .. } = &guard.check else {
                return Some(guard);
            };
            let (dir, name) = path.rsplit_once('/')?;
            // A folder of its own (`release/`, `release/migrations/`) says the project
            // makes it; a generic build folder (`dist/`) is in every project with a
            // build, so it takes what the incident names beside the file.
            if !GENERIC_OUTPUT.contains(&dir) {
                guard.when.exists = vec![dir.to_string()];
                return Some(guard);
            }
            let siblings: Vec<String> = ctx
                .paths()
                .iter()
                .map(|p| p.trim_end_matches('/').to_string())
                .filter(|p| p.starts_with(&format!("{dir}/")) && p != path)
                .collect();
            let mut exists = siblings;
            exists.push(format!("**/{name}"));
            exists.sort();
            exists.dedup();
            let folder = format!("{dir}/**");
            guard.when.exists = exists;
            guard.when.contains = vec![Contains {
                files: vec![folder],
                pattern: String::new(),
            }];
        }
        Family::Plain => {}
    }
    Some(guard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::model::Size;

    fn forbid() -> Guard {
        Guard::new(Check::ForbidPattern {
            pattern: "x".into(),
            files: vec!["**/*.sh".into()],
        })
    }

    #[test]
    fn a_process_manager_applies_beside_its_rival() {
        let ctx = Context::from_text("PM2 was started while systemd ran the app.");
        let g = condition(forbid(), &Family::Manager("pm2".into()), &ctx).unwrap();
        assert!(g.when.exists.contains(&"**/*.service".to_string()));
        let alone = Context::from_text("PM2 crashed.");
        assert!(condition(forbid(), &Family::Manager("pm2".into()), &alone).is_none());
    }

    #[test]
    fn a_sync_applies_where_a_server_is_restarted() {
        let ctx = Context::from_text("rsync deleted node_modules on the server");
        let g = condition(forbid(), &Family::DestructiveSync, &ctx).unwrap();
        let re = regex::Regex::new(&g.when.contains[0].pattern).unwrap();
        assert!(re.is_match("ssh host 'sudo systemctl restart api'"));
        assert!(!re.is_match("# systemctl restart api"));
        assert!(
            condition(
                forbid(),
                &Family::DestructiveSync,
                &Context::from_text("mirror")
            )
            .is_none()
        );
    }

    #[test]
    fn a_required_file_applies_where_its_folder_holds_what_the_incident_names() {
        let ctx = Context::from_text("`dist/_routes.json` was there but `dist/_worker.js` was not");
        let g = Guard::new(Check::RequireFile {
            path: "dist/_worker.js".into(),
            min_size: Some(Size(100)),
        });
        let g = condition(g, &Family::RequiredFile, &ctx).unwrap();
        assert_eq!(g.when.exists, ["**/_worker.js", "dist/_routes.json"]);
        assert_eq!(g.when.contains[0].files, ["dist/**"]);
        let root = Guard::new(Check::RequireFile {
            path: ".env.production".into(),
            min_size: None,
        });
        assert!(condition(root, &Family::RequiredFile, &ctx).is_none());
    }
}
