//! Search and similarity results for people: rank, title, id, date, severity, and a
//! one-line snippet with the matched words marked (styled; the output stream drops
//! styles when it is not a terminal).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use crate::search::{Hit, Similar};

const RANK: Style = Style::new().dimmed();
const TITLE: Style = Style::new().bold();
const ID: Style = AnsiColor::Magenta.on_default();
const MATCH: Style = AnsiColor::Red.on_default().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(s: &str) -> Style {
    match s {
        "critical" => AnsiColor::Red.on_default().bold(),
        "high" => AnsiColor::Yellow.on_default(),
        _ => Style::new(),
    }
}

fn hit(out: &mut impl Write, rank: usize, h: &Hit, extra: Option<String>) -> io::Result<()> {
    let title = if h.title.is_empty() {
        "(untitled)"
    } else {
        &h.title
    };
    writeln!(out, "{RANK}{rank:>2}.{RANK:#} {TITLE}{title}{TITLE:#}")?;
    write!(out, "    {ID}{}{ID:#}", h.id)?;
    if let Some(d) = &h.date {
        write!(out, " {DIM}·{DIM:#} {d}")?;
    }
    if let Some(s) = &h.severity {
        let st = severity_style(s);
        write!(out, " {DIM}·{DIM:#} {st}{s}{st:#}")?;
    }
    if let Some(x) = extra {
        write!(out, " {DIM}·{DIM:#} {x}")?;
    }
    writeln!(out)?;
    if !h.snippet.is_empty() {
        write!(out, "    ")?;
        let mut at = 0;
        for &(s, e) in &h.highlights {
            if s < at || e > h.snippet.len() {
                continue;
            }
            write!(
                out,
                "{}{MATCH}{}{MATCH:#}",
                &h.snippet[at..s],
                &h.snippet[s..e]
            )?;
            at = e;
        }
        writeln!(out, "{}", &h.snippet[at..])?;
    }
    Ok(())
}

/// Search hits, best first, a blank line between them.
pub fn hits(out: &mut impl Write, hits: &[Hit]) -> io::Result<()> {
    for (i, h) in hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        hit(out, i + 1, h, None)?;
    }
    Ok(())
}

/// Similar incidents with their similarity and the words they share.
pub fn similar(out: &mut impl Write, found: &[Similar]) -> io::Result<()> {
    for (i, s) in found.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        hit(
            out,
            i + 1,
            &s.hit,
            Some(format!("similarity {:.2}", s.hit.score)),
        )?;
        if !s.shared.is_empty() {
            writeln!(out, "    {DIM}shared:{DIM:#} {}", s.shared.join(", "))?;
        }
    }
    Ok(())
}
