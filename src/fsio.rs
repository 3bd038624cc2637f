//! File output that never leaves a half-written file: write a temporary file beside
//! the target, then rename it over the target. The user's own files are also flushed to
//! disk first; generated files, which a rebuild recreates, are not (flushing each of
//! thousands of rule files cost seconds).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Replace `path` with `bytes` atomically. An existing file keeps its permissions. If
/// anything fails, `path` is untouched and the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace(path, bytes, true)
}

/// Like `write_atomic`, for a generated file: the rename is atomic, but the data is
/// left to the kernel to flush.
pub fn write_generated(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace(path, bytes, false)
}

fn replace(path: &Path, bytes: &[u8], flush: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".hindsight-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
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

/// True when `path`, read lexically, names something inside `root`: it starts with
/// `root` and no `..` after that climbs back out. Paths made by joining a folder and a
/// name from a postmortem are checked with it before anything is written.
pub fn within(root: &Path, path: &Path) -> bool {
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
}
