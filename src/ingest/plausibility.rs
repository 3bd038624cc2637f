//! How plausible a piece of text is as something a person wrote: a cost, lower is likelier.
//!
//! Mojibake has a shape: accented capitals glued to symbols (`Ã©`), case flipping inside a
//! word (`fÃ¼r`, `РїРѕ`), letters of two scripts in one word, symbols sandwiched between
//! letters, C1 control characters. Real text, in any of the ~170 languages the repairer is
//! measured on, mostly uses characters of its language's exemplar set in runs of one
//! script. The repairer compares the cost of a line as it is against the cost of the line
//! repaired, and only repairs when the difference is large.

use super::charinfo::{Cat, CharInfo, SCRIPT_INHERITED, info, scripts_compatible};
use super::prior;

/// Cost of a combining diacritic (U+0300-U+036F) on a base character: a rare letter's.
const DIACRITIC_ON_BASE: f32 = 2.2;

/// Code points below this have their context-free cost in a table.
const COST_TABLE_LIMIT: u32 = 0x3100;

/// Cost of `c` on its own, before context.
pub fn char_cost(c: char, ci: &CharInfo) -> f32 {
    static TABLE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    let cp = c as u32;
    if cp < COST_TABLE_LIMIT {
        let table = TABLE.get_or_init(|| {
            (0..COST_TABLE_LIMIT)
                .map(|cp| char::from_u32(cp).map_or(15.0, |c| compute_cost(c, &info(c))))
                .collect()
        });
        return table[cp as usize];
    }
    compute_cost(c, ci)
}

fn compute_cost(c: char, ci: &CharInfo) -> f32 {
    if c.is_ascii() {
        return if c.is_ascii_control() && c != '\t' {
            5.0
        } else {
            0.0
        };
    }
    if let Some(r) = prior::rank(c) {
        return prior::ranked_cost(r);
    }
    match ci.cat {
        Cat::Unassigned => 15.0,
        Cat::Control => 12.0,
        Cat::PrivateUse => 10.0,
        Cat::Format => match c {
            '\u{200B}'..='\u{200F}' => 1.5,
            '\u{AD}' => 4.0,
            _ => 6.0,
        },
        Cat::Space => match c {
            '\u{A0}' | '\u{3000}' | '\u{202F}' => 1.5,
            _ => 3.0,
        },
        _ if c == '\u{FFFD}' => 4.0,
        _ if ci.emoji > 0 => 3.5,
        // Unranked punctuation: in exemplar sets, but not what writers type (U+2010).
        Cat::Punct | Cat::Symbol => match ci.tier {
            5 | 4 => 1.5,
            3 => 1.8,
            2 => 2.5,
            1 => 3.5,
            _ => 5.0,
        },
        // Counting languages says a letter is written, not how often: the common tiers
        // stay close so that it never decides between two everyday letters on its own.
        _ => match ci.tier {
            5 => 1.0,
            4 => 1.1,
            3 => 1.6,
            2 => 2.2,
            1 => 3.4,
            _ => 6.0,
        },
    }
}

/// U+FE0F asks for emoji style: keyboards add it after emoji that default to text style
/// (⚠️ 🛡️), rarely after those that are emoji already (🐛). U+FE0E is rare everywhere.
fn variation_cost(c: char, prev: &CharInfo) -> f32 {
    let emoji_style = c == '\u{FE0F}';
    match (prev.emoji, prev.cat, emoji_style) {
        (1, _, true) => 0.0,
        (2, _, true) => 1.2,
        (1 | 2, _, false) => 1.5,
        (_, Cat::Symbol, _) => 2.0,
        _ => 8.0,
    }
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE0E}' | '\u{FE0F}')
}

fn is_cjk(ci: &CharInfo) -> bool {
    // Letters in CJK scripts sit next to punctuation with no spaces, as normal writing.
    ci.cat == Cat::OtherLetter && ci.script > 2 && scripts_compatible(ci.script, cjk_probe())
}

fn cjk_probe() -> u8 {
    static HAN: std::sync::OnceLock<u8> = std::sync::OnceLock::new();
    *HAN.get_or_init(|| info('中').script)
}

/// Box drawing and block elements: line art, not text.
fn is_line_art(c: char) -> bool {
    ('\u{2500}'..='\u{259F}').contains(&c)
}

