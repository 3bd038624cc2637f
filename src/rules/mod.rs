//! Rules: lessons from postmortems, as guard rules (`rules/<id>.toml`, checked by
//! `hindsight check`) and as rule files for coding agents.

pub mod agents;
pub mod applies;
pub mod compile;
pub mod generate;
pub mod guard;
pub mod infer;
pub mod json;
pub mod learned;
pub mod memo;
pub mod model;
pub mod render;

pub use model::{
    Check, Guard, Level, Rule, RuleError, RuleFile, Size, Source, Stage, When, parse_rule,
    read_rule_files, rule_files,
};
