//! Which active rules apply to a change: a file matches a rule by the rule's
//! `applies_to` globs, by what its guards look at (their file globs, a required file's
//! path, `when.exists`), or by a tag of one of the rule's incidents named in the file's
//! path; the change's text matches by a tag it names, or by a line a `forbid-pattern`
//! guard would flag. Only a distinctive tag counts, one held by at most half of the
//! incidents (when every incident is about deploys, `deploy` says nothing). Globs match
//! as `check` matches them (`*` stays within a folder).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};

use crate::check::LoadedRule;
use crate::rules::model::RuleStatus;
use crate::rules::{Check, Guard};

/// Why a rule applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Reason {
    /// A path matched one of the rule's `applies_to` globs.
    AppliesTo(String),
    /// A path is one a guard of this kind looks at.
    Guard(&'static str),
    /// The tag, of one of the rule's incidents, is a word of a path or of the text.
    Tag(String),
    /// A `forbid-pattern` guard matches a line of the text.
    Text,
}

impl Reason {
    pub(super) fn describe(&self) -> String {
        match self {
            Reason::AppliesTo(g) => format!("applies_to {g}"),
            Reason::Guard(kind) => format!("{kind} guard"),
            Reason::Tag(t) => format!("tag {t}"),
            Reason::Text => "the text has a line its guard flags".into(),
        }
    }
}

/// A rule that applies, with why and to which of the paths.
#[derive(Debug)]
pub(super) struct Applies<'r> {
    pub rule: &'r LoadedRule,
    pub reasons: BTreeSet<Reason>,
    /// The given paths it applies to, in the order given.
    pub paths: Vec<String>,
}

impl Applies<'_> {
    /// Matched by a glob or a guard (or the text tripping a guard), not only by a tag.
    pub(super) fn direct(&self) -> bool {
        self.reasons.iter().any(|r| !matches!(r, Reason::Tag(_)))
    }
}

/// A path as the rules name files: `/`-separated, without `./`, relative to `cwd` when
/// it is under it.
pub(super) fn normalize(path: &str, cwd: Option<&Path>) -> String {
    let mut p = path.trim().replace('\\', "/");
    if let Some(cwd) = cwd.and_then(|c| c.to_str())
        && let Some(rest) = p.strip_prefix(cwd)
        && let Some(rest) = rest.strip_prefix('/')
    {
        p = rest.to_string();
    }
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    p
}

fn matcher(glob: &str) -> Option<GlobMatcher> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// Does `glob` select `path`?
fn selects(glob: &str, path: &str) -> bool {
    matcher(glob).is_some_and(|m| m.is_match(path))
}

/// The globs and paths a guard looks at.
fn guard_globs(g: &Guard) -> Vec<&str> {
    let mut out: Vec<&str> = match &g.check {
        Check::ForbidPattern { files, .. }
        | Check::RequirePattern { files, .. }
        | Check::ForbidFile { files } => files.iter().map(String::as_str).collect(),
        Check::RequireFile { path, .. } => vec![path.as_str()],
        Check::GitClean { .. } | Check::Command { .. } => Vec::new(),
    };
    out.extend(g.when.exists.iter().map(String::as_str));
    for c in &g.when.contains {
        out.extend(c.files.iter().map(String::as_str));
    }
    out
}

/// The words of a path or text, lowercased: what a tag is compared with.
fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2)
        .map(str::to_lowercase)
        .collect()
}

/// True when every word of `tag` (`github-actions`: github, actions) is among `words`.
fn tag_named(tag: &str, words: &BTreeSet<String>) -> bool {
    let parts: Vec<String> = tag
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    !parts.is_empty() && parts.iter().all(|p| words.contains(p))
}

/// The active rules of `rules` that apply to `paths` (normalized) or `text`; `tags`
/// gives each incident's tags. Rules matched by a glob, a guard or the text come first,
/// then those matched by a tag only; each group in rule id order.
pub(super) fn applicable<'r>(
    rules: &'r [LoadedRule],
    paths: &[String],
    text: Option<&str>,
    tags: &HashMap<&str, &[String]>,
) -> Vec<Applies<'r>> {
    let mut held: HashMap<&str, usize> = HashMap::new();
    for t in tags.values() {
        for tag in t.iter().map(String::as_str).collect::<BTreeSet<_>>() {
            *held.entry(tag).or_default() += 1;
        }
    }
    let distinctive =
        |t: &str| tags.len() < 2 || held.get(t).copied().unwrap_or(0) * 2 <= tags.len();
    let path_words: Vec<BTreeSet<String>> = paths.iter().map(|p| words(p)).collect();
    let text_words = text.map(words).unwrap_or_default();
    let mut out = Vec::new();
    for r in rules.iter().filter(|r| r.rule.status == RuleStatus::Active) {
        let mut reasons = BTreeSet::new();
        let mut hit = vec![false; paths.len()];
        let rule_tags: BTreeSet<&str> = r
            .rule
            .incidents
            .iter()
            .filter_map(|i| tags.get(i.as_str()))
            .flat_map(|t| t.iter().map(String::as_str))
            .filter(|t| distinctive(t))
            .collect();
        for (i, p) in paths.iter().enumerate() {
            for g in &r.rule.applies_to {
                if selects(g, p) {
                    reasons.insert(Reason::AppliesTo(g.clone()));
                    hit[i] = true;
                }
            }
            for g in &r.rule.guards {
                if guard_globs(g).iter().any(|glob| selects(glob, p)) {
                    reasons.insert(Reason::Guard(g.kind()));
                    hit[i] = true;
                }
            }
            for t in &rule_tags {
                if tag_named(t, &path_words[i]) {
                    reasons.insert(Reason::Tag((*t).to_string()));
                    hit[i] = true;
                }
            }
        }
        if let Some(text) = text {
            for t in &rule_tags {
                if tag_named(t, &text_words) {
                    reasons.insert(Reason::Tag((*t).to_string()));
                }
            }
            if trips(&r.rule.guards, text) {
                reasons.insert(Reason::Text);
            }
        }
        if reasons.is_empty() {
            continue;
        }
        out.push(Applies {
            rule: r,
            reasons,
            paths: paths
                .iter()
                .zip(&hit)
                .filter(|(_, h)| **h)
                .map(|(p, _)| p.clone())
                .collect(),
        });
    }
    out.sort_by(|a, b| {
        b.direct()
            .cmp(&a.direct())
            .then_with(|| a.rule.rule.id.cmp(&b.rule.rule.id))
    });
    out
}

