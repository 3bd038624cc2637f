use std::path::Path;

use super::*;

/// A knowledge base in a temp folder holding copies of the bundled postmortems whose
/// names contain one of `only` (all when empty).
fn bundled(only: &[&str]) -> (tempfile::TempDir, KnowledgeBase) {
    let tmp = tempfile::tempdir().unwrap();
    let inc = tmp.path().join("incidents");
    std::fs::create_dir_all(&inc).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents");
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if only.is_empty() || only.iter().any(|f| name.contains(f)) {
            std::fs::copy(e.path(), inc.join(&name)).unwrap();
        }
    }
    let kb = KnowledgeBase::new(tmp.path());
    (tmp, kb)
}

fn ids(index: &SearchIndex, q: &str) -> Vec<String> {
    index
        .search(q, 10)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn lock(kb: &KnowledgeBase) -> crate::kb::Lock {
    kb.lock("test", crate::kb::DEFAULT_WAIT, |_| {}).unwrap()
}

fn open(kb: &KnowledgeBase) -> (SearchIndex, UpdateStats) {
    SearchIndex::open_updated(kb, &lock(kb), &OpenOptions::default()).unwrap()
}

#[test]
fn seed_queries_find_their_incident() {
    let (_t, kb) = bundled(&[]);
    let (index, stats) = open(&kb);
    assert_eq!((stats.indexed, stats.errors.len(), index.len()), (5, 0, 5));
    let first = |q: &str| ids(&index, q).first().cloned().unwrap_or_default();
    assert!(first("rsync delete").contains("rsync-delete"));
    assert!(first("rsync --delete").contains("rsync-delete"));
    assert!(first("EADDRINUSE").contains("pm2-systemd"));
    assert!(first("_worker.js").contains("missing-worker"));
    assert!(first("dist/_worker.js").contains("missing-worker"));
    let reset = ids(&index, "git reset --hard");
    assert!(
        reset.iter().take(2).any(|id| id.contains("code-desync")),
        "{reset:?}"
    );
}

#[test]
fn typos_still_find_the_incident_and_say_so() {
    let (_t, kb) = bundled(&[]);
    let (index, _) = open(&kb);
    for (typo, want) in [
        ("EADRINUSE", "pm2-systemd"),
        ("rsyn", "rsync-delete"),
        ("workr.js", "missing-worker"),
        ("systmd pm2", "pm2-systemd"),
    ] {
        let hits = index.search(typo, 5).unwrap();
        assert!(
            hits[0].id.contains(want),
            "{typo}: {:?}",
            hits.iter().map(|h| &h.id).collect::<Vec<_>>()
        );
        assert_eq!(hits[0].matched, Match::Near, "{typo}");
        assert!(
            !hits[0].highlights.is_empty(),
            "{typo}: the near word is marked"
        );
    }
    let exact = index.search("EADDRINUSE", 5).unwrap();
    assert_eq!(exact[0].matched, Match::All);
    let (s, e) = exact[0].highlights[0];
    assert_eq!(&exact[0].snippet[s..e], "EADDRINUSE");
}

#[test]
fn fields_severity_and_dates_filter() {
    let (_t, kb) = bundled(&[]);
    std::fs::write(
        kb.incidents_dir().join("2024-03-01-minor-dns.md"),
        "# Minor DNS blip\n\n**Severity**: SEV-4\n**Date**: 2024-03-01\n\n## Root Cause\n\nA stale rsync of the zone file.\n",
    )
    .unwrap();
    let (index, _) = open(&kb);
    assert_eq!(ids(&index, "severity:low"), ["2024-03-01-minor-dns"]);
    assert_eq!(ids(&index, "rsync sev:SEV-4"), ["2024-03-01-minor-dns"]);
    assert!(
        ids(&index, "rsync sev:P3").is_empty(),
        "a filter stays a filter when words are let go"
    );
    assert!(!ids(&index, "rsync -severity:low").contains(&"2024-03-01-minor-dns".to_string()));
    assert_eq!(ids(&index, "date:2024"), ["2024-03-01-minor-dns"]);
    assert_eq!(ids(&index, "before:2025-01-01"), ["2024-03-01-minor-dns"]);
    assert_eq!(ids(&index, "date:[2025-08-01 TO 2025-08-31]").len(), 2);
    assert_eq!(ids(&index, "after:2026-01-01").len(), 2);
    // The minor one names rsync in its cause; FluxStudio's cause does too, so both
    // match, and the title field decides nothing here.
    let by_cause = ids(&index, "cause:rsync");
    assert!(
        by_cause.contains(&"2024-03-01-minor-dns".to_string()),
        "{by_cause:?}"
    );
    assert!(ids(&index, "title:rsync").is_empty());
}

#[test]
fn title_and_cause_outrank_body() {
    let tmp = tempfile::tempdir().unwrap();
    let inc = tmp.path().join("incidents");
    std::fs::create_dir_all(&inc).unwrap();
    std::fs::write(inc.join("a.md"), "# Disk full on the builder\n\n## Summary\n\nBuilds failed.\n\n## Notes\n\nWe also looked at memcached but it was fine. memcached memcached.\n").unwrap();
    std::fs::write(inc.join("b.md"), "# Memcached eviction storm\n\n## Summary\n\nLatency rose.\n\n## Root Cause\n\nThe cache was undersized.\n").unwrap();
    let kb = KnowledgeBase::new(tmp.path());
    let (index, _) = open(&kb);
    assert_eq!(ids(&index, "memcached"), ["b", "a"]);
}

#[test]
fn only_changed_files_are_reindexed() {
    let (_t, kb) = bundled(&[]);
    let (_, first) = open(&kb);
    assert!(first.rebuilt);
    let (_, again) = open(&kb);
    assert_eq!(
        (again.indexed, again.unchanged, again.rebuilt),
        (0, 5, false)
    );

    let dir = kb.incidents_dir();
    let flux = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().contains("rsync"))
        .unwrap()
        .path();
    let mut text = std::fs::read(&flux).unwrap();
    text.extend_from_slice(b"\n## Addendum\n\nThe zebracorn backup was restored too.\n");
    std::fs::write(&flux, &text).unwrap();
    let (index, changed) = open(&kb);
    assert_eq!((changed.indexed, changed.unchanged), (1, 4));
    assert_eq!(
        index.len(),
        5,
        "the old version is replaced, not duplicated"
    );
    assert!(ids(&index, "zebracorn")[0].contains("rsync-delete"));

    // Same bytes, new time: nothing to re-index.
    std::fs::write(&flux, &text).unwrap();
    let (_, touched) = open(&kb);
    assert_eq!(touched.indexed, 0);

    std::fs::remove_file(&flux).unwrap();
    let (index, removed) = open(&kb);
    assert_eq!((removed.removed, index.len()), (1, 4));
    assert!(index.search("zebracorn", 5).unwrap().is_empty());
}

