//! Byte offsets to 1-based lines and columns, for every message that points into a text.
//!
//! Built once per text; a lookup is a binary search for the line and a count of the
//! characters before the offset on it, carried forward from the previous lookup on the
//! same line, so reporting thousands of hits on one long line stays linear.

use std::cell::Cell;

/// Line starts of one text, and a cursor for counting columns.
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
    /// Byte offset of each line's first byte; `starts[0] == 0`.
    starts: Vec<usize>,
    /// The last lookup: (offset, line index, column), to count on from.
    cursor: Cell<(usize, usize, usize)>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a (impl AsRef<[u8]> + ?Sized)) -> Lines<'a> {
        let bytes = text.as_ref();
        let starts = std::iter::once(0)
            .chain(memchr_newlines(bytes).map(|i| i + 1))
            .collect();
        Lines {
            bytes,
            starts,
            cursor: Cell::new((0, 0, 1)),
        }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// Byte offset where 1-based `line` starts (the text's end past the last line).
    pub(crate) fn start(&self, line: usize) -> usize {
        line.checked_sub(1)
            .and_then(|i| self.starts.get(i))
            .copied()
            .unwrap_or(self.bytes.len())
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        let line = self.line(offset);
        let (at, on, col) = self.cursor.get();
        let (from, base) = if on + 1 == line && at <= offset {
            (at, col)
        } else {
            (self.starts[line - 1], 1)
        };
        let col = base + chars(&self.bytes[from..offset]);
        self.cursor.set((offset, line - 1, col));
        (line, col)
    }

    /// The text of 1-based `line`, without its line ending.
    pub(crate) fn text(&self, line: usize) -> &'a [u8] {
        let start = self.start(line);
        let end = self.start(line + 1).min(self.bytes.len());
        let l = &self.bytes[start.min(end)..end];
        let l = l.strip_suffix(b"\n").unwrap_or(l);
        l.strip_suffix(b"\r").unwrap_or(l)
    }
}

/// Characters in UTF-8 `bytes` (continuation bytes do not count).
fn chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', bytes)
}

/// The part of a line a message shows: all of it when short, else a window around the
/// span (a minified file's line can be a megabyte, and each finding would copy it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The shown text; it starts with `…` when the line's start was cut.
    pub text: String,
    /// Characters of the line cut before `text`.
    pub skipped: usize,
}

/// Lines up to this many characters are shown whole.
const WHOLE_LINE: usize = 240;
/// Context kept on each side of a span in a longer line.
const CONTEXT: usize = 80;

impl Excerpt {
    /// `line` around the 1-based character columns `column..end` (exclusive).
    pub fn around(line: &str, column: usize, end: usize) -> Excerpt {
        let n = line.chars().count();
        if n <= WHOLE_LINE {
            return Excerpt {
                text: line.to_string(),
                skipped: 0,
            };
        }
        let first = column.saturating_sub(1).saturating_sub(CONTEXT);
        let last = (end.max(column) - 1 + CONTEXT)
            .min(n)
            .min(first + 2 * WHOLE_LINE);
        let mut text: String = line.chars().skip(first).take(last - first).collect();
        if first > 0 {
            text.insert(0, '…');
        }
        if last < n {
            text.push('…');
        }
        Excerpt {
            text,
            skipped: first,
        }
    }

    /// Where 1-based line column `column` falls in `text` (1-based).
    pub fn column(&self, column: usize) -> usize {
        let lead = usize::from(self.skipped > 0);
        column.saturating_sub(self.skipped).max(1) + lead
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let t = "ab\nçd ef\r\n\nlast";
        let l = Lines::new(t);
        assert_eq!(l.locate(0), (1, 1));
        assert_eq!(l.locate(3), (2, 1));
        assert_eq!(l.locate(t.find('d').unwrap()), (2, 2));
        assert_eq!(l.locate(t.find('e').unwrap()), (2, 4));
        assert_eq!(l.locate(t.find('d').unwrap()), (2, 2), "backwards works");
        assert_eq!(l.locate(t.find("last").unwrap()), (4, 1));
        assert_eq!(l.locate(t.len()), (4, 5));
        assert_eq!(l.text(2), "çd ef".as_bytes());
        assert_eq!(l.text(3), b"");
        assert_eq!(l.text(9), b"");
        assert_eq!(l.line(2), 1);
        assert_eq!(l.start(2), 3);
    }

    #[test]
    fn excerpts_cut_long_lines_around_the_span() {
        let short = Excerpt::around("rsync --delete a b", 7, 15);
        assert_eq!(
            (short.text.as_str(), short.column(7)),
            ("rsync --delete a b", 7)
        );
        let long = format!("{}HIT{}", "x".repeat(1000), "y".repeat(1000));
        let e = Excerpt::around(&long, 1001, 1004);
        assert!(e.text.len() < 200 && e.text.starts_with('…') && e.text.ends_with('…'));
        let at = e.column(1001);
        assert_eq!(
            e.text.chars().skip(at - 1).take(3).collect::<String>(),
            "HIT"
        );
    }
}
