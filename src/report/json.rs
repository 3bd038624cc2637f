//! Findings as a JSON array, one object per finding. The shapes are each command's
//! contract: lint findings have `code`, `severity`, `path`, `line`, `column`,
//! `end_column`, `message`, `help`; guard findings have `rule`, `incidents`, `path`,
//! `line`, `column`, `severity`, `kind`, `message`, `unevaluated` (and `skipped`).

use std::io::{self, Write};

use serde::Serialize;

use super::{Diagnostic, Notice, Origin, Report};

#[derive(Serialize)]
#[serde(untagged)]
enum Entry {
    Lint {
        code: String,
        severity: &'static str,
        path: String,
        line: usize,
        column: usize,
        end_column: usize,
        message: String,
        help: Option<String>,
    },
    Guard {
        rule: String,
        incidents: Vec<String>,
        path: String,
        line: usize,
        column: usize,
        severity: &'static str,
        kind: &'static str,
        message: String,
        unevaluated: bool,
        /// A guard that was not run (a command guard without `--allow-commands`).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        skipped: bool,
    },
}

/// Collects entries and writes the array at the end.
pub(super) struct Json<'a> {
    out: Box<dyn Write + 'a>,
    entries: Vec<Entry>,
}

impl<'a> Json<'a> {
    pub(super) fn new(out: Box<dyn Write + 'a>) -> Self {
        Json {
            out,
            entries: Vec::new(),
        }
    }
}

impl Report for Json<'_> {
    fn diagnostic(&mut self, d: &Diagnostic) -> io::Result<()> {
        let e = match &d.origin {
            Origin::Lint => Entry::Lint {
                code: d.code.clone(),
                severity: d.level.as_str(),
                path: d.path.clone(),
                line: d.line,
                column: d.column,
                end_column: d.end_column,
                message: d.title.clone(),
                help: d.help.clone(),
            },
            Origin::Guard {
                incidents,
                kind,
                unevaluated,
            } => Entry::Guard {
                rule: d.code.clone(),
                incidents: incidents.clone(),
                path: d.path.clone(),
                line: d.line,
                column: d.column,
                severity: d.level.as_str(),
                kind,
                message: d.title.clone(),
                unevaluated: *unevaluated,
                skipped: false,
            },
        };
        self.entries.push(e);
        Ok(())
    }

    fn notice(&mut self, n: &Notice) -> io::Result<()> {
        self.entries.push(Entry::Guard {
            rule: n.rule.clone(),
            incidents: n.incidents.clone(),
            path: ".".into(),
            line: 0,
            column: 0,
            severity: "note",
            kind: n.kind,
            message: n.message.clone(),
            unevaluated: false,
            skipped: true,
        });
        Ok(())
    }

    fn finish(mut self: Box<Self>, _: bool) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut self.out, &self.entries).map_err(io::Error::other)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}
