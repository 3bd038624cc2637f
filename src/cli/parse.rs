//! `hindsight parse`: Incident records as a JSON array.

use std::io::Write;

use anyhow::Result;

use super::args::ParseArgs;
use super::{Ctx, Outcome};

pub(super) fn run(ctx: &Ctx, a: &ParseArgs) -> Result<Outcome> {
    let paths = if a.paths.is_empty() {
        vec![ctx.kb.incidents_dir()]
    } else {
        a.paths.clone()
    };
    let mut errors = false;
    let mut files = Vec::new();
    for p in &paths {
        match ctx.kb.postmortem_files(std::slice::from_ref(p)) {
            Ok(f) => files.extend(f),
            Err(e) => {
                ctx.error(e);
                errors = true;
            }
        }
    }
    let mut records = Vec::with_capacity(files.len());
    for f in &files {
        match ctx.kb.load(f) {
            Ok(l) => records.push(l.incident),
            Err(e) => {
                ctx.error(e);
                errors = true;
            }
        }
    }
    let mut out = ctx.raw_stdout();
    serde_json::to_writer_pretty(&mut out, &records)?;
    writeln!(out)?;
    Ok(if errors {
        Outcome::Errors
    } else {
        Outcome::Clean
    })
}
