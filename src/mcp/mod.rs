//! `hindsight mcp`: the knowledge base as a Model Context Protocol server on stdio, so
//! coding agents can ask it before they act (search, similar incidents, records, the
//! lessons for the files at hand, guard checks), through the official SDK, `rmcp`.

mod catalog;
mod lessons;
mod prompt;
mod resources;
mod server;
mod state;
mod text;
mod tools;
mod watch;
mod wire;

pub use server::{Log, ServeError, serve};
