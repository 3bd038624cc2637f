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
mod searchindex;
pub mod serve;
mod templates;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Config, ConfigError, Key, SiteConfig};
use crate::incident::{Severity, Status, slug};
use crate::kb::Loaded;
use crate::rules::Rule;
use pages::{Common, Counts, Link, ListPage, Row, RuleRef};

/// Where rendered files go.
pub trait Sink: Sync {
    /// Store `bytes` at `path` (relative to the site root, `/`-separated).
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;
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

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `[site]` checked and settled: `page_size` at least 1, `url` ending in `/`.
pub fn settings(config: &Config) -> Result<SiteConfig, ConfigError> {
    let mut site = config.site.clone();
    if site.page_size == 0 {
        let at = [Key::Name("site"), Key::Name("page_size")];
        return Err(config
            .source
            .error(&at, "[site] page_size must be at least 1".into()));
    }
    if !site.url.is_empty() && !site.url.ends_with('/') {
        site.url.push('/');
    }
    Ok(site)
}

struct Ctx<'a> {
    hb: Handlebars<'static>,
    config: &'a SiteConfig,
    counts: Counts,
    sink: &'a dyn Sink,
}

impl Ctx<'_> {
    fn common<'b>(&'b self, root: &'b str, page_title: String) -> Common<'b> {
        Common {
            site: self.config,
            root,
            page_title,
            version: VERSION,
            counts: self.counts,
        }
    }

    /// `template` rendered with `data`; `path` names the page in errors.
    fn fragment<T: Serialize>(
        &self,
        template: &str,
        path: &str,
        data: &T,
    ) -> Result<String, SiteError> {
        let mut html = self
            .hb
            .render(template, data)
            .map_err(|e| SiteError::Render {
                page: path.to_string(),
                message: e.to_string(),
            })?;
        // Handlebars starts every output at 8 KB: kept table rows (two per incident)
        // were 1.6 GB at 100,000 incidents for 0.1 GB of HTML.
        html.shrink_to_fit();
        Ok(html)
    }

    fn page<T: Serialize>(&self, template: &str, path: &str, data: &T) -> Result<(), SiteError> {
        let html = self.fragment(template, path, data)?;
        self.sink
            .put(path, html.as_bytes())
            .map_err(|e| SiteError::Io(PathBuf::from(path), e))
    }
}

