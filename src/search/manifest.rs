//! The index manifest: what each postmortem looked like when it was indexed (size,
//! modification time, content hash), and which schema and hindsight version wrote the
//! index. Its presence marks the folder as hindsight's.
//!
//! Every search compares it with the files on disk, so it is a text file sorted in the
//! order folders are listed (`kb::path_order`), compared by walking both lists side by
//! side: no map is built, and unchanged lines are copied through as they are.
//!
//! ```text
//! hindsight-index <schema> <version>
//! <size>\t<mtime_ns>\t<hash>\t<path>
//! ```
//!
//! Paths escape `%`, tab, CR and LF as `%25`, `%09`, `%0D`, `%0A`.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::path::Path;

use super::stamps::Stamp;
use crate::kb::path_order;

pub(super) const FILE: &str = "HINDSIGHT-INDEX.tsv";
const MAGIC: &str = "hindsight-index";

/// One indexed file's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub size: u64,
    pub mtime_ns: u128,
    pub hash: String,
}

/// A manifest as read: its header and its lines, unparsed until compared.
#[derive(Debug)]
pub(super) struct Manifest {
    pub schema: u32,
    pub tool: String,
    text: String,
    body: usize,
}

struct Line<'m> {
    path: Cow<'m, str>,
    size: &'m str,
    mtime: &'m str,
    hash: &'m str,
    raw: &'m str,
}

fn escape(p: &str) -> Cow<'_, str> {
    if !p.contains(['%', '\t', '\r', '\n']) {
        return Cow::Borrowed(p);
    }
    Cow::Owned(
        p.replace('%', "%25")
            .replace('\t', "%09")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
}

fn unescape(p: &str) -> Cow<'_, str> {
    if !p.contains('%') {
        return Cow::Borrowed(p);
    }
    Cow::Owned(
        p.replace("%09", "\t")
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%25", "%"),
    )
}

impl Manifest {
    pub(super) fn new(schema: u32, tool: &str) -> Manifest {
        let text = format!("{MAGIC} {schema} {tool}\n");
        Manifest {
            schema,
            tool: tool.to_string(),
            body: text.len(),
            text,
        }
    }

