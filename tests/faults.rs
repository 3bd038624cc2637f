//! Killed midway (SIGKILL at random points), `fix --write`, `rules` and `build` leave
//! every file either as it was or as the finished run writes it, never half-written;
//! a read-only target gives a clear error and no partial output.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hindsight")
}

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents")
}

/// Every file under `dir` with its bytes, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn run(dir: &Path, args: &[&str]) {
    let out = Command::new(bin())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Start `args` in `dir` and SIGKILL it after `delay` (it may finish first).
fn kill_after(dir: &Path, args: &[&str], delay: Duration) {
    let mut child = Command::new(bin())
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
}

/// A small pseudo-random sequence, so failures can be replayed.
fn delays(n: usize, max_ms: u64) -> Vec<Duration> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_millis(x % max_ms)
        })
        .collect()
}

fn copy_seeds(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(seeds()).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn fix_write_killed_midway_leaves_each_file_old_or_new() {
    let work = tempfile::tempdir().unwrap();
    let files = work.path().join("incidents");
    copy_seeds(&files);
    let old = snapshot(&files);
    // What a finished run writes.
    let done = tempfile::tempdir().unwrap();
    copy_seeds(done.path());
    run(done.path(), &["fix", "--write", "."]);
    let new = snapshot(done.path());
    for delay in delays(20, 60) {
        copy_seeds(&files);
        kill_after(work.path(), &["fix", "--write", "incidents"], delay);
        for (name, bytes) in snapshot(&files) {
            if name.starts_with(".hindsight-") && name.ends_with(".tmp") {
                continue; // the killed run's temporary file: hidden, never read as a postmortem
            }
            assert!(
                Some(&bytes) == old.get(&name) || Some(&bytes) == new.get(&name),
                "{name} is neither old nor new after a kill at {delay:?}"
            );
        }
    }
}

/// A knowledge base whose postmortems changed since its last build, so the next
/// build rewrites rules/ and site/.
fn edited_kb(dir: &Path) {
    copy_seeds(&dir.join("incidents"));
    run(dir, &["build", "-q"]);
    for e in std::fs::read_dir(dir.join("incidents")).unwrap().flatten() {
        let mut text = std::fs::read(e.path()).unwrap();
        text.extend_from_slice(
            b"\n## Lessons Learned\n\n- Never deploy on a Friday without a rollback plan.\n",
        );
        std::fs::write(e.path(), text).unwrap();
    }
}

#[test]
fn build_killed_midway_leaves_site_and_rules_whole() {
    // Old and new outputs, from runs that finished.
    let reference = tempfile::tempdir().unwrap();
    edited_kb(reference.path());
    let old_rules = snapshot(&reference.path().join("rules"));
    let old_site = snapshot(&reference.path().join("site"));
    run(reference.path(), &["build", "-q"]);
    let new_rules = snapshot(&reference.path().join("rules"));
    let new_site = snapshot(&reference.path().join("site"));
    assert_ne!(old_site, new_site);

    for delay in delays(12, 400) {
        let kb = tempfile::tempdir().unwrap();
        edited_kb(kb.path());
        kill_after(kb.path(), &["build", "-q"], delay);
        let site = snapshot(&kb.path().join("site"));
        // A build that updates the site in place may be killed while it moves the
        // changed files in; then its staging folder says so, and the next build
        // finishes the move (checked below).
        let moving = kb.path().join(".site.hindsight-new/.hindsight-site-update");
        assert!(
            site == old_site || site == new_site || moving.exists(),
            "site/ is a mix of old and new after a kill at {delay:?}"
        );
        for (name, bytes) in snapshot(&kb.path().join("rules")) {
            if name.contains(".hindsight-") {
                continue; // a temporary file the killed run had not renamed yet
            }
            assert!(
                Some(&bytes) == old_rules.get(&name) || Some(&bytes) == new_rules.get(&name),
                "rules/{name} is neither old nor new after a kill at {delay:?}"
            );
        }
        // The next build finishes the job.
        run(kb.path(), &["build", "-q"]);
        assert_eq!(snapshot(&kb.path().join("site")), new_site);
        let rules: BTreeMap<_, _> = snapshot(&kb.path().join("rules"))
            .into_iter()
            .filter(|(n, _)| !n.contains(".hindsight-"))
            .collect();
        assert_eq!(rules, new_rules, "after a kill at {delay:?}");
    }
}

#[test]
fn rules_killed_midway_leaves_each_rule_file_old_or_new() {
    let reference = tempfile::tempdir().unwrap();
    edited_kb(reference.path());
    let old_rules = snapshot(&reference.path().join("rules"));
    run(reference.path(), &["rules", "-q"]);
    let new_rules = snapshot(&reference.path().join("rules"));
    assert_ne!(old_rules, new_rules);
    let whole = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        snapshot(&dir.join("rules"))
            .into_iter()
            .filter(|(n, _)| !n.contains(".hindsight-"))
            .collect()
    };
    for delay in delays(12, 150) {
        let kb = tempfile::tempdir().unwrap();
        edited_kb(kb.path());
        kill_after(kb.path(), &["rules", "-q"], delay);
        for (name, bytes) in whole(kb.path()) {
            assert!(
                Some(&bytes) == old_rules.get(&name) || Some(&bytes) == new_rules.get(&name),
                "rules/{name} is neither old nor new after a kill at {delay:?}"
            );
        }
        run(kb.path(), &["rules", "-q"]);
        assert_eq!(whole(kb.path()), new_rules, "after a kill at {delay:?}");
    }
}