/// Characters that legitimately stand inside a word of an alphabetic script.
fn in_word_punct(c: char) -> bool {
    matches!(
        c,
        '’' | '\u{2BC}' | '·' | '\u{2010}' | '\u{2011}' | '\u{AD}' | '\u{200C}' | '\u{200D}'
    )
}

/// A non-emoji symbol glued to another non-ASCII character: `≠ê`, `€™`, `‚≠`. Runs of
/// one kind (`──┼`, `★★★`) and emoji sequences are normal.
fn glued_symbol(p: char, pi: &CharInfo, c: char, ci: &CharInfo) -> bool {
    if p.is_ascii() || c.is_ascii() || pi.cat == Cat::Space || ci.cat == Cat::Space {
        return false;
    }
    let sym = |x: &CharInfo| x.cat == Cat::Symbol && x.emoji == 0;
    if !(sym(pi) || sym(ci)) || pi.emoji > 0 || ci.emoji > 0 {
        return false;
    }
    (p as u32 >> 7) != (c as u32 >> 7)
}

/// Running cost of a sequence of characters, fed one at a time.
#[derive(Default, Clone)]
pub struct Scorer {
    total: f32,
    prev: Option<(char, CharInfo)>,
    /// The last letter before a run of non-ASCII symbols, if the run started after a letter.
    letter_before_symbols: Option<CharInfo>,
    /// Letters in the current word, the script of its first letter, and whether that
    /// letter is non-ASCII.
    word_len: usize,
    word_script: u8,
    word_non_ascii: bool,
    /// Script of the last word before this one.
    prev_word_script: Option<u8>,
    /// The character before the previous one was an upper-case letter.
    prev2_upper: bool,
}

impl Scorer {
    pub fn new() -> Scorer {
        Scorer::default()
    }

    pub fn total(&self) -> f32 {
        self.total + self.lone_letter_cost()
    }

    /// A one-letter word in another script than the text around it: `“ה curves` is
    /// what `“×” curves` would become if read as mojibake. Any other one-letter word of
    /// a non-Latin-ASCII letter costs a little: few languages have them (`à`, `в`).
    fn lone_letter_cost(&self) -> f32 {
        if self.word_len != 1 || !self.word_non_ascii {
            return 0.0;
        }
        match self.prev_word_script {
            Some(p) if !scripts_compatible(p, self.word_script) => 3.0,
            _ => 1.5,
        }
    }

    /// Add one character.
    pub fn push(&mut self, c: char) {
        let ci = info(c);
        self.total += self.cost_in_context(c, &ci);
        self.prev2_upper = self.prev.is_some_and(|(_, p)| p.cat == Cat::Upper);
        if is_line_art(c) {
            // Box drawing sits between letters in tables and diagrams: no word context.
            self.letter_before_symbols = None;
            self.prev = Some((' ', info(' ')));
            return;
        }
        if ci.cat.is_letter() {
            if self.word_len == 0 {
                self.word_script = ci.script;
                self.word_non_ascii = !c.is_ascii() && !is_cjk(&ci);
            }
            self.word_len += 1;
        } else if ci.cat != Cat::Mark && self.word_len > 0 {
            self.total += self.lone_letter_cost();
            self.prev_word_script = Some(self.word_script);
            self.word_len = 0;
        }
        if c.is_ascii() || ci.cat.is_wordlike() {
            self.letter_before_symbols = None;
        } else if matches!(ci.cat, Cat::Symbol | Cat::Punct)
            && !in_word_punct(c)
            && let Some((_, p)) = self.prev
            && p.cat.is_letter()
            && !is_cjk(&p)
        {
            self.letter_before_symbols = Some(p);
        }
        self.prev = Some((c, ci));
    }

