//! The compiled rules of the last build, kept in `.hindsight/rules` with a digest of
//! what they were compiled from: every postmortem's path and bytes, in order, and
//! hindsight's sources. Compiling reads nothing else, so the same digest means the same
//! rules, and a build whose postmortems did not change skips the compiler.
//!
//! Kept only when reading the JSON back gives exactly the rules compiled; anything that
//! does not read back whole is ignored.
//!
//! The agent files are kept the same way in `.hindsight/agents`, with a digest of all
//! they are rendered from: a build whose rules and cited incidents did not change
//! renders none (see `agents_key`).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::agents::{Budget, Cited, Target};
use super::model::Rule;
use crate::kb::Loaded;
use crate::kb::codec::{Dec, Enc, seal, unseal};
use crate::owned::Desired;

const FILE: &str = "rules";
const HEADER: &str = "hindsight-rules 1";

/// The digest of what `loaded` compiles from.
pub fn key(loaded: &[Loaded]) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(env!("HINDSIGHT_SOURCE_DIGEST").as_bytes());
    for l in loaded {
        h.update(l.digest);
        h.update((l.incident.path.len() as u64).to_le_bytes());
        h.update(l.incident.path.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The rules compiled from inputs with `key`, if the state folder `state` has them.
pub fn read(state: &Path, key: &str) -> Option<Vec<Rule>> {
    let text = std::fs::read_to_string(state.join(FILE)).ok()?;
    let (head, body) = text.split_once('\n')?;
    (head == format!("{HEADER} {key}")).then_some(())?;
    serde_json::from_str(body).ok()
}

/// Keep `rules`, compiled from inputs with `key`, in `state` (best effort: without it
/// the next build compiles again).
pub fn write(state: &Path, key: &str, rules: &[Rule]) {
    let Ok(body) = serde_json::to_string(rules) else {
        return;
    };
    // Only what reads back as it was is worth keeping.
    if serde_json::from_str::<Vec<Rule>>(&body).ok().as_deref() != Some(rules) {
        return;
    }
    if std::fs::create_dir_all(state).is_ok() {
        let _ = crate::fsio::write_generated(
            &state.join(FILE),
            format!("{HEADER} {key}\n{body}").as_bytes(),
        );
    }
}

const AGENTS_FILE: &str = "agents";
const AGENTS_HEADER: &str = "hindsight-agents 1";

/// The digest of what agent files are rendered from: the rules they tell, each cited
/// incident's id, title, date and file, and where and how they are written.
pub fn agents_key(rules: &[Rule], cited: &[Cited], settings: (&Path, &[Target], Budget)) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(env!("HINDSIGHT_SOURCE_DIGEST").as_bytes());
    let part = |h: &mut Sha256, b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    part(&mut h, &serde_json::to_vec(rules).unwrap_or_default());
    for c in cited {
        let i = c.incident;
        for field in [&i.id, &i.title, i.date.as_deref().unwrap_or("\0")] {
            part(&mut h, field.as_bytes());
        }
        part(&mut h, c.file.as_os_str().as_encoded_bytes());
    }
    part(&mut h, settings.0.as_os_str().as_encoded_bytes());
    part(
        &mut h,
        format!("{:?} {:?}", settings.1, settings.2).as_bytes(),
    );
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The agent files rendered from inputs with `key`, if the state folder has them.
pub fn read_agents(state: &Path, key: &str) -> Option<Vec<Desired>> {
    let bytes = std::fs::read(state.join(AGENTS_FILE)).ok()?;
    let body = unseal(&bytes, format!("{AGENTS_HEADER} {key}\n").as_bytes())?;
    let mut d = Dec(&bytes[body]);
    let files = d.list(|d| {
        Some(Desired {
            path: PathBuf::from(d.str()?),
            shared: match d.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            },
            content: d.string()?,
        })
    })?;
    d.0.is_empty().then_some(files)
}

/// Keep `files`, rendered from inputs with `key`, in `state` (best effort). Files whose
/// paths are not UTF-8 would not read back: then nothing is kept.
pub fn write_agents(state: &Path, key: &str, files: &[Desired]) {
    let mut body = Vec::new();
    let mut e = Enc(&mut body);
    e.usize(files.len());
    for f in files {
        let Some(path) = f.path.to_str() else {
            return;
        };
        e.str(path);
        e.0.push(u8::from(f.shared));
        e.str(&f.content);
    }
    let out = seal(format!("{AGENTS_HEADER} {key}\n").as_bytes(), &body);
    if state.is_dir() {
        let _ = crate::fsio::write_generated(&state.join(AGENTS_FILE), &out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<Desired> {
        vec![
            Desired {
                path: PathBuf::from("AGENTS.md"),
                content: "# Rules\n- Never run `rsync --delete`.\n".into(),
                shared: true,
            },
            Desired {
                path: PathBuf::from(".cursor/rules/x.mdc"),
                content: String::new(),
                shared: false,
            },
        ]
    }

    #[test]
    fn agent_files_read_back_only_under_their_key() {
        let dir = tempfile::tempdir().unwrap();
        write_agents(dir.path(), "k1", &files());
        let back = read_agents(dir.path(), "k1").unwrap();
        assert_eq!(back.len(), 2);
        for (a, b) in back.iter().zip(files()) {
            assert_eq!(
                (&a.path, &a.content, a.shared),
                (&b.path, &b.content, b.shared)
            );
        }
        assert!(read_agents(dir.path(), "k2").is_none());
        let file = dir.path().join(AGENTS_FILE);
        let mut bad = std::fs::read(&file).unwrap();
        let at = bad.len() - 8;
        bad[at] ^= 1;
        std::fs::write(&file, bad).unwrap();
        assert!(read_agents(dir.path(), "k1").is_none());
    }
}
