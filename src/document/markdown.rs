//! The pulldown-cmark event walk that builds a `Document`.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::{Block, Document, FrontMatter, Meta, Section};
use crate::taxonomy::{self, SectionKind};

/// Bold pseudo-headings sit below every markdown heading level.
const PSEUDO_LEVEL: u8 = 7;

/// Byte offset to 1-based line number.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }

    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset)
    }
}

/// Text being gathered for the block under construction.
#[derive(Default)]
struct Inline {
    text: String,
    start: usize,
    /// Only strong text (and punctuation) so far: a pseudo-heading candidate.
    all_strong: bool,
    strong_depth: usize,
    /// Text after the line a `•` item ended on (`Thread for questions` under the
    /// last bullet): a paragraph of its own, not more of the item.
    tail: Option<String>,
}

impl Inline {
    fn push(&mut self, s: &str) {
        if let Some(t) = &mut self.tail {
            t.push_str(s);
            return;
        }
        if self.strong_depth == 0 && !s.trim().chars().all(|c| c == ':') {
            self.all_strong = false;
        }
        self.text.push_str(s);
    }
}

struct ListItem {
    /// Block index of this item once its own text is flushed.
    block: Option<usize>,
    checked: Option<bool>,
    start: usize,
}

struct Walker<'a> {
    src: &'a str,
    /// Offsets of `•` bullets read as list markers (see `with_list_bullets`).
    bullets: Vec<usize>,
    lines: Lines,
    doc: Document,
    /// Open sections, outermost first.
    open: Vec<usize>,
    inline: Option<Inline>,
    heading: Option<u8>,
    items: Vec<ListItem>,
    quote_depth: usize,
    /// Inside an image: its alt text describes a picture, it is no statement.
    image_depth: usize,
    code: Option<(String, usize, String)>,
    table: Option<(Vec<Vec<String>>, usize, Vec<usize>)>,
}

/// Walk the markdown of `src` (front matter already split off as `fm`).
pub(super) fn walk(src: &str, fm: FrontMatter) -> Document {
    let (converted, bullets) = with_list_bullets(src, fm.len);
    let src = converted.as_deref().unwrap_or(src);
    let body_line = fm.body_line.max(1);
    let preamble = Section {
        kind: SectionKind::Other,
        effective: SectionKind::Other,
        heading: String::new(),
        level: 0,
        line: body_line,
        parent: None,
        blocks: Vec::new(),
    };
    let mut w = Walker {
        src,
        bullets,
        lines: Lines::new(src),
        doc: Document {
            front_matter: fm,
            sections: vec![preamble],
            ..Document::default()
        },
        open: vec![0],
        inline: None,
        heading: None,
        items: Vec::new(),
        quote_depth: 0,
        image_depth: 0,
        code: None,
        table: None,
    };
    let body_start = w.doc.front_matter.len;
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    for (event, range) in Parser::new_ext(&src[body_start..], opts).into_offset_iter() {
        let range = range.start + body_start..range.end + body_start;
        w.event(event, range);
    }
    w.flush_item();
    w.doc
}

