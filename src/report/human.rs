//! Findings for people: rustc-style, via annotate-snippets.

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level as Shown, Renderer, Snippet};

use super::{Diagnostic, Level, Notice, Report};

/// Writes each diagnostic as it comes; notices go to `notes` as warnings.
pub(super) struct Human<'a> {
    out: Box<dyn Write + 'a>,
    notes: Option<Box<dyn Write + 'a>>,
    color: bool,
}

impl<'a> Human<'a> {
    pub(super) fn new(
        out: Box<dyn Write + 'a>,
        notes: Option<Box<dyn Write + 'a>>,
        color: bool,
    ) -> Self {
        Human { out, notes, color }
    }
}

impl Report for Human<'_> {
    fn diagnostic(&mut self, d: &Diagnostic) -> io::Result<()> {
        self.out.write_all(render(d, self.color).as_bytes())
    }

    fn notice(&mut self, n: &Notice) -> io::Result<()> {
        match &mut self.notes {
            Some(w) => writeln!(w, "hindsight: warning: rule {}: {}", n.rule, n.message),
            None => Ok(()),
        }
    }

    fn finish(mut self: Box<Self>, _: bool) -> io::Result<()> {
        self.out.flush()
    }
}

fn level(s: Level) -> Shown<'static> {
    match s {
        Level::Error => Shown::ERROR,
        Level::Warning => Shown::WARNING,
        Level::Note => Shown::NOTE,
    }
}

/// rustc-style text for `d`, coloured when `color`, ending in a blank line.
pub fn render(d: &Diagnostic, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut group = Group::with_title(
        level(d.level)
            .primary_title(d.title.as_str())
            .id(d.code.as_str()),
    );
    match &d.source_line {
        Some(excerpt) if d.line > 0 => {
            let src = &excerpt.text;
            // Columns count characters of the whole line; spans count bytes of the
            // excerpt.
            let byte = |col: usize| {
                src.char_indices()
                    .nth(excerpt.column(col).saturating_sub(1))
                    .map_or(src.len(), |(i, _)| i)
            };
            let (a, b) = (byte(d.column), byte(d.end_column.max(d.column)));
            let span = if b > a {
                a..b
            } else {
                a..(a + src[a..].chars().next().map_or(0, char::len_utf8))
            };
            let mut ann = AnnotationKind::Primary.span(span);
            if let Some(l) = &d.label {
                ann = ann.label(l.as_str());
            }
            group = group.element(
                Snippet::source(src.as_str())
                    .line_start(d.line)
                    .path(d.path.as_str())
                    .annotation(ann),
            );
        }
        _ => {
            // No line to show: point at the file itself.
            let loc = if d.line > 0 {
                format!("{}:{}", d.path, d.line)
            } else {
                d.path.clone()
            };
            // Just the place (` --> path:line`), with no empty source box under it.
            group = group.element(annotate_snippets::Origin::path(loc));
        }
    }
    for n in &d.notes {
        group = group.element(Shown::NOTE.message(n.as_str()));
    }
    if let Some(h) = &d.help {
        group = group.element(Shown::HELP.message(h.as_str()));
    }
    let mut out = renderer.render(&[group]);
    out.push_str("\n\n");
    out
}
