//! A postmortem's markdown as HTML that is safe to publish: no script, no event
//! handler, no `javascript:` (or `data:`, `vbscript:`...) link survives.
//!
//! Markdown without raw HTML is rendered by pulldown-cmark, which escapes all text,
//! with every link and image address checked here. When a postmortem contains raw HTML
//! the rendered page also goes through ammonia's allow-list sanitiser.

use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// Whether a link or image address may appear on the page: relative, fragment, or
/// http(s)/mailto. Browsers ignore tabs, newlines and leading controls in a scheme
/// (`java\tscript:`), so those are removed before looking.
pub fn safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_control() && !c.is_whitespace())
        .collect();
    let end = cleaned.find([':', '/', '?', '#']).unwrap_or(cleaned.len());
    if !cleaned[end..].starts_with(':') {
        return true;
    }
    let scheme = cleaned[..end].to_ascii_lowercase();
    matches!(scheme.as_str(), "http" | "https" | "mailto")
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(["http", "https", "mailto"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer"))
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"]);
        b
    })
}

/// The HTML for `markdown` (front matter already removed).
pub fn render(markdown: &str) -> String {
    let mut raw_html = false;
    // A line starting in bold after a soft break is a `**Key**: value` line: keep the
    // break, as the writer meant (they list metadata one per line).
    let mut parser = Parser::new_ext(markdown, options()).peekable();
    let mut lines = std::iter::from_fn(move || {
        let e = parser.next()?;
        Some(match e {
            Event::SoftBreak if matches!(parser.peek(), Some(Event::Start(Tag::Strong))) => {
                Event::HardBreak
            }
            e => e,
        })
    });
    let events = std::iter::from_fn(|| lines.next()).map(|e| match e {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: checked(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: checked(dest_url),
            title,
            id,
        }),
        Event::Html(_) | Event::InlineHtml(_) => {
            raw_html = true;
            e
        }
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, events);
    if raw_html {
        sanitizer().clean(&out).to_string()
    } else {
        out
    }
}

fn checked(url: CowStr<'_>) -> CowStr<'_> {
    if safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#unsafe-link-removed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "https://x.io/a",
            "http://x",
            "mailto:a@b.c",
            "/a/b",
            "../x.md",
            "#top",
            "x.html?q=a:b",
            "",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "java\tscript:x",
            " \x01javascript:x",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
        ] {
            assert!(!safe_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn hostile_markdown_loses_every_way_to_run_script() {
        let hostile = r#"# Outage

<script>alert(1)</script>
<img src=x onerror="alert(2)">
<a href="javascript:alert(3)">click</a>
<div onclick="alert(4)" style="background:url(javascript:alert(5))">box</div>
<iframe src="https://evil.example"></iframe>
<svg><script>alert(6)</script></svg>
<form action="https://evil.example"><input name=x></form>

[markdown link](javascript:alert(7)) and [entity](&#106;avascript:alert(8))
![img](javascript:alert(9)) <https://fine.example/ok>
[spaced](java	script:alert(10))
"#;
        let html = render(hostile);
        let lower = html.to_ascii_lowercase();
        for needle in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<iframe",
            "<form",
            "style=",
            "alert(",
        ] {
            if needle == "alert(" {
                // Escaped text may still say alert( harmlessly; it must not be inside a tag.
                assert!(!lower.contains("\"alert("), "{needle}: {html}");
                continue;
            }
            assert!(!lower.contains(needle), "{needle} survived: {html}");
        }
        assert!(html.contains("https://fine.example/ok"));
        assert!(html.contains("<h1>Outage</h1>"));
    }

    #[test]
    fn plain_markdown_renders_as_usual() {
        let html = render(
            "## Timeline\n\n| t | e |\n|---|---|\n| 09:01 | ✅ up |\n\n- [x] done\n\n`rsync --delete`\n",
        );
        assert!(html.contains("<table>") && html.contains("✅ up"));
        assert!(html.contains("<code>rsync --delete</code>"));
        assert!(html.contains("checkbox"));
    }

    #[test]
    fn metadata_lines_keep_their_breaks() {
        let html = render("**Date**: today\n**Status**: ✅ RESOLVED\nand more text\n");
        assert!(
            html.contains("today<br />\n<strong>Status</strong>"),
            "{html}"
        );
        assert!(html.contains("RESOLVED\nand more"), "{html}");
    }
}
