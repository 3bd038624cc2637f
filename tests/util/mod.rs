//! What the integration tests share: the binary, knowledge bases in temporary folders,
//! runs with their output, snapshots of folders, and resource limits for hostile input.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The hindsight binary under test.
pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hindsight")
}

/// A path in this repository.
pub(crate) fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A knowledge base in a temporary folder, inside a parent folder of its own so a
/// test can see whether anything was written beside it.
pub(crate) struct Kb {
    pub(crate) parent: tempfile::TempDir,
    pub(crate) root: PathBuf,
}

impl Kb {
    /// An empty knowledge base with an `incidents/` folder.
    pub(crate) fn new() -> Kb {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("kb");
        std::fs::create_dir_all(root.join("incidents")).unwrap();
        Kb { parent, root }
    }

    /// A knowledge base of the bundled seed postmortems.
    pub(crate) fn seeds() -> Kb {
        let kb = Kb::new();
        for e in std::fs::read_dir(repo("incidents")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), kb.root.join("incidents").join(e.file_name())).unwrap();
        }
        kb
    }

    /// Write `incidents/<name>` (or any path under the root, with a `/`).
    pub(crate) fn add(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let p = if name.contains('/') {
            self.root.join(name)
        } else {
            self.root.join("incidents").join(name)
        };
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// `hindsight -C <root> args...`, run from the parent folder.
    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.arg("-C")
            .arg(&self.root)
            .args(args)
            .current_dir(self.parent.path());
        c
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        Run::of(self.cmd(args).output().unwrap())
    }

    /// Every file beside the knowledge base (in its parent folder, outside it).
    pub(crate) fn outside(&self) -> Vec<String> {
        snapshot(self.parent.path())
            .into_keys()
            .filter(|k| !k.starts_with("kb/"))
            .collect()
    }
}

/// A finished run.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn of(o: Output) -> Run {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Exited with `code`; else a panic showing what it said.
    #[track_caller]
    pub(crate) fn expect(&self, code: i32) -> &Run {
        assert_eq!(self.code, Some(code), "{self:#?}");
        self
    }
}

/// `hindsight args...` in `dir`.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> Run {
    Run::of(
        Command::new(bin())
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap(),
    )
}

/// Every file under `dir` with its bytes, by `/`-separated relative path; links are
/// listed as `-> target`, not followed.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let t = e.file_type().unwrap();
            if t.is_symlink() {
                let to = std::fs::read_link(&p).unwrap();
                out.insert(rel, format!("-> {}", to.display()).into_bytes());
            } else if t.is_dir() {
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    out
}

/// Cap the process `cmd` starts: address space in bytes and CPU seconds. Past either
/// the kernel ends it with a signal, which the run's status shows.
#[cfg(unix)]
pub(crate) fn limited(cmd: &mut Command, memory: u64, cpu_seconds: u64) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(move || {
            use rustix::process::{Resource, Rlimit, setrlimit};
            let cap = |n: u64| Rlimit {
                current: Some(n),
                maximum: Some(n),
            };
            setrlimit(Resource::As, cap(memory))?;
            setrlimit(Resource::Cpu, cap(cpu_seconds))?;
            Ok(())
        })
    }
}
