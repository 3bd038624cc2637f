//! Fuzz target: agent rule files. A rule with any title and globs renders `.mdc`,
//! Windsurf and Cline files whose front matter reads back as the agents read it
//! (Cursor and Windsurf: `key: value` lines taken as written; Cline: YAML) with the
//! intended fields; and any existing file content survives the marker reader and splicer.
#![no_main]

#[path = "../../tests/fuzzing/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::mdc(data));
