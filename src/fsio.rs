//! File output that never leaves a half-written file: write a temporary file beside
//! the target, then rename it over the target. The user's own files are also flushed to
//! disk first; generated files, which a rebuild recreates, are not (flushing each of
//! thousands of rule files cost seconds).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Replace `path` with `bytes` atomically. An existing file keeps its permissions. If
/// anything fails, `path` is untouched and the temporary file is removed.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace(path, bytes, true)
}

/// Like `write_atomic`, for a generated file: the rename is atomic, but the data is
/// left to the kernel to flush.
pub(crate) fn write_generated(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace(path, bytes, false)
}

fn replace(path: &Path, bytes: &[u8], flush: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = temp_file(dir)?;
    tmp.write_all(bytes)?;
    if flush {
        tmp.as_file().sync_all()?;
    }
    if let Ok(meta) = fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A temporary file in `dir`, named so that `remove_leftovers` can clear it should the
/// run be killed; persist it over the target to finish a write.
pub(crate) fn temp_file(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    // The pid in the name lets a later run tell a killed run's leftover from a file
    // another run is writing right now (see `remove_leftovers`).
    let prefix = format!("{TMP_PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TMP_SUFFIX);
    // A new file gets the mode the user's umask gives (tempfile's default is 0600,
    // which made rule and agent files unreadable to the rest of the team).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Rewrite the user's file at `path` with `bytes`, keeping what points at it: a
/// symbolic link is followed (the file it names is rewritten, the link stays), and a
/// file with other hard links is rewritten in place, so every name sees the new text.
/// In place is not atomic, so the old bytes go to `.<name>.hindsight-backup` first
/// (flushed), removed once the new ones are on disk; a backup left by a killed run
/// stops the next one until a person has looked. Returns the file written.
pub(crate) fn rewrite(path: &Path, bytes: &[u8]) -> io::Result<std::path::PathBuf> {
    let real = fs::canonicalize(path)?;
    remove_leftovers(real.parent().unwrap_or(Path::new(".")));
    if links(&fs::metadata(&real)?) <= 1 {
        write_atomic(&real, bytes)?;
        return Ok(real);
    }
    let name = real.file_name().unwrap_or_default().to_string_lossy();
    let backup = real.with_file_name(format!(".{name}.hindsight-backup"));
    if fs::symlink_metadata(&backup).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is left from an interrupted fix --write and may hold the original text: compare it with the file, then remove it",
                backup.display()
            ),
        ));
    }
    write_atomic(&backup, &fs::read(&real)?)?;
    let mut f = fs::OpenOptions::new().write(true).open(&real)?;
    f.write_all(bytes)?;
    f.set_len(bytes.len() as u64)?;
    f.sync_all()?;
    fs::remove_file(&backup)?;
    Ok(real)
}

#[cfg(unix)]
fn links(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_: &fs::Metadata) -> u64 {
    1
}

const TMP_PREFIX: &str = ".hindsight-";
const TMP_SUFFIX: &str = ".tmp";

/// Remove the temporary files that runs killed midway left in `dir`: only names this
/// module makes (`.hindsight-<pid>-<random>.tmp`), and only when process `<pid>` is
/// gone. Returns how many were removed; a folder that cannot be read has none.
pub(crate) fn remove_leftovers(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TMP_PREFIX)?.strip_suffix(TMP_SUFFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !alive(pid)
            && e.file_type().is_ok_and(|t| t.is_file())
            && fs::remove_file(e.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Whether process `pid` exists (where that cannot be told, it is taken to exist).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        use rustix::process::{Pid, test_kill_process};
        match i32::try_from(pid).ok().and_then(Pid::from_raw) {
            Some(p) => !matches!(test_kill_process(p), Err(rustix::io::Errno::SRCH)),
            None => true,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// True when `path`, read lexically, names something inside `root`: it starts with
/// `root` and no `..` after that climbs back out. Paths made by joining a folder and a
/// name from a postmortem are checked with it before anything is written.
pub(crate) fn within(root: &Path, path: &Path) -> bool {
    use std::path::Component;
    let Ok(rest) = path.strip_prefix(root) else {
        return false;
    };
    let mut depth = 0usize;
    for c in rest.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            _ => return false,
        }
    }
    depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_umask_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("new.toml");
        write_generated(&p, b"x").unwrap();
        // The mode any program's new file gets here, under this umask.
        let plain = d.path().join("plain");
        fs::File::create(&plain).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&p), mode(&plain));
    }

    #[test]
    fn failure_leaves_target_alone() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/a.md");
        assert!(write_atomic(&missing, b"x").is_err());
    }

    #[test]
    fn within_is_lexical_and_strict() {
        let root = Path::new("kb/rules");
        assert!(within(root, Path::new("kb/rules/a.toml")));
        assert!(within(
            root,
            Path::new("kb/rules/agents/.cursor/rules/a.mdc")
        ));
        for out in [
            "kb/rules",
            "kb/rules/../x.toml",
            "kb/rules/../../../../tmp/x/escaped.toml",
            "kb/other/a.toml",
            "/etc/passwd",
        ] {
            assert!(!within(root, Path::new(out)), "{out}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn leftovers_of_dead_runs_go_and_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        // A process that has exited and been waited for: its pid names no one.
        let gone = std::process::Command::new("true").spawn().unwrap();
        let pid = gone.id();
        let _ = { gone }.wait();
        let dead = dir.path().join(format!(".hindsight-{pid}-abc.tmp"));
        let live = dir
            .path()
            .join(format!(".hindsight-{}-abc.tmp", std::process::id()));
        let mine = dir.path().join(".hindsight-notes.tmp");
        for p in [&dead, &live, &mine] {
            fs::write(p, "x").unwrap();
        }
        assert_eq!(remove_leftovers(dir.path()), 1);
        assert!(!dead.exists() && live.exists() && mine.exists());
    }

    /// Through a link, the file it names is repaired and the link stays a link; a
    /// hard-linked file is rewritten in place, so both names see the new text.
    #[cfg(unix)]
    #[test]
    fn rewrite_keeps_links() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        fs::write(&file, "old").unwrap();
        let soft = dir.path().join("soft.md");
        std::os::unix::fs::symlink(&file, &soft).unwrap();
        rewrite(&soft, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&soft)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "new");

        let hard = dir.path().join("hard.md");
        fs::hard_link(&file, &hard).unwrap();
        rewrite(&hard, b"newer, and longer").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "newer, and longer");
        rewrite(&file, b"short").unwrap();
        assert_eq!(fs::read_to_string(&hard).unwrap(), "short");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            3,
            "no backup left"
        );

        fs::write(dir.path().join(".hard.md.hindsight-backup"), "old").unwrap();
        let e = rewrite(&hard, b"x").unwrap_err();
        assert!(e.to_string().contains("interrupted"), "{e}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "short");
    }
}