/// True when a `forbid-pattern` guard of `guards` matches `text` (a plan or a diff).
fn trips(guards: &[Guard], text: &str) -> bool {
    guards.iter().any(|g| match &g.check {
        Check::ForbidPattern { pattern, .. } => crate::rules::model::compile_pattern(pattern)
            .is_ok_and(|re| re.is_match(text.as_bytes())),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule;

    fn rule(text: &str) -> LoadedRule {
        LoadedRule {
            rule: parse_rule(Path::new("r.toml"), text).unwrap(),
            file: "rules/r.toml".into(),
            guard_lines: Vec::new(),
        }
    }

    const RSYNC: &str = r#"
id = "no-rsync-delete"
title = "t"
incidents = ["flux"]
applies_to = ["**/*.sh"]

[[guard]]
kind = "forbid-pattern"
pattern = 'rsync[^\n]*--delete'
files = ["**/deploy*"]
"#;

    #[test]
    fn paths_match_by_glob_guard_and_tag() {
        let rules = vec![
            rule(RSYNC),
            rule(
                "id = \"worker\"\ntitle = \"w\"\nincidents = [\"cf\"]\n\n[[guard]]\nkind = \"require-file\"\npath = \"dist/_worker.js\"\n",
            ),
            rule("id = \"tagged\"\ntitle = \"t\"\nincidents = [\"cf\"]\n"),
            rule("id = \"off\"\ntitle = \"t\"\nstatus = \"proposed\"\napplies_to = [\"**\"]\n"),
        ];
        let tags: Vec<String> = vec!["cloudflare-pages".into()];
        let tag_map: HashMap<&str, &[String]> = [("cf", tags.as_slice())].into();
        let paths = vec![
            normalize("./scripts/deploy.sh", None),
            normalize("dist/_worker.js", None),
        ];
        let got = applicable(&rules, &paths, None, &tag_map);
        let ids: Vec<&str> = got.iter().map(|a| a.rule.rule.id.as_str()).collect();
        assert_eq!(ids, ["no-rsync-delete", "worker"], "{got:#?}");
        assert!(
            got[0]
                .reasons
                .contains(&Reason::AppliesTo("**/*.sh".into()))
        );
        assert!(got[0].reasons.contains(&Reason::Guard("forbid-pattern")));
        assert_eq!(got[0].paths, ["scripts/deploy.sh"]);
        assert_eq!(got[1].paths, ["dist/_worker.js"]);

        let paths = vec!["infra/cloudflare/pages.toml".to_string()];
        let got = applicable(&rules, &paths, None, &tag_map);
        let ids: Vec<&str> = got.iter().map(|a| a.rule.rule.id.as_str()).collect();
        assert_eq!(ids, ["tagged", "worker"], "tag matches only: {got:#?}");
        assert!(!got[0].direct());
    }

    #[test]
    fn a_tag_most_incidents_hold_matches_nothing() {
        let rules = vec![rule(
            "id = \"tagged\"\ntitle = \"t\"\nincidents = [\"a\"]\n",
        )];
        let (common, rare): (Vec<String>, Vec<String>) =
            (vec!["deploy".into()], vec!["deploy".into(), "pm2".into()]);
        let tags: HashMap<&str, &[String]> =
            [("a", rare.as_slice()), ("b", common.as_slice())].into();
        let got = |p: &str| applicable(&rules, &[p.to_string()], None, &tags).len();
        assert_eq!(
            got("scripts/deploy.sh"),
            0,
            "every incident is tagged deploy"
        );
        assert_eq!(got("ecosystem.pm2.json"), 1, "only one is tagged pm2");
    }

    #[test]
    fn text_that_trips_a_guard_matches() {
        let rules = vec![rule(RSYNC)];
        let got = applicable(
            &rules,
            &[],
            Some("then rsync -av --delete build/ host:/srv"),
            &HashMap::new(),
        );
        assert_eq!(got.len(), 1);
        assert!(got[0].reasons.contains(&Reason::Text));
        assert!(applicable(&rules, &[], Some("rsync -av build/"), &HashMap::new()).is_empty());
    }

    #[test]
    fn star_stays_in_its_folder() {
        assert!(selects("*.sh", "deploy.sh"));
        assert!(!selects("*.sh", "scripts/deploy.sh"));
        assert!(selects("**/*.sh", "deploy.sh"));
        assert_eq!(
            normalize("/repo/a/b.sh", Some(Path::new("/repo"))),
            "a/b.sh"
        );
    }
}
