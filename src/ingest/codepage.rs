//! Single-byte code pages that UTF-8 text gets mis-decoded through, in both directions.
//!
//! Decoding tables are generated from Python's codecs (`tables.rs`), because those are
//! the tables that damage text in the wild. Encoding is "sloppy" the way damaged text
//! needs it: a C1 control character stands for its own byte (the byte survived a
//! decoder that had no character for it), and U+FFFD stands for an unknown hole byte.

use std::sync::OnceLock;

use super::tables::{CODEPAGE_HIGH, CODEPAGE_NAMES};

/// What a character of damaged text says about the byte it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unit {
    /// A known byte.
    Byte(u8),
    /// U+FFFD: one byte the code page has no character for, value unknown.
    Hole,
    /// A character this code page cannot produce: not part of the damage.
    Foreign,
}

/// One code page.
pub(super) struct Codepage {
    pub name: &'static str,
    decode: [u32; 128],
    /// (char, byte) sorted by char, for encoding.
    encode: Vec<(u32, u8)>,
    /// `unit` answers for code points below `FAST_LIMIT`, precomputed.
    fast: Vec<Unit>,
    /// Bytes the code page leaves undefined (lost, or turned into U+FFFD, in damage).
    pub holes: Vec<u8>,
    /// The holes that can stand inside a UTF-8 sequence as continuation bytes.
    pub cont_holes: Vec<u8>,
    /// How rarely text is mis-decoded through this code page, as extra evidence needed.
    pub rarity: f32,
}

impl Codepage {
    /// The byte `c` came from, if this code page made it.
    pub(super) fn unit(&self, c: char) -> Unit {
        let cp = c as u32;
        if cp < 0x80 {
            return Unit::Byte(cp as u8);
        }
        match self.fast.get(cp as usize) {
            Some(u) => *u,
            None => self.slow_unit(c),
        }
    }

    fn slow_unit(&self, c: char) -> Unit {
        let cp = c as u32;
        if cp < 0x80 {
            return Unit::Byte(cp as u8);
        }
        if (0x80..0xA0).contains(&cp) {
            return Unit::Byte(cp as u8);
        }
        // A sloppy decoder passes an undefined byte through as the Latin-1 character.
        if cp < 0x100 && self.holes.contains(&(cp as u8)) {
            return Unit::Byte(cp as u8);
        }
        if cp == 0xFFFD {
            return if self.holes.is_empty() {
                Unit::Foreign
            } else {
                Unit::Hole
            };
        }
        match self.encode.binary_search_by_key(&cp, |&(c, _)| c) {
            Ok(i) => Unit::Byte(self.encode[i].1),
            Err(_) => Unit::Foreign,
        }
    }

    /// The character byte `b` decodes to, if defined.
    pub(super) fn decode(&self, b: u8) -> Option<char> {
        if b < 0x80 {
            return Some(b as char);
        }
        match self.decode[(b - 0x80) as usize] {
            0 => None,
            cp => char::from_u32(cp),
        }
    }

    /// Undefined bytes that can stand inside a UTF-8 sequence as continuation bytes.
    pub(super) fn continuation_holes(&self) -> impl Iterator<Item = u8> + '_ {
        self.holes
            .iter()
            .copied()
            .filter(|b| (0x80..0xC0).contains(b))
    }

    /// Undefined bytes that can start a two-byte UTF-8 sequence.
    pub(super) fn lead_holes(&self) -> impl Iterator<Item = u8> + '_ {
        self.holes
            .iter()
            .copied()
            .filter(|b| (0xC2..0xE0).contains(b))
    }
}

/// Extra evidence a repair through each code page needs, in `CODEPAGE_NAMES` order:
/// Windows-1252 and Latin-1 are behind most mojibake; Mac Roman and cp437 are rare, and
/// their tables are full of symbols that line art and math legitimately use; so is
/// Windows-1257, whose letters pair up with any symbol into rare Cyrillic (`Ō¬` reads
/// as `Ԭ`).
const RARITY: [f32; 10] = [0.0, 0.5, 0.5, 1.0, 0.5, 1.5, 0.0, 1.0, 1.5, 1.5];

