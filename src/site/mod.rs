//! The static site: a page per incident (its repaired postmortem and the structured
//! record), the index with a severity-over-time chart, tag pages, the rules page, an
//! Atom feed, a sitemap, a 404 page and search that runs in the browser. Pages go to
//! a `Sink`; `output` decides whether that is a fresh folder or a comparison.

mod chart;
mod feed;
pub mod html;
pub mod http;
pub mod output;
mod pages;
mod render;
mod searchindex;
mod searchstate;
pub mod serve;
mod templates;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::config::{self, Config, ConfigError, SiteConfig};
use crate::kb::Loaded;
use crate::rules::Rule;

pub use render::render;

/// A digest of everything one output is made from (see `render`'s `Keys`).
pub type Key = [u8; 32];

/// Where rendered files go.
pub trait Sink: Sync {
    /// Store `bytes` at `path` (relative to the site root, `/`-separated).
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;

    /// True when the files of output `unit` that an earlier build made from inputs with
    /// this `key` are still there as written: they are then this build's files too, and
    /// the caller does not make them again. A sink that keeps nothing says false.
    fn reuse(&self, _unit: &str, _key: &Key) -> bool {
        false
    }

    /// Output `unit`, made from inputs with `key`, is `files` (put just now).
    fn made(&self, _unit: &str, _key: &Key, _files: Vec<String>) {}

    /// How many files a reused `unit` has, and their bytes in all.
    fn sizes(&self, _unit: &str) -> (usize, usize) {
        (0, 0)
    }
}

/// Why the site could not be built.
#[derive(Debug)]
pub enum SiteError {
    /// A template that does not parse (`file` includes `:line:column` when known).
    Template {
        file: String,
        message: String,
    },
    /// A template that fails on a page's data.
    Render {
        page: String,
        message: String,
    },
    Io(PathBuf, std::io::Error),
    /// The output folder cannot be used (see `output`).
    Output(String),
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SiteError::Template { file, message } => write!(f, "{file}: {message}"),
            SiteError::Render { page, message } => write!(f, "rendering {page}: {message}"),
            SiteError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            SiteError::Output(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SiteError {}

/// What the site is built from.
pub struct Input<'a> {
    pub loaded: &'a [Loaded],
    pub rules: &'a [Rule],
    pub config: &'a SiteConfig,
    /// The knowledge base's `templates/` (missing files fall back to the built-ins).
    pub templates: &'a Path,
    /// The state folder, where the search index's postings are kept for the next build
    /// (`None`: read every postmortem's text, keep nothing).
    pub state: Option<&'a Path>,
}

/// What a build produced.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub pages: usize,
    pub files: usize,
    pub search_bytes: usize,
    pub repairs: usize,
}

/// A name safe in any URL and file system: ASCII letters, digits, `-` and `_` kept,
/// anything else spelled as its code point.
fn file_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push_str(&format!("_{:x}", c as u32));
        }
    }
    if out.is_empty() {
        return "_".into();
    }
    if out.len() > MAX_FILE_NAME {
        // Spelled-out code points can grow a slug sevenfold: cut it, and keep it
        // unique with a digest of the whole.
        use sha2::Digest;
        let d = sha2::Sha256::digest(out.as_bytes());
        let tag: String = d.iter().take(6).map(|b| format!("{b:02x}")).collect();
        out.truncate(MAX_FILE_NAME - tag.len() - 1);
        out.push('-');
        out.push_str(&tag);
    }
    out
}

/// Longest file name the site writes, in bytes (file systems allow 255, and a page
/// name gets `.html` appended).
const MAX_FILE_NAME: usize = 200;

/// `[site]` checked and settled: `page_size` at least 1, `url` ending in `/`.
pub fn settings(config: &Config) -> Result<SiteConfig, ConfigError> {
    let mut site = config.site.clone();
    if site.page_size == 0 {
        let at = [config::Key::Name("site"), config::Key::Name("page_size")];
        return Err(config
            .source
            .error(&at, "[site] page_size must be at least 1".into()));
    }
    if !site.url.is_empty() && !site.url.ends_with('/') {
        site.url.push('/');
    }
    Ok(site)
}

#[cfg(test)]
mod tests;
