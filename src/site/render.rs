//! Rendering the site: the layout every page shares (order, page names, tag links),
//! then one function per kind of page, each writing to the sink.

use std::collections::BTreeMap;
use std::path::PathBuf;

use handlebars::Handlebars;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pages::{self, Common, Counts, Link, ListPage, Row, RuleRef};
use super::{
    Input, Key, Sink, SiteError, Summary, chart, feed, file_name, html, searchindex, searchstate,
    templates,
};
use crate::config::SiteConfig;
use crate::incident::{Incident, Severity, Status, slug};

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The unit the browser search index's files make (see `Sink::reuse`).
const SEARCH_UNIT: &str = "search/";

/// Render the whole site into `sink`; `tick` is called once per incident page.
pub fn render(
    input: &Input,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
) -> Result<Summary, SiteError> {
    let site = Layout::new(input, sink)?;
    site.incident_pages(tick)?;
    let index_pages = site.index_pages()?;
    let tag_pages = site.tag_pages()?;
    site.tags_page()?;
    site.rules_page()?;
    site.not_found_page()?;
    site.feed_and_sitemap(index_pages)?;
    let assets = templates::assets(input.templates)?;
    for (path, bytes) in &assets {
        site.put(path, bytes)?;
    }
    let index = site.search_index()?;
    let pages = input.loaded.len() + index_pages + tag_pages + 3;
    Ok(Summary {
        pages,
        files: pages + 3 + assets.len() + index.files,
        search_bytes: index.bytes,
        repairs: input.loaded.iter().map(|l| l.incident.repairs.count).sum(),
    })
}

/// What every page of one build shares.
struct Layout<'a> {
    input: &'a Input<'a>,
    ctx: Ctx<'a>,
    /// Incident indices, newest first; undated last; then by title and path.
    order: Vec<usize>,
    /// Each incident's page, unique even when two postmortems share an id.
    urls: Vec<String>,
    /// One link per distinct tag, shared by every incident with it: a link per
    /// incident and tag was 100 MB at 100,000 incidents.
    tag_links: BTreeMap<&'a str, Link>,
    /// Incidents per tag, in `order`.
    by_tag: BTreeMap<&'a str, Vec<usize>>,
    keys: Keys,
}

/// Digests of what each output is made from, so that a sink holding an earlier build
/// can keep the outputs whose inputs are the same. Every key starts from `base`:
/// hindsight's sources, the templates and the `[site]` settings, so a change to any of
/// them changes every key. A record and its texts are a function of its file's path and
/// bytes (and of the sources), so `records[i]` stands for all of incident i.
struct Keys {
    base: Sha256,
    records: Vec<Key>,
}

impl Keys {
    fn new(input: &Input, templates: &Key) -> Keys {
        let mut base = Sha256::new();
        base.update(b"hindsight-site-keys 1\0");
        base.update(env!("HINDSIGHT_SOURCE_DIGEST").as_bytes());
        base.update(VERSION.as_bytes());
        base.update(templates);
        base.update(serde_json::to_vec(input.config).unwrap_or_default());
        let records = input
            .loaded
            .par_iter()
            .map(|l| {
                let mut h = Sha256::new();
                h.update(l.digest);
                h.update(l.incident.path.as_bytes());
                h.finalize().into()
            })
            .collect();
        Keys { base, records }
    }