/// Render the whole site into `sink`; `tick` is called once per incident page.
pub fn render(
    input: &Input,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
) -> Result<Summary, SiteError> {
    let hb = templates::registry(input.templates)?;
    let loaded = input.loaded;
    // Newest first; undated last; then by title and path, so the order is total.
    let mut order: Vec<usize> = (0..loaded.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&loaded[a].incident, &loaded[b].incident);
        y.date
            .is_some()
            .cmp(&x.date.is_some())
            .then_with(|| y.date.cmp(&x.date))
            .then_with(|| x.title.cmp(&y.title))
            .then_with(|| x.path.cmp(&y.path))
    });
    // Page names, unique even when two postmortems share an id.
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    let mut urls = vec![String::new(); loaded.len()];
    let mut by_path: Vec<usize> = (0..loaded.len()).collect();
    by_path.sort_by(|&a, &b| loaded[a].incident.path.cmp(&loaded[b].incident.path));
    for i in by_path {
        let base = file_name(&loaded[i].incident.id);
        let n = taken.entry(base.clone()).or_insert(0);
        *n += 1;
        urls[i] = if *n == 1 {
            format!("incidents/{base}.html")
        } else {
            format!("incidents/{base}-{n}.html")
        };
    }
    let tag_url = |t: &str| format!("tags/{}.html", file_name(&slug(t)));
    // One link per distinct tag, shared by every incident with it: a link per
    // incident and tag was 100 MB at 100,000 incidents.
    let tag_links: BTreeMap<&str, Link> = loaded
        .iter()
        .flat_map(|l| &l.incident.tags)
        .map(|t| {
            let link = Link {
                name: t.clone(),
                url: tag_url(t),
            };
            (t.as_str(), link)
        })
        .collect();
    let tags = |i: usize| -> Vec<&Link> {
        let tags = &loaded[i].incident.tags;
        tags.iter().map(|t| &tag_links[t.as_str()]).collect()
    };
    let counts = Counts {
        incidents: loaded.len(),
        rules: input.rules.len(),
        guards: input.rules.iter().filter(|r| !r.guards.is_empty()).count(),
    };
    let ctx = Ctx {
        hb,
        config: input.config,
        counts,
        sink,
    };
    let by_incident = pages::rules_by_incident(input.rules);

    // One page per incident, in parallel.
    order.par_iter().try_for_each(|&i| {
        let l = &loaded[i];
        let inc = &l.incident;
        let text = l.text().map_err(|e| SiteError::Io(l.path.clone(), e))?;
        let body = html::render(text.get(l.body_offset..).unwrap_or(""));
        let page = pages::IncidentPage {
            common: ctx.common("../", inc.title.clone()),
            incident: inc,
            tags: tags(i),
            rules: by_incident
                .get(inc.id.as_str())
                .map(|rs| {
                    rs.iter()
                        .map(|&k| RuleRef::of(&input.rules[k as usize]))
                        .collect()
                })
                .unwrap_or_default(),
            body,
            repaired: inc.repairs.count > 0,
        };
        ctx.page("incident", &urls[i], &page)?;
        tick();
        Ok::<(), SiteError>(())
    })?;

    // An incident's table row for a page `root` below the site root.
    let row = |i: usize, root: &str| {
        let inc = &loaded[i].incident;
        let mut text = format!(
            "{} {} {} {}",
            inc.title,
            inc.tags.join(" "),
            inc.severity.map_or("", Severity::as_str),
            inc.status.map_or("", Status::as_str)
        );
        text.extend(inc.causes.iter().take(3).map(|c| format!(" {}", c.text)));
        let row = Row {
            root,
            date: inc.date.as_deref(),
            title: &inc.title,
            url: &urls[i],
            severity: inc.severity.map(Severity::as_str),
            rank: inc.severity.map_or(0, Severity::rank),
            status: inc.status.map(Status::as_str),
            tags: tags(i),
            search_text: text.to_lowercase(),
        };
        ctx.fragment("incident_row", &urls[i], &row)
    };
    // An index page shows each row once: rendered when the page is. A tag page row
    // shows once per tag (about ten times): rendered once and kept, LZ4-packed (the
    // rows were a tenth of a 100,000-incident build's memory).
    let index_rows = |members: &[usize]| {
        let rows: Vec<String> = members
            .par_iter()
            .map(|&i| row(i, ""))
            .collect::<Result<_, SiteError>>()?;
        Ok::<_, SiteError>(rows.concat())
    };
    let tag_rows: Vec<Box<[u8]>> = (0..loaded.len())
        .into_par_iter()
        .map(|i| {
            let html = row(i, "../")?;
            Ok(lz4_flex::compress_prepend_size(html.as_bytes()).into_boxed_slice())
        })
        .collect::<Result<_, SiteError>>()?;
    let table = |members: &mut dyn Iterator<Item = &usize>| {
        let mut html = Vec::new();
        for &i in members {
            html.extend(lz4_flex::decompress_size_prepended(&tag_rows[i]).expect("packed above"));
        }
        String::from_utf8(html).expect("packed from strings")
    };
    let size = input.config.page_size;
    let mut pages_written = loaded.len();

    // The index, a page at a time.
    let points: Vec<(Option<&str>, Option<Severity>)> = loaded
        .iter()
        .map(|l| (l.incident.date.as_deref(), l.incident.severity))
        .collect();
    let index_pages = order.len().div_ceil(size).max(1);
    let index_name = |k: usize| {
        if k == 1 {
            "index.html".to_string()
        } else {
            format!("page-{k}.html")
        }
    };
    for k in 1..=index_pages {
        let slice = order.chunks(size).nth(k - 1).unwrap_or_default();
        let page = ListPage {
            common: ctx.common(
                "",
                if k == 1 {
                    "Incidents".into()
                } else {
                    format!("Incidents, page {k}")
                },
            ),
            rows: index_rows(slice)?,
            pager: pages::pager(index_pages, k, &index_name),
            chart: (k == 1).then(|| chart::chart(&points)),
            tag: None,
            count: order.len(),
        };
        ctx.page("index", &index_name(k), &page)?;
        pages_written += 1;
    }

    // Tag pages.
    let mut by_tag: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &order {
        for t in &loaded[i].incident.tags {
            by_tag.entry(t.as_str()).or_default().push(i);
        }
    }
    for (tag, members) in &by_tag {
        let base = tag_url(tag);
        let stem = base.trim_end_matches(".html").to_string();
        let n = members.len().div_ceil(size);
        let name = |k: usize| {
            if k == 1 {
                base.clone()
            } else {
                format!("{stem}-{k}.html")
            }
        };
        for k in 1..=n {
            let page = ListPage {
                common: ctx.common("../", format!("Tag: {tag}")),
                rows: table(&mut members.iter().skip((k - 1) * size).take(size)),
                pager: pages::pager(n, k, &|k| name(k).trim_start_matches("tags/").to_string()),
                chart: None,
                tag: Some(tag),
                count: members.len(),
            };
            ctx.page("tag", &name(k), &page)?;
            pages_written += 1;
        }
    }
    // The packed rows are done with; the search index below grows while it builds.
    drop(tag_rows);
    let tag_list = pages::TagsPage {
        common: ctx.common("../", "Tags".into()),
        tags: by_tag
            .iter()
            .map(|(t, m)| pages::TagCount {
                name: t.to_string(),
                url: tag_url(t),
                count: m.len(),
            })
            .collect(),
    };
    ctx.page("tags", "tags/index.html", &tag_list)?;

    // Rules, each with the incidents it was learned from.
    let by_id: BTreeMap<&str, usize> = loaded
        .iter()
        .enumerate()
        .map(|(i, l)| (l.incident.id.as_str(), i))
        .collect();
    let mut newness = vec![0; loaded.len()];
    for (rank, &i) in order.iter().enumerate() {
        newness[i] = rank;
    }
    let rules_page = pages::RulesPage {
        common: ctx.common("", "Rules".into()),
        rules: input
            .rules
            .iter()
            .map(|r| {
                let mut from: Vec<usize> = r
                    .incidents
                    .iter()
                    .filter_map(|id| by_id.get(id.as_str()).copied())
                    .collect();
                from.sort_by_key(|&i| newness[i]);
                pages::RuleView {
                    id: &r.id,
                    title: &r.title,
                    severity: r.severity.as_str(),
                    why: &r.why,
                    do_: r.do_.as_deref(),
                    dont: r.dont.as_deref(),
                    guards: r.guards.iter().map(pages::guard_view).collect(),
                    more_incidents: from.len().saturating_sub(pages::RULE_INCIDENTS),
                    incidents: from
                        .iter()
                        .take(pages::RULE_INCIDENTS)
                        .map(|&i| Link {
                            name: loaded[i].incident.title.clone(),
                            url: urls[i].clone(),
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    ctx.page("rules", "rules.html", &rules_page)?;
    let not_found_root = if input.config.url.is_empty() {
        "/"
    } else {
        input.config.url.as_str()
    };
    ctx.page(
        "404",
        "404.html",
        &pages::Plain {
            common: ctx.common(not_found_root, "Not found".into()),
        },
    )?;
    pages_written += 3;

    // Feed and sitemap.
    let entries: Vec<feed::Entry> = order
        .iter()
        .filter_map(|&i| {
            let inc = &loaded[i].incident;
            Some(feed::Entry {
                page: &urls[i],
                id: &inc.id,
                title: &inc.title,
                date: inc.date.as_deref()?,
                summary: &inc.summary,
            })
        })
        .take(50)
        .collect();
    let put = |path: &str, bytes: &[u8]| {
        sink.put(path, bytes)
            .map_err(|e| SiteError::Io(PathBuf::from(path), e))
    };
    put(
        "feed.xml",
        feed::atom(&input.config.title, &input.config.url, &entries).as_bytes(),
    )?;
    let mut listed: Vec<String> = vec![
        "index.html".into(),
        "rules.html".into(),
        "tags/index.html".into(),
    ];
    listed.extend((2..=index_pages).map(index_name));
    listed.extend(order.iter().map(|&i| urls[i].clone()));
    listed.extend(by_tag.keys().map(|t| tag_url(t)));
    put(
        "sitemap.xml",
        feed::sitemap(&input.config.url, &listed).as_bytes(),
    )?;

    // Assets and the search index.
    let assets = templates::assets(input.templates)?;
    for (path, bytes) in &assets {
        put(path, bytes)?;
    }
    // The search index reads each postmortem's plain text as it goes.
    let doc = |k: usize| {
        let i = order[k];
        let inc = &loaded[i].incident;
        let plain = loaded[i]
            .plain()
            .map_err(|e| SiteError::Io(loaded[i].path.clone(), e))?;
        let mut texts: Vec<(u32, Cow<str>)> = vec![
            (8, inc.title.as_str().into()),
            (2, inc.summary.as_str().into()),
            (1, plain.into()),
        ];
        texts.extend(inc.tags.iter().map(|t| (4, t.as_str().into())));
        texts.extend(
            inc.causes
                .iter()
                .chain(&inc.symptoms)
                .map(|t| (2, t.text.as_str().into())),
        );
        Ok(searchindex::Doc {
            url: urls[i].clone(),
            title: &inc.title,
            date: inc.date.as_deref(),
            severity: inc.severity.map(Severity::as_str),
            gist: gist(inc),
            texts,
        })
    };
    let index = searchindex::build(order.len(), doc, &mut |name, text| {
        put(&format!("search/{name}"), text.as_bytes())
    })?;
    Ok(Summary {
        pages: pages_written,
        files: pages_written + 2 + assets.len() + index.files,
        search_bytes: index.bytes,
        repairs: loaded.iter().map(|l| l.incident.repairs.count).sum(),
    })
}

/// The text a search result shows a window of: the summary, then causes, symptoms,
/// fixes and lessons, so a query word from any of them can be shown in context.
fn gist(inc: &crate::incident::Incident) -> String {
    let statements = inc
        .causes
        .iter()
        .chain(&inc.symptoms)
        .chain(&inc.fixes)
        .chain(&inc.lessons)
        .map(|s| s.text.as_str());
    let parts = std::iter::once(inc.summary.as_str())
        .chain(statements)
        .filter(|t| !t.is_empty());
    let mut out = String::new();
    for p in parts {
        if out.chars().count() >= searchindex::GIST_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push_str(" · ");
        }
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests;
