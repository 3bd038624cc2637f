//! Command-line behaviour as data: each `tests/cmd/*.toml` runs hindsight in its
//! `.in/` fixture folder and compares output, exit status and (for `.out/`) files.
//! Update expected output with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
