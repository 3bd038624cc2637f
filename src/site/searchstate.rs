//! The browser search index's postings as the last build made them, kept in the state
//! folder so that the next build reads only the postmortems it has not indexed yet (see
//! `searchindex::build`). Keyed by hindsight's version and sources; a file that is not
//! this hindsight's, or whose checksum does not match, is ignored and replaced.
//!
//! ```text
//! header   magic and key, one line each
//! body     document count, each document's key; term count, each term: word,
//!          posting count, last document, posting bytes (LEB128 lengths)
//! tail     CRC-32 of the body
//! ```

use std::collections::HashMap;
use std::path::Path;

use super::Key;
use super::searchindex::{Postings, Prior};
use crate::kb::codec::{Dec, Enc, seal, unseal};

pub(super) const FILE: &str = "site-search";
const MAGIC: &str = "hindsight-site-search 1";

fn header() -> String {
    format!(
        "{MAGIC}\n{} {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("HINDSIGHT_SOURCE_DIGEST")
    )
}

/// The postings kept in `state`, if they are this hindsight's and whole.
pub(super) fn read(state: &Path) -> Option<Prior> {
    let bytes = std::fs::read(state.join(FILE)).ok()?;
    decode(&bytes[unseal(&bytes, header().as_bytes())?])
}

fn decode(body: &[u8]) -> Option<Prior> {
    let mut d = Dec(body);
    let n = d.count()?;
    let mut docs = Vec::with_capacity(n.min(body.len() / 32));
    for _ in 0..n {
        docs.push(Key::try_from(d.take(32)?).ok()?);
    }
    let n = d.count()?;
    let mut terms = HashMap::with_capacity(n.min(body.len()));
    for _ in 0..n {
        let term = d.string()?;
        let count = d.count()?;
        let last = u32::try_from(d.u64()?).ok()?;
        let bytes = d.bytes()?.to_vec();
        terms.insert(term, Postings { last, count, bytes });
    }
    d.0.is_empty().then_some(Prior { docs, terms })
}

/// Keep `prior` in `state` (best effort: without it the next build reads every
/// postmortem's text again).
pub(super) fn write(state: &Path, prior: &Prior) {
    let mut body = Vec::new();
    let mut e = Enc(&mut body);
    e.u64(prior.docs.len() as u64);
    for k in &prior.docs {
        e.0.extend_from_slice(k);
    }
    e.u64(prior.terms.len() as u64);
    for (term, p) in &prior.terms {
        e.bytes(term.as_bytes());
        e.u64(p.count as u64);
        e.u64(u64::from(p.last));
        e.bytes(&p.bytes);
    }
    if state.is_dir() {
        let out = seal(header().as_bytes(), &body);
        let _ = crate::fsio::write_generated(&state.join(FILE), &out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prior() -> Prior {
        let mut terms = HashMap::new();
        terms.insert(
            "rsync".to_string(),
            Postings {
                last: 300,
                count: 2,
                bytes: vec![3, 1, 0xa9, 0x02, 5],
            },
        );
        Prior {
            docs: vec![[1; 32], [2; 32]],
            terms,
        }
    }

    #[test]
    fn postings_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &prior());
        assert_eq!(read(dir.path()), Some(prior()));
    }

    /// Any byte changed, or the file cut short, and nothing is read.
    #[test]
    fn damaged_postings_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &prior());
        let file = dir.path().join(FILE);
        let whole = std::fs::read(&file).unwrap();
        for at in [0, whole.len() / 2, whole.len() - 1] {
            let mut bad = whole.clone();
            bad[at] ^= 0x10;
            std::fs::write(&file, &bad).unwrap();
            assert_eq!(read(dir.path()), None, "byte {at} changed");
        }
        std::fs::write(&file, &whole[..whole.len() - 3]).unwrap();
        assert_eq!(read(dir.path()), None);
    }
}
