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

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub site: SiteConfig,
    pub lint: LintConfig,
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
}

impl Default for SiteConfig {
    fn default() -> SiteConfig {
        SiteConfig {
            title: "Postmortems".to_string(),
            url: String::new(),
            description: "What broke, why, and what we changed so it does not happen again."
                .to_string(),
            page_size: 1000,
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
        let mut cfg: Config = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            ConfigError {
                path: path.clone(),
                line,
                message: e.message().to_string(),
            }
        })?;
        if !cfg.site.url.is_empty() && !cfg.site.url.ends_with('/') {
            cfg.site.url.push('/');
        }
        if let Err(message) = crate::lint::Settings::new(&cfg.lint) {
            return Err(ConfigError {
                path,
                line: None,
                message,
            });
        }
        if cfg.site.page_size == 0 {
            return Err(ConfigError {
                path,
                line: None,
                message: "[site] page_size must be at least 1".into(),
            });
        }
        Ok(cfg)
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
            ("Ops", "https://x.example/")
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = load("[site]\ntitle = \"Ops\"\ntitel = 3\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.to_string().contains("hindsight.toml:3:"), "{e}");
        let e = load("[site\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(load("[site]\npage_size = 0\n").is_err());
    }
}
