//! Mojibake repair: finds UTF-8 that was decoded through a single-byte code page and
//! restores it, including bytes the code page dropped or turned into U+FFFD.
//!
//! Each line is tried under every code page in `codepage::all()`. Under a code page, the
//! line's characters map back to bytes; runs of those bytes that form UTF-8 sequences
//! (or would, with lost bytes put back) are decoded. The repaired line replaces the
//! original only when it is much more plausible (`plausibility`), and only when every
//! lost byte has one clearly best reconstruction: a false repair is worse than none.

use std::collections::BTreeMap;
use std::collections::HashMap;

use super::charinfo::{Cat, info, scripts_compatible};
use super::codepage::{self, Codepage, Unit};
use super::pairs;
use super::plausibility::{Scorer, cost};
use super::prior;

/// How sure the repairer must be about one code page.
#[derive(Clone, Copy)]
struct Strictness {
    /// A line must get at least this much cheaper to be repaired.
    min_gain: f32,
    /// Cost of each byte that was lost and is put back by guesswork.
    insert_cost: f32,
    /// Cost of reading a plain space as a no-break space byte (not for `à`, see
    /// `nbsp_cost`).
    nbsp_cost: f32,
    /// Subtracted from this code page's cost when code pages compete for a line.
    preference: f32,
    /// Credit for each sequence of two or more characters that decodes: in a document
    /// known to be damaged this way, a lead byte glued to a continuation byte is
    /// evidence of damage even when lost bytes leave it looking like text (`â—` for ❗).
    structure_credit: f32,
    /// Credit for each sequence of three or more characters that decodes whole, with no
    /// byte guessed: text rarely forms one by accident (`âœ…` is ✅ on its own).
    whole_credit: f32,
    /// Cost of each character the code page maps to a high byte that no sequence
    /// explains: real damage leaves few (`MÄ£ÄM ÌÑÌ` is leetspeak, not mojibake).
    orphan_cost: f32,
    /// How much a code page's rarity as a source of mojibake raises `min_gain`.
    rarity_weight: f32,
}

/// With no other evidence, damage must be obvious.
const STRICT: Strictness = Strictness {
    min_gain: 3.0,
    insert_cost: 2.0,
    nbsp_cost: 1.0,
    preference: 0.0,
    structure_credit: 0.0,
    whole_credit: 3.0,
    orphan_cost: 1.0,
    rarity_weight: 1.0,
};
/// Once other lines of the document were repaired under a code page, a line that looks
/// damaged the same way is believed on much less evidence. Guesses get cheaper only for
/// the kinds of damage the document has shown (`corroborate`).
const CORROBORATED: Strictness = Strictness {
    min_gain: 0.5,
    insert_cost: 2.0,
    nbsp_cost: 1.0,
    preference: 0.0,
    structure_credit: 2.0,
    whole_credit: 0.0,
    orphan_cost: 0.3,
    rarity_weight: 0.0,
};
/// In a line already repaired once, what remains is likely damaged again.
const LATER_ROUND_MIN_GAIN: f32 = 1.0;
/// A guess of a kind the document has already needed elsewhere.
const CHEAP_GUESS: f32 = 0.5;
/// The code page that explains most of the document wins lines that others explain
/// about as well (cp1250 and ISO-8859-2 agree on most letters, and differ on a few).
const DOMINANT_PREFERENCE: f32 = 3.0;
/// A character the code page cannot produce, glued to text it decoded: the damage
/// hypothesis leaves it unexplained (`”Ž` where cp1252 explains `â€Ž` whole).
const UNEXPLAINED_COST: f32 = 2.0;
/// What a lead byte of a three- or four-byte sequence left unguessed costs on top of an
/// orphan's cost.
const UNGUESSED_COST: f32 = 0.5;
/// A reconstruction must beat the runner-up by this much to be trusted when both are
/// ranked emoji or symbols (the ranking is a deliberate prior)...
const MIN_MARGIN_RANKED: f32 = 0.15;
/// ...by this much when both are emoji: status emoji that lose the same bytes (📊, 📚,
/// 📈 in Windows-1257) are told apart by nothing but the prior, and the commonest is
/// the best guess there is.
const MIN_MARGIN_EMOJI: f32 = 0.05;
/// ...by this much when only the winner is ranked...
const MIN_MARGIN_OVER_UNRANKED: f32 = 0.5;
/// ...and by this much otherwise: how many languages write a letter says little about
/// which of two everyday letters this text had, so only an exotic runner-up loses.
const MIN_MARGIN: f32 = 1.0;
/// ...but between letters, which are also chosen by how they fit the words around them
/// (`fits`), by this much: letter pair statistics are noisy, and a wrong letter is a
/// false repair.
const MIN_MARGIN_LETTERS: f32 = 2.0;
/// Repairs applied to one line at most (text can be damaged twice).
const MAX_ROUNDS: usize = 3;

type Params = [Strictness; codepage::COUNT];

/// One repaired line: where the damage starts, what it was and what it is now.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Repair {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in characters) where the changed text starts.
    pub column: usize,
    pub before: String,
    pub after: String,
    /// The code page the text had been decoded through.
    pub codepage: &'static str,
    /// True when lost bytes had to be reconstructed.
    pub lossy: bool,
}

/// Damage that was seen but not repaired, because no reconstruction was clearly best.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Unresolved {
    pub line: usize,
    pub codepage: &'static str,
}

/// What repairing a text did.
#[derive(Clone, Debug, Default)]
pub(super) struct Repaired {
    pub text: String,
    pub repairs: Vec<Repair>,
    pub unresolved: Vec<Unresolved>,
}

/// Repairs of a whole text, one after another, until one finds nothing to do.
const MAX_PASSES: usize = 3;

/// Repair every line of `text`, so that repairing the result again changes nothing.
///
/// A repair can uncover more damage: a second layer under the first, or C1 controls
/// that, read as Windows-1252, spell mojibake (`â\u{80}\u{9C}` -> `â€œ` -> `“`). So the
/// text is repaired again while that still changes it; the repairs reported go from
/// the text as given to the final text.
pub(super) fn repair_text(text: &str) -> Repaired {
    let mut out = repair_pass(text);
    for _ in 1..MAX_PASSES {
        if out.repairs.is_empty() {
            break;
        }
        let again = only_repaired_lines(&out, repair_pass(&out.text));
        if again.repairs.is_empty() {
            break;
        }
        match compose(text, &out, again) {
            Some(c) => out = c,
            None => break,
        }
    }
    out
}

/// `again` (a repair of `prev.text`) kept only on the lines `prev` repaired: a later
/// pass looks for a second layer of damage under a repair. A line the first pass left
/// alone was judged with the whole document's evidence, which a later pass lacks (the
/// damage it corroborated is gone by then), so its verdict stands.
fn only_repaired_lines(prev: &Repaired, again: Repaired) -> Repaired {
    let repaired: std::collections::BTreeSet<usize> = prev.repairs.iter().map(|r| r.line).collect();
    if again.repairs.iter().all(|r| repaired.contains(&r.line)) {
        return again;
    }
    let text = prev
        .text
        .split_inclusive('\n')
        .zip(again.text.split_inclusive('\n'))
        .enumerate()
        .map(|(i, (old, new))| {
            if repaired.contains(&(i + 1)) {
                new
            } else {
                old
            }
        })
        .collect();
    Repaired {
        text,
        repairs: again
            .repairs
            .into_iter()
            .filter(|r| repaired.contains(&r.line))
            .collect(),
        unresolved: again
            .unresolved
            .into_iter()
            .filter(|u| repaired.contains(&u.line))
            .collect(),
    }
}

