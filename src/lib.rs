//! hindsight: turns a folder of incident postmortems into a searchable knowledge base,
//! a static site, guard rules that run before a deploy, and rule files for coding agents.

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod document;
pub mod fsio;
pub mod incident;
pub mod ingest;
pub mod kb;
pub mod lines;
pub mod lint;
pub mod owned;
pub mod report;
pub mod rules;
pub mod search;
pub mod site;
pub mod suggest;
pub mod taxonomy;
