//! `hindsight.toml`: a knowledge base's settings. Optional; every key has a default.
//!
//! ```toml
//! [site]
//! title = "Postmortems"
//! url = "https://postmortems.example.com/"   # absolute links in the feed and sitemap
//! description = "What broke, why, and what we changed."
//!
//! [lint]
//! required = ["summary", "impact", "timeline", "root_cause"]
//! [lint.level]
//! action-owner = "allow"
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The whole file, as it says: each stage checks its own table (`lint::Settings`,
/// `site::check_config`), with `source` to name the file and line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub site: SiteConfig,
    pub lint: LintConfig,
    pub agents: AgentsConfig,
    #[serde(skip)]
    pub source: Source,
}

/// Where a config was read from, and its text, to point at the line of a key.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub path: PathBuf,
    text: String,
}

impl Source {
    /// An error about the value at `key` (a path of table names and keys), at its line.
    pub fn error(&self, key: &[Key], message: String) -> ConfigError {
        ConfigError {
            path: self.path.clone(),
            line: toml_line(&self.text, key),
            message,
        }
    }
}

/// `[agents]`: which agent files `rules` and `build` write, where, and how large the
/// shared block (AGENTS.md, CLAUDE.md, Copilot) may grow.
///
/// ```toml
/// [agents]
/// targets = ["agents-md", "claude", "cursor"]   # default: all six
/// out = "."                                     # default: rules/agents
/// budget_bytes = 12000
/// budget_lines = 150
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentsConfig {
    pub targets: Option<Vec<crate::rules::agents::Target>>,
    /// Relative to the knowledge base root.
    pub out: Option<PathBuf>,
    pub budget_bytes: Option<usize>,
    pub budget_lines: Option<usize>,
}

/// `[lint]`: which sections every postmortem needs, and a level per lint code.
///
/// ```toml
/// [lint]
/// required = ["summary", "timeline", "root_cause", "action_items"]
/// [lint.level]
/// action-owner = "error"      # error, warning, note or allow
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LintConfig {
    /// Section kinds (taxonomy names); `None` means the default set.
    pub required: Option<Vec<String>>,
    pub level: std::collections::BTreeMap<String, String>,
}

/// `[site]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    pub title: String,
    /// Where the site is published, ending in `/`; empty means links are relative and
    /// the feed and sitemap use paths from the site root.
    pub url: String,
    pub description: String,
    /// Incidents per page on the index and tag pages.
    pub page_size: usize,
    /// Let postmortems show images from other sites. Off by default: a remote image
    /// tells its host who read the page, so it is shown as a link instead (and the
    /// pages' Content-Security-Policy blocks remote images).
    pub remote_images: bool,
}

impl Default for SiteConfig {
    fn default() -> SiteConfig {
        SiteConfig {
            title: "Postmortems".to_string(),
            url: String::new(),
            description: "What broke, why, and what we changed so it does not happen again."
                .to_string(),
            page_size: 100,
            remote_images: false,
        }
    }
}

/// A `hindsight.toml` that cannot be used.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The knowledge base's `hindsight.toml` under `root`, or the defaults if there is none.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = crate::kb::under(root, "hindsight.toml");
        let text = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(ConfigError {
                    path,
                    line: None,
                    message: e.to_string(),
                });
            }
        };
        let text = String::from_utf8(text).map_err(|e| ConfigError {
            path: path.clone(),
            line: None,
            message: format!("not UTF-8 text ({e})"),
        })?;
        let cfg: Config = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            ConfigError {
                path: path.clone(),
                line,
                message: e.message().to_string(),
            }
        })?;
        Ok(Config {
            source: Source { path, text },
            ..cfg
        })
    }
}

/// One step of a path into a TOML document.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    Name(&'a str),
    Index(usize),
}

/// The 1-based line where the value at `path` starts in the TOML `text`.
pub fn toml_line(text: &str, path: &[Key]) -> Option<usize> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let start = span_in_table(doc.get_ref(), path)?;
    Some(text[..start.min(text.len())].matches('\n').count() + 1)
}

fn span_in_table(table: &toml::de::DeTable, path: &[Key]) -> Option<usize> {
    let (Key::Name(name), rest) = path.split_first()? else {
        return None;
    };
    let (_, v) = table.iter().find(|(k, _)| k.get_ref() == name)?;
    span_in_value(v, rest)
}

fn span_in_value(v: &toml::Spanned<toml::de::DeValue>, path: &[Key]) -> Option<usize> {
    use toml::de::DeValue;
    match (path.first(), v.get_ref()) {
        (None, _) => Some(v.span().start),
        (Some(Key::Index(i)), DeValue::Array(a)) => span_in_value(a.get(*i)?, &path[1..]),
        (Some(Key::Name(_)), DeValue::Table(t)) => span_in_table(t, path),
        _ => None,
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hindsight.toml"), text).unwrap();
        Config::load(dir.path())
    }

    #[test]
    fn defaults_when_absent() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(dir.path()).unwrap();
        assert_eq!(c.site.title, "Postmortems");
        assert!(c.site.url.is_empty());
    }

    #[test]
    fn reads_the_site_section() {
        let c = load("[site]\ntitle = \"Ops\"\nurl = \"https://x.example\"\n").unwrap();
        assert_eq!(
            (c.site.title.as_str(), c.site.url.as_str()),
            ("Ops", "https://x.example")
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = load("[site]\ntitle = \"Ops\"\ntitel = 3\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.to_string().contains("hindsight.toml:3:"), "{e}");
        let e = load("[site\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        let c = load("[site]\ntitle = \"x\"\npage_size = 0\n").unwrap();
        let e = c
            .source
            .error(&[Key::Name("site"), Key::Name("page_size")], "no".into());
        assert_eq!(e.line, Some(3), "{e}");
    }
}
