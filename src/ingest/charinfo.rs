//! Character properties the mojibake repairer reasons with: category, script, how common.
//!
//! Backed by the generated `tables` module (Unicode data plus CLDR exemplar sets), so the
//! judgement "is this a character people write?" comes from published language data,
//! not from any test corpus.

use super::tables::{PROPS, SCRIPTS};

/// A coarse general category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cat {
    Unassigned,
    Control,
    Format,
    PrivateUse,
    Upper,
    Lower,
    OtherLetter,
    Mark,
    Number,
    Punct,
    Symbol,
    Space,
}

impl Cat {
    fn from_bits(b: u32) -> Cat {
        match b {
            1 => Cat::Control,
            2 => Cat::Format,
            3 => Cat::PrivateUse,
            4 => Cat::Upper,
            5 => Cat::Lower,
            6 => Cat::OtherLetter,
            7 => Cat::Mark,
            8 => Cat::Number,
            9 => Cat::Punct,
            10 => Cat::Symbol,
            11 => Cat::Space,
            _ => Cat::Unassigned,
        }
    }

    /// Letters and combining marks: the characters words are made of.
    pub fn is_wordlike(self) -> bool {
        matches!(
            self,
            Cat::Upper | Cat::Lower | Cat::OtherLetter | Cat::Mark | Cat::Number
        )
    }

    pub fn is_letter(self) -> bool {
        matches!(self, Cat::Upper | Cat::Lower | Cat::OtherLetter)
    }
}

/// Properties of one character.
#[derive(Clone, Copy, Debug)]
pub struct CharInfo {
    pub cat: Cat,
    /// How widely the character is written, from CLDR exemplar sets: 0 in no language's
    /// set, 1 auxiliary only, 2 main set of one language, 3 two to four, 4 five to
    /// fourteen, 5 fifteen or more.
    pub tier: u8,
    /// 0 not an emoji, 1 Extended_Pictographic, 2 also Emoji_Presentation.
    pub emoji: u8,
    /// Index into the script list (0 Unknown, 1 Common, 2 Inherited).
    pub script: u8,
}

pub(super) const SCRIPT_COMMON: u8 = 1;
pub(super) const SCRIPT_INHERITED: u8 = 2;

/// Properties of `c`.
pub(super) fn info(c: char) -> CharInfo {
    let cp = c as u32;
    if cp < 0x80 {
        return ascii_info(c);
    }
    let p = if cp < FAST_LIMIT {
        fast_table()[cp as usize - 0x80]
    } else {
        lookup(cp)
    };
    CharInfo {
        cat: Cat::from_bits(p & 0xF),
        tier: ((p >> 4) & 0x7) as u8,
        emoji: ((p >> 7) & 0x3) as u8,
        script: ((p >> 9) & 0xFF) as u8,
    }
}

/// Code points below this have their properties in a flat table: the scripts of most
/// text and all the code pages' characters live here.
const FAST_LIMIT: u32 = 0x3100;

fn lookup(cp: u32) -> u32 {
    let i = PROPS.partition_point(|&(start, _)| start <= cp) - 1;
    PROPS[i].1
}

fn fast_table() -> &'static [u32] {
    static TABLE: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| (0x80..FAST_LIMIT).map(lookup).collect())
}

fn ascii_info(c: char) -> CharInfo {
    let cat = if c.is_ascii_uppercase() {
        Cat::Upper
    } else if c.is_ascii_lowercase() {
        Cat::Lower
    } else if c.is_ascii_digit() {
        Cat::Number
    } else if c == ' ' {
        Cat::Space
    } else if c.is_ascii_control() {
        Cat::Control
    } else if "$+<=>^`|~".contains(c) {
        Cat::Symbol
    } else {
        Cat::Punct
    };
    let script = if c.is_ascii_alphabetic() {
        latin_script()
    } else {
        SCRIPT_COMMON
    };
    CharInfo {
        cat,
        tier: 5,
        emoji: 0,
        script,
    }
}

/// The script index of Latin.
pub(super) fn latin_script() -> u8 {
    static LATIN: std::sync::OnceLock<u8> = std::sync::OnceLock::new();
    *LATIN.get_or_init(|| script_index("Latin"))
}

fn script_index(name: &str) -> u8 {
    SCRIPTS.iter().position(|s| *s == name).unwrap_or(0) as u8
}

/// True when letters of scripts `a` and `b` can sit in one word: the same script, a
/// script-neutral character, or the CJK family (Han with kana or Hangul).
pub(super) fn scripts_compatible(a: u8, b: u8) -> bool {
    if a == b || a <= SCRIPT_INHERITED || b <= SCRIPT_INHERITED {
        return true;
    }
    let cjk = cjk_scripts();
    cjk.contains(&a) && cjk.contains(&b)
}

fn cjk_scripts() -> &'static [u8; 5] {
    static CJK: std::sync::OnceLock<[u8; 5]> = std::sync::OnceLock::new();
    CJK.get_or_init(|| {
        [
            script_index("Han"),
            script_index("Hiragana"),
            script_index("Katakana"),
            script_index("Hangul"),
            script_index("Bopomofo"),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_tiers() {
        assert_eq!(info('é').cat, Cat::Lower);
        assert_eq!(info('é').tier, 5);
        assert_eq!(info('Ã').cat, Cat::Upper);
        assert_eq!(info('\u{0301}').cat, Cat::Mark);
        assert_eq!(info('\u{0085}').cat, Cat::Control);
        assert_eq!(info('\u{E000}').cat, Cat::PrivateUse);
        assert_eq!(info('✅').emoji, 2);
        assert_eq!(info('€').cat, Cat::Symbol);
        assert!(
            info('\u{05B3}').tier <= 1,
            "a Hebrew point is in no main set"
        );
    }

    #[test]
    fn script_compatibility() {
        let han = info('分').script;
        let kana = info('あ').script;
        let cyr = info('д').script;
        assert!(scripts_compatible(han, kana));
        assert!(!scripts_compatible(cyr, latin_script()));
        assert!(scripts_compatible(info('-').script, cyr));
    }
}