#[test]
fn unreadable_postmortems_are_reported_not_indexed() {
    let (_t, kb) = bundled(&["rsync"]);
    std::fs::write(
        kb.incidents_dir().join("blob.md"),
        [0u8, 159, 146, 150, 0, 0, 1, 2, 3],
    )
    .unwrap();
    let (index, stats) = open(&kb);
    assert_eq!(stats.errors.len(), 1);
    assert!(stats.errors[0].to_string().contains("blob.md"));
    assert_eq!(index.len(), 1);
}

#[test]
fn a_new_schema_version_or_damage_rebuilds() {
    let (_t, kb) = bundled(&["rsync", "pm2"]);
    open(&kb);
    let dir = SearchIndex::dir(&kb);
    let manifest = dir.join("HINDSIGHT-INDEX.tsv");
    let m = std::fs::read_to_string(&manifest).unwrap();
    let stale = m.replacen(
        &format!("hindsight-index {} ", schema::SCHEMA_VERSION),
        "hindsight-index 0 ",
        1,
    );
    assert_ne!(m, stale);
    std::fs::write(&manifest, stale).unwrap();
    let (index, stats) = open(&kb);
    assert!(stats.rebuilt);
    assert_eq!((stats.indexed, index.len()), (2, 2));

    // Damage: tantivy's meta file garbled.
    std::fs::write(dir.join("meta.json"), b"{ not json").unwrap();
    std::fs::write(dir.join("notes.txt"), b"mine").unwrap();
    let (index, stats) = open(&kb);
    assert!(stats.rebuilt);
    assert_eq!(index.len(), 2);
    assert_eq!(
        std::fs::read(dir.join("notes.txt")).unwrap(),
        b"mine",
        "only our files are cleared"
    );

    // Damage: a segment file truncated.
    let seg = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "store"))
        .unwrap();
    std::fs::write(&seg, b"").unwrap();
    let (index, stats) = SearchIndex::open_updated(
        &kb,
        &lock(&kb),
        &OpenOptions {
            verify: true,
            ..OpenOptions::default()
        },
    )
    .unwrap();
    assert!(stats.rebuilt);
    assert_eq!(ids(&index, "EADDRINUSE").len(), 1);
}

#[test]
fn a_foreign_folder_is_moved_aside_never_deleted() {
    let (t, kb) = bundled(&["pm2"]);
    let dir = SearchIndex::dir(&kb);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("precious.txt"), b"keep me").unwrap();
    let (index, stats) = open(&kb);
    let aside = stats.moved_aside.expect("moved");
    assert_eq!(aside, t.path().join(".hindsight/index.moved-1"));
    assert_eq!(
        std::fs::read(aside.join("precious.txt")).unwrap(),
        b"keep me"
    );
    assert_eq!(index.len(), 1);
    assert_eq!(
        std::fs::read(t.path().join(".hindsight/.gitignore")).unwrap(),
        b"*\n"
    );
}

