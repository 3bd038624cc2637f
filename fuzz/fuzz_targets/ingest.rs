//! Fuzz target: any bytes -> text. Never panics, and what it returns is already
//! repaired: repairing it again changes nothing (`fix(fix(x)) == fix(x)`).
#![no_main]

#[path = "../../tests/fuzzing/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ingest(data));