impl Walker<'_> {
    fn current(&self) -> usize {
        *self.open.last().unwrap_or(&0)
    }

    fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(t) => {
                if let Some((_, _, code)) = &mut self.code {
                    code.push_str(&t);
                } else if self.image_depth == 0
                    && let Some(i) = &mut self.inline
                {
                    i.push(&t);
                }
            }
            Event::Code(t) => {
                if let Some(i) = &mut self.inline {
                    i.push(&format!("`{t}`"));
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                let lazy = self.lazy_after_bullet(range.end);
                if let Some(i) = &mut self.inline {
                    i.push(" ");
                    if lazy && i.tail.is_none() {
                        i.tail = Some(String::new());
                    }
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                let line = self.line(range.start);
                if self.doc.html_lines.last() != Some(&line) {
                    self.doc.html_lines.push(line);
                }
            }
            Event::TaskListMarker(done) => {
                if let Some(item) = self.items.last_mut() {
                    item.checked = Some(done);
                }
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush_item();
                self.heading = Some(level as u8);
                self.begin_inline(range.start);
            }
            Tag::Paragraph => {
                if self.items.is_empty() || self.inline.is_none() {
                    self.begin_inline(range.start);
                } else if let Some(i) = &mut self.inline {
                    // A second paragraph inside a list item continues its text.
                    i.push(" ");
                }
                self.scan_metadata(range);
            }
            Tag::Item => {
                self.flush_item();
                self.items.push(ListItem {
                    block: None,
                    checked: None,
                    start: range.start,
                });
                self.begin_inline(range.start);
                let first_line = self.src[range.clone()]
                    .find('\n')
                    .map_or(range.end, |n| range.start + n);
                self.scan_metadata(range.start..first_line);
            }
            Tag::List(_) => self.flush_item(),
            Tag::BlockQuote(_) => self.quote_depth += 1,
            Tag::CodeBlock(kind) => {
                self.flush_item();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                let line = self.line(range.start);
                self.code = Some((lang, line, String::new()));
            }
            Tag::Table(_) => self.table = Some((Vec::new(), self.line(range.start), Vec::new())),
            Tag::TableHead | Tag::TableRow => {
                let line = self.line(range.start);
                if let Some((rows, _, lines)) = &mut self.table {
                    rows.push(Vec::new());
                    lines.push(line);
                }
            }
            Tag::TableCell => self.begin_inline(range.start),
            // Slack writes bold as `*Follow-ups:*`, which markdown reads as emphasis.
            Tag::Strong | Tag::Emphasis => {
                if let Some(i) = &mut self.inline {
                    i.strong_depth += 1;
                }
            }
            Tag::Image { .. } => self.image_depth += 1,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            TagEnd::Heading(_) => {
                let level = self.heading.take().unwrap_or(1);
                if let Some(inline) = self.inline.take() {
                    self.open_section(clean(&inline.text), level, self.line(range.start));
                }
            }
            TagEnd::Paragraph => {
                if !self.items.is_empty() {
                    return;
                }
                if let Some(inline) = self.inline.take() {
                    self.finish_paragraph(inline, range.end);
                }
            }
            TagEnd::Item => {
                self.flush_item();
                self.items.pop();
                if !self.items.is_empty() {
                    // Text after a nested list belongs to no block worth keeping.
                    self.inline = None;
                }
            }
            TagEnd::BlockQuote(_) => self.quote_depth = self.quote_depth.saturating_sub(1),
            TagEnd::CodeBlock => {
                if let Some((lang, line, text)) = self.code.take() {
                    self.push_block(Block::Code { lang, text, line });
                }
            }
            TagEnd::TableCell => {
                let cell = self
                    .inline
                    .take()
                    .map(|i| clean(&i.text))
                    .unwrap_or_default();
                if let Some((rows, _, _)) = &mut self.table
                    && let Some(row) = rows.last_mut()
                {
                    row.push(cell);
                }
            }
            TagEnd::Table => {
                if let Some((rows, line, row_lines)) = self.table.take() {
                    self.key_value_rows(&rows, &row_lines);
                    self.push_block(Block::Table {
                        rows,
                        line,
                        row_lines,
                    });
                }
            }
            TagEnd::Image => self.image_depth = self.image_depth.saturating_sub(1),
            TagEnd::Strong | TagEnd::Emphasis => {
                if let Some(i) = &mut self.inline {
                    i.strong_depth = i.strong_depth.saturating_sub(1);
                }
            }
            _ => {}
        }
    }

    fn begin_inline(&mut self, start: usize) {
        self.inline = Some(Inline {
            start,
            all_strong: true,
            ..Inline::default()
        });
    }

    /// Emit the innermost list item's own text, once, before its children.
    fn flush_item(&mut self) {
        let Some(top) = self.items.len().checked_sub(1) else {
            return;
        };
        if self.items[top].block.is_some() {
            return;
        }
        let Some(inline) = self.inline.take() else {
            return;
        };
        let text = clean(&inline.text);
        let line = self.line(self.items[top].start);
        // `1. SUMMARY` in a memo without markdown headings is a heading.
        if top == 0
            && let Some(name) = caps_heading(&text)
        {
            self.open_section(name.to_string(), PSEUDO_LEVEL, line);
            return;
        }
        let parent = top.checked_sub(1).and_then(|p| self.items[p].block);
        let checked = self.items[top].checked;
        let idx = self.push_block(Block::Item {
            text,
            line,
            depth: top,
            parent,
            checked,
        });
        self.items[top].block = Some(idx);
        if let Some(tail) = inline.tail.map(|t| clean(&t)).filter(|t| !t.is_empty()) {
            let line = line + 1;
            self.push_block(Block::Paragraph { text: tail, line });
        }
    }

    /// The last line of the paragraph at `start..end` when it is an emphasised label
    /// naming a section (`*Follow-ups:*`) below other lines, with its offset.
    fn trailing_label(&self, start: usize, end: usize) -> Option<(String, usize)> {
        let src = self.src.get(start..end)?.trim_end();
        let nl = src.rfind('\n')?;
        let last = &src[nl + 1..];
        let c =
            regex!(r"^\s*(?:\*\*?|__?)([^*_\n]{1,60}?)(?::(?:\*\*?|__?)|(?:\*\*?|__?)\s*:)\s*$")
                .captures(last)?;
        let label = clean(&c[1]);
        (taxonomy::classify(&label) != SectionKind::Other && label.split_whitespace().count() <= 8)
            .then(|| (label, start + nl + 1))
    }

    /// Whether the line at `next` continues a `•` item only lazily: the item began
    /// with a converted bullet and the line is neither indented nor a bullet.
    fn lazy_after_bullet(&self, next: usize) -> bool {
        let Some(item) = self.items.last() else {
            return false;
        };
        let rest = &self.src[next.min(self.src.len())..];
        self.bullets.binary_search(&item.start).is_ok()
            && !rest.starts_with([' ', '\t'])
            && self.bullets.binary_search(&next).is_err()
    }

    fn finish_paragraph(&mut self, inline: Inline, end: usize) {
        let text = clean(&inline.text);
        if text.is_empty() {
            return;
        }
        let line = self.line(inline.start);
        // `*Fix:* reverted it.` then `*Follow-ups:*` on the paragraph's last line, right
        // above its list (a Slack recap): the text, then a section for the list.
        if let Some((label, at)) = self.trailing_label(inline.start, end)
            && let Some(before) = text.strip_suffix(&format!("{label}:"))
        {
            let before = before.trim();
            if !before.is_empty() {
                self.push_block(Block::Paragraph {
                    text: before.to_string(),
                    line,
                });
            }
            self.open_section(label, PSEUDO_LEVEL, self.line(at));
            return;
        }
        if self.quote_depth == 0
            && let Some(name) = caps_heading(&text)
        {
            self.open_section(name.to_string(), PSEUDO_LEVEL, line);
            return;
        }
        if inline.all_strong && self.quote_depth == 0 && text.ends_with(':') {
            let name = text.trim_end_matches(':').trim();
            let kind = taxonomy::classify(name);
            if kind != SectionKind::Other && name.split_whitespace().count() <= 8 {
                self.open_section(name.to_string(), PSEUDO_LEVEL, line);
                return;
            }
        }
        self.push_block(Block::Paragraph { text, line });
    }

    fn open_section(&mut self, heading: String, level: u8, line: usize) {
        while self.open.len() > 1 && self.doc.sections[self.current()].level >= level {
            self.open.pop();
        }
        let parent = self.current();
        let kind = if level == 1 {
            taxonomy::classify_title(&heading)
        } else {
            taxonomy::classify(&heading)
        };
        if level == 1 && self.doc.h1.is_none() {
            self.doc.h1 = Some(heading.clone());
        }
        // The preamble (index 0) is nobody's parent.
        let parent = (parent != 0).then_some(parent);
        let effective = match parent {
            Some(p) if kind == SectionKind::Other => self.doc.sections[p].effective,
            // Action items filed in buckets (`### Mitigation`, `### Detection` under
            // `## Action items`) are action items still.
            Some(p)
                if matches!(kind, SectionKind::Resolution | SectionKind::Detection)
                    && self.doc.sections[p].effective == SectionKind::ActionItems =>
            {
                self.doc.sections[p].effective
            }
            _ => kind,
        };
        self.doc.sections.push(Section {
            kind,
            effective,
            heading,
            level,
            line,
            parent,
            blocks: Vec::new(),
        });
        self.open.push(self.doc.sections.len() - 1);
    }

    fn push_block(&mut self, block: Block) -> usize {
        let cur = self.current();
        let blocks = &mut self.doc.sections[cur].blocks;
        blocks.push(block);
        blocks.len() - 1
    }

    /// A two-column table of `key | value` rows under an empty or `Field | Value` header
    /// (the metadata block of many templates) gives metadata, as `**Key**: value` does.
    fn key_value_rows(&mut self, rows: &[Vec<String>], row_lines: &[usize]) {
        let Some(header) = rows.first() else {
            return;
        };
        let named = |h: &str| {
            matches!(
                h.to_ascii_lowercase().as_str(),
                "" | "key"
                    | "field"
                    | "property"
                    | "attribute"
                    | "item"
                    | "value"
                    | "details"
                    | "detail"
                    | "info"
                    | "information"
            )
        };
        if header.len() != 2 || !header.iter().all(|h| named(h)) || rows.len() < 2 {
            return;
        }
        let section = self.current();
        for (row, line) in rows[1..].iter().zip(row_lines.iter().skip(1)) {
            if let [key, value] = row.as_slice()
                && !key.is_empty()
                && key.len() <= 60
            {
                self.doc.metadata.push(Meta {
                    key: key.trim_end_matches(':').to_string(),
                    value: value.clone(),
                    line: *line,
                    section,
                });
            }
        }
    }

    /// Collect `**Key**: value` lines in the source of a paragraph or item.
    fn scan_metadata(&mut self, range: Range<usize>) {
        let re = regex!(
            r"^\s*(?:>\s*)*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)([^*_\n]{1,60}?)(?::(?:\*\*|__)|(?:\*\*|__)\s*:)[ \t]*(.*)$"
        );
        let section = self.current();
        let mut offset = range.start;
        for raw in self.src[range].split_inclusive('\n') {
            if let Some(c) = re.captures(raw.trim_end()) {
                let key = clean(&c[1]);
                let value = clean(&c[2].replace("**", ""));
                let line = self.line(offset);
                let seen = self.doc.metadata.last().is_some_and(|m| m.line == line);
                if !key.is_empty() && !seen {
                    self.doc.metadata.push(Meta {
                        key,
                        value,
                        line,
                        section,
                    });
                }
            }
            offset += raw.len();
        }
    }
}

