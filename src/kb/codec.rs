//! A compact binary form of the record for the record cache: every field as the parser
//! made it (the JSON form recomputes each statement's section on reading, so it is not
//! an exact round trip). Decoding checks every length and tag and fails rather than
//! panics: the bytes come from a file anyone could have written.

use crate::incident::{
    Incident, RepairSummary, SectionRef, Severity, Statement, Status, TimelineEntry,
};
use crate::taxonomy::{ALL as SECTION_KINDS, SectionKind};

/// A state file's bytes: `header`, `body`, then the body's CRC-32, so that a file cut
/// short or changed is told from one written whole.
pub(crate) fn seal(header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len() + body.len() + 4);
    out.extend_from_slice(header);
    out.extend_from_slice(body);
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out
}

/// Where the body of sealed `bytes` lies, if they start with `header` and their
/// checksum holds.
pub(crate) fn unseal(bytes: &[u8], header: &[u8]) -> Option<std::ops::Range<usize>> {
    let rest = bytes.strip_prefix(header)?;
    let (body, crc) = rest.split_at_checked(rest.len().checked_sub(4)?)?;
    (crc32fast::hash(body).to_le_bytes() == crc).then(|| header.len()..header.len() + body.len())
}

/// Appends values to a byte buffer.
pub(crate) struct Enc<'a>(pub &'a mut Vec<u8>);

impl Enc<'_> {
    pub(crate) fn u64(&mut self, mut v: u64) {
        // LEB128: most numbers here are small line numbers and lengths.
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }

    pub(crate) fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.usize(b.len());
        self.0.extend_from_slice(b);
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
    }

    /// 0 for none, else one past its place in `all`.
    fn level<T: PartialEq>(&mut self, v: Option<T>, all: &[T]) {
        let i = v.and_then(|v| all.iter().position(|x| *x == v));
        self.usize(i.map_or(0, |i| i + 1));
    }

    pub(crate) fn strings(&mut self, v: &[String]) {
        self.usize(v.len());
        for s in v {
            self.str(s);
        }
    }

    fn kind(&mut self, k: SectionKind) {
        let i = SECTION_KINDS.iter().position(|x| *x == k).unwrap_or(0);
        self.usize(i);
    }

    fn statements(&mut self, v: &[Statement]) {
        self.usize(v.len());
        for st in v {
            self.str(&st.text);
            self.usize(st.line);
            self.kind(st.section);
            // 0 for none, the line plus one otherwise.
            self.u64(st.parent.map_or(0, |p| p as u64 + 1));
        }
    }

    pub(super) fn incident(&mut self, inc: &Incident) {
        self.str(&inc.id);
        self.str(&inc.path);
        self.str(&inc.title);
        self.opt_str(inc.date.as_deref());
        self.level(inc.severity, &Severity::ALL);
        self.level(inc.status, &Status::ALL);
        self.str(&inc.summary);
        self.str(&inc.impact);
        for field in [
            &inc.causes,
            &inc.symptoms,
            &inc.fixes,
            &inc.lessons,
            &inc.prevention,
        ] {
            self.statements(field);
        }
        self.usize(inc.timeline.len());
        for t in &inc.timeline {
            self.str(&t.time);
            self.str(&t.event);
            self.usize(t.line);
        }
        self.strings(&inc.commands);
        self.strings(&inc.tags);
        self.usize(inc.sections.len());
        for s in &inc.sections {
            self.kind(s.kind);
            self.str(&s.heading);
            self.usize(s.line);
            self.kind(s.effective);
        }
        self.str(&inc.repairs.encoding);
        self.usize(inc.repairs.count);
        self.0.push(u8::from(inc.repairs.lossy));
    }
}

/// Reads values back; `None` at the first thing out of place.
pub(crate) struct Dec<'a>(pub &'a [u8]);

impl<'a> Dec<'a> {
    pub(crate) fn u64(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first()?;
            self.0 = rest;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    pub(crate) fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.usize()?;
        self.take(n)
    }

