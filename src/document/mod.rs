//! A postmortem's markdown as a tree of sections holding blocks of plain text.
//!
//! pulldown-cmark events, with source offsets for line numbers, become sections (ATX
//! and setext headings, and bold pseudo-headings such as `**Root causes:**`) that hold
//! paragraphs, list items, code blocks and tables as plain text (inline code kept in
//! backticks). `**Key**: value` lines are collected as metadata.

pub mod frontmatter;
mod markdown;

pub use frontmatter::FrontMatter;

use crate::taxonomy::SectionKind;

/// A parsed postmortem.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub front_matter: FrontMatter,
    /// Text of the first level-1 heading.
    pub h1: Option<String>,
    /// Sections in document order. Index 0 is the preamble before the first heading.
    pub sections: Vec<Section>,
    /// `**Key**: value` lines.
    pub metadata: Vec<Meta>,
    /// Raw HTML seen in the body (for lint and the site's sanitiser to report).
    pub html_lines: Vec<usize>,
}

/// One section: a heading and what follows it up to the next heading of its level.
#[derive(Debug, Clone)]
pub struct Section {
    /// Canonical kind; an `Other` subsection inherits its parent's kind in `effective`.
    pub kind: SectionKind,
    /// The kind that applies to the content: own kind, else the nearest ancestor's.
    pub effective: SectionKind,
    /// The heading as written, markup removed.
    pub heading: String,
    /// 1-6 for markdown headings, deeper for bold pseudo-headings; 0 for the preamble.
    pub level: u8,
    /// 1-based line of the heading.
    pub line: usize,
    pub parent: Option<usize>,
    pub blocks: Vec<Block>,
}

/// Content of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph {
        text: String,
        line: usize,
    },
    Item {
        text: String,
        line: usize,
        /// 0 for a top-level item.
        depth: usize,
        /// Index of the enclosing item's block in this section, for nested lists.
        parent: Option<usize>,
        checked: Option<bool>,
    },
    Code {
        lang: String,
        text: String,
        line: usize,
    },
    Table {
        /// Header row first.
        rows: Vec<Vec<String>>,
        line: usize,
        /// The source line of each row (a lone CR ends a line for markdown, so rows
        /// are not always one line apart).
        row_lines: Vec<usize>,
    },
}

impl Block {
    pub fn line(&self) -> usize {
        match self {
            Block::Paragraph { line, .. }
            | Block::Item { line, .. }
            | Block::Code { line, .. }
            | Block::Table { line, .. } => *line,
        }
    }

    /// The block's prose, if it has any (paragraphs and list items).
    pub fn text(&self) -> Option<&str> {
        match self {
            Block::Paragraph { text, .. } | Block::Item { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// A `**Key**: value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub key: String,
    pub value: String,
    pub line: usize,
    /// Index of the section it appears in.
    pub section: usize,
}

impl Document {
    /// Parse markdown `text`.
    pub fn parse(text: &str) -> Document {
        let front_matter = frontmatter::split(text);
        // A tag that is not markup (`<script>`, `<style>`...) is text the author wrote:
        // read it as text, so it cannot hide what follows it.
        let (text, _) = crate::site::html::neutralise(text, front_matter.len);
        markdown::walk(&text, front_matter)
    }

    /// Sections whose effective kind is `kind`.
    /// The document as plain text: the title, then each heading and block on its own
    /// line, markup removed (for full-text search and snippets).
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        let mut line = |s: &str| {
            let s = s.trim();
            if !s.is_empty() {
                out.push_str(s);
                out.push('\n');
            }
        };
        // Front matter that says what failed and where (icco-style `company:`).
        for key in [
            "title",
            "company",
            "product",
            "service",
            "summary",
            "description",
        ] {
            if let Some(t) = self.front_matter.text(&[key]) {
                // The same title again as the first heading is said once.
                if !(key == "title" && self.h1.as_deref().is_some_and(|h| h.trim() == t.trim())) {
                    line(&t);
                }
            }
        }
        for s in &self.sections {
            line(&s.heading);
            for b in &s.blocks {
                match b {
                    Block::Paragraph { text, .. } | Block::Item { text, .. } => line(text),
                    Block::Code { text, .. } => text.lines().for_each(&mut line),
                    Block::Table { rows, .. } => rows.iter().for_each(|r| line(&r.join(" | "))),
                }
            }
        }
        out
    }

    /// For each nested list item, by its line, the line of the item it is nested under.
    pub fn item_parents(&self) -> std::collections::HashMap<usize, usize> {
        let mut out = std::collections::HashMap::new();
        for s in &self.sections {
            for b in &s.blocks {
                if let Block::Item {
                    line,
                    parent: Some(p),
                    ..
                } = b
                    && let Some(Block::Item { line: at, .. }) = s.blocks.get(*p)
                {
                    out.insert(*line, *at);
                }
            }
        }
        out
    }

    pub fn sections_of(&self, kind: SectionKind) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(move |s| s.effective == kind)
    }

    /// True if any section (own kind, not inherited) is of `kind`.
    pub fn has(&self, kind: SectionKind) -> bool {
        self.sections.iter().any(|s| s.kind == kind)
    }

    /// Metadata values for any of `keys` (case-insensitive), in document order.
    pub fn meta<'a>(&'a self, keys: &'a [&str]) -> impl Iterator<Item = &'a Meta> + 'a {
        self.metadata
            .iter()
            .filter(move |m| keys.iter().any(|k| m.key.eq_ignore_ascii_case(k)))
    }

    /// Chain of section indices from `idx` up to the root.
    pub fn ancestors(&self, idx: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(idx), move |&i| self.sections[i].parent)
    }
}

#[cfg(test)]
mod tests;
