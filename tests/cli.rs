//! Command-line behaviour as data: each `tests/cmd/*.toml` runs hindsight in its
//! `.in/` fixture folder and compares output, exit status and (for `.out/`) files.
//! Update expected output with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}

/// One complete man page: every command's options are in it, the exit codes are under
/// EXIT STATUS, and it points to no per-command page (there are none).
#[test]
fn the_man_page_is_complete() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .arg("man")
        .output()
        .unwrap();
    assert!(out.status.success());
    let man = String::from_utf8(out.stdout).unwrap();
    assert!(man.contains(".SH COMMANDS"), "{man}");
    assert!(man.contains(".SH \"EXIT STATUS\""), "{man}");
    assert!(!man.contains("EXTRA"), "exit codes are not EXTRA");
    assert!(
        !man.contains("hindsight\\-build(1)"),
        "no page that does not exist"
    );
    for (command, option) in [
        ("build", "\\-\\-force"),
        ("check", "\\-\\-rule"),
        ("check", "\\-\\-allow\\-commands"),
        ("new", "\\-\\-date"),
        ("export", "\\-\\-ndjson"),
        ("search", "\\-\\-cached"),
        ("serve", "\\-\\-no\\-watch"),
        ("lint", "\\-\\-explain"),
    ] {
        let at = man
            .find(&format!(".SS \"hindsight {command}\""))
            .unwrap_or_else(|| panic!("no section for {command}"));
        let section = &man[at..];
        let end = section[4..].find(".SS").map_or(section.len(), |e| e + 4);
        assert!(
            section[..end].contains(option),
            "{command} lacks {option}: {}",
            &section[..end]
        );
    }
}
