//! Records the git revision for `hindsight --version` (nothing else reads it, so the
//! site and rules stay byte-identical across commits), and a digest of the sources
//! that caches in `.hindsight/` are keyed by: a parser or template changed without a
//! commit must not be answered from a cache the old one wrote.

use std::process::Command;

fn main() {
    let rev = Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown revision".to_string());
    println!("cargo:rustc-env=HINDSIGHT_REVISION={rev}");
    let mut digest = Fnv(0xcbf2_9ce4_8422_2325);
    for root in ["src", "templates", "build.rs", "Cargo.lock"] {
        digest.tree(std::path::Path::new(root));
        println!("cargo:rerun-if-changed={root}");
    }
    println!("cargo:rustc-env=HINDSIGHT_SOURCE_DIGEST={:016x}", digest.0);
    for f in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        if std::path::Path::new(f).exists() {
            println!("cargo:rerun-if-changed={f}");
        }
    }
}

/// FNV-1a over file names and contents (no dependency for a cache key).
struct Fnv(u64);

impl Fnv {
    fn eat(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so that moving bytes between two inputs changes the digest.
        self.0 = (self.0 ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    }

    /// Every file under `path` (or `path` itself), in name order.
    fn tree(&mut self, path: &std::path::Path) {
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            entries.sort();
            for e in entries {
                self.tree(&e);
            }
        } else if let Ok(bytes) = std::fs::read(path) {
            self.eat(path.to_string_lossy().as_bytes());
            self.eat(&bytes);
        }
    }
}
