//! A postmortem's markdown as HTML that is safe to publish: no script, no event
//! handler, no `javascript:` (or `data:`, `vbscript:`...) link survives.
//!
//! Markdown without raw HTML is rendered by pulldown-cmark, which escapes all text,
//! with every link and image address checked here. When a postmortem contains raw HTML
//! the rendered page also goes through ammonia's allow-list sanitiser.

use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

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

/// Whether `url` loads from another site (`https://...`, `//host/...`).
pub fn remote(url: &str) -> bool {
    let u: String = url
        .chars()
        .filter(|c| !c.is_ascii_control() && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
        .replace('\\', "/");
    u.starts_with("//") || u.starts_with("http:") || u.starts_with("https:")
}

/// The allow-list sanitiser; unless `remote_images`, an image's remote `src` is removed
/// (its alt text stays).
fn sanitizer(remote_images: bool) -> &'static ammonia::Builder<'static> {
    static LOCAL: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    static REMOTE: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let make = move || {
        let mut b = ammonia::Builder::default();
        b.url_schemes(["http", "https", "mailto"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer"))
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled", "aria-label"]);
        if !remote_images {
            b.attribute_filter(|element, attribute, value| {
                if matches!(attribute, "src" | "srcset") && element == "img" && remote(value) {
                    None
                } else {
                    Some(value.into())
                }
            });
        }
        b
    };
    if remote_images {
        REMOTE.get_or_init(make)
    } else {
        LOCAL.get_or_init(make)
    }
}

/// Tags a postmortem may use as markup: formatting and structure the sanitiser keeps
/// (with their content). Any other tag (`<script>`, `<style>`, `<template>`, `<math>`,
/// a custom element...) is the author writing *about* a tag, and is shown as text.
const MARKUP: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// A tag in a postmortem's raw HTML that is shown as text, not used as markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownAsText {
    /// Byte offset of its `<` in the text given to [`neutralise`].
    pub offset: usize,
    /// The tag as written, up to its name (`<script`, `</style`, `<!--`).
    pub tag: String,
}

/// `markdown` with every raw-HTML tag that is not [`MARKUP`] turned into text (its `<`
/// written `&lt;`), so that a sentence mentioning `<script>` or an unclosed `<!--` cannot
/// swallow the rest of the page. Only the part from byte `start` (after front matter)
/// is looked at. Borrowed, and no tags listed, when there is nothing to change.
pub fn neutralise(markdown: &str, start: usize) -> (std::borrow::Cow<'_, str>, Vec<ShownAsText>) {
    use std::borrow::Cow;
    let mut text: Cow<str> = Cow::Borrowed(markdown);
    let mut shown = Vec::new();
    if !markdown.as_bytes()[start.min(markdown.len())..].contains(&b'<') {
        return (text, shown);
    }
    // Offsets in the original text of the `<`s already escaped, to report them.
    let mut escaped: Vec<usize> = Vec::new();
    // Escaping one tag can turn the HTML block it started into markdown with more raw
    // HTML in it; a few rounds settle it, and the renderer escapes anything left.
    for _ in 0..8 {
        let body = &text[start..];
        let mut found: Vec<(usize, String)> = Vec::new();
        // Inside an HTML block that a tag shown as text starts: only that tag is
        // escaped this round, and the block is markdown again the next (a code span
        // in it stays code).
        let mut skip_block = false;
        for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
            match &event {
                Event::Start(Tag::HtmlBlock) => {
                    let first = body[range.clone()]
                        .find('<')
                        .map(|i| start + range.start + i);
                    if let Some(at) = first
                        && let Some(tag) = not_markup(&text[at..])
                    {
                        found.push((at, tag));
                        skip_block = true;
                    }
                    continue;
                }
                Event::End(TagEnd::HtmlBlock) => {
                    skip_block = false;
                    continue;
                }
                _ if skip_block => continue,
                _ => {}
            }
            if let Event::Html(_) | Event::InlineHtml(_) = event {
                let raw = &body[range.clone()];
                for (i, _) in raw.match_indices('<') {
                    let at = start + range.start + i;
                    if let Some(tag) = not_markup(&text[at..]) {
                        found.push((at, tag));
                    }
                }
            }
        }
        if found.is_empty() {
            break;
        }
        found.sort();
        found.dedup();
        let mut out = String::with_capacity(text.len() + found.len() * 3);
        let mut last = 0;
        for (at, tag) in &found {
            out.push_str(&text[last..*at]);
            out.push_str("&lt;");
            last = at + 1;
            // Back to an offset in the original: three bytes per `&lt;` written before.
            let before = escaped.iter().filter(|&&p| p < *at).count();
            shown.push(ShownAsText {
                offset: at - 3 * before,
                tag: tag.clone(),
            });
        }
        out.push_str(&text[last..]);
        let shift = |p: usize| p + 3 * found.iter().filter(|(a, _)| *a < p).count();
        escaped = escaped
            .iter()
            .map(|&p| shift(p))
            .chain(found.iter().map(|(a, _)| shift(*a)))
            .collect();
        text = Cow::Owned(out);
    }
    shown.sort_by_key(|s| s.offset);
    (text, shown)
}

/// The tag starting `html` (at a `<`) when it is not markup a postmortem may use.
fn not_markup(html: &str) -> Option<String> {
    let rest = &html[1..];
    if rest.starts_with("!--") {
        // A comment is the author's note, hidden as usual, unless it never ends.
        return (!rest.contains("-->")).then(|| "<!--".to_string());
    }
    let name_start = usize::from(rest.starts_with('/'));
    let name: String = rest[name_start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
        .collect();
    if name.is_empty() {
        // `<!DOCTYPE`, `<?php`, `<![CDATA[`: not markup for a postmortem.
        let head: String = html.chars().take(2).collect();
        return Some(head);
    }
    if MARKUP.contains(&name.to_ascii_lowercase().as_str()) {
        return None;
    }
    Some(format!("<{}{name}", if name_start == 1 { "/" } else { "" }))
}

/// How to render a postmortem.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Load images from other sites (`[site] remote_images`); off, they become links.
    pub remote_images: bool,
}

/// The HTML for `markdown` (front matter already removed). The first level-1 heading
/// is left out: pages show the title, from the same text, above everything else.
pub fn render(markdown: &str, how: RenderOptions) -> Rendered {
    let (markdown, _) = neutralise(markdown, 0);
    let mut raw_html = false;
    // A line starting in bold after a soft break is a `**Key**: value` line: keep the
    // break, as the writer meant (they list metadata one per line).
    let mut parser = Parser::new_ext(&markdown, options()).peekable();
    let mut lines = std::iter::from_fn(move || {
        let e = parser.next()?;
        Some(match e {
            Event::SoftBreak if matches!(parser.peek(), Some(Event::Start(Tag::Strong))) => {
                Event::HardBreak
            }
            e => e,
        })
    });
    // For each image open: whether it became a link (a remote image not loaded).
    let mut images: Vec<bool> = Vec::new();
    let events = std::iter::from_fn(|| lines.next()).flat_map(|e| -> Vec<Event> {
        match e {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => vec![Event::Start(Tag::Link {
                link_type,
                dest_url: checked(dest_url),
                title,
                id,
            })],
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = checked(dest_url);
                if !how.remote_images && remote(&dest_url) {
                    images.push(true);
                    vec![
                        Event::Start(Tag::Link {
                            link_type,
                            dest_url,
                            title,
                            id,
                        }),
                        Event::Text(CowStr::Borrowed("Remote image (not loaded): ")),
                    ]
                } else {
                    images.push(false);
                    vec![Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })]
                }
            }
            Event::End(TagEnd::Image) => {
                if images.pop() == Some(true) {
                    vec![Event::End(TagEnd::Link)]
                } else {
                    vec![Event::End(TagEnd::Image)]
                }
            }
            Event::TaskListMarker(done) => vec![Event::InlineHtml(CowStr::Borrowed(if done {
                "<input type=\"checkbox\" disabled=\"\" checked=\"\" aria-label=\"done\"> "
            } else {
                "<input type=\"checkbox\" disabled=\"\" aria-label=\"not done\"> "
            }))],
            Event::Html(_) | Event::InlineHtml(_) => {
                raw_html = true;
                vec![e]
            }
            other => vec![other],
        }
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, events);
    let out = if raw_html {
        sanitizer(how.remote_images).clean(&out).to_string()
    } else {
        out
    };
    // Blocks that may scroll sideways can be scrolled from the keyboard.
    let mut out = out
        .replace("<pre>", "<pre tabindex=\"0\">")
        .replace("<table>", "<table tabindex=\"0\">");
    // The first level-1 heading is the page's title, shown above everything else.
    // Text is escaped, so `<h1>` here is the tag.
    let title = out.find("<h1>").and_then(|start| {
        let end = start + out[start..].find("</h1>")?;
        let inner = out[start + 4..end].to_string();
        let mut close = end + 5;
        if out[close..].starts_with('\n') {
            close += 1;
        }
        out.replace_range(start..close, "");
        Some(inner)
    });
    Rendered { title, body: out }
}

