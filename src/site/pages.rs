//! What each page shows: small, borrowed template contexts (no page carries the whole
//! knowledge base; lists live only on the index and tag pages, a page at a time).

use serde::Serialize;

use crate::config::SiteConfig;
use crate::incident::Incident;
use crate::rules::{Check, Guard, Rule};

/// Shared by every page.
#[derive(Serialize)]
pub(super) struct Common<'a> {
    pub site: &'a SiteConfig,
    /// Relative path back to the site root (`""`, `"../"`), or `/` for the 404 page.
    pub root: &'a str,
    pub page_title: String,
    pub version: &'static str,
    pub counts: Counts,
}

#[derive(Serialize, Clone, Copy)]
pub(super) struct Counts {
    pub incidents: usize,
    pub rules: usize,
    pub guards: usize,
}

#[derive(Serialize, Clone)]
pub(super) struct Link {
    pub name: String,
    pub url: String,
}

/// A row of an incident table (the `incident_row` template's context).
#[derive(Serialize)]
pub(super) struct Row<'a> {
    /// Relative path back to the site root from the page the row is on.
    pub root: &'a str,
    pub date: Option<&'a str>,
    pub title: &'a str,
    pub url: &'a str,
    pub severity: Option<&'a str>,
    /// Severity as a sortable digit (critical 4 ... not stated 0).
    pub rank: u8,
    pub status: Option<&'a str>,
    pub tags: Vec<&'a Link>,
    /// Lower-case words the table filter matches against.
    pub search_text: String,
}

#[derive(Serialize, Default)]
pub(super) struct Pager {
    pub pages: Vec<PageLink>,
}

#[derive(Serialize)]
pub(super) struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

/// Links to pages 1..=n of a list whose first page is `first` and whose page k is
/// `name(k)`; empty when there is one page.
pub(super) fn pager(n: usize, current: usize, name: &dyn Fn(usize) -> String) -> Pager {
    if n <= 1 {
        return Pager::default();
    }
    Pager {
        pages: (1..=n)
            .map(|k| PageLink {
                number: k,
                url: name(k),
                current: k == current,
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub(super) struct ListPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The table's rows, rendered: each incident's row is rendered once per folder
    /// depth and reused on every list page, which keeps list pages' contexts small.
    pub rows: String,
    pub pager: Pager,
    pub chart: Option<super::chart::Chart>,
    pub tag: Option<&'a str>,
    pub count: usize,
    /// The index's filters over every incident (`search/facets.js`).
    pub facets: Option<&'a Facets>,
}

/// What the index's severity, year and tag filters offer.
#[derive(Serialize)]
pub(super) struct Facets {
    pub page_size: usize,
    /// Newest first.
    pub years: Vec<i64>,
    /// Tag names in the order `search/facets.js` numbers them.
    pub tags: Vec<String>,
}

#[derive(Serialize, Clone)]
pub(super) struct RuleRef<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub guarded: bool,
}

#[derive(Serialize)]
pub(super) struct IncidentPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub incident: &'a Incident,
    pub tags: Vec<&'a Link>,
    pub rules: Vec<RuleRef<'a>>,
    /// The postmortem's own first heading, rendered (its marks and emoji kept).
    pub title: Option<String>,
    /// Sanitised HTML of the postmortem.
    pub body: String,
    pub repaired: bool,
}

/// A page with nothing but the shared fields (404).
#[derive(Serialize)]
pub(super) struct Plain<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
}

#[derive(Serialize)]
pub(super) struct TagCount {
    pub name: String,
    pub url: String,
    pub count: usize,
}

#[derive(Serialize)]
pub(super) struct TagsPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub tags: Vec<TagCount>,
}

#[derive(Serialize)]
pub(super) struct GuardView {
    pub kind: &'static str,
    pub check: String,
    pub scope: String,
}

#[derive(Serialize)]
pub(super) struct RuleView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub severity: &'static str,
    pub why: &'a str,
    #[serde(rename = "do")]
    pub do_: Option<&'a str>,
    pub dont: Option<&'a str>,
    pub guards: Vec<GuardView>,
    /// The newest incidents it was learned from, at most `RULE_INCIDENTS`.
    pub incidents: Vec<Link>,
    /// How many more incidents it was learned from.
    pub more_incidents: usize,
}

/// Incidents named per rule on the rules page: a lesson learned from thousands of
/// postmortems would otherwise make the page tens of megabytes.
pub(super) const RULE_INCIDENTS: usize = 12;

#[derive(Serialize)]
pub(super) struct RulesPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub rules: Vec<RuleView<'a>>,
}

/// A guard as the rules page shows it: what it checks, where, and when it applies.
pub(super) fn guard_view(g: &Guard) -> GuardView {
    let scope = |files: &[String]| {
        let mut s = files.join(", ");
        if let Some(w) = g.describe_when() {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&format!("({w})"));
        }
        s
    };
    let (check, scope) = match &g.check {
        Check::ForbidPattern { pattern, files } | Check::RequirePattern { pattern, files } => {
            (pattern.clone(), scope(files))
        }
        Check::RequireFile { path, min_size } => (
            match min_size {
                Some(s) => format!("{path} ≥ {s}"),
                None => path.clone(),
            },
            scope(&[]),
        ),
        Check::ForbidFile { files } => (files.join(", "), scope(&[])),
        Check::GitClean { repo, untracked } => (
            if *untracked {
                "no uncommitted or untracked files".into()
            } else {
                "no uncommitted changes".into()
            },
            repo.clone().unwrap_or_else(|| "the checked folder".into()),
        ),
        Check::Command { argv, cwd, .. } => (
            argv.join(" "),
            scope(&cwd.iter().cloned().collect::<Vec<_>>()),
        ),
    };
    GuardView {
        kind: g.kind(),
        check,
        scope,
    }
}

/// For each incident id, the positions of the rules compiled from it, in rule order
/// (positions, not `RuleRef`s: about ten per incident, they were 45 MB at 100,000).
pub(super) fn rules_by_incident(rules: &[Rule]) -> std::collections::HashMap<&str, Vec<u32>> {
    let mut map: std::collections::HashMap<&str, Vec<u32>> = std::collections::HashMap::new();
    for (k, r) in rules.iter().enumerate() {
        for i in &r.incidents {
            map.entry(i.as_str()).or_default().push(k as u32);
        }
    }
    map
}

impl<'a> RuleRef<'a> {
    pub(super) fn of(r: &'a Rule) -> RuleRef<'a> {
        RuleRef {
            id: &r.id,
            title: &r.title,
            guarded: !r.guards.is_empty(),
        }
    }
}
