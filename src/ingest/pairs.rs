//! How often one letter follows another in real words, from the localized strings of
//! CLDR (names of languages, countries, months, units, in each of its languages).
//!
//! When a lost byte leaves several letters as candidates (`Ñ` before `л` could be `с`,
//! `э`, `я`, `ѐ` or `ѝ`), the letter that fits its neighbours in the words of real text
//! is the one a reader would restore: `сл`, not `ѝл`.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::charinfo::{Cat, info};
use super::tables::{LANGUAGES, LETTERS, PAIRS, TRIPLES};

/// A set of languages of `LANGUAGES`, one bit each.
pub(super) type Languages = [u64; LANGUAGES.len().div_ceil(64)];

/// The languages whose exemplar letters include `c` (a key); None if none does.
pub(super) fn languages(c: char) -> Option<&'static Languages> {
    static BY_LETTER: OnceLock<HashMap<char, Languages>> = OnceLock::new();
    BY_LETTER
        .get_or_init(|| {
            let mut m: HashMap<char, Languages> = HashMap::new();
            for (i, set) in LANGUAGES.iter().enumerate() {
                for c in set.chars() {
                    m.entry(c).or_default()[i / 64] |= 1 << (i % 64);
                }
            }
            m
        })
        .get(&c)
}

/// The languages that write every letter of `letters` (keys) that some language writes;
/// None when there is no such letter or no language writes them all (mixed text).
pub(super) fn line_languages(letters: impl Iterator<Item = char>) -> Option<Languages> {
    let mut out: Option<Languages> = None;
    for c in letters {
        if let Some(l) = languages(c) {
            let acc = out.get_or_insert(*l);
            for (a, b) in acc.iter_mut().zip(l) {
                *a &= b;
            }
        }
    }
    out.filter(|l| l.iter().any(|&w| w != 0))
}

/// True when some language of `langs` writes `c` (a key).
pub(super) fn written_by(c: char, langs: &Languages) -> bool {
    languages(c).is_some_and(|l| l.iter().zip(langs).any(|(a, b)| a & b != 0))
}

/// A character as the pair tables count it: letters and marks lower-cased, anything
/// else a word boundary (a space).
pub(super) fn key(c: char) -> char {
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            c.to_ascii_lowercase()
        } else {
            ' '
        };
    }
    let ci = info(c);
    if !(ci.cat.is_letter() || ci.cat == Cat::Mark) {
        return ' ';
    }
    let mut low = c.to_lowercase();
    match (low.next(), low.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// How often `b` follows `a` (both keys) in CLDR's strings; 0 for pairs seen less than
/// twice or without a letter a code page can lose a byte of.
pub(super) fn pair(a: char, b: char) -> u32 {
    let k = (a as u32, b as u32);
    PAIRS
        .binary_search_by(|&(x, y, _)| (x, y).cmp(&k))
        .map_or(0, |i| u32::from(PAIRS[i].2))
}

/// How often `a`, `b`, `c` (keys) follow one another in CLDR's strings; 0 for triples
/// seen less than three times or whose middle letter no code page can lose a byte of.
pub(super) fn triple(a: char, b: char, c: char) -> u32 {
    let k = (a as u32, b as u32, c as u32);
    TRIPLES
        .binary_search_by(|&(x, y, z, _)| (x, y, z).cmp(&k))
        .map_or(0, |i| u32::from(TRIPLES[i].3))
}

/// How often the letter `c` (a key) occurs in CLDR's strings, for letters a code page
/// can lose a byte of.
pub(super) fn letter(c: char) -> u32 {
    LETTERS
        .binary_search_by_key(&(c as u32), |&(x, _)| x)
        .map_or(0, |i| LETTERS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_words_decide() {
        // Russian and Ukrainian write `ст` and `ня`; `ѝ` (Bulgarian) is rare.
        assert!(pair('с', 'т') > 10 * pair('ѝ', 'т').max(1));
        assert!(pair('н', 'я') > pair('н', 'ѐ'));
        assert!(letter('с') > letter('ѐ'));
        // Pairs alone like `ия` (CLDR's names end in `-ия`); the triple knows `-истан`.
        assert!(triple('и', 'с', 'т') > 10 * triple('и', 'я', 'т').max(1));
        assert_eq!(key('С'), 'с');
        assert_eq!(key('-'), ' ');
        assert_eq!(key('A'), 'a');
    }

    #[test]
    fn languages_of_a_line() {
        // A line with é, á and ľ is Slovak: it writes č, not ā.
        let langs = line_languages("éáľ".chars()).unwrap();
        assert!(written_by('č', &langs));
        assert!(!written_by('ā', &langs));
        assert!(line_languages("abc".chars()).is_none());
    }
}