#[test]
fn a_busy_writer_is_waited_for_then_reported() {
    let (_t, kb) = bundled(&["pm2"]);
    let (held, _) = open(&kb);
    let _lock: tantivy::IndexWriter = held.index.writer(15_000_000).unwrap();
    std::fs::write(kb.incidents_dir().join("new.md"), "# New one\n\nText.\n").unwrap();
    let started = std::time::Instant::now();
    let opts = OpenOptions {
        lock_wait: std::time::Duration::from_millis(300),
        ..OpenOptions::default()
    };
    match SearchIndex::open_updated(&kb, &lock(&kb), &opts) {
        Err(IndexError::Busy) => {}
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("updated while another writer held the lock"),
    }
    assert!(
        started.elapsed() >= opts.lock_wait,
        "it waited before giving up"
    );
}

#[test]
fn results_are_the_same_every_build() {
    let run = || {
        let (_t, kb) = bundled(&[]);
        let (index, _) = open(&kb);
        let json = |q: &str| serde_json::to_string(&index.search(q, 10).unwrap()).unwrap();
        [
            json("production"),
            json("the"),
            json("deploy*"),
            json("EADRINUSE"),
        ]
        .join("\n")
    };
    assert_eq!(run(), run());
}

#[test]
fn similar_ranks_by_shared_words() {
    let (t, kb) = bundled(&[]);
    let (index, _) = open(&kb);
    let id = index.search("rsync delete", 1).unwrap()[0].id.clone();
    let found = index.similar(Target::Id(&id), 10).unwrap();
    assert_eq!(found.len(), 4, "every other incident, not itself");
    assert!(
        found
            .iter()
            .all(|s| s.hit.id != id && (0.0..=1.0).contains(&s.hit.score))
    );
    assert!(found.windows(2).all(|w| w[0].hit.score >= w[1].hit.score));

    // A new postmortem that retells the FluxStudio outage finds it first, strongly.
    let src = std::fs::read_dir(kb.incidents_dir())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().contains("rsync"))
        .unwrap()
        .path();
    let retold =
        String::from_utf8_lossy(&std::fs::read(&src).unwrap()).replace("FluxStudio", "Atlas");
    let new = t.path().join("draft.md");
    std::fs::write(&new, retold).unwrap();
    let loaded = kb.load(&new).unwrap();
    let found = index
        .similar(
            Target::Incident(&loaded.incident, &loaded.plain().unwrap()),
            3,
        )
        .unwrap();
    assert_eq!(found[0].hit.id, id);
    assert!(found[0].hit.score > 0.8, "{}", found[0].hit.score);
    assert!(found[0].hit.score > found[1].hit.score + 0.2);
    let draft = loaded.plain().unwrap().to_lowercase();
    assert!(!found[0].shared.is_empty());
    assert!(
        found[0].shared.iter().all(|w| draft.contains(w.as_str())),
        "{:?}",
        found[0].shared
    );
    assert!(matches!(
        index.similar(Target::Id("no-such-id"), 3),
        Err(IndexError::Unknown(_))
    ));
}

#[test]
fn empty_queries_are_errors() {
    let (_t, kb) = bundled(&["pm2"]);
    let (index, _) = open(&kb);
    assert!(matches!(
        index.search("— | --", 5),
        Err(IndexError::Query(_))
    ));
}

/// Regression: after an edit the index holds a deleted copy of the old document until
/// segments merge; tantivy's more-like-this query then panicked (document frequency
/// above the live document count) and took `build` down with it.
#[test]
fn similar_works_after_an_edit_leaves_deleted_documents() {
    let (_t, kb) = bundled(&[]);
    let (index, _) = open(&kb);
    let id = index.search("rsync delete", 1).unwrap()[0].id.clone();
    drop(index);
    for e in std::fs::read_dir(kb.incidents_dir()).unwrap().flatten() {
        let mut text = std::fs::read(e.path()).unwrap();
        text.extend_from_slice(b"\nEdited after indexing.\n");
        std::fs::write(e.path(), text).unwrap();
    }
    let (index, stats) = open(&kb);
    assert_eq!(stats.indexed, 5);
    let found = index.similar(Target::Id(&id), 10).unwrap();
    assert_eq!(found.len(), 4);
    let all: Vec<(&str, Option<&str>)> = found.iter().map(|s| (s.hit.id.as_str(), None)).collect();
    index.recurrences(&all).unwrap();
}
