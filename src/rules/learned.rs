//! Each postmortem's lessons as the compiler last read them, kept in
//! `.hindsight/lessons` by the postmortem's path and bytes (a record is a function of
//! those and of hindsight's sources), so that after an edit only the edited
//! postmortems are read for lessons and the rest are merged as they were. Postmortems
//! with `hindsight-guard` blocks are never kept (their lessons depend on the blocks).
//!
//! Keyed by hindsight's version and sources; a file that is not this hindsight's, or
//! whose checksum does not match, is ignored and replaced.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::compile::Learned;
use super::guard::Guard;
use super::infer::{Lesson, Polarity, Strength};
use super::model::RuleStatus;
use crate::kb::Loaded;
use crate::kb::codec::{Dec, Enc, unseal};

const FILE: &str = "lessons";
const MAGIC: &str = "hindsight-lessons 1";

/// What a postmortem's lessons are kept under.
pub type Key = [u8; 32];

/// The key of `l`'s lessons: its path and bytes.
pub fn key(l: &Loaded) -> Key {
    let mut h = Sha256::new();
    h.update(l.digest);
    h.update(l.incident.path.as_bytes());
    h.finalize().into()
}

fn header() -> String {
    format!(
        "{MAGIC}\n{} {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("HINDSIGHT_SOURCE_DIGEST")
    )
}

/// The lessons kept in a state folder: the file's body, and where each postmortem's
/// list is in it (decoded only when taken).
#[derive(Default)]
pub struct Kept {
    body: Vec<u8>,
    at: HashMap<Key, std::ops::Range<usize>>,
}

/// Guards as decoded from their JSON form, by that form: most lessons with a guard
/// repeat one many postmortems share.
pub type Guards = HashMap<String, Vec<Guard>>;

impl Kept {
    /// The lessons kept under `key`, if any and they decode; `guards` remembers the
    /// guards decoded so far.
    pub fn get(&self, key: &Key, guards: &mut Guards) -> Option<Vec<Learned>> {
        let mut d = Dec(self.body.get(self.at.get(key)?.clone())?);
        let list = d.list(|d| learned(d, guards))?;
        d.0.is_empty().then_some(list)
    }

    /// How many postmortems' lessons are kept.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// The encoded list under `key`, to write again as it is.
    pub fn raw(&self, key: &Key) -> Option<&[u8]> {
        self.body.get(self.at.get(key)?.clone())
    }
}

/// The lessons kept in `state`; none if there are none this hindsight can use.
pub fn read(state: &Path) -> Kept {
    let Ok(bytes) = std::fs::read(state.join(FILE)) else {
        return Kept::default();
    };
    index(bytes).unwrap_or_default()
}

fn index(mut body: Vec<u8>) -> Option<Kept> {
    let range = unseal(&body, header().as_bytes())?;
    body.truncate(range.end);
    body.drain(..range.start);
    let mut d = Dec(&body);
    let n = d.count()?;
    let mut at = HashMap::with_capacity(n);
    for _ in 0..n {
        let key = Key::try_from(d.take(32)?).ok()?;
        let len = d.usize()?;
        let start = body.len() - d.0.len();
        d.0 = d.0.get(len..)?;
        at.insert(key, start..start + len);
    }
    d.0.is_empty().then_some(Kept { body, at })
}

/// `list` encoded to keep, if it reads back exactly as it is (its guards go through
/// their JSON form); `guards` remembers the guard forms decoded so far.
pub fn encoded(list: &[Learned], guards: &mut Guards) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut e = Enc(&mut bytes);
    e.usize(list.len());
    for one in list {
        encode(&mut e, one);
    }
    let mut d = Dec(&bytes);
    let back = d.list(|d| learned(d, guards))?;
    (back == list && d.0.is_empty()).then_some(bytes)
}

/// Keep `lessons` (each postmortem's key and its list, `encoded`) in `state`. Best
/// effort: without it the next build reads every postmortem for lessons again.
pub fn write(state: &Path, lessons: &[(Key, &[u8])]) {
    let _ = write_file(state, lessons);
}

fn write_file(state: &Path, lessons: &[(Key, &[u8])]) -> std::io::Result<()> {
    use std::io::Write;
    if !state.is_dir() {
        return Ok(());
    }
    // Streamed: at 100,000 postmortems the file is over 100 MB, and a copy of it in
    // memory showed in the peak.
    let tmp = crate::fsio::temp_file(state)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp);
    out.write_all(header().as_bytes())?;
    let mut crc = crc32fast::Hasher::new();
    let mut put = |out: &mut std::io::BufWriter<_>, bytes: &[u8]| {
        crc.update(bytes);
        out.write_all(bytes)
    };
    let mut head = Vec::new();
    Enc(&mut head).usize(lessons.len());
    put(&mut out, &head)?;
    for (key, list) in lessons {
        head.clear();
        head.extend_from_slice(key);
        Enc(&mut head).usize(list.len());
        put(&mut out, &head)?;
        put(&mut out, list)?;
    }
    out.write_all(&crc.finalize().to_le_bytes())?;
    let tmp = out
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    tmp.persist(state.join(FILE)).map_err(|e| e.error)?;
    Ok(())
}

