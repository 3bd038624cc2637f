//! Fuzz target: any TOML -> guard rule. Never panics; a rule that loads is written
//! back by the rule renderer and loads again as the same rule.
#![no_main]

#[path = "../../tests/fuzzing/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::guard_rule(data));