    fn cost_in_context(&self, c: char, ci: &CharInfo) -> f32 {
        let Some((p, pi)) = self.prev else {
            return char_cost(c, ci) + if ci.cat == Cat::Mark { 6.0 } else { 0.0 };
        };
        if is_line_art(c) {
            return char_cost(c, ci);
        }
        if is_variation_selector(c) {
            return variation_cost(c, &pi);
        }
        if c == '\u{200D}' && pi.emoji > 0 {
            return 0.3;
        }
        let mut cost = char_cost(c, ci);
        if c.is_ascii() && p.is_ascii() {
            return cost;
        }
        if ci.cat == Cat::Mark {
            // Marks sit on letters of their script, or on anything for overlays (`6̶`).
            let attached = (pi.cat.is_wordlike() && scripts_compatible(pi.script, ci.script))
                || (ci.script == SCRIPT_INHERITED && !matches!(pi.cat, Cat::Space | Cat::Control));
            if !attached {
                cost += 6.0;
            } else if ('\u{300}'..='\u{36F}').contains(&c) {
                // The combining diacritics are how decomposed text writes accents and how
                // overlays strike text through (`$̶6̶3̶`): on a base they are ordinary,
                // though no exemplar set lists them.
                cost = cost.min(DIACRITIC_ON_BASE);
            }
            return cost;
        }
        if ci.cat.is_letter() && pi.cat.is_letter() {
            // Mid-word script switches happen (`IL2Rγc`), but mojibake makes many.
            if !scripts_compatible(pi.script, ci.script) {
                cost += 1.5;
            }
            if pi.cat == Cat::Lower && ci.cat == Cat::Upper {
                cost += 3.0;
            }
        }
        if pi.cat.is_letter() && !p.is_ascii() && ci.cat == Cat::Symbol && ci.emoji == 0 {
            cost += 1.5;
        }
        if glued_symbol(p, &pi, c, ci) {
            cost += 1.5;
        }
        // Two symbols glued to the end of a word (`Zam√≤`, `â€™`, `â™«`): a word may end in
        // one (`5€`, `Tom™`) or in punctuation (`mot…»`), rarely in a pile of symbols.
        let sym_or_punct = |x: &CharInfo| matches!(x.cat, Cat::Symbol | Cat::Punct);
        if self.letter_before_symbols.is_some()
            && !p.is_ascii()
            && !c.is_ascii()
            && sym_or_punct(&pi)
            && sym_or_punct(ci)
            && (pi.cat == Cat::Symbol || ci.cat == Cat::Symbol)
        {
            cost += 3.0;
        }
        // An accented capital glued to a symbol or no-break space is how UTF-8 lead
        // bytes look through Latin code pages (`Ã©`, `Î³`, `Ã\u{A0}`).
        // (A capital ending an all-caps word before a no-break space is just Finnish or
        // Romanian in capitals: `SELKÄ\u{A0}EDELLÄ`.)
        let in_caps_word = self.prev2_upper;
        if pi.cat == Cat::Upper
            && !p.is_ascii()
            && (ci.cat == Cat::Symbol || (c == '\u{A0}' && !in_caps_word))
        {
            cost += 1.5;
        }
        // A lower-case accented letter ending an all-caps word (`NICIODATà`).
        if in_caps_word && pi.cat == Cat::Upper && ci.cat == Cat::Lower && !c.is_ascii() {
            cost += 2.0;
        }
        if ci.cat.is_letter()
            && !is_cjk(ci)
            && let Some(before) = self.letter_before_symbols
            && !matches!(pi.cat, Cat::Space)
            && before.cat.is_letter()
        {
            cost += 3.0;
        }
        cost
    }
}

/// Cost of a whole string.
pub fn cost(s: &str) -> f32 {
    let mut sc = Scorer::new();
    for c in s.chars() {
        sc.push(c);
    }
    sc.total()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_costs_more_than_its_repair() {
        for (bad, good) in [
            ("fÃ¼r", "für"),
            ("Ð½ÐµÐ¸ÑÐ¿Ñ€Ð°Ð²Ð½Ð°", "неисправна"),
            ("РїРѕРґ", "под"),
            ("âœ… RESOLVED", "✅ RESOLVED"),
            ("е€†ж”Ї", "分支"),
        ] {
            assert!(
                cost(bad) > cost(good) + 2.0,
                "{bad} {} vs {good} {}",
                cost(bad),
                cost(good)
            );
        }
    }

    #[test]
    fn clean_text_is_cheap() {
        for s in [
            "naïve café",
            "Ціна",
            "Ελληνικά",
            "→ ≤ “quoted”",
            "İstanbul'da",
        ] {
            let non_ascii = s.chars().filter(|c| !c.is_ascii()).count() as f32;
            assert!(cost(s) <= 1.6 * non_ascii, "{s} costs {}", cost(s));
        }
    }
}
