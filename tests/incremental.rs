//! Incremental `build`: after every kind of change (postmortems edited, added, removed,
//! re-dated and re-tagged, a template, the config, files touched but unchanged) the
//! rebuilt knowledge base holds exactly, byte for byte, what a clean build of the same
//! inputs in a fresh folder writes; and so it does after the caches were damaged or a
//! build was killed midway.

mod util;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use util::{Kb, snapshot};

/// Inputs a build reads; everything else under the root (but the state folder) is
/// output.
const INPUTS: [&str; 3] = ["incidents/", "templates/", "hindsight.toml"];

/// Every output file of the knowledge base at `root`: site/, rules/, agent files.
fn outputs(root: &Path) -> BTreeMap<String, Vec<u8>> {
    snapshot(root)
        .into_iter()
        .filter(|(k, _)| !k.starts_with(".hindsight/") && !INPUTS.iter().any(|i| k.starts_with(i)))
        .collect()
}

/// The outputs a clean build of `kb`'s inputs writes, in a fresh folder.
fn clean_outputs(kb: &Kb) -> BTreeMap<String, Vec<u8>> {
    let clean = Kb::new();
    for (rel, bytes) in snapshot(&kb.root) {
        if INPUTS.iter().any(|i| rel.starts_with(i)) {
            clean.add(&format!("./{rel}"), bytes);
        }
    }
    clean.run(&["build", "-q"]).expect(0);
    outputs(&clean.root)
}

/// Build `kb` again (incrementally) and compare every output with a clean build.
#[track_caller]
fn rebuild_matches_clean(kb: &Kb, what: &str) {
    kb.run(&["build", "-q"]).expect(0);
    let (got, want) = (outputs(&kb.root), clean_outputs(kb));
    let differ: Vec<&String> = want
        .keys()
        .chain(got.keys())
        .filter(|k| got.get(*k) != want.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "after {what}: {differ:?} differ from a clean build"
    );
    assert!(
        got.keys().any(|k| k.starts_with("site/incidents/")),
        "{what}: no pages"
    );
}

/// A postmortem with a date, tags and a lesson, so that it has a page, rows on tag and
/// index pages, a feed entry and a rule.
fn postmortem(n: usize, tags: &str, day: usize) -> String {
    format!(
        "---\ntitle: Outage number {n}\ndate: 2024-03-{day:02}\nseverity: high\ntags: [{tags}]\n---\n\
         # Outage number {n}\n\n## Summary\nThe queue {n} stalled for an hour.\n\n\
         ## Root cause\n- A cron job on host-{n} filled the disk.\n\n\
         ## Lessons learned\n- Always alert on disk usage above 80% before deploying.\n"
    )
}

/// The seeds and a dozen generated postmortems, with small pages (several index and
/// tag pages), built once.
fn built_kb() -> Kb {
    let kb = Kb::seeds();
    for n in 0..12 {
        let tags = ["db, dns", "dns", "queue, disk"][n % 3];
        kb.add(&format!("gen-{n:02}.md"), postmortem(n, tags, n + 1));
    }
    kb.add("hindsight.toml", "[site]\npage_size = 4\n");
    kb.run(&["build", "-q"]).expect(0);
    kb
}

#[test]
fn every_change_rebuilds_to_the_clean_build() {
    let kb = built_kb();
    let times = |kb: &Kb| -> Vec<std::time::SystemTime> {
        let site = kb.path("site");
        snapshot(&site)
            .keys()
            .map(|f| std::fs::metadata(site.join(f)).unwrap().modified().unwrap())
            .collect()
    };
    let before = times(&kb);
    rebuild_matches_clean(&kb, "nothing changed");
    assert_eq!(
        before,
        times(&kb),
        "with nothing changed, no site file is written"
    );

    let mut text = std::fs::read_to_string(kb.path("incidents/gen-03.md")).unwrap();
    text.push_str("- Never run the cron job during a deploy.\n");
    kb.add("gen-03.md", &text);
    rebuild_matches_clean(&kb, "one postmortem edited");

    // The first incident's wording names the rule every generated one shares: their
    // pages change though their postmortems did not.
    let text = std::fs::read_to_string(kb.path("incidents/gen-00.md")).unwrap();
    kb.add(
        "gen-00.md",
        text.replace("above 80% before", "above 80%, before"),
    );
    rebuild_matches_clean(&kb, "the wording of a shared lesson changed");
    let page = std::fs::read_to_string(kb.path("site/incidents/gen-01.html")).unwrap();
    assert!(
        page.contains("80%, before"),
        "the rule's new title is on every citing page"
    );

    kb.add("gen-20.md", postmortem(20, "new-tag", 28));
    kb.add("gen-21.md", postmortem(21, "dns", 2));
    rebuild_matches_clean(&kb, "two added");

    std::fs::remove_file(kb.path("incidents/gen-05.md")).unwrap();
    rebuild_matches_clean(&kb, "one removed");

    kb.add("gen-07.md", postmortem(7, "queue", 30));
    rebuild_matches_clean(&kb, "one re-dated and re-tagged");

    std::fs::remove_file(kb.path("incidents/gen-20.md")).unwrap();
    rebuild_matches_clean(&kb, "the only incident of a tag removed");

    let base = std::fs::read_to_string(util::repo("templates/incident.hbs")).unwrap();
    kb.add(
        "templates/incident.hbs",
        base.replace("</h1>", "</h1><p>custom</p>"),
    );
    rebuild_matches_clean(&kb, "a template changed");
    assert!(
        std::fs::read_to_string(kb.path("site/incidents/gen-00.html"))
            .unwrap()
            .contains("<p>custom</p>"),
        "the template change reached the pages"
    );
    std::fs::remove_file(kb.path("templates/incident.hbs")).unwrap();
    rebuild_matches_clean(&kb, "the template removed again");

    kb.add(
        "hindsight.toml",
        "[site]\npage_size = 3\ntitle = \"Ours\"\n",
    );
    rebuild_matches_clean(&kb, "the config changed");

    // Same bytes, new times: read again, nothing else.
    for e in std::fs::read_dir(kb.path("incidents")).unwrap().flatten() {
        let bytes = std::fs::read(e.path()).unwrap();
        std::fs::write(e.path(), bytes).unwrap();
    }
    rebuild_matches_clean(&kb, "every postmortem rewritten unchanged");

    std::fs::remove_file(kb.path("site/tags/dns.html")).unwrap();
    rebuild_matches_clean(&kb, "a generated page deleted by hand");
}

