//! Replays every input a fuzz target failed on (`fuzz/regressions/<target>/`), and the
//! seed postmortems, through the same checks the fuzz targets make.

#[path = "fuzzing/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = e.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let r = std::panic::catch_unwind(|| check(&data));
        assert!(r.is_ok(), "{target}: {} fails again", path.display());
        n += 1;
    }
    n
}

#[test]
fn ingest_findings() {
    assert!(replay("ingest", checks::ingest) >= 2);
}

#[test]
fn parse_findings() {
    replay("parse", checks::parse);
}

#[test]
fn guard_rule_findings() {
    replay("guard_rule", checks::guard_rule);
}

#[test]
fn mdc_findings() {
    assert!(replay("mdc", checks::mdc) >= 3);
}

/// The hand-made seeds (`fuzz/seeds/`) pass the checks, and every guard rule seed
/// loads, so its round trip is really tested: between them they hold each guard kind.
#[test]
fn hand_made_seeds_pass() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    for e in std::fs::read_dir(seeds.join("parse")).unwrap() {
        checks::parse(&std::fs::read(e.unwrap().path()).unwrap());
    }
    let mut kinds = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(seeds.join("guard_rule")).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let rule = hindsight::rules::parse_rule(&path, &text)
            .unwrap_or_else(|e| panic!("seed does not load: {e}"));
        kinds.extend(rule.guards.iter().map(|g| g.kind()));
        checks::guard_rule(text.as_bytes());
    }
    for k in [
        "require-pattern",
        "forbid-file",
        "require-file",
        "git-clean",
        "command",
    ] {
        assert!(kinds.contains(k), "no seed has a {k} guard");
    }
}

/// The bundled postmortems and rules pass the checks too (the fuzzers start from them).
#[test]
fn seeds_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for e in std::fs::read_dir(root.join("incidents")).unwrap() {
        let data = std::fs::read(e.unwrap().path()).unwrap();
        checks::ingest(&data);
        checks::parse(&data);
    }
    for e in std::fs::read_dir(root.join("rules")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            checks::guard_rule(&std::fs::read(p).unwrap());
        }
    }
}
