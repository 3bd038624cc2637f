//! The Atom feed (newest incidents first) and the sitemap. Both are dated only by the
//! incidents themselves, never by the build, so a rebuild changes nothing.

use std::fmt::Write;

/// One entry, newest first.
pub(super) struct Entry<'a> {
    pub page: &'a str,
    pub id: &'a str,
    pub title: &'a str,
    pub date: &'a str,
    pub summary: &'a str,
}

/// Text for XML content and attribute values.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// `base` (the configured site URL, or empty for root-relative links) joined to a path.
fn link(base: &str, path: &str) -> String {
    if base.is_empty() {
        format!("/{path}")
    } else {
        format!("{base}{path}")
    }
}

pub(super) fn atom(title: &str, base: &str, entries: &[Entry]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    let feed_id = if base.is_empty() {
        "urn:hindsight:site".to_string()
    } else {
        base.to_string()
    };
    let updated = entries.first().map_or("1970-01-01", |e| e.date);
    let _ = writeln!(x, "  <title>{}</title>", escape(title));
    let _ = writeln!(x, "  <id>{}</id>", escape(&feed_id));
    let _ = writeln!(x, "  <updated>{updated}T00:00:00Z</updated>");
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" href=\"{}\"/>",
        escape(&link(base, "index.html"))
    );
    let _ = writeln!(
        x,
        "  <link rel=\"self\" href=\"{}\"/>",
        escape(&link(base, "feed.xml"))
    );
    let _ = writeln!(x, "  <generator>hindsight</generator>");
    for e in entries {
        let id = if base.is_empty() {
            format!("urn:hindsight:incident:{}", e.id)
        } else {
            link(base, e.page)
        };
        x.push_str("  <entry>\n");
        let _ = writeln!(x, "    <title>{}</title>", escape(e.title));
        let _ = writeln!(x, "    <id>{}</id>", escape(&id));
        let _ = writeln!(x, "    <link href=\"{}\"/>", escape(&link(base, e.page)));
        let _ = writeln!(x, "    <updated>{}T00:00:00Z</updated>", e.date);
        let _ = writeln!(x, "    <author><name>hindsight</name></author>");
        if !e.summary.is_empty() {
            let _ = writeln!(x, "    <summary>{}</summary>", escape(e.summary));
        }
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

pub(super) fn sitemap(base: &str, pages: &[String]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in pages {
        let _ = writeln!(x, "  <url><loc>{}</loc></url>", escape(&link(base, p)));
    }
    x.push_str("</urlset>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_is_dated_by_its_newest_entry_and_escaped() {
        let entries = [Entry {
            page: "incidents/a.html",
            id: "a",
            title: "Tom & Jerry <x>",
            date: "2026-01-02",
            summary: "s\u{1}",
        }];
        let f = atom("Ops", "https://x.example/", &entries);
        assert!(f.contains("<updated>2026-01-02T00:00:00Z</updated>"));
        assert!(f.contains("Tom &amp; Jerry &lt;x&gt;"));
        assert!(f.contains("<id>https://x.example/incidents/a.html</id>"));
        assert!(!f.contains('\u{1}'));
        let rel = atom("Ops", "", &entries);
        assert!(
            rel.contains("urn:hindsight:incident:a") && rel.contains("href=\"/incidents/a.html\"")
        );
    }

    #[test]
    fn sitemap_lists_pages() {
        let s = sitemap(
            "https://x.example/",
            &["index.html".into(), "rules.html".into()],
        );
        assert!(s.contains("<loc>https://x.example/rules.html</loc>"));
    }
}