/// A postmortem rendered: its title (the first level-1 heading's HTML) and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: Option<String>,
    pub body: String,
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
        let html = render(hostile, RenderOptions::default()).body;
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
        assert!(
            !html.contains("<h1>"),
            "the title is shown by the page: {html}"
        );
    }

    #[test]
    fn plain_markdown_renders_as_usual() {
        let html = render(
            "# Title\n\n## Timeline\n\n| t | e |\n|---|---|\n| 09:01 | ✅ up |\n\n- [x] done\n\n`rsync --delete`\n",
            RenderOptions::default(),
        );
        assert_eq!(html.title.as_deref(), Some("Title"));
        let html = html.body;
        assert!(
            !html.contains("Title"),
            "the title is the page's, not the body's: {html}"
        );
        assert!(html.contains("<table tabindex=\"0\">") && html.contains("✅ up"));
        assert!(html.contains("<code>rsync --delete</code>"));
        assert!(html.contains("checkbox"));
    }

    #[test]
    fn metadata_lines_keep_their_breaks() {
        let html = render(
            "**Date**: today\n**Status**: ✅ RESOLVED\nand more text\n",
            RenderOptions::default(),
        )
        .body;
        assert!(
            html.contains("today<br />\n<strong>Status</strong>"),
            "{html}"
        );
        assert!(html.contains("RESOLVED\nand more"), "{html}");
    }

    #[test]
    fn every_word_stays_when_a_sentence_names_a_tag() {
        let md = "# T\n\nThe layout dropped the <script> tag that loads analytics.\n\n\
                  <style> block, `<template>` and <math><style> too.\n\n<template>\n\n\
                  ## Root Cause\n\n<!-- An unclosed comment\n\n## Timeline\n\n- 09:00 up\n\n\
                  ## Lessons\n\n<b>Bold</b> stays markup.\n";
        let html = render(md, RenderOptions::default()).body;
        for words in [
            "dropped the &lt;script&gt; tag that loads analytics",
            "&lt;style&gt; block",
            "<code>&lt;template&gt;</code>",
            "&lt;math&gt;&lt;style&gt; too",
            "<h2>Root Cause</h2>",
            "&lt;!-- An unclosed comment",
            "<h2>Timeline</h2>",
            "<h2>Lessons</h2>",
            "<b>Bold</b> stays markup",
        ] {
            assert!(html.contains(words), "{words:?} missing from {html}");
        }
        let (_, shown) = neutralise(md, 0);
        let tags: Vec<&str> = shown.iter().map(|s| s.tag.as_str()).collect();
        assert_eq!(
            tags,
            ["<script", "<style", "<math", "<style", "<template", "<!--"]
        );
        assert_eq!(&md[shown[0].offset..shown[0].offset + 7], "<script");
        assert_eq!(&md[shown[5].offset..shown[5].offset + 4], "<!--");
    }

    #[test]
    fn remote_images_are_links_unless_allowed() {
        let md = "![chart](https://cdn.example/c.png) ![local](img/a.png)\n\n\
                  <img src=\"https://track.example/p.gif\" alt=\"pixel\"> <img src=\"//x.example/a\">\n";
        let html = render(md, RenderOptions::default()).body;
        assert!(
            !html.contains("src=\"https:") && !html.contains("src=\"//"),
            "{html}"
        );
        assert!(
            html.contains(
                "<a href=\"https://cdn.example/c.png\" rel=\"noopener noreferrer\">Remote image (not loaded): chart</a>"
            ),
            "{html}"
        );
        assert!(html.contains("src=\"img/a.png\""), "{html}");
        assert!(html.contains("alt=\"pixel\""), "{html}");
        let html = render(
            md,
            RenderOptions {
                remote_images: true,
            },
        )
        .body;
        assert!(
            html.contains("<img src=\"https://cdn.example/c.png\""),
            "{html}"
        );
        assert!(
            html.contains("src=\"https://track.example/p.gif\""),
            "{html}"
        );
        for r in ["https://a", "HTTP://a", "//a", " \\\\a", "ht\ttps://a"] {
            assert!(remote(r), "{r:?}");
        }
        for r in ["a.png", "/a.png", "x.html?q=a:b", "#a", "mailto:a@b"] {
            assert!(!remote(r), "{r:?}");
        }
    }

    #[test]
    fn task_boxes_are_labelled_and_code_scrolls_from_the_keyboard() {
        let html = render(
            "- [x] a\n- [ ] b\n\n```\nx\n```\n",
            RenderOptions::default(),
        )
        .body;
        assert!(html.contains("aria-label=\"done\""), "{html}");
        assert!(html.contains("aria-label=\"not done\""), "{html}");
        assert!(html.contains("<pre tabindex=\"0\">"), "{html}");
    }
}
