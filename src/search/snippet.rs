//! Snippets: a short excerpt of an incident's text with the matched words marked.

/// Longest excerpt, in characters.
pub(super) const CHARS: usize = 180;

/// An excerpt and the byte ranges in it that matched.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The excerpt on one line: runs of whitespace become one space, highlights kept.
    pub(super) fn flattened(&self) -> Snippet {
        let mut text = String::with_capacity(self.text.len());
        // New offset of every old byte offset, for moving highlights.
        let mut map = vec![0; self.text.len() + 1];
        let mut space = false;
        for (i, c) in self.text.char_indices() {
            if c.is_whitespace() {
                if !text.is_empty() {
                    space = true;
                }
            } else {
                if space {
                    text.push(' ');
                    space = false;
                }
                map[i] = text.len();
                text.push(c);
                continue;
            }
            map[i] = text.len();
        }
        map[self.text.len()] = text.len();
        let highlights = self
            .highlights
            .iter()
            .filter(|(s, e)| s < e && *e <= self.text.len())
            .map(|&(s, e)| (map[s], map[e].max(map[s])))
            .map(|(s, e)| (s, text[..e].trim_end().len().max(s)))
            .filter(|(s, e)| s < e)
            .collect();
        Snippet { text, highlights }
    }
}

/// The summary, or the start of the text when there is none, cut to length.
pub(super) fn lead(summary: &str, body: &str) -> Snippet {
    let src = if summary.trim().is_empty() {
        body
    } else {
        summary
    };
    Snippet {
        text: cut(src, 0).to_string(),
        highlights: Vec::new(),
    }
}

/// At most `CHARS` characters of `s` from byte `start`, ending at a word boundary.
fn cut(s: &str, start: usize) -> &str {
    let rest = &s[start..];
    match rest.char_indices().nth(CHARS) {
        None => rest,
        Some((end, _)) => {
            let head = &rest[..end];
            match head.rfind(char::is_whitespace) {
                Some(ws) if ws > end / 2 => &head[..ws],
                _ => head,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattening_keeps_highlights_on_their_words() {
        let s = Snippet {
            text: "  the\n\n rsync   --delete\tflag ".into(),
            highlights: vec![(8, 13), (18, 24)],
        };
        let f = s.flattened();
        assert_eq!(f.text, "the rsync --delete flag");
        let marked: Vec<&str> = f.highlights.iter().map(|&(a, b)| &f.text[a..b]).collect();
        assert_eq!(marked, ["rsync", "delete"]);
    }

    #[test]
    fn cuts_at_a_word_and_never_inside_a_character() {
        let long = "é word ".repeat(100);
        let s = lead("", &long);
        assert!(s.text.chars().count() <= CHARS);
        assert!(s.text.ends_with("word") || s.text.ends_with('é'));
    }
}