#[test]
fn damaged_caches_are_rebuilt_not_trusted() {
    let kb = built_kb();
    let records = kb.path(".hindsight/records");
    let state = kb.path(".hindsight/site-state");
    assert!(records.is_file() && state.is_file());
    let whole = std::fs::read(&records).unwrap();

    // The cache cut short, as a full disk or a copy broken off would leave it.
    let mut text = std::fs::read_to_string(kb.path("incidents/gen-01.md")).unwrap();
    text.push_str("- Always page the owner of host-1.\n");
    kb.add("gen-01.md", &text);
    std::fs::write(&records, &whole[..whole.len() / 2]).unwrap();
    rebuild_matches_clean(&kb, "a truncated record cache");

    // One byte flipped in a text, one in the index: the checksums catch both.
    for at in [whole.len() / 3, whole.len() - 10] {
        let mut bad = std::fs::read(&records).unwrap();
        bad[at] ^= 0x55;
        std::fs::write(&records, bad).unwrap();
        rebuild_matches_clean(&kb, "a record cache with a flipped byte");
    }

    // Another program's file by that name, and a half-written temporary cache a
    // killed run left beside it.
    std::fs::write(&records, "hindsight-records\nnot really").unwrap();
    std::fs::write(
        kb.path(".hindsight/.hindsight-999999-abc.tmp"),
        &whole[..100],
    )
    .unwrap();
    rebuild_matches_clean(&kb, "a foreign record cache and a leftover temporary file");
    assert!(
        !kb.path(".hindsight/.hindsight-999999-abc.tmp").exists(),
        "the leftover of a dead run is removed"
    );

    // The search index's postings with a byte flipped, then another knowledge base's
    // (whole, but of other documents): neither is read from.
    let postings = kb.path(".hindsight/site-search");
    let mut bad = std::fs::read(&postings).unwrap();
    let at = bad.len() / 2;
    bad[at] ^= 0x55;
    std::fs::write(&postings, bad).unwrap();
    kb.add(
        "gen-03.md",
        postmortem(3, "dns", 4).replace("stalled", "froze"),
    );
    rebuild_matches_clean(&kb, "search postings with a flipped byte");
    let other = Kb::seeds();
    other.run(&["build", "-q"]).expect(0);
    std::fs::copy(other.path(".hindsight/site-search"), &postings).unwrap();
    kb.add(
        "gen-04.md",
        postmortem(4, "db", 5).replace("stalled", "froze"),
    );
    rebuild_matches_clean(&kb, "another knowledge base's search postings");

    // The lessons read from each postmortem and the agent files, each with a byte
    // flipped, while a lesson changes: both are read afresh.
    for (cache, n) in [("lessons", 5), ("agents", 6)] {
        let file = kb.path(&format!(".hindsight/{cache}"));
        let mut bad = std::fs::read(&file).unwrap();
        let at = bad.len() * 2 / 3;
        bad[at] ^= 0x55;
        std::fs::write(&file, bad).unwrap();
        let text = postmortem(n, "dns", n + 1).replace("disk usage", "inode usage");
        kb.add(&format!("gen-{n:02}.md"), text);
        rebuild_matches_clean(&kb, &format!("a damaged {cache} cache"));
    }

    // The site's state saying every page is as written, while pages changed.
    std::fs::write(&state, "garbage\n").unwrap();
    kb.add("gen-02.md", postmortem(2, "moved", 9));
    rebuild_matches_clean(&kb, "a damaged site state");
}

/// Inputs changed since the last build: the next build rewrites much of the site.
fn edit_all(kb: &Kb) {
    for n in 0..12 {
        if n % 2 == 0 {
            kb.add(
                &format!("gen-{n:02}.md"),
                postmortem(n + 100, "edited", n + 10),
            );
        }
    }
    kb.add("gen-50.md", postmortem(50, "added", 27));
}

#[cfg(unix)]
#[test]
fn a_build_killed_midway_is_finished_by_the_next() {
    for delay_ms in [5, 20, 40, 70, 100, 150, 250] {
        let kb = built_kb();
        edit_all(&kb);
        let mut child = kb
            .cmd(&["build", "-q"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        rebuild_matches_clean(&kb, &format!("a build killed after {delay_ms} ms"));
        let beside: Vec<String> = kb.outside();
        assert!(
            beside.is_empty(),
            "nothing is left beside the knowledge base: {beside:?}"
        );
    }
}
