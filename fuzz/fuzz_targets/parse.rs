//! Fuzz target: any text -> incident record and lint findings. Never panics, every
//! line it points at exists, and the record serialises to JSON and back unchanged.
#![no_main]

#[path = "../../tests/fuzzing/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::parse(data));