/// Characters below this have their `unit` in a table: every character of every code
/// page here is below it except U+FFFD, U+F8FF and the fi/fl ligatures.
const FAST_LIMIT: u32 = 0x2600;

fn is_cont(b: u8) -> bool {
    (0x80..0xC0).contains(&b)
}

/// How many code pages `all()` returns.
pub(super) const COUNT: usize = CODEPAGE_NAMES.len();

/// All code pages the repairer tries, most common first (ties go to the earlier one).
pub(super) fn all() -> &'static [Codepage] {
    static ALL: OnceLock<Vec<Codepage>> = OnceLock::new();
    ALL.get_or_init(|| {
        CODEPAGE_NAMES
            .iter()
            .zip(CODEPAGE_HIGH.iter())
            .zip(RARITY)
            .map(|((name, high), rarity)| {
                let mut encode: Vec<(u32, u8)> = high
                    .iter()
                    .enumerate()
                    .filter(|&(_, &cp)| cp != 0)
                    .map(|(i, &cp)| (cp, 0x80 + i as u8))
                    .collect();
                encode.sort_unstable();
                let holes: Vec<u8> = (0..128u8)
                    .filter(|&i| high[i as usize] == 0)
                    .map(|i| 0x80 + i)
                    .collect();
                let cont_holes = holes.iter().copied().filter(|b| is_cont(*b)).collect();
                let mut page = Codepage {
                    name,
                    decode: *high,
                    encode,
                    holes,
                    cont_holes,
                    rarity,
                    fast: Vec::new(),
                };
                page.fast = (0..FAST_LIMIT)
                    .map(|cp| char::from_u32(cp).map_or(Unit::Foreign, |c| page.slow_unit(c)))
                    .collect();
                page
            })
            .collect()
    })
}

/// True when `c` could be a byte of UTF-8 read through any code page here: a character
/// some code page maps a high byte to, a C1 control, or U+FFFD. Lines with none of
/// these (ASCII with emoji, CJK, Devanagari...) cannot hold this kind of mojibake.
pub(super) fn could_be_damage(c: char) -> bool {
    static SET: OnceLock<Vec<u64>> = OnceLock::new();
    let set = SET.get_or_init(|| {
        let mut bits = vec![0u64; 0x10000 / 64];
        let mut mark = |cp: u32| bits[(cp / 64) as usize] |= 1 << (cp % 64);
        for cp in 0x80..0x100 {
            mark(cp);
        }
        mark(0xFFFD);
        for page in all() {
            for &(cp, _) in &page.encode {
                mark(cp);
            }
        }
        bits
    });
    let cp = c as u32;
    cp < 0x10000 && set[(cp / 64) as usize] & (1 << (cp % 64)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_name(name: &str) -> Option<&'static Codepage> {
        all().iter().find(|c| c.name == name)
    }

    #[test]
    fn holes_match_python() {
        assert_eq!(
            by_name("cp1252").unwrap().holes,
            [0x81, 0x8D, 0x8F, 0x90, 0x9D]
        );
        assert_eq!(by_name("cp1251").unwrap().holes, [0x98]);
        assert!(by_name("mac_roman").unwrap().holes.is_empty());
        assert!(by_name("cp1253").unwrap().holes.contains(&0xD2));
    }

    #[test]
    fn units() {
        let mac = by_name("mac_roman").unwrap();
        assert_eq!(mac.unit('‚'), Unit::Byte(0xE2));
        assert_eq!(mac.unit('✅'), Unit::Foreign);
        let w = by_name("cp1252").unwrap();
        assert_eq!(w.unit('\u{81}'), Unit::Byte(0x81));
        assert_eq!(w.unit('\u{FFFD}'), Unit::Hole);
        assert_eq!(w.decode(0x80), Some('€'));
        assert_eq!(w.decode(0x81), None);
    }
}
