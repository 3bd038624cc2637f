//! Concurrent runs on one knowledge base: builds and searches at once either succeed
//! or say they waited or were refused, and a build that succeeds leaves a whole site.

mod util;

use std::process::{Child, Stdio};

use util::{Kb, Run};

fn start(kb: &Kb, args: &[&str]) -> Child {
    kb.cmd(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(c: Child) -> Run {
    Run::of(c.wait_with_output().unwrap())
}

/// Every local page `index.html` links to exists.
fn site_is_whole(kb: &Kb) {
    let index = std::fs::read_to_string(kb.path("site/index.html")).unwrap();
    for href in index
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        if href.starts_with("http") || href.starts_with('#') || href.starts_with("mailto:") {
            continue;
        }
        let file = href.split(['#', '?']).next().unwrap();
        assert!(
            kb.path("site").join(file).exists(),
            "index.html links to missing {file}"
        );
    }
}

/// Ok, or a message that it waited or was refused, never a raw error.
fn said_why(r: &Run, what: &str) {
    assert!(
        r.code == Some(0) || r.stderr.contains("another hindsight"),
        "{what}: {r:#?}"
    );
    assert!(
        !r.stderr.contains("IO error") && !r.stderr.contains("hindsight-new"),
        "{what}: {r:#?}"
    );
}

#[test]
fn builds_and_searches_at_once() {
    let kb = Kb::seeds();
    let first: Vec<Child> = (0..8)
        .map(|_| start(&kb, &["search", "--json", "rsync"]))
        .collect();
    for c in first {
        let r = finish(c);
        said_why(&r, "first search");
        assert!(r.stdout.contains("rsync"), "{r:#?}");
    }
    assert!(!kb.path(".hindsight/index.moved-1").exists());
    for round in 0..20 {
        if round % 5 == 0 {
            kb.add(
                "extra.md",
                format!("# Round {round}\n\n## Root cause\nA cache expired in round {round}.\n"),
            );
        }
        let mut running = Vec::new();
        for i in 0..4 {
            running.push(("build", start(&kb, &["build", "-q"])));
            running.push((
                "search",
                start(
                    &kb,
                    &["search", "--json", if i % 2 == 0 { "pm2" } else { "cache" }],
                ),
            ));
        }
        for (what, c) in running {
            let r = finish(c);
            said_why(&r, what);
            if what == "build" && r.code == Some(0) {
                site_is_whole(&kb);
            }
        }
    }
    let left: Vec<_> = std::fs::read_dir(kb.path(".hindsight"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        left.iter().all(|n| !n.to_string_lossy().contains("moved")),
        "{left:?}"
    );
    assert!(!kb.path(".site.hindsight-new").exists());
}
