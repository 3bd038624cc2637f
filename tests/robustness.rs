//! Hostile and broken input: never a panic, always a clear error or a best-effort record.

use std::path::Path;
use std::process::Command;

use hindsight::incident::Incident;
use hindsight::ingest;

fn hindsight(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("hindsight runs")
}

const SAMPLE: &str =
    include_str!("../incidents/2025-08-15-pm2-systemd-process-manager-conflict.md");

#[test]
fn invalid_utf8_in_every_position() {
    let bytes = SAMPLE.as_bytes();
    for i in (0..bytes.len()).step_by(3) {
        let mut b = bytes.to_vec();
        b.insert(i, 0xFF);
        let ing = ingest::ingest(&b).expect("decodes as a legacy encoding");
        let rec = Incident::from_text("incidents/x.md", &ing);
        assert!(!rec.title.is_empty());
        // Split a multi-byte sequence too.
        let mut c = bytes.to_vec();
        c[i] = 0xC3;
        ingest::ingest(&c).expect("decodes");
    }
}

#[test]
fn fifteen_megabytes_parse_and_past_the_limit_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let chunk = "## Timeline\n- **09:01 UTC** - Deployed âœ… and it broke\n| a | b |\n|---|---|\n| 1 | 2 |\n";
    let mut text = String::from("# Big\n");
    while text.len() < 15 << 20 {
        text.push_str(chunk);
    }
    std::fs::write(dir.path().join("big.md"), &text).unwrap();
    let out = hindsight(dir.path(), &["parse", "big.md"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["title"], "Big");
    assert!(v[0]["repairs"]["count"].as_u64().unwrap() > 100_000);

    // One byte over: refused unread (a sparse file, so nothing is written) by every
    // command that reads postmortems as markdown, naming the file and the limit. (`fix`
    // takes text up to `ingest::MAX_BYTES`: it parses no markdown.)
    std::fs::create_dir(dir.path().join("incidents")).unwrap();
    let huge = std::fs::File::create(dir.path().join("incidents/huge.md")).unwrap();
    huge.set_len(hindsight::kb::MAX_POSTMORTEM_BYTES as u64 + 1)
        .unwrap();
    for args in [&["parse"][..], &["lint"], &["build"]] {
        let out = hindsight(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("incidents/huge.md: file is over the 16 MiB limit (16777217 bytes)"),
            "{args:?}: {err}"
        );
    }
    // `build` builds what it can read and exits 2 (the refused file is named above).
}

#[test]
fn unreadable_paths_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("gone.md", dir.path().join("dangling.md")).unwrap();
    let out = hindsight(dir.path(), &["fix", "dangling.md"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dangling.md: no such file"), "{err}");

    let locked = dir.path().join("locked.md");
    std::fs::write(&locked, "# x\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&locked).is_err() {
            // Not root: the permission really bites.
            let out = hindsight(dir.path(), &["parse", "locked.md"]);
            assert_eq!(out.status.code(), Some(2));
            assert!(String::from_utf8_lossy(&out.stderr).contains("locked.md: permission denied"));
        }
    }
}

#[test]
fn utf16_and_crlf_survive() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# Título\r\n\r\n**Status**: âœ… RESOLVED\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.path().join("u16.md"), utf16).unwrap();
    let out = hindsight(dir.path(), &["fix", "--stdout", "u16.md"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "# Título\r\n\r\n**Status**: ✅ RESOLVED\r\n"
    );
}

#[test]
fn utf32_with_a_bom_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# Título\r\n\n**Status**: âœ… RESOLVED 🚨\n";
    for (name, bom, be) in [
        ("le.md", [0xFF, 0xFE, 0, 0], false),
        ("be.md", [0, 0, 0xFE, 0xFF], true),
    ] {
        let mut bytes = bom.to_vec();
        for c in text.chars() {
            let u = c as u32;
            bytes.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let out = hindsight(dir.path(), &["fix", "--stdout", name]);
        assert!(out.status.success(), "{name}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "# Título\r\n\n**Status**: ✅ RESOLVED 🚨\n",
            "{name}"
        );
    }
}

#[test]
fn empty_and_whitespace_files_give_records() {
    for text in ["", "\n\n", "   ", "---\n", "# \n"] {
        let ing = ingest::ingest(text.as_bytes()).unwrap();
        let rec = Incident::from_text("incidents/2024-01-02-x.md", &ing);
        assert_eq!(rec.id, "2024-01-02-x");
        assert_eq!(rec.date.as_deref(), Some("2024-01-02"));
    }
}

#[test]
fn fix_write_leaves_clean_files_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.md");
    std::fs::write(&clean, "# fine\n").unwrap();
    let before = std::fs::metadata(&clean).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = hindsight(dir.path(), &["fix", "--write", "clean.md"]);
    assert!(out.status.success());
    assert_eq!(
        std::fs::metadata(&clean).unwrap().modified().unwrap(),
        before
    );
}