    /// The key of output `unit` made from `parts` (each length-prefixed).
    fn of(&self, unit: &str, parts: &[&[u8]]) -> Key {
        let mut h = self.base.clone();
        for p in std::iter::once(unit.as_bytes()).chain(parts.iter().copied()) {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        h.finalize().into()
    }
}

/// `data` as JSON, for a key (a template sees exactly what this holds).
fn json<T: Serialize>(data: &T) -> Vec<u8> {
    serde_json::to_vec(data).unwrap_or_default()
}

impl<'a> Layout<'a> {
    fn new(input: &'a Input<'a>, sink: &'a dyn Sink) -> Result<Layout<'a>, SiteError> {
        let loaded = input.loaded;
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
        let tag_links = loaded
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
        let mut by_tag: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in &order {
            for t in &loaded[i].incident.tags {
                by_tag.entry(t.as_str()).or_default().push(i);
            }
        }
        let (hb, templates) = templates::registry_and_digest(input.templates)?;
        let ctx = Ctx {
            hb,
            config: input.config,
            counts: Counts {
                incidents: loaded.len(),
                rules: input.rules.len(),
                guards: input.rules.iter().filter(|r| !r.guards.is_empty()).count(),
            },
            sink,
        };
        Ok(Layout {
            urls: page_urls(input),
            keys: Keys::new(input, &templates),
            input,
            ctx,
            order,
            tag_links,
            by_tag,
        })
    }

    fn incident(&self, i: usize) -> &'a Incident {
        &self.input.loaded[i].incident
    }

    fn tags(&self, i: usize) -> Vec<&Link> {
        let tags = &self.incident(i).tags;
        tags.iter().map(|t| &self.tag_links[t.as_str()]).collect()
    }

    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), SiteError> {
        self.ctx
            .sink
            .put(path, bytes)
            .map_err(|e| SiteError::Io(PathBuf::from(path), e))
    }

    /// One page per incident, in parallel.
    fn incident_pages(&self, tick: &(dyn Fn() + Sync)) -> Result<(), SiteError> {
        let by_incident = pages::rules_by_incident(self.input.rules);
        self.order.par_iter().try_for_each(|&i| {
            let l = &self.input.loaded[i];
            let inc = &l.incident;
            let rules: Vec<RuleRef> = by_incident
                .get(inc.id.as_str())
                .map(|rs| {
                    rs.iter()
                        .map(|&k| RuleRef::of(&self.input.rules[k as usize]))
                        .collect()
                })
                .unwrap_or_default();
            // The page shows its record and text, the rules citing it, and the counts
            // in every page's header.
            let url = &self.urls[i];
            let key = self.keys.of(
                url,
                &[
                    &self.keys.records[i],
                    &json(&rules),
                    &json(&self.ctx.counts),
                ],
            );
            if self.ctx.sink.reuse(url, &key) {
                tick();
                return Ok(());
            }
            let text = l.text().map_err(|e| SiteError::Io(l.path.clone(), e))?;
            let html::Rendered { title, body } = html::render(
                text.get(l.body_offset..).unwrap_or(""),
                html::RenderOptions {
                    remote_images: self.input.config.remote_images,
                },
            );
            let page = pages::IncidentPage {
                common: self.ctx.common("../", inc.title.clone()),
                incident: inc,
                tags: self.tags(i),
                rules,
                title,
                body,
                repaired: inc.repairs.count > 0,
            };
            self.ctx.page("incident", url, &page)?;
            self.ctx.sink.made(url, &key, vec![url.clone()]);
            tick();
            Ok(())
        })
    }