/// `first` then `second` (a repair of `first.text`), as one repair of `original`; None
/// if the line structure changed (it never should: lines are repaired one for one).
fn compose(original: &str, first: &Repaired, second: Repaired) -> Option<Repaired> {
    let lines = |t: &str| -> Vec<String> {
        t.split_inclusive('\n')
            .map(|l| split_eol(l).0.to_string())
            .collect()
    };
    let (before, after) = (lines(original), lines(&second.text));
    if before.len() != after.len() {
        return None;
    }
    let mut how: BTreeMap<usize, (&'static str, bool)> = BTreeMap::new();
    for r in first.repairs.iter().chain(&second.repairs) {
        let e = how.entry(r.line).or_insert((r.codepage, false));
        e.0 = r.codepage;
        e.1 |= r.lossy;
    }
    let repairs = how
        .into_iter()
        .filter(|(line, _)| before[line - 1] != after[line - 1])
        .map(|(line, (cp, lossy))| diff_span(&before[line - 1], &after[line - 1], line, cp, lossy))
        .collect();
    Some(Repaired {
        text: second.text,
        repairs,
        unresolved: second.unresolved,
    })
}

/// One repair of every line of `text`.
///
/// Two passes: the first repairs what is obvious on its own. Code pages that explain a
/// fair share of the document's non-ASCII lines are then corroborated, the one that
/// explains most is preferred, and the second pass retries every damaged-looking line
/// with that evidence and with the characters the document already uses as tie-breakers.
fn repair_pass(text: &str) -> Repaired {
    if text.is_ascii() {
        return Repaired {
            text: text.to_string(),
            ..Repaired::default()
        };
    }
    let lines: Vec<(&str, &str)> = text.split_inclusive('\n').map(split_eol).collect();
    let strict: Params = [STRICT; codepage::COUNT];
    let none = DocEvidence::default();
    let mut outcomes: Vec<LineOutcome> = lines
        .iter()
        .map(|(line, _)| repair_line(line, &none, &strict))
        .collect();

    if let Some((params, dominant)) = corroborate(&lines, &outcomes) {
        // Evidence comes from repaired lines and from lines the dominant code page
        // could not have damaged; other lines may be damaged beyond repair.
        let cp = &codepage::all()[dominant];
        let undamaged = |l: &str| {
            l.chars()
                .all(|c| c.is_ascii() || cp.unit(c) == Unit::Foreign)
        };
        let doc = DocEvidence::gather(lines.iter().zip(&outcomes).filter_map(
            |((l, _), o)| match o {
                LineOutcome::Repaired { text, guesses, .. } if !guesses.any() => {
                    Some(text.as_str())
                }
                _ if undamaged(l) => Some(*l),
                _ => None,
            },
        ));
        for ((line, _), o) in lines.iter().zip(outcomes.iter_mut()) {
            if line.is_ascii() {
                continue;
            }
            // The second pass may change a repair (the dominant code page wins ties),
            // but never undo one that guessed nothing: cheaper guesses can make a sure
            // line look unsure. A first-pass guess it doubts is withdrawn.
            let sure = matches!(o, LineOutcome::Repaired { guesses, .. } if !guesses.any());
            let second = repair_line(line, &doc, &params);
            if matches!(second, LineOutcome::Repaired { .. }) || !sure {
                *o = second;
            }
        }
        resolve_with_repairs(&lines, &mut outcomes, &params, doc, undamaged);
    }

    let mut out = Repaired {
        text: String::with_capacity(text.len()),
        ..Repaired::default()
    };
    for (i, ((line, eol), o)) in lines.iter().zip(outcomes).enumerate() {
        match o {
            LineOutcome::Clean => out.text.push_str(line),
            LineOutcome::Repaired {
                text,
                codepage,
                guesses,
                ..
            } => {
                let name = codepage::all()[codepage].name;
                out.repairs
                    .push(diff_span(line, &text, i + 1, name, guesses.any()));
                out.text.push_str(&text);
            }
            LineOutcome::Ambiguous(cp) => {
                out.unresolved.push(Unresolved {
                    line: i + 1,
                    codepage: codepage::all()[cp].name,
                });
                out.text.push_str(line);
            }
        }
        out.text.push_str(eol);
    }
    out
}

/// A third look at the lines still unresolved, with the words of every repaired line as
/// evidence, guessed letters included: a lost letter is lost wherever it occurs, so the
/// words it is in only show up in lines where other evidence already restored it
/// (`inválido` restored where `ñ` tells the language decides `invĆlido` elsewhere). Only
/// words: letter pairs and character counts stay those of the sure lines, or the
/// guesses would vote for themselves.
fn resolve_with_repairs(
    lines: &[(&str, &str)],
    outcomes: &mut [LineOutcome],
    params: &Params,
    mut doc: DocEvidence,
    undamaged: impl Fn(&str) -> bool,
) {
    if !outcomes
        .iter()
        .any(|o| matches!(o, LineOutcome::Ambiguous(_)))
    {
        return;
    }
    doc.words.clear();
    for ((l, _), o) in lines.iter().zip(outcomes.iter()) {
        match o {
            LineOutcome::Repaired { text, .. } => doc.gather_words(text),
            _ if undamaged(l) => doc.gather_words(l),
            _ => {}
        }
    }
    for ((line, _), o) in lines.iter().zip(outcomes.iter_mut()) {
        if matches!(o, LineOutcome::Ambiguous(_)) {
            let third = repair_line(line, &doc, params);
            if matches!(third, LineOutcome::Repaired { .. }) {
                *o = third;
            }
        }
    }
}

/// Second-pass strictness from what the first pass found, and the code page that
/// explains most lines; None if nothing explains a fair share (one in twenty) of the
/// document's non-ASCII lines.
fn corroborate(lines: &[(&str, &str)], outcomes: &[LineOutcome]) -> Option<(Params, usize)> {
    let mut explains = [0usize; codepage::COUNT];
    let (mut inserted, mut nbsp) = (0usize, 0usize);
    let non_ascii = lines.iter().filter(|(l, _)| !l.is_ascii()).count();
    let fair_share = |n: usize| n > 0 && n * 20 >= non_ascii;
    for o in outcomes {
        match o {
            LineOutcome::Repaired {
                explained, guesses, ..
            } => {
                for (i, n) in explains.iter_mut().enumerate() {
                    *n += usize::from(explained & (1 << i) != 0);
                }
                inserted += usize::from(guesses.inserted);
                nbsp += usize::from(guesses.nbsp);
            }
            // Damage seen but not repaired: most often bytes lost beyond a sure guess.
            LineOutcome::Ambiguous(_) => inserted += 1,
            LineOutcome::Clean => {}
        }
    }
    let mut params: Params = [STRICT; codepage::COUNT];
    let mut any = false;
    for (p, &n) in params.iter_mut().zip(&explains) {
        if fair_share(n) {
            *p = CORROBORATED;
            // One kind of loss per document: bytes dropped by a decoder, or no-break
            // spaces flattened by an editor. The one with more evidence gets cheap.
            if fair_share(inserted) && inserted >= nbsp {
                p.insert_cost = CHEAP_GUESS;
            } else if fair_share(nbsp) {
                p.nbsp_cost = CHEAP_GUESS / 2.0;
            }
            any = true;
        }
    }
    let top = explains.iter().copied().max().unwrap_or(0);
    let dominant = explains.iter().position(|&n| n == top && n > 0)?;
    params[dominant].preference = DOMINANT_PREFERENCE;
    any.then_some((params, dominant))
}

fn split_eol(raw: &str) -> (&str, &str) {
    let body = raw.trim_end_matches(['\n', '\r']);
    (body, &raw[body.len()..])
}

enum LineOutcome {
    Clean,
    Repaired {
        text: String,
        /// Index of the code page of the first round.
        codepage: usize,
        /// Code pages that explained the first round equally well, as a bit set.
        explained: u32,
        guesses: Guesses,
    },
    Ambiguous(usize),
}

fn repair_line(line: &str, doc: &DocEvidence, params: &Params) -> LineOutcome {
    let mut current = line.to_string();
    let mut first: Option<(usize, u32)> = None;
    let mut guesses = Guesses::default();
    for round in 0..MAX_ROUNDS {
        match best_decoding(&current, doc, params, round > 0) {
            Some((d, explained)) if !d.ambiguous => {
                first.get_or_insert((d.codepage, explained));
                guesses = guesses.or(d.guesses);
                current = d.text;
            }
            Some((d, _)) => {
                // A later round that is unsure keeps what earlier rounds did.
                if first.is_none() {
                    return LineOutcome::Ambiguous(d.codepage);
                }
                break;
            }
            None => break,
        }
    }
    if let Some(fixed) = c1_as_windows_1252(&current) {
        current = fixed;
        first.get_or_insert((0, 1));
    }
    match first {
        Some((codepage, explained)) => LineOutcome::Repaired {
            text: current,
            codepage,
            explained,
            guesses,
        },
        None => LineOutcome::Clean,
    }
}

/// C1 control characters are never meant as text: they are Windows-1252 punctuation
/// (`\x93`, `\x85`) read as Latin-1. Index 0 of `codepage::all()` is Windows-1252.
fn c1_as_windows_1252(line: &str) -> Option<String> {
    if !line.chars().any(|c| ('\u{80}'..='\u{9F}').contains(&c)) {
        return None;
    }
    let w = &codepage::all()[0];
    let fixed: String = line
        .chars()
        .map(|c| match c {
            '\u{80}'..='\u{9F}' => w.decode(c as u8).unwrap_or(c),
            _ => c,
        })
        .collect();
    (fixed != line).then_some(fixed)
}

struct Decoded {
    text: String,
    cost: f32,
    /// Index into `codepage::all()`.
    codepage: usize,
    guesses: Guesses,
    ambiguous: bool,
}

/// The most plausible decoding of `line` under any code page that gains enough, with
/// the set of code pages whose decoding is exactly as plausible.
fn best_decoding(
    line: &str,
    doc: &DocEvidence,
    params: &Params,
    later_round: bool,
) -> Option<(Decoded, u32)> {
    if !line.chars().any(codepage::could_be_damage) {
        return None;
    }
    let chars: Vec<char> = line.chars().collect();
    // C1 controls have a cheap explanation of their own (Windows-1252 punctuation read as
    // Latin-1): a decoding must beat that, not the controls.
    let base = std::cell::OnceCell::new();
    let base = || *base.get_or_init(|| cost(c1_as_windows_1252(line).as_deref().unwrap_or(line)));
    let mut found: Vec<Decoded> = Vec::new();
    for (i, cp) in codepage::all().iter().enumerate() {
        let p = params[i];
        let mut needed = p.min_gain + p.rarity_weight * cp.rarity;
        if later_round {
            needed = needed.min(LATER_ROUND_MIN_GAIN);
        }
        if let Some(d) = decode_under(cp, i, &chars, doc, p)
            && base() - d.cost >= needed
        {
            found.push(d);
        }
    }
    // The most plausible reading wins; if it is unsure, the line stays as it is (a sure
    // but less plausible reading through another code page is how wrong repairs happen).
    let ranked = |d: &Decoded| d.cost - params[d.codepage].preference;
    let best = found
        .iter()
        .enumerate()
        .min_by(|a, b| ranked(a.1).total_cmp(&ranked(b.1)).then(a.0.cmp(&b.0)))?
        .0;
    let best_cost = found[best].cost;
    let explained = found
        .iter()
        .filter(|d| !d.ambiguous && d.cost <= best_cost + 0.01)
        .fold(0u32, |m, d| m | 1 << d.codepage);
    Some((found.swap_remove(best), explained))
}

/// The kinds of guess a repair made.
#[derive(Clone, Copy, Debug, Default)]
struct Guesses {
    /// Put back bytes the code page dropped.
    inserted: bool,
    /// Read a plain space as a no-break space byte.
    nbsp: bool,
    /// Chose one reading among several.
    chosen: bool,
}

impl Guesses {
    fn any(self) -> bool {
        self.inserted || self.nbsp || self.chosen
    }

    fn or(self, o: Guesses) -> Guesses {
        Guesses {
            inserted: self.inserted || o.inserted,
            nbsp: self.nbsp || o.nbsp,
            chosen: self.chosen || o.chosen,
        }
    }
}

/// A stretch of the line: either a character kept as is, or a UTF-8 sequence to decode.
enum Piece {
    Keep(char),
    /// A lead byte whose continuation bytes were all lost, left unguessed for lack of
    /// evidence: the line is damaged but this reading cannot be sure of it.
    Unguessed(char),
    /// Candidate readings, and how many characters of the line the sequence spans.
    Seq(Vec<Cand>, usize),
}

/// One reading of a damaged sequence.
#[derive(Clone, Copy, Debug)]
struct Cand {
    c: char,
    /// Lost bytes this reading puts back.
    inserted: u8,
    /// The sequence swallowed a space this reading keeps (`à` + space, or a lost byte
    /// before a space that was a space all along).
    space: bool,
    /// The reading takes a plain space for a no-break space byte.
    nbsp: bool,
}

impl Cand {
    fn new(c: char, inserted: u8) -> Cand {
        Cand {
            c,
            inserted,
            space: false,
            nbsp: false,
        }
    }
}

fn seq_len(lead: u8) -> usize {
    match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

fn is_cont(b: u8) -> bool {
    (0x80..0xC0).contains(&b)
}

/// Decode one complete byte sequence; UTF-8's own rules reject overlongs and surrogates.
fn decode_seq(bytes: &[u8]) -> Option<char> {
    std::str::from_utf8(bytes).ok()?.chars().next()
}

/// Split `chars` into pieces under code page `cp`; None if nothing decodes.
fn pieces_under(cp: &Codepage, chars: &[char], bare: bool) -> Option<Vec<Piece>> {
    if !may_hold_sequence(cp, chars, bare) {
        return None;
    }
    let units: Vec<Unit> = chars.iter().map(|&c| cp.unit(c)).collect();
    let mut pieces = Vec::with_capacity(chars.len());
    let mut found = false;
    let mut i = 0;
    while i < chars.len() {
        let lead = match units[i] {
            Unit::Byte(b) if seq_len(b) > 0 => b,
            Unit::Byte(b) if is_cont(b) => {
                // A stray continuation byte: its lead byte may have been lost (0xD2 in
                // cp1253), or it is just a character. Both stay candidates.
                let mut cands: Vec<Cand> = cp
                    .lead_holes()
                    .filter_map(|h| decode_seq(&[h, b]).map(|c| Cand::new(c, 1)))
                    .collect();
                if cands.is_empty() {
                    pieces.push(Piece::Keep(chars[i]));
                } else {
                    cands.push(Cand::new(chars[i], 0));
                    pieces.push(Piece::Seq(cands, 1));
                }
                i += 1;
                continue;
            }
            _ => {
                pieces.push(Piece::Keep(chars[i]));
                i += 1;
                continue;
            }
        };
        if let Some(c) = cesu8_pair(&units[i..]) {
            found = true;
            pieces.push(Piece::Seq(vec![Cand::new(c, 0)], 6));
            i += 6;
            continue;
        }
        let need = seq_len(lead) - 1;
        let mut slots: Vec<Unit> = Vec::with_capacity(need);
        let mut j = i + 1;
        while j < chars.len() && slots.len() < need {
            match units[j] {
                Unit::Byte(b) if is_cont(b) => slots.push(Unit::Byte(b)),
                Unit::Hole => slots.push(Unit::Hole),
                _ => break,
            }
            j += 1;
        }
        let mut cands = candidates(cp, lead, &slots, need, bare);
        if slots.len() < need
            && chars.get(j) == Some(&' ')
            && cp.decode(0xA0) == Some('\u{A0}')
            && let Some(nbsp) = nbsp_as_space(lead, &slots, &chars[j..])
        {
            // Both readings span the space: lost bytes before a real space, or the
            // space standing for the no-break space byte.
            for c in &mut cands {
                c.space = true;
            }
            cands.push(nbsp);
            j += 1;
        }
        if cands.is_empty() {
            let lost = slots.is_empty() && !bare && cp.continuation_holes().next().is_some();
            pieces.push(if lost {
                Piece::Unguessed(chars[i])
            } else {
                Piece::Keep(chars[i])
            });
            i += 1;
            continue;
        }
        found = true;
        pieces.push(Piece::Seq(cands, j - i));
        i = j;
    }
    found.then_some(pieces)
}

/// A cheap first look: is there a lead byte under `cp` followed by a continuation
/// byte, a hole or a space (or, with `bare`, any lead byte, or a continuation byte the
/// code page could have lost the lead of)?
fn may_hold_sequence(cp: &Codepage, chars: &[char], bare: bool) -> bool {
    let lead_holes = cp.lead_holes().next().is_some();
    let mut prev_lead = false;
    for &c in chars {
        if c.is_ascii() {
            if prev_lead && (c == ' ' || bare) {
                return true;
            }
            prev_lead = false;
            continue;
        }
        match cp.unit(c) {
            Unit::Byte(b) if is_cont(b) && (prev_lead || lead_holes) => return true,
            Unit::Hole if prev_lead => return true,
            Unit::Byte(b) => prev_lead = seq_len(b) > 0,
            _ => prev_lead = false,
        }
        if prev_lead && bare {
            return true;
        }
    }
    prev_lead && bare
}

/// A no-break space (byte 0xA0) that an editor turned into a plain space: `Ã ` for `à`,
/// `Å veices` for `Šveices`. `rest` starts at that space. Returns the character and
/// whether the space survives: French and Portuguese `à` stands alone (so a space
/// follows it) except in the contractions `às`, `àquele`, `àquilo`.
fn nbsp_as_space(lead: u8, slots: &[Unit], rest: &[char]) -> Option<Cand> {
    let mut bytes = vec![lead];
    for s in slots {
        match s {
            Unit::Byte(b) => bytes.push(*b),
            _ => return None,
        }
    }
    bytes.push(0xA0);
    let c = decode_seq(&bytes)?;
    let after: String = rest[1..].iter().take(5).collect();
    let joined = after.starts_with(' ')
        || after.starts_with("s ")
        || after.starts_with("quel")
        || after.starts_with("quil");
    // A guess, but a cheaper one than a lost byte: editors do this to NBSP all the time.
    Some(Cand {
        c,
        inserted: 0,
        space: c == 'à' && !joined,
        nbsp: true,
    })
}

/// Cost of reading a space as a no-break space; nothing for `à`, which French writes
/// before a word so often that editors' NBSP-to-space damage of it is routine.
fn nbsp_cost(cand: &Cand, strictness: Strictness) -> f32 {
    match (cand.nbsp, cand.c) {
        (false, _) | (true, 'à') => 0.0,
        (true, _) => strictness.nbsp_cost,
    }
}

/// A surrogate pair written as two three-byte sequences (CESU-8, as Java and old
/// MySQL do), at the start of `units`.
fn cesu8_pair(units: &[Unit]) -> Option<char> {
    let b: Vec<u8> = units
        .iter()
        .take(6)
        .map_while(|u| match u {
            Unit::Byte(b) => Some(*b),
            _ => None,
        })
        .collect();
    if b.len() < 6 || b[0] != 0xED || b[3] != 0xED {
        return None;
    }
    if !(0xA0..=0xAF).contains(&b[1]) || !(0xB0..=0xBF).contains(&b[4]) {
        return None;
    }
    if !is_cont(b[2]) || !is_cont(b[5]) {
        return None;
    }
    let hi = 0xD000 | (u32::from(b[1] & 0x3F) << 6) | u32::from(b[2] & 0x3F);
    let lo = 0xD000 | (u32::from(b[4] & 0x3F) << 6) | u32::from(b[5] & 0x3F);
    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
}

/// Every character `lead` + `slots` could have been, with lost bytes put back and each
/// U+FFFD hole filled with every byte the code page leaves undefined.
///
/// A lead byte with nothing after it (`ð` then a space) is only guessed at when the
/// document has shown lost bytes (`bare`): otherwise every accented letter before a
/// plain one would be a candidate, for nothing.
fn candidates(cp: &Codepage, lead: u8, slots: &[Unit], need: usize, bare: bool) -> Vec<Cand> {
    let missing = need - slots.len();
    if missing > 0 && slots.is_empty() && !bare {
        return Vec::new();
    }
    let holes = &cp.cont_holes;
    // Three lost bytes leave a bare four-byte lead (`π` for 🏁 in cp1253): only then.
    let most = if bare && slots.is_empty() { 3 } else { 2 };
    if missing > 0 && (holes.is_empty() || missing > most) {
        return Vec::new();
    }
    let mut out = Vec::new();
    // Choose which positions the lost bytes occupied, then fill every hole.
    for mask in 0u32..(1 << need) {
        if mask.count_ones() as usize != missing {
            continue;
        }
        let mut present = slots.iter();
        let pattern: Vec<Unit> = (0..need)
            .map(|p| {
                if mask & (1 << p) != 0 {
                    Unit::Hole
                } else {
                    *present.next().unwrap_or(&Unit::Foreign)
                }
            })
            .collect();
        fill(&mut vec![lead], &pattern, holes, &mut |bytes| {
            if let Some(c) = decode_seq(bytes) {
                out.push(Cand::new(c, missing as u8));
            }
        });
    }
    out
}

fn fill(prefix: &mut Vec<u8>, rest: &[Unit], holes: &[u8], emit: &mut dyn FnMut(&[u8])) {
    match rest.first() {
        None => emit(prefix),
        Some(Unit::Byte(b)) => {
            prefix.push(*b);
            fill(prefix, &rest[1..], holes, emit);
            prefix.pop();
        }
        Some(Unit::Hole) => {
            for &h in holes {
                prefix.push(h);
                fill(prefix, &rest[1..], holes, emit);
                prefix.pop();
            }
        }
        Some(Unit::Foreign) => {}
    }
}

/// Decode `chars` under `cp`, choosing the best candidate for each sequence.
fn decode_under(
    cp: &Codepage,
    index: usize,
    chars: &[char],
    doc: &DocEvidence,
    strictness: Strictness,
) -> Option<Decoded> {
    let pieces = pieces_under(cp, chars, strictness.insert_cost <= CHEAP_GUESS)?;
    let mut text = String::with_capacity(chars.len() * 2);
    let mut scorer = Scorer::new();
    let mut guesses = Guesses::default();
    let mut ambiguous = false;
    let mut inserted = 0usize;
    let mut glued = 0usize;
    let mut unexplained = 0usize;
    let mut whole = 0usize;
    let mut orphans = 0usize;
    let mut bare_leads = 0usize;
    let mut unguessed = 0usize;
    let mut nbsp = 0.0;
    let rtl = pieces.iter().filter_map(certain_char).any(right_to_left);
    // The line's language, from the letters its sequences surely decode to.
    let langs = pairs::line_languages(pieces.iter().filter_map(|p| match p {
        Piece::Seq(cands, _) if cands.len() == 1 => Some(pairs::key(cands[0].c)),
        _ => None,
    }));
    for (idx, piece) in pieces.iter().enumerate() {
        let c = match piece {
            Piece::Unguessed(c) => {
                // A lead byte of a longer sequence with nothing after it would have lost
                // two bytes in a row: worse than an orphan, and a code page that reads
                // it as a letter of its own wins (`ção` is no cp1252 damage).
                ambiguous = true;
                unguessed += usize::from(matches!(cp.unit(*c), Unit::Byte(b) if seq_len(b) > 2));
                *c
            }
            Piece::Keep(c) => {
                match cp.unit(*c) {
                    Unit::Foreign if next_to_seq(&pieces, idx) => unexplained += 1,
                    Unit::Byte(b) if b >= 0x80 => orphans += 1,
                    _ => {}
                }
                *c
            }
            Piece::Seq(cands, span) => {
                glued += usize::from(*span > 1);
                bare_leads += usize::from(*span == 1 && cands.iter().all(|c| c.inserted > 0));
                // ...unless it glues a letter of another script to a word (`Brontë…”`
                // is not `Bront녔`).
                let glued = text
                    .chars()
                    .next_back()
                    .is_some_and(|p| foreign_letters(p, cands[0].c));
                whole += usize::from(
                    *span > 2
                        && cands.len() == 1
                        && cands[0].inserted == 0
                        && plausible(cands[0].c)
                        && !glued,
                );
                let next = pieces.get(idx + 1).and_then(certain_char);
                let context = Context {
                    prev: text.chars().next_back().unwrap_or(' '),
                    next: pieces.get(idx + 1).map_or(vec![' '], readings),
                    quotes: if cands.len() > 1 && cands.iter().any(|c| is_quote(c.c)) {
                        Quotes::around(&text, &pieces[idx + 1..])
                    } else {
                        Quotes::default()
                    },
                    rtl,
                    langs,
                    word: if cands.len() > 1 && !doc.words.is_empty() {
                        word_around(&text, &pieces[idx + 1..])
                    } else {
                        None
                    },
                };
                let (choice, decisive) = choose(&scorer, cands, next, &context, doc, strictness);
                let cand = cands[choice];
                ambiguous |= !decisive;
                guesses = guesses.or(Guesses {
                    inserted: cand.inserted > 0,
                    nbsp: cand.nbsp,
                    chosen: cands.len() > 1,
                });
                inserted += cand.inserted as usize;
                nbsp += nbsp_cost(&cand, strictness);
                if cand.space {
                    scorer.push(cand.c);
                    text.push(cand.c);
                    ' '
                } else {
                    cand.c
                }
            }
        };
        scorer.push(c);
        text.push(c);
    }
    Some(Decoded {
        cost: scorer.total() + inserted as f32 * strictness.insert_cost
            - glued as f32 * strictness.structure_credit
            - bare_leads as f32 * strictness.structure_credit * 0.5
            - whole as f32 * strictness.whole_credit
            + unexplained as f32 * UNEXPLAINED_COST
            + orphans as f32 * strictness.orphan_cost
            + unguessed as f32 * (strictness.orphan_cost + UNGUESSED_COST)
            + nbsp,
        text,
        codepage: index,
        guesses,
        ambiguous,
    })
}

/// A letter of a script written right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko...).
fn right_to_left(c: char) -> bool {
    ('\u{590}'..='\u{8FF}').contains(&c) || ('\u{FB1D}'..='\u{FEFC}').contains(&c)
}

/// Two letters of scripts that do not share words.
fn foreign_letters(a: char, b: char) -> bool {
    let (ai, bi) = (info(a), info(b));
    ai.cat.is_letter() && bi.cat.is_letter() && !scripts_compatible(ai.script, bi.script)
}

/// A character worth the credit for decoding whole: one people write.
fn plausible(c: char) -> bool {
    let ci = info(c);
    // U+FFFD decoded from `ï¿½` is the replacement character itself, damaged once more.
    prior::rank(c).is_some() || ci.emoji > 0 || ci.tier >= 2 || c == '\u{FFFD}'
}

/// True when the piece at `idx` touches a decoded sequence.
fn next_to_seq(pieces: &[Piece], idx: usize) -> bool {
    let is_seq = |i: usize| matches!(pieces.get(i), Some(Piece::Seq(..)));
    (idx > 0 && is_seq(idx - 1)) || is_seq(idx + 1)
}

/// The character a piece most likely holds, as context for its neighbour: itself, its
/// only reading, or the emoji variation selector when that is among the readings (it
/// is what follows text-style emoji such as ➡ and ⚠).
fn certain_char(p: &Piece) -> Option<char> {
    match p {
        Piece::Keep(c) | Piece::Unguessed(c) => Some(*c),
        Piece::Seq(cands, _) if cands.len() == 1 => Some(cands[0].c),
        Piece::Seq(cands, _) => cands.iter().find(|c| c.c == '\u{FE0F}').map(|c| c.c),
    }
}

/// Every character a piece may hold.
fn readings(p: &Piece) -> Vec<char> {
    match p {
        Piece::Keep(c) | Piece::Unguessed(c) => vec![*c],
        Piece::Seq(cands, _) => cands.iter().map(|c| c.c).collect(),
    }
}

/// The neighbours of a sequence being decoded: the character before it, as decoded, and
/// the readings of the piece after it.
struct Context {
    prev: char,
    next: Vec<char>,
    /// The quotation marks the line surely has before and after the sequence.
    quotes: Quotes,
    /// The line surely has letters written right to left.
    rtl: bool,
    /// The languages that write every letter the line surely has, if any do.
    langs: Option<pairs::Languages>,
    /// The letters (keys) of the word around the sequence, before and after it; None
    /// when a letter after it is uncertain too.
    word: Option<(String, String)>,
}

/// The word a sequence stands in, as keys: the letters decoded just before it (the end
/// of `text`) and the letters `rest` surely holds after it.
fn word_around(text: &str, rest: &[Piece]) -> Option<(String, String)> {
    let mut left: Vec<char> = text
        .chars()
        .rev()
        .map(pairs::key)
        .take_while(|&k| k != ' ')
        .collect();
    left.reverse();
    let mut right = String::new();
    for p in rest {
        let c = match p {
            Piece::Keep(c) | Piece::Unguessed(c) => *c,
            Piece::Seq(cands, _) if cands.len() == 1 => cands[0].c,
            Piece::Seq(..) => return None,
        };
        match pairs::key(c) {
            ' ' => break,
            k => right.push(k),
        }
    }
    Some((left.into_iter().collect(), right))
}

/// Weight of the log count of the word a candidate makes among the document's words.
const WORD_WEIGHT: f32 = 4.0;

/// Weight of how well a letter fits its neighbours (`fit`, natural log of odds) against
/// the plausibility costs.
const FIT_WEIGHT: f32 = 1.0;
/// A letter pair seen in this document counts as this many seen in CLDR's strings.
const DOC_PAIR_WEIGHT: f32 = 4.0;
/// Odds against a letter that no language writing the rest of the line writes.
const FOREIGN_LETTER: f32 = 9.0;
/// Weight of the log count of the letter with both neighbours seen in the document.
const TRIPLE_WEIGHT: f32 = 1.0;
/// Share of a letter's fit taken from how often it stands between the same two letters
/// in CLDR's strings (the rest from the two pairs): pairs alone take `иcт` for `ият`
/// because CLDR's names end in `-ия` so often, the triple knows `-истан`.
const CLDR_TRIPLE_SHARE: f32 = 0.5;
/// How much the count the two pairs predict for a triple CLDR never wrote (few are) is
/// believed against the triples it did.
const TRIPLE_BACKOFF: f32 = 0.1;

/// How well each letter of `cands` fits between its neighbours in the words of real
/// text, as a natural log of odds: how often the pair with the letter before occurs, and
/// the pair with the letter after over how often the letter does (CLDR's strings and
/// this document's sure parts; the best reading of the next piece is assumed), blended
/// with how often CLDR writes the three letters in a row, and how often the three
/// occur together in the document. A neighbour no candidate was ever seen with says
/// nothing and is left out.
fn fits(cands: &[Cand], ctx: &Context, doc: &DocEvidence) -> Vec<f32> {
    let w = DOC_PAIR_WEIGHT;
    let p = pairs::key(ctx.prev);
    let nexts = |c: &Cand| -> Vec<char> {
        if c.space {
            vec![' ']
        } else {
            ctx.next.iter().map(|&n| pairs::key(n)).collect()
        }
    };
    let terms: Vec<Fit> = cands
        .iter()
        .map(|c| {
            let k = pairs::key(c.c);
            let cldr_left = pairs::pair(p, k);
            let mut fit = Fit {
                left: cldr_left as f32 + w * doc.pair(p, k) as f32,
                right: 0.0,
                alone: pairs::letter(k) as f32 + w * doc.letter(k) as f32,
                seen: 0,
                cldr_triple: 0,
            };
            for n in nexts(c) {
                let (cldr, here) = (pairs::pair(k, n), doc.pair(k, n));
                fit.right = fit.right.max(cldr as f32 + w * here as f32);
                // A triple is counted only where both of its pairs are: this saves
                // most lookups.
                if here > 0 {
                    fit.seen = fit.seen.max(doc.triple(p, k, n));
                }
                if cldr > 0 && cldr_left > 0 {
                    fit.cldr_triple = fit.cldr_triple.max(pairs::triple(p, k, n));
                }
            }
            fit
        })
        .collect();
    let any_left = terms.iter().any(|t| t.left > 0.0);
    let any_right = terms.iter().any(|t| t.right > 0.0);
    let both = any_left && any_right && terms.iter().any(|t| t.cldr_triple > 0);
    terms
        .iter()
        .zip(cands)
        .map(|(t, c)| {
            let mut f = TRIPLE_WEIGHT * (1.0 + t.seen as f32).ln();
            if let Some(langs) = &ctx.langs
                && !pairs::written_by(pairs::key(c.c), langs)
            {
                f -= FOREIGN_LETTER;
            }
            let left = (t.left + 0.5).ln();
            let right = (t.right + 0.5).ln() - (t.alone + 1.0).ln();
            if both {
                let predicted = t.left * t.right / (t.alone + 1.0);
                let triple = (t.cldr_triple as f32 + TRIPLE_BACKOFF * predicted + 0.5).ln();
                f += CLDR_TRIPLE_SHARE * triple + (1.0 - CLDR_TRIPLE_SHARE) * (left + right);
                return f;
            }
            if any_left {
                f += left;
            }
            if any_right {
                f += right;
            }
            f
        })
        .collect()
}

/// The counts `fits` weighs for one candidate letter.
struct Fit {
    /// The pair with the letter before, in CLDR and (weighted) the document.
    left: f32,
    /// The pair with the letter after, likewise.
    right: f32,
    /// The letter on its own, likewise.
    alone: f32,
    /// The three letters in a row in the document.
    seen: u32,
    /// The three letters in a row in CLDR.
    cldr_triple: u32,
}

/// Quotation marks that lose a byte to the same code pages.
fn is_quote(c: char) -> bool {
    matches!(c, '„' | '‚' | '“' | '”' | '‘' | '’')
}

/// The quotation marks of a line around a sequence being decoded.
#[derive(Default)]
struct Quotes {
    before: String,
    after: String,
}

impl Quotes {
    /// The marks of the text decoded so far, and those the pieces after surely hold.
    fn around(text: &str, rest: &[Piece]) -> Quotes {
        Quotes {
            before: text.chars().filter(|&c| is_quote(c)).collect(),
            after: rest
                .iter()
                .filter_map(certain_char)
                .filter(|&c| is_quote(c))
                .collect(),
        }
    }
}

/// What it costs to put `c` between `context.prev` and `next` (None: unknown), for the
/// characters whose place says what they are. Quotations open after a space or a
/// bracket and close before one; low marks (`„`, `‚`) only open; `”` and `’` close (or,
/// `’`, join a word); `“` and `‘` open, and close only a quotation a low mark opened
/// (`„so“`); a mark that pairs with one the line has is likelier. Joiners (U+200C,
/// U+200D) stand between letters or emoji, direction marks in right-to-left text. The
/// lost byte of `“`, `”`, `„` and U+200D is often the same one.
fn placement_cost(c: char, context: &Context, next: Option<char>) -> f32 {
    if !(is_quote(c) || matches!(c, '\u{200C}'..='\u{200F}')) {
        return emoji_placement_cost(c, next);
    }
    const MISPLACED: f32 = 2.5;
    const PAIRED: f32 = 1.0;
    let prev = context.prev;
    let edge = |c: char| c.is_whitespace() || "([{<-–—/".contains(c);
    let end = |c: char| c.is_whitespace() || ".,;:!?)]}>-–—/".contains(c);
    let opens = edge(prev) && next.is_some_and(|n| !n.is_whitespace());
    let closes = !edge(prev) && next.is_none_or(end);
    let q = &context.quotes;
    let low_before = q.before.contains(['„', '‚']);
    let closers = |c: char| match c {
        '„' => "“”",
        '“' => "”",
        '‚' => "‘’",
        '‘' => "’",
        _ => "",
    };
    let openers = |c: char| match c {
        '“' => "„",
        '”' => "„“",
        '‘' => "‚",
        '’' => "‚‘",
        _ => "",
    };
    let joins = |x: Option<char>| {
        x.is_some_and(|x| {
            let xi = info(x);
            !x.is_ascii() && (xi.cat.is_letter() || xi.cat == Cat::Mark || xi.emoji > 0)
        })
    };
    match c {
        '„' | '‚' if closes => MISPLACED,
        '”' if opens => MISPLACED,
        '’' if opens => MISPLACED / 2.0,
        '“' | '‘' if closes && !low_before => MISPLACED,
        '“' | '”' if !opens && !closes && !edge(prev) => MISPLACED / 2.0,
        '„' | '‚' | '“' | '‘' if opens && q.after.contains(|a| closers(c).contains(a)) => {
            -PAIRED
        }
        '”' | '’' | '“' | '‘' if closes && q.before.contains(|b| openers(c).contains(b)) => {
            -PAIRED
        }
        '\u{200C}' | '\u{200D}' if !(joins(Some(prev)) && joins(next)) => MISPLACED,
        '\u{200E}' | '\u{200F}' if !context.rtl => MISPLACED,
        _ => 0.0,
    }
}

/// Emoji stand apart from words (`🐛 ok`, not `🛠ok`, which a no-break space read as
/// the last byte of 🛠 would make), and one that defaults to text style (➡, ✖) is
/// followed by U+FE0F when meant as an emoji: without it, an emoji-style one (⚡) is
/// likelier.
fn emoji_placement_cost(c: char, next: Option<char>) -> f32 {
    const GLUED: f32 = 1.25;
    const TEXT_STYLE: f32 = 0.5;
    let ci = info(c);
    if ci.emoji == 0 {
        return 0.0;
    }
    let Some(n) = next else { return 0.0 };
    if n.is_alphanumeric() {
        GLUED
    } else if ci.emoji == 1 && n != '\u{FE0F}' && n != '\u{200D}' {
        TEXT_STYLE
    } else {
        0.0
    }
}

/// Index of the best candidate, and whether it beats the runner-up clearly.
fn choose(
    scorer: &Scorer,
    candidates: &[Cand],
    next: Option<char>,
    context: &Context,
    doc: &DocEvidence,
    strictness: Strictness,
) -> (usize, bool) {
    if candidates.len() == 1 {
        return (0, true);
    }
    // Letters are chosen by the words they make too; a choice between symbols, or
    // between a letter and a symbol, by plausibility and the prior alone.
    let letters = candidates.iter().all(|c| {
        let ci = info(c.c);
        ci.cat.is_letter() || ci.cat == Cat::Mark
    });
    let fit_weight = if letters { FIT_WEIGHT } else { 0.0 };
    let fit = if fit_weight > 0.0 {
        fits(candidates, context, doc)
    } else {
        vec![0.0; candidates.len()]
    };
    let mut scored: Vec<(f32, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(i, cand)| {
            let mut s = scorer.clone();
            let before = s.total();
            s.push(cand.c);
            if cand.space {
                s.push(' ');
            }
            if let Some(n) = next {
                s.push(n);
            }
            let after = if cand.space { Some(' ') } else { next };
            let mut local = s.total() - before
                + cand.inserted as f32 * strictness.insert_cost
                + nbsp_cost(cand, strictness)
                + placement_cost(cand.c, context, after)
                - doc.bonus(cand.c);
            if letters && let Some((left, right)) = &context.word {
                // A word the document writes elsewhere is the word a reader restores.
                let right = if cand.space { "" } else { right.as_str() };
                let word: String = left
                    .chars()
                    .chain([pairs::key(cand.c)])
                    .chain(right.chars())
                    .collect();
                local -= WORD_WEIGHT * (1.0 + doc.word(&word) as f32).ln();
            }
            local -= fit_weight * fit[i];
            (local, i)
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (best, second) = (candidates[scored[0].1].c, candidates[scored[1].1].c);
    let needed = match (prior::rank(best).is_some(), prior::rank(second).is_some()) {
        (true, true) if info(best).emoji > 0 && info(second).emoji > 0 => MIN_MARGIN_EMOJI,
        (true, true) => MIN_MARGIN_RANKED,
        (true, false) => MIN_MARGIN_OVER_UNRANKED,
        _ if letters => MIN_MARGIN_LETTERS,
        _ => MIN_MARGIN,
    };
    (scored[0].1, scored[1].0 - scored[0].0 >= needed)
}

/// What the rest of the document says: the characters it uses, and the letter pairs
/// (as `pairs::key`s) of its words that hold a non-ASCII letter.
#[derive(Default)]
struct DocEvidence {
    counts: HashMap<char, u32>,
    letters: HashMap<char, u32>,
    pairs: HashMap<(char, char), u32>,
    /// Letter triples (keys) whose middle letter is not ASCII.
    triples: HashMap<(char, char, char), u32>,
    /// Words (as keys) that hold a non-ASCII letter.
    words: HashMap<String, u32>,
}

impl DocEvidence {
    fn gather<'a>(lines: impl Iterator<Item = &'a str>) -> DocEvidence {
        let mut doc = DocEvidence::default();
        for line in lines {
            doc.gather_words(line);
            let mut prev = ' ';
            let mut prev2 = ' ';
            for c in line.chars().chain([' ']) {
                if !c.is_ascii() {
                    *doc.counts.entry(c).or_insert(0) += 1;
                }
                let k = pairs::key(c);
                if !k.is_ascii() {
                    *doc.letters.entry(k).or_insert(0) += 1;
                }
                if !(k.is_ascii() && prev.is_ascii()) {
                    *doc.pairs.entry((prev, k)).or_insert(0) += 1;
                }
                if !prev.is_ascii() {
                    *doc.triples.entry((prev2, prev, k)).or_insert(0) += 1;
                }
                prev2 = prev;
                prev = k;
            }
        }
        doc
    }

    fn gather_words(&mut self, line: &str) {
        let mut word = String::new();
        for k in line.chars().map(pairs::key).chain([' ']) {
            if k != ' ' {
                word.push(k);
                continue;
            }
            if !word.is_ascii() {
                *self.words.entry(std::mem::take(&mut word)).or_insert(0) += 1;
            }
            word.clear();
        }
    }

    fn word(&self, w: &str) -> u32 {
        self.words.get(w).copied().unwrap_or(0)
    }

    fn pair(&self, a: char, b: char) -> u32 {
        self.pairs.get(&(a, b)).copied().unwrap_or(0)
    }

    fn triple(&self, a: char, b: char, c: char) -> u32 {
        self.triples.get(&(a, b, c)).copied().unwrap_or(0)
    }

    fn letter(&self, c: char) -> u32 {
        self.letters.get(&c).copied().unwrap_or(0)
    }

    /// A small preference for characters the document already uses.
    fn bonus(&self, c: char) -> f32 {
        match self.counts.get(&c) {
            Some(&n) => (0.2 * (1.0 + n as f32).ln()).min(0.8),
            None => 0.0,
        }
    }
}

/// The changed span between a line and its repair, for reporting.
fn diff_span(
    before: &str,
    after: &str,
    line: usize,
    codepage: &'static str,
    lossy: bool,
) -> Repair {
    let a: Vec<char> = before.chars().collect();
    let b: Vec<char> = after.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    Repair {
        line,
        column: prefix + 1,
        before: a[prefix..a.len() - suffix].iter().collect(),
        after: b[prefix..b.len() - suffix].iter().collect(),
        codepage,
        lossy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> String {
        repair_text(s).text
    }

    #[test]
    fn repairs_the_three_seed_kinds() {
        assert_eq!(fix("**Status**: âœ… RESOLVED"), "**Status**: ✅ RESOLVED");
        assert_eq!(fix("1. âŒ Did NOT run"), "1. ❌ Did NOT run");
        assert_eq!(fix("## ğŸš¨ CRITICAL INCIDENT"), "## 🚨 CRITICAL INCIDENT");
        // Mac Roman's 0xF0 is the Apple logo, U+F8FF.
        assert_eq!(fix("# \u{F8FF}üö® EMERGENCY"), "# 🚨 EMERGENCY");
        assert_eq!(
            fix("**Status**: ‚úÖ **RESOLVED** ‚Üí done"),
            "**Status**: ✅ **RESOLVED** → done"
        );
    }

    /// Found by fuzzing (`fuzz/fuzz_targets/ingest.rs`): one repair uncovered damage a
    /// second `fix` then repaired. Each input is repaired once and must then be stable.
    #[test]
    fn a_second_repair_finds_nothing() {
        for text in ["\u{e2}\u{80}\u{9c}mismatched quotes\u{85}\u{94}"] {
            let once = repair_text(text);
            assert!(!once.repairs.is_empty(), "{text:?}");
            assert_eq!(fix(&once.text), once.text, "{text:?}");
            assert!(repair_text(&once.text).repairs.is_empty());
            // Reported repairs still go from the text as given to the final text.
            for r in &once.repairs {
                let line = text.lines().nth(r.line - 1).unwrap();
                assert!(
                    line.chars()
                        .skip(r.column - 1)
                        .collect::<String>()
                        .starts_with(&r.before)
                );
            }
        }
        assert_eq!(
            fix("\u{e2}\u{80}\u{9c}mismatched quotes\u{85}\u{94}"),
            "\u{201c}mismatched quotes\u{2026}\u{201d}"
        );
    }

    #[test]
    fn lost_bytes_choose_what_writers_type() {
        // 0x9D is undefined in Windows-1254: ❌ loses its middle byte, 📝 its last.
        assert_eq!(
            fix("âŒ no\nâœ… yes\nğŸ“ Lessons Learned"),
            "❌ no\n✅ yes\n📝 Lessons Learned"
        );
    }

    fn letters(s: &str) -> Vec<Cand> {
        s.chars().map(|c| Cand::new(c, 1)).collect()
    }

    fn best(cands: &[Cand], fit: &[f32]) -> char {
        let i = (0..fit.len())
            .max_by(|&a, &b| fit[a].total_cmp(&fit[b]))
            .unwrap();
        cands[i].c
    }

    #[test]
    fn lost_letters_fit_the_words_and_the_language() {
        // `Ä` + `n` in a line that surely has é, á and ľ: Slovak `funkčného`, not the
        // `ā` that pairs alone would prefer.
        let cands = letters("āčďĐĝ");
        let slovak = Context {
            prev: 'k',
            next: vec!['n'],
            quotes: no_quotes(),
            rtl: false,
            langs: pairs::line_languages("éáľ".chars()),
            word: None,
        };
        let fit = fits(&cands, &slovak, &DocEvidence::default());
        assert_eq!(best(&cands, &fit), 'č', "{fit:?}");
        // `Ñ` (0xD1, lost byte) between `е` and `н`: `сн` as in `десно`.
        let cands = letters("сэяѐѝ");
        let ctx = Context {
            prev: 'е',
            next: vec!['н'],
            quotes: no_quotes(),
            rtl: false,
            langs: None,
            word: None,
        };
        let fit = fits(&cands, &ctx, &DocEvidence::default());
        assert_eq!(best(&cands, &fit), 'с', "{fit:?}");
        // The document's own words decide what pairs alone leave close: Ukrainian
        // `-ння` at the end of a word.
        let doc = DocEvidence::gather(["значення поля", "налаштування мережі"].into_iter());
        let ctx = Context {
            prev: 'н',
            next: vec![' '],
            quotes: no_quotes(),
            rtl: false,
            langs: None,
            word: None,
        };
        let fit = fits(&cands, &ctx, &doc);
        assert_eq!(best(&cands, &fit), 'я', "{fit:?}");
        let alone = fits(&cands, &ctx, &DocEvidence::default());
        assert!(
            fit[2] - fit[0] > alone[2] - alone[0] + 1.0,
            "{fit:?} {alone:?}"
        );
    }

    fn no_quotes() -> Quotes {
        Quotes {
            before: String::new(),
            after: String::new(),
        }
    }

    fn around(prev: char, next: char) -> Context {
        Context {
            prev,
            next: vec![next],
            quotes: no_quotes(),
            rtl: false,
            langs: None,
            word: None,
        }
    }

    #[test]
    fn marks_are_judged_by_where_they_stand() {
        let cost = |c: char, ctx: &Context| placement_cost(c, ctx, ctx.next.first().copied());
        // Windows-1254 loses the last byte of both `„` and `”`: a quotation opens with
        // the one and closes with the other.
        let opening = around(' ', '%');
        let closing = around('s', ' ');
        assert!(cost('„', &opening) < cost('”', &opening));
        assert!(cost('”', &closing) < cost('„', &closing));
        // `“` closes only what a low mark opened, and a mark that pairs is likelier.
        let mut german = around('s', ' ');
        german.quotes.before.push('„');
        assert!(cost('“', &german) < cost('“', &closing));
        assert!(cost('”', &german) < cost('”', &closing));
        // A joiner stands between letters, a direction mark in right-to-left text.
        assert!(cost('\u{200D}', &opening) > 0.0);
        assert_eq!(cost('\u{200D}', &around('ക', 'ക')), 0.0);
        assert!(cost('\u{200F}', &opening) > 0.0);
        let mut arabic = around('ب', ' ');
        arabic.rtl = true;
        assert_eq!(cost('\u{200F}', &arabic), 0.0);
        // Emoji stand apart from words; one that defaults to text style is an emoji
        // when U+FE0F follows it.
        assert!(emoji_placement_cost('🛠', Some('o')) > emoji_placement_cost('🐛', Some(' ')));
        assert!(emoji_placement_cost('➡', Some(' ')) > emoji_placement_cost('⚡', Some(' ')));
        assert_eq!(emoji_placement_cost('➡', Some('\u{FE0F}')), 0.0);
    }

    #[test]
    fn later_passes_look_only_under_earlier_repairs() {
        let repair = |line: usize| Repair {
            line,
            column: 1,
            before: "x".into(),
            after: "y".into(),
            codepage: "cp1252",
            lossy: false,
        };
        let first = Repaired {
            text: "a\nb\n".into(),
            repairs: vec![repair(1)],
            unresolved: vec![],
        };
        let again = Repaired {
            text: "A\nB\n".into(),
            repairs: vec![repair(1), repair(2)],
            unresolved: vec![Unresolved {
                line: 2,
                codepage: "cp1252",
            }],
        };
        let kept = only_repaired_lines(&first, again);
        assert_eq!(kept.text, "A\nb\n");
        assert_eq!(kept.repairs, vec![repair(1)]);
        assert!(kept.unresolved.is_empty());
    }

    #[test]
    fn leaves_clean_text_alone() {
        for s in [
            "naïve café",
            "İstanbul'da sunucu çöktü",
            "Сервер упал",
            "Ελληνικά κείμενα",
            "a → b ≤ c “quoted”",
            "Ціна",
            "Srpski: Ђорђе, ћирилица",
            "I'm not such a fan of Charlotte Brontë…”",
            // ftfy's raised eyebrow: Windows-1257 would read `Ō¬` as Cyrillic `Ԭ`.
            "Ō¬o",
        ] {
            assert_eq!(fix(s), s);
        }
    }

    #[test]
    fn strike_through_and_text_left_clean() {
        // Combining overlays on digits (ftfy's "fancy crossing-out").
        assert_eq!(
            fix("hotel $49 $Ì¶6Ì¶3Ì¶ updated 2018"),
            "hotel $49 $\u{336}6\u{336}3\u{336} updated 2018"
        );
        // `ção` is clean text beside the damage: no lost bytes after `ç`.
        assert_eq!(
            fix("Campeonatos > III DivisÃ£o - SÃ©rie F > Jornadas Classificação"),
            "Campeonatos > III Divisão - Série F > Jornadas Classificação"
        );
    }

    /// Windows-1257 drops byte 0xA1, the second byte of `á`: `inválido` restored in one
    /// line (where `ñ` and `ó` tell the language) restores it in the next.
    #[test]
    fn words_restored_elsewhere_decide_a_lost_letter() {
        let damaged = "ConfiguraciĆ³n de la conexiĆ³n\nContraseĆ±a incorrecta\n\
            El tamaĆ±o del campo es invĆlido\nvalor de campo invĆlido\n";
        let r = repair_text(damaged);
        assert_eq!(
            r.text.lines().last(),
            Some("valor de campo inválido"),
            "{}",
            r.text
        );
    }

    #[test]
    fn twice_damaged() {
        assert_eq!(fix("Ã¢Å“â€¦ done"), "✅ done");
    }

    #[test]
    fn reports_spans() {
        let r = repair_text("ok\n**Status**: âœ… RESOLVED\r\n");
        assert_eq!(r.text, "ok\n**Status**: ✅ RESOLVED\r\n");
        assert_eq!(r.repairs.len(), 1);
        let rep = &r.repairs[0];
        assert_eq!((rep.line, rep.column), (2, 13));
        assert_eq!(rep.before, "âœ…");
        assert_eq!(rep.after, "✅");
        assert_eq!(rep.codepage, "cp1252");
        assert!(!rep.lossy);
    }
}