/// A line in capitals that names a section (`ROOT CAUSE`, `LESSONS LEARNED:`): how
/// memos and plain-text reports mark their parts.
fn caps_heading(text: &str) -> Option<&str> {
    let name = text.trim().trim_end_matches(':').trim();
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    let caps = name.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
    // Word for word a heading templates use; a placeholder (`TODO`) is none.
    let placeholder = ["TODO", "TBD", "FIXME", "XXX"]
        .iter()
        .any(|p| name.starts_with(p));
    (letters >= 3
        && !placeholder
        && caps
        && name.split_whitespace().count() <= 6
        && taxonomy::is_heading_text(name))
    .then_some(name)
}

/// Bullets written as characters (`• item`, as Slack and mail clients paste them)
/// replaced by a markdown marker of the same byte length, so that they are list items
/// and every offset and line stays the source's. Code fences are left alone. Also the
/// offsets of the markers replaced, in order.
fn with_list_bullets(src: &str, body_start: usize) -> (Option<String>, Vec<usize>) {
    const BULLETS: [char; 5] = ['•', '◦', '▪', '‣', '●'];
    if !src[body_start..].contains(BULLETS) {
        return (None, Vec::new());
    }
    let mut out = String::with_capacity(src.len());
    out.push_str(&src[..body_start]);
    let mut at = Vec::new();
    let mut fence = false;
    for line in src[body_start..].split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        if rest.starts_with("```") || rest.starts_with("~~~") {
            fence = !fence;
        }
        let bullet = rest
            .chars()
            .next()
            .filter(|c| !fence && indent <= 3 && BULLETS.contains(c))
            .filter(|c| rest[c.len_utf8()..].starts_with([' ', '\t']));
        match bullet {
            Some(c) => {
                at.push(out.len() + indent);
                out.push_str(&line[..indent]);
                // `-` and spaces, as many bytes as the bullet.
                out.push('-');
                out.extend(std::iter::repeat_n(' ', c.len_utf8() - 1));
                out.push_str(&rest[c.len_utf8()..]);
            }
            None => out.push_str(line),
        }
    }
    (Some(out), at)
}

/// Collapse whitespace and drop emphasis markers left in the text.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
