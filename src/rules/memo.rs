//! The compiled rules of the last build, kept in `.hindsight/rules` with a digest of
//! what they were compiled from: every postmortem's path and bytes, in order, and
//! hindsight's sources. Compiling reads nothing else, so the same digest means the same
//! rules, and a build whose postmortems did not change skips the compiler.
//!
//! Kept only when reading the JSON back gives exactly the rules compiled; anything that
//! does not read back whole is ignored.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::model::Rule;
use crate::kb::Loaded;

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
