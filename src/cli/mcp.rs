//! `hindsight mcp`: serve the knowledge base over MCP on stdin and stdout; what the
//! server has to say goes to stderr, so stdout carries only protocol messages.

use std::io::Write;
use std::sync::Arc;

use anyhow::Result;

use super::{Ctx, Outcome};

pub(super) fn run(ctx: &Ctx) -> Result<Outcome> {
    let quiet = ctx.quiet;
    let log: crate::mcp::Log = Arc::new(move |msg: &str| {
        if !quiet || msg.starts_with("error") {
            let _ = writeln!(std::io::stderr(), "hindsight mcp: {msg}");
        }
    });
    crate::mcp::serve(ctx.kb.clone(), log)?;
    Ok(Outcome::Clean)
}