#[test]
#[allow(clippy::print_stderr)] // says what it could not check here
fn read_only_targets_fail_clearly_and_change_nothing() {
    use std::os::unix::fs::PermissionsExt;
    if rustix_is_root() {
        eprintln!("running as root: permissions are not enforced, skipped");
        return;
    }
    let kb = tempfile::tempdir().unwrap();
    copy_seeds(&kb.path().join("incidents"));
    let incidents = kb.path().join("incidents");
    let before = snapshot(&incidents);
    std::fs::set_permissions(&incidents, std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = Command::new(bin())
        .current_dir(kb.path())
        .args(["fix", "--write", "incidents"])
        .output()
        .unwrap();
    std::fs::set_permissions(&incidents, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("incidents/") && err.contains("could not write"),
        "{err}"
    );
    assert_eq!(snapshot(&incidents), before);
}

/// A tiny file system to fill up, when this process may mount one (root in CI).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(kb: usize) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kb}k"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { dir })
    }

    /// Fill what is left, but `keep` bytes.
    fn fill(&self, keep: u64) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.dir.path().join("filler")).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
        let len = f.metadata().unwrap().len();
        f.set_len(len.saturating_sub(keep)).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
#[allow(clippy::print_stderr)] // says what it could not check here
fn a_full_disk_fails_clearly_and_keeps_the_old_files() {
    let Some(disk) = SmallDisk::mount(2048) else {
        eprintln!("cannot mount a small tmpfs here; skipped");
        return;
    };
    let kb = disk.dir.path().join("kb");
    copy_seeds(&kb.join("incidents"));
    run(&kb, &["build", "-q"]);
    edited_kb_in_place(&kb);
    let incidents = snapshot(&kb.join("incidents"));
    let site = snapshot(&kb.join("site"));
    disk.fill(0);

    let fix = Command::new(bin())
        .current_dir(&kb)
        .args(["fix", "--write", "incidents"])
        .output()
        .unwrap();
    assert_eq!(fix.status.code(), Some(2));
    let err = String::from_utf8_lossy(&fix.stderr);
    assert!(err.contains("could not write the repaired file"), "{err}");
    assert_eq!(
        snapshot(&kb.join("incidents")),
        incidents,
        "no file half-written"
    );

    let build = Command::new(bin())
        .current_dir(&kb)
        .args(["build", "-q"])
        .output()
        .unwrap();
    assert_eq!(build.status.code(), Some(2));
    let err = String::from_utf8_lossy(&build.stderr);
    // Whichever step hits the full disk first reports it: the site or rules name
    // ENOSPC; tantivy's writer thread only says it failed.
    assert!(
        err.contains("No space left on device") || err.contains("search index"),
        "{err}"
    );
    assert_eq!(snapshot(&kb.join("site")), site, "the old site is intact");
    let leftovers: Vec<String> = std::fs::read_dir(&kb)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("hindsight-new"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn edited_kb_in_place(dir: &Path) {
    for e in std::fs::read_dir(dir.join("incidents")).unwrap().flatten() {
        let mut text = std::fs::read(e.path()).unwrap();
        text.extend_from_slice(b"\n- Never deploy on a Friday.\n");
        std::fs::write(e.path(), text).unwrap();
    }
}

fn rustix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
