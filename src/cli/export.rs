//! `hindsight export --ndjson`: every Incident record on its own line, the input a
//! search cluster's bulk import takes (see search/ for the matching index definitions).

use std::io::{BufWriter, Write};

use anyhow::Result;

use super::args::ExportArgs;
use super::{Ctx, Outcome};

pub(super) fn run(ctx: &Ctx, _a: &ExportArgs) -> Result<Outcome> {
    let (loaded, errors) = ctx.load_incidents();
    let mut out = BufWriter::new(ctx.raw_stdout());
    for l in &loaded {
        serde_json::to_writer(&mut out, &l.incident)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(if errors > 0 {
        Outcome::Errors
    } else {
        Outcome::Clean
    })
}
