//! hindsight: turns a folder of incident postmortems into a searchable knowledge base,
//! a static site, guard rules that run before a deploy, and rule files for coding agents.

pub mod document;
pub mod incident;
pub mod ingest;
pub mod taxonomy;
