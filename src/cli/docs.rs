//! `hindsight completions SHELL` and `hindsight man`: generated from the clap model,
//! so they never drift from the real flags.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use super::args::{Args, CompletionsArgs};
use super::{Ctx, Outcome};

pub(super) fn completions(ctx: &Ctx, a: &CompletionsArgs) -> Result<Outcome> {
    let mut cmd = Args::command();
    let mut out = ctx.raw_stdout();
    clap_complete::generate(a.shell, &mut cmd, "hindsight", &mut out);
    out.flush()?;
    Ok(Outcome::Clean)
}

pub(super) fn man(ctx: &Ctx) -> Result<Outcome> {
    let mut out = ctx.raw_stdout();
    clap_mangen::Man::new(Args::command()).render(&mut out)?;
    out.flush()?;
    Ok(Outcome::Clean)
}