    /// The next `n` bytes, as they are (a fixed-size key).
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (b, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(b)
    }

    pub(crate) fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    pub(crate) fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    /// A count of items that each take at least one byte: never more than are left,
    /// so a damaged count cannot ask for a huge allocation.
    pub(crate) fn count(&mut self) -> Option<usize> {
        self.usize().filter(|&n| n <= self.0.len())
    }

    pub(crate) fn opt_string(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }

    /// A counted list, each item read by `one`.
    pub(crate) fn list<T>(
        &mut self,
        mut one: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        (0..self.count()?).map(|_| one(self)).collect()
    }

    pub(crate) fn strings(&mut self) -> Option<Vec<String>> {
        self.list(Self::string)
    }

    fn kind(&mut self) -> Option<SectionKind> {
        SECTION_KINDS.get(self.usize()?).copied()
    }

    fn statements(&mut self) -> Option<Vec<Statement>> {
        self.list(|r| {
            Some(Statement {
                text: r.string()?,
                line: r.usize()?,
                section: r.kind()?,
                parent: match r.usize()? {
                    0 => None,
                    p => Some(p - 1),
                },
            })
        })
    }

    fn level<T: Copy>(&mut self, all: &[T]) -> Option<Option<T>> {
        match self.usize()? {
            0 => Some(None),
            i => all.get(i - 1).copied().map(Some),
        }
    }

    pub(super) fn incident(&mut self) -> Option<Incident> {
        Some(Incident {
            id: self.string()?,
            path: self.string()?,
            title: self.string()?,
            date: self.opt_string()?,
            severity: self.level(&Severity::ALL)?,
            status: self.level(&Status::ALL)?,
            summary: self.string()?,
            impact: self.string()?,
            causes: self.statements()?,
            symptoms: self.statements()?,
            fixes: self.statements()?,
            lessons: self.statements()?,
            prevention: self.statements()?,
            timeline: self.list(|r| {
                Some(TimelineEntry {
                    time: r.string()?,
                    event: r.string()?,
                    line: r.usize()?,
                })
            })?,
            commands: self.strings()?,
            tags: self.strings()?,
            sections: self.list(|r| {
                Some(SectionRef {
                    kind: r.kind()?,
                    heading: r.string()?,
                    line: r.usize()?,
                    effective: r.kind()?,
                })
            })?,
            repairs: RepairSummary {
                encoding: self.string()?,
                count: self.usize()?,
                lossy: match self.u8()? {
                    0 => false,
                    1 => true,
                    _ => return None,
                },
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Incident {
        let text = "---\nseverity: high\nstatus: resolved\ntags: [db, dns]\n---\n\
                    # Outage on 2024-03-01\n\n## Root cause\n- The cache expired\n  - nested step\n\n\
                    ## Timeline\n- 09:01 UTC paged\n\n## Action items\n- `kubectl rollout undo`\n";
        let ingested = crate::ingest::ingest_postmortem(text.as_bytes()).unwrap();
        Incident::from_text("incidents/a.md", &ingested)
    }

    #[test]
    fn records_round_trip_exactly() {
        let inc = sample();
        assert!(!inc.causes.is_empty() && !inc.sections.is_empty());
        let mut buf = Vec::new();
        Enc(&mut buf).incident(&inc);
        let mut d = Dec(&buf);
        assert_eq!(d.incident().as_ref(), Some(&inc));
        assert!(d.0.is_empty(), "every byte read");
    }

    #[test]
    fn damaged_bytes_decode_to_none_not_a_panic() {
        let mut buf = Vec::new();
        Enc(&mut buf).incident(&sample());
        for cut in 0..buf.len() {
            assert!(Dec(&buf[..cut]).incident().is_none(), "cut at {cut}");
        }
        for at in 0..buf.len() {
            let mut bad = buf.clone();
            bad[at] ^= 0xff;
            // Anything may come out of a flipped byte, only never a panic.
            let _ = Dec(&bad).incident();
        }
        assert!(Dec(&[0xff; 16]).incident().is_none());
    }
}