const POLARITIES: [Polarity; 2] = [Polarity::Do, Polarity::Dont];
const STRENGTHS: [Strength; 3] = [Strength::Practice, Strength::Plan, Strength::Task];
const STATUSES: [RuleStatus; 2] = [RuleStatus::Active, RuleStatus::Proposed];

fn place<T: PartialEq>(v: T, all: &[T]) -> usize {
    all.iter().position(|x| *x == v).unwrap_or(all.len())
}

fn encode(e: &mut Enc, l: &Learned) {
    e.usize(usize::from(l.field));
    e.usize(l.line);
    e.usize(place(l.status, &STATUSES));
    let s = &l.lesson;
    e.str(&s.text);
    e.str(&s.source);
    e.opt_str(s.reason.as_deref());
    e.usize(place(s.polarity, &POLARITIES));
    e.usize(place(s.strength, &STRENGTHS));
    // Guards are few (most lessons name none): their JSON form is compact enough.
    let guards = if s.guards.is_empty() {
        String::new()
    } else {
        serde_json::to_string(&s.guards).unwrap_or_default()
    };
    e.str(&guards);
    e.opt_str(s.subject.as_deref());
    e.strings(&s.steps);
    e.usize(usize::from(s.unsure));
}

fn learned(d: &mut Dec, known: &mut Guards) -> Option<Learned> {
    let field = u8::try_from(d.usize()?).ok()?;
    let line = d.usize()?;
    let status = *STATUSES.get(d.usize()?)?;
    let text = d.string()?;
    let source = d.string()?;
    let reason = d.opt_string()?;
    let polarity = *POLARITIES.get(d.usize()?)?;
    let strength = *STRENGTHS.get(d.usize()?)?;
    let guards = match d.str()? {
        "" => Vec::new(),
        json => match known.get(json) {
            Some(g) => g.clone(),
            None => {
                let g = serde_json::from_str::<Vec<Guard>>(json).ok()?;
                known.insert(json.to_string(), g.clone());
                g
            }
        },
    };
    let subject = d.opt_string()?;
    let steps = d.strings()?;
    let unsure = match d.usize()? {
        0 => false,
        1 => true,
        _ => return None,
    };
    Some(Learned {
        field,
        line,
        lesson: Lesson {
            text,
            source,
            reason,
            polarity,
            strength,
            guards,
            subject,
            steps,
            unsure,
        },
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::infer::{Origin, lessons};

    fn sample() -> Vec<Learned> {
        let mut out = Vec::new();
        for (i, s) in [
            "Never run `rsync --delete` against the live web root - it deleted the uploads.",
            "We will add alerting for the queue depth.",
            "Always pin every container image to a digest.",
        ]
        .iter()
        .enumerate()
        {
            for lesson in lessons(s, Origin::Lesson) {
                out.push(Learned {
                    field: 1,
                    line: 10 + i,
                    lesson,
                    status: RuleStatus::Proposed,
                });
            }
        }
        out[0].lesson.steps = vec!["Run a dry run first".into()];
        out
    }

    #[test]
    fn lessons_read_back_as_written() {
        let list = sample();
        assert!(list.iter().any(|l| !l.lesson.guards.is_empty()));
        let dir = tempfile::tempdir().unwrap();
        let mut guards = Guards::new();
        let (one, none) = (
            encoded(&list, &mut guards).unwrap(),
            encoded(&[], &mut guards).unwrap(),
        );
        write(dir.path(), &[([7; 32], &one), ([8; 32], &none)]);
        let back = read(dir.path());
        assert_eq!(back.len(), 2);
        assert_eq!(back.get(&[7; 32], &mut guards), Some(list.clone()));
        assert_eq!(back.get(&[8; 32], &mut guards), Some(Vec::new()));
        // Written again as they were kept, they read back the same.
        let raw = back.raw(&[7; 32]).unwrap().to_vec();
        write(dir.path(), &[([9; 32], &raw)]);
        assert_eq!(read(dir.path()).get(&[9; 32], &mut guards), Some(list));
    }

    /// Any byte changed, or the file cut short, and nothing is read.
    #[test]
    fn damaged_lessons_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let list = sample();
        let one = encoded(&list, &mut Guards::new()).unwrap();
        write(dir.path(), &[([7; 32], &one)]);
        let file = dir.path().join(FILE);
        let whole = std::fs::read(&file).unwrap();
        for at in [3, whole.len() / 2, whole.len() - 2] {
            let mut bad = whole.clone();
            bad[at] ^= 0x10;
            std::fs::write(&file, &bad).unwrap();
            assert!(read(dir.path()).is_empty(), "byte {at} changed");
        }
        std::fs::write(&file, &whole[..whole.len() - 5]).unwrap();
        assert!(read(dir.path()).is_empty());
    }
}