    /// An incident's table row for a page `root` below the site root.
    fn row(&self, i: usize, root: &str) -> Result<String, SiteError> {
        let inc = self.incident(i);
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
            url: &self.urls[i],
            severity: inc.severity.map(Severity::as_str),
            rank: inc.severity.map_or(0, Severity::rank),
            status: inc.status.map(Status::as_str),
            tags: self.tags(i),
            search_text: text.to_lowercase(),
        };
        self.ctx.fragment("incident_row", &self.urls[i], &row)
    }

    /// The key of incident i's row on a page `root` below the site root: the row shows
    /// only its record and page.
    fn row_key(&self, i: usize, root: &str) -> Key {
        let parts: [&[u8]; 3] = [
            root.as_bytes(),
            &self.keys.records[i],
            self.urls[i].as_bytes(),
        ];
        self.keys.of("row", &parts)
    }

    /// The key of list page `name`: its context as the template sees it, without the
    /// rows, and the keys of its rows.
    fn list_key(&self, name: &str, page: &ListPage, rows: &[usize], root: &str) -> Key {
        let mut row_keys = Vec::with_capacity(rows.len() * 32);
        for &i in rows {
            row_keys.extend_from_slice(&self.row_key(i, root));
        }
        self.keys.of(name, &[&json(page), &row_keys])
    }

    /// The rows of the incidents `wanted` marks for tag pages: a row shows once per tag
    /// (about ten times), so it is rendered once and kept, LZ4-packed (the rows were a
    /// tenth of a 100,000-incident build's memory).
    fn packed_rows(&self, wanted: &[bool]) -> Result<Vec<Option<Box<[u8]>>>, SiteError> {
        (0..self.input.loaded.len())
            .into_par_iter()
            .map(|i| {
                if !wanted[i] {
                    return Ok(None);
                }
                let html = self.row(i, "../")?;
                Ok(Some(
                    lz4_flex::compress_prepend_size(html.as_bytes()).into_boxed_slice(),
                ))
            })
            .collect()
    }

    /// The index, a page at a time (each row rendered when its page is); returns how
    /// many pages.
    fn index_pages(&self) -> Result<usize, SiteError> {
        let size = self.input.config.page_size;
        let points: Vec<(Option<&str>, Option<Severity>)> = self
            .input
            .loaded
            .iter()
            .map(|l| (l.incident.date.as_deref(), l.incident.severity))
            .collect();
        let facets = self.facets()?;
        let n = self.order.len().div_ceil(size).max(1);
        for k in 1..=n {
            let slice = self.order.chunks(size).nth(k - 1).unwrap_or_default();
            let title = match k {
                1 => "Incidents".into(),
                _ => format!("Incidents, page {k}"),
            };
            let mut page = ListPage {
                common: self.ctx.common("", title),
                rows: String::new(),
                pager: pages::pager(n, k, &index_name),
                chart: (k == 1).then(|| chart::chart(&points)),
                tag: None,
                count: self.order.len(),
                facets: Some(&facets),
            };
            let name = index_name(k);
            let key = self.list_key(&name, &page, slice, "");
            if self.ctx.sink.reuse(&name, &key) {
                continue;
            }
            let rows: Vec<String> = slice
                .par_iter()
                .map(|&i| self.row(i, ""))
                .collect::<Result<_, SiteError>>()?;
            page.rows = rows.concat();
            self.ctx.page("index", &name, &page)?;
            self.ctx.sink.made(&name, &key, vec![name.clone()]);
        }
        Ok(n)
    }

    /// `search/facets.js`, each incident's year, severity, status and tags in index
    /// order (numbers into lists given once), for the index's filters; and what the
    /// filters offer.
    fn facets(&self) -> Result<pages::Facets, SiteError> {
        use std::fmt::Write;
        let tag_ids: BTreeMap<&str, usize> = self
            .by_tag
            .keys()
            .enumerate()
            .map(|(i, t)| (*t, i))
            .collect();
        let statuses = ["", "resolved", "recovering", "investigating", "open"];
        let mut years = std::collections::BTreeSet::new();
        let mut rows = String::with_capacity(self.order.len() * 16);
        for (k, &i) in self.order.iter().enumerate() {
            let inc = self.incident(i);
            let year = inc
                .date
                .as_deref()
                .and_then(|d| d.get(0..4)?.parse::<i64>().ok());
            years.extend(year);
            let status = inc
                .status
                .and_then(|s| statuses.iter().position(|n| *n == s.as_str()))
                .unwrap_or(0);
            if k > 0 {
                rows.push(',');
            }
            let sev = inc.severity.map_or(0, Severity::rank);
            let _ = write!(rows, "[{},{sev},{status}", year.unwrap_or(0));
            for t in &inc.tags {
                let _ = write!(rows, ",{}", tag_ids[t.as_str()]);
            }
            rows.push(']');
        }
        let tags: Vec<serde_json::Value> = self
            .by_tag
            .keys()
            .map(|t| serde_json::json!([t, tag_url(t)]))
            .collect();
        let head = serde_json::json!({
            "severities": ["", "low", "medium", "high", "critical"],
            "statuses": statuses,
            "tags": tags,
        })
        .to_string();
        let body = format!(
            "hindsightSearch.facets({},\"rows\":[{rows}]}});\n",
            head.trim_end_matches('}')
        );
        self.put("search/facets.js", body.as_bytes())?;
        Ok(pages::Facets {
            page_size: self.input.config.page_size,
            years: years.into_iter().rev().collect(),
            tags: self.by_tag.keys().map(|t| t.to_string()).collect(),
        })
    }

    /// A page (or more) per tag; returns how many pages. Pages are keyed first, and
    /// rows rendered only for the pages an earlier build did not leave as they are.
    fn tag_pages(&self) -> Result<usize, SiteError> {
        let size = self.input.config.page_size;
        let mut written = 0;
        let mut todo: Vec<(&str, usize, Key)> = Vec::new();
        let mut wanted = vec![false; self.input.loaded.len()];
        for (tag, members) in &self.by_tag {
            for k in 1..=members.len().div_ceil(size) {
                written += 1;
                let (name, page) = self.tag_page(tag, k);
                let rows: Vec<usize> = members
                    .iter()
                    .skip((k - 1) * size)
                    .take(size)
                    .copied()
                    .collect();
                let key = self.list_key(&name, &page, &rows, "../");
                if !self.ctx.sink.reuse(&name, &key) {
                    rows.iter().for_each(|&i| wanted[i] = true);
                    todo.push((tag, k, key));
                }
            }
        }
        let packed = self.packed_rows(&wanted)?;
        for (tag, k, key) in todo {
            let (name, mut page) = self.tag_page(tag, k);
            let mut html = Vec::new();
            for &i in self.by_tag[tag].iter().skip((k - 1) * size).take(size) {
                let row = packed[i].as_deref().expect("packed above");
                html.extend(lz4_flex::decompress_size_prepended(row).expect("packed above"));
            }
            page.rows = String::from_utf8(html).expect("packed from strings");
            self.ctx.page("tag", &name, &page)?;
            self.ctx.sink.made(&name, &key, vec![name.clone()]);
        }
        Ok(written)
    }

    /// Page k of `tag`'s list, without its rows, and its name.
    fn tag_page(&self, tag: &'a str, k: usize) -> (String, ListPage<'_>) {
        let members = &self.by_tag[tag];
        let base = tag_url(tag);
        let stem = base.trim_end_matches(".html").to_string();
        let n = members.len().div_ceil(self.input.config.page_size);
        let name = |k: usize| match k {
            1 => base.clone(),
            _ => format!("{stem}-{k}.html"),
        };
        let page = ListPage {
            common: self.ctx.common("../", format!("Tag: {tag}")),
            rows: String::new(),
            pager: pages::pager(n, k, &|k| name(k).trim_start_matches("tags/").to_string()),
            chart: None,
            tag: Some(tag),
            count: members.len(),
            facets: None,
        };
        (name(k), page)
    }

    fn tags_page(&self) -> Result<(), SiteError> {
        let tag_list = pages::TagsPage {
            common: self.ctx.common("../", "Tags".into()),
            tags: self
                .by_tag
                .iter()
                .map(|(t, m)| pages::TagCount {
                    name: t.to_string(),
                    url: tag_url(t),
                    count: m.len(),
                })
                .collect(),
        };
        self.ctx.page("tags", "tags/index.html", &tag_list)
    }

    /// Rules, each with the incidents it was learned from (newest first).
    fn rules_page(&self) -> Result<(), SiteError> {
        let loaded = self.input.loaded;
        let by_id: BTreeMap<&str, usize> = loaded
            .iter()
            .enumerate()
            .map(|(i, l)| (l.incident.id.as_str(), i))
            .collect();
        let mut newness = vec![0; loaded.len()];
        for (rank, &i) in self.order.iter().enumerate() {
            newness[i] = rank;
        }
        let view = |r: &'a crate::rules::Rule| {
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
                        url: self.urls[i].clone(),
                    })
                    .collect(),
            }
        };
        let rules_page = pages::RulesPage {
            common: self.ctx.common("", "Rules".into()),
            rules: self.input.rules.iter().map(view).collect(),
        };
        self.ctx.page("rules", "rules.html", &rules_page)
    }

    fn not_found_page(&self) -> Result<(), SiteError> {
        // Relative to the site's root folder, where the file is, so it works from disk
        // and under any sub-path; `serve` roots it for a missing page further down.
        let root = self.input.config.url.as_str();
        let page = pages::Plain {
            common: self.ctx.common(root, "Not found".into()),
        };
        self.ctx.page("404", "404.html", &page)
    }

    fn feed_and_sitemap(&self, index_pages: usize) -> Result<(), SiteError> {
        let entries: Vec<feed::Entry> = self
            .order
            .iter()
            .filter_map(|&i| {
                let inc = self.incident(i);
                Some(feed::Entry {
                    page: &self.urls[i],
                    id: &inc.id,
                    title: &inc.title,
                    date: inc.date.as_deref()?,
                    summary: &inc.summary,
                })
            })
            .take(50)
            .collect();
        let config = self.input.config;
        self.put(
            "feed.xml",
            feed::atom(&config.title, &config.url, &entries).as_bytes(),
        )?;
        let mut listed: Vec<String> = vec![
            "index.html".into(),
            "rules.html".into(),
            "tags/index.html".into(),
        ];
        listed.extend((2..=index_pages).map(index_name));
        listed.extend(self.order.iter().map(|&i| self.urls[i].clone()));
        listed.extend(self.by_tag.keys().map(|t| tag_url(t)));
        self.put(
            "sitemap.xml",
            feed::sitemap(&config.url, &listed).as_bytes(),
        )
    }

    /// The search index, reading the plain text of each postmortem the last build's
    /// postings (in the state folder) do not hold.
    fn search_index(&self) -> Result<searchindex::Written, SiteError> {
        let doc = |k: usize| {
            let i = self.order[k];
            let inc = &self.input.loaded[i].incident;
            searchindex::Doc {
                url: self.urls[i].clone(),
                title: &inc.title,
                date: inc.date.as_deref(),
                severity: inc.severity.map(Severity::as_str),
                gist: gist(inc),
            }
        };
        let texts = |k: usize| {
            let l = &self.input.loaded[self.order[k]];
            let inc = &l.incident;
            let plain = l.plain().map_err(|e| SiteError::Io(l.path.clone(), e))?;
            let mut texts: searchindex::Texts = vec![
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
            Ok(texts)
        };
        // The index is made from every document at once: one unit, keyed by each
        // document's record and page in index order.
        let mut parts: Vec<&[u8]> = Vec::with_capacity(2 * self.order.len());
        for &i in &self.order {
            parts.push(&self.keys.records[i]);
            parts.push(self.urls[i].as_bytes());
        }
        let key = self.keys.of(SEARCH_UNIT, &parts);
        if self.ctx.sink.reuse(SEARCH_UNIT, &key) {
            let (files, bytes) = self.ctx.sink.sizes(SEARCH_UNIT);
            return Ok(searchindex::Written { files, bytes });
        }
        // A document's words are a function of its record alone (its page is in its row,
        // not in its postings).
        let keys: Vec<Key> = self.order.iter().map(|&i| self.keys.records[i]).collect();
        let prior = self.input.state.and_then(searchstate::read);
        let mut files = Vec::new();
        let (written, prior) = searchindex::build(&keys, prior, doc, texts, &mut |name, text| {
            let path = format!("search/{name}");
            self.put(&path, text.as_bytes())?;
            files.push(path);
            Ok(())
        })?;
        if let Some(state) = self.input.state {
            searchstate::write(state, &prior);
        }
        self.ctx.sink.made(SEARCH_UNIT, &key, files);
        Ok(written)
    }
}

/// Page names for incidents: by id, numbered when two postmortems share one (in path
/// order, so the numbers are stable).
fn page_urls(input: &Input) -> Vec<String> {
    let loaded = input.loaded;
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
    urls
}

fn tag_url(t: &str) -> String {
    format!("tags/{}.html", file_name(&slug(t)))
}

fn index_name(k: usize) -> String {
    match k {
        1 => "index.html".to_string(),
        _ => format!("page-{k}.html"),
    }
}

/// The templates and what every page's header needs.
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