    /// The manifest in `dir`, if there is a readable one. Without `lines`, only its
    /// header is read (enough to trust the index, not to compare files).
    pub(super) fn read(dir: &Path, lines: bool) -> Option<Manifest> {
        if lines {
            return Manifest::parse(std::fs::read_to_string(dir.join(FILE)).ok()?);
        }
        let mut head = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(std::fs::File::open(dir.join(FILE)).ok()?),
            &mut head,
        )
        .ok()?;
        Manifest::parse(head)
    }

    fn parse(text: String) -> Option<Manifest> {
        let first = text.find('\n').unwrap_or(text.len());
        let mut head = text[..first].split(' ');
        if head.next()? != MAGIC {
            return None;
        }
        let schema = head.next()?.parse().ok()?;
        let tool = head.next()?.to_string();
        let body = (first + 1).min(text.len());
        let m = Manifest {
            schema,
            tool,
            text,
            body,
        };
        // A torn or edited line means the whole file is not to be trusted.
        let whole = m.lines().all(|l| l.is_some());
        whole.then_some(m)
    }

    fn lines(&self) -> impl Iterator<Item = Option<Line<'_>>> {
        self.text[self.body..].lines().map(|raw| {
            let mut f = raw.splitn(4, '\t');
            let (size, mtime, hash, path) = (f.next()?, f.next()?, f.next()?, f.next()?);
            (size.parse::<u64>().is_ok() && mtime.parse::<u128>().is_ok()).then(|| Line {
                path: unescape(path),
                size,
                mtime,
                hash,
                raw,
            })
        })
    }

    /// Number of files listed.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.text[self.body..].lines().count()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.body >= self.text.len()
    }

    /// Compare with the files now present: `rels` (sorted by `path_order`) and their
    /// stamps (`None` if unreadable).
    pub(super) fn diff(&self, rels: &[Cow<'_, str>], stamps: &[Option<Stamp>]) -> Diff<'_> {
        let mut lines = self.lines().flatten().peekable();
        let mut d = Diff {
            state: Vec::with_capacity(rels.len()),
            gone: Vec::new(),
        };
        for (rel, stamp) in rels.iter().zip(stamps) {
            // Lines before this file are files that are gone.
            while let Some(l) =
                lines.next_if(|l| path_order(l.path.as_bytes(), rel.as_bytes()) == Ordering::Less)
            {
                d.gone.push(l.path.into_owned());
            }
            let state = match lines.next_if(|l| l.path == *rel) {
                Some(l) => {
                    let same = stamp.is_some_and(|(size, mtime)| {
                        l.size.parse() == Ok(size) && l.mtime.parse() == Ok(mtime)
                    });
                    if same {
                        State::Unchanged(l.raw)
                    } else {
                        State::Changed(Some(l.hash))
                    }
                }
                None => State::Changed(None),
            };
            d.state.push(state);
        }
        d.gone.extend(lines.map(|l| l.path.into_owned()));
        d
    }
}

/// What happened to each file since the manifest was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State<'m> {
    /// Same size and time: its line as it stands.
    Unchanged(&'m str),
    /// New (`None`) or changed since it was indexed with this content hash.
    Changed(Option<&'m str>),
}

/// The comparison of a manifest with the files present.
#[derive(Debug)]
pub(super) struct Diff<'m> {
    /// One state per file, in the order given.
    pub state: Vec<State<'m>>,
    /// Listed files that are no longer there.
    pub gone: Vec<String>,
}

/// The manifest text for `rels`, in order: unchanged files keep their line, changed
/// ones take `fresh(i)`, and files without either are left out.
pub(super) fn render(
    schema: u32,
    tool: &str,
    rels: &[Cow<'_, str>],
    state: &[State],
    fresh: impl Fn(usize) -> Option<Entry>,
) -> String {
    let mut out = String::with_capacity(64 * (rels.len() + 1));
    out.push_str(&format!("{MAGIC} {schema} {tool}\n"));
    for (i, rel) in rels.iter().enumerate() {
        match (state.get(i), fresh(i)) {
            (_, Some(e)) => out.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                e.size,
                e.mtime_ns,
                e.hash,
                escape(rel)
            )),
            (Some(State::Unchanged(raw)), None) => {
                out.push_str(raw);
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cows<'a>(v: &[&'a str]) -> Vec<Cow<'a, str>> {
        v.iter().map(|s| Cow::Borrowed(*s)).collect()
    }

    #[test]
    fn diff_finds_new_changed_unchanged_and_gone_files() {
        let rels = cows(&["a/1.md", "a/2.md", "a/3.md", "b.md"]);
        let entry = |n: u64| {
            Some(Entry {
                size: n,
                mtime_ns: 100 + u128::from(n),
                hash: format!("h{n}"),
            })
        };
        let none = [State::Changed(None); 4];
        let text = render(3, "0.1.0", &rels, &none, |i| entry(i as u64));
        let m = Manifest::parse(text).unwrap();
        assert_eq!((m.schema, m.tool.as_str(), m.len()), (3, "0.1.0", 4));

        // a/2.md touched, a/3.md removed, a-new.md and c.md added.
        let now = cows(&["a/1.md", "a/2.md", "a-new.md", "b.md", "c.md"]);
        let stamps = [
            Some((0, 100)),
            Some((1, 999)),
            Some((5, 5)),
            Some((3, 103)),
            None,
        ];
        let d = m.diff(&now, &stamps);
        assert!(matches!(d.state[0], State::Unchanged(l) if l.ends_with("a/1.md")));
        assert_eq!(d.state[1], State::Changed(Some("h1")));
        assert_eq!(d.state[2], State::Changed(None));
        assert!(matches!(d.state[3], State::Unchanged(_)));
        assert_eq!(d.state[4], State::Changed(None));
        assert_eq!(d.gone, ["a/3.md"]);

        let again = render(3, "0.1.0", &now, &d.state, |i| {
            (i == 1).then(|| Entry {
                size: 1,
                mtime_ns: 999,
                hash: "h1b".into(),
            })
        });
        let m2 = Manifest::parse(again).unwrap();
        assert_eq!(
            m2.len(),
            3,
            "unchanged lines kept, the changed one renewed, files without an entry left out"
        );
        let d2 = m2.diff(&now, &stamps);
        assert!(matches!(d2.state[1], State::Unchanged(_)));
    }

    #[test]
    fn odd_paths_round_trip() {
        let rels = cows(&[
            "incidents/100%.md",
            "incidents/line\nbreak.md",
            "incidents/tab\there.md",
        ]);
        let state = [State::Changed(None); 3];
        let m = Manifest::parse(render(1, "x", &rels, &state, |_| {
            Some(Entry {
                size: 1,
                mtime_ns: 2,
                hash: "h".into(),
            })
        }))
        .unwrap();
        let d = m.diff(&rels, &[Some((1, 2)); 3]);
        assert!(
            d.state.iter().all(|s| matches!(s, State::Unchanged(_))),
            "{d:?}"
        );
        assert!(d.gone.is_empty());
    }

    #[test]
    fn anything_else_is_not_a_manifest() {
        assert!(Manifest::parse(String::new()).is_none());
        assert!(Manifest::parse("{\"schema\": 1}".into()).is_none());
        assert!(
            Manifest::parse("hindsight-index 3 0.1.0\n12\tnot-a-number\tab\tx.md\n".into())
                .is_none()
        );
        assert!(
            Manifest::parse("hindsight-index 3 0.1.0\n".into())
                .unwrap()
                .is_empty()
        );
    }
}
