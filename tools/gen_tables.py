#!/usr/bin/env python3
"""Generate src/ingest/tables.rs: code page byte tables and a compact Unicode property table.

usage: tools/gen_tables.py > src/ingest/tables.rs

Sources (Debian packages `unicode-data` and `unicode-cldr-core`, independent of any test
corpus): UnicodeData.txt and Scripts.txt for category and script, emoji-data.txt for
Extended_Pictographic, and CLDR exemplar character sets for how common a character is in
written language (the prior the mojibake repairer uses to choose between candidates).
The code page tables come from Python's codecs, the same ones that damage text in the wild.
Character pair counts come from the text of CLDR's locale files (names of languages,
countries, months, units... in each language): how often each letter follows another in
real words, for the letters a code page can lose a byte of.
"""
import codecs, glob, os, re, sys, unicodedata

UCD = "/usr/share/unicode"
CLDR = "/usr/share/unicode/cldr/common/main"
CODEPAGES = ["cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257",
             "latin-1", "iso-8859-2", "mac_roman", "cp437"]

# Categories, packed in 4 bits. Keep in sync with `Cat` in charinfo.rs. Superscripts,
# fractions and Roman numerals (No, Nl) behave like symbols in running text.
CATS = {"Cn": 0, "Cc": 1, "Cf": 2, "Co": 3, "Cs": 3, "Lu": 4, "Ll": 5, "Lt": 6, "Lm": 6, "Lo": 6,
        "Mn": 7, "Mc": 7, "Me": 7, "Nd": 8, "Nl": 10, "No": 10, "Pc": 9, "Pd": 9, "Ps": 9, "Pe": 9,
        "Pi": 9, "Pf": 9, "Po": 9, "Sm": 10, "Sc": 10, "Sk": 10, "So": 10, "Zs": 11, "Zl": 11, "Zp": 11}


def categories():
    cat = {}
    first = None
    for line in open(os.path.join(UCD, "UnicodeData.txt")):
        f = line.split(";")
        cp, name, gc = int(f[0], 16), f[1], f[2]
        if name.endswith(", First>"):
            first = cp
            continue
        if name.endswith(", Last>"):
            for c in range(first, cp + 1):
                cat[c] = CATS[gc]
            continue
        cat[cp] = CATS[gc]
    return cat


def ranges_file(name, want=None):
    out = {}
    for line in open(os.path.join(UCD, name)):
        line = line.split("#")[0].strip()
        if not line:
            continue
        rng, prop = [x.strip() for x in line.split(";")[:2]]
        if want and prop != want:
            continue
        a, _, b = rng.partition("..")
        a = int(a, 16)
        b = int(b, 16) if b else a
        for c in range(a, b + 1):
            out[c] = prop
    return out


def parse_unicode_set(s):
    """Characters named by a CLDR exemplar UnicodeSet such as [a-z {ch} \\u0301]."""
    s = s.strip()
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    chars, i, prev = set(), 0, None
    toks = []
    while i < len(s):
        c = s[i]
        if c == "\\":
            n = s[i + 1]
            if n == "u":
                toks.append(chr(int(s[i + 2:i + 6], 16))); i += 6; continue
            if n == "U":
                toks.append(chr(int(s[i + 2:i + 10], 16))); i += 10; continue
            if n == "x" and s[i + 2] == "{":
                j = s.index("}", i); toks.append(chr(int(s[i + 3:j], 16))); i = j + 1; continue
            toks.append(n); i += 2; continue
        if c == "{":
            j = s.index("}", i)
            for ch in s[i + 1:j].replace("\\", ""):
                toks.append(ch)
            toks.append(None)
            i = j + 1
            continue
        if c == "-" and toks and toks[-1] is not None and i + 1 < len(s) and s[i + 1] != " ":
            toks.append("RANGE"); i += 1; continue
        if c in " \t\n":
            toks.append(None); i += 1; continue
        toks.append(c); i += 1
    k = 0
    while k < len(toks):
        t = toks[k]
        if t == "RANGE" and k > 0 and k + 1 < len(toks) and toks[k - 1] and toks[k + 1]:
            for c in range(ord(toks[k - 1]), ord(toks[k + 1]) + 1):
                chars.add(chr(c))
            k += 2
            continue
        if t and t != "RANGE":
            chars.add(t)
        k += 1
    return chars


def exemplar_counts():
    """How many CLDR languages write each character (main/index/punctuation/numbers), and
    which characters only appear as auxiliary."""
    main, aux = {}, set()
    for path in sorted(glob.glob(os.path.join(CLDR, "*.xml"))):
        loc = os.path.basename(path)[:-4]
        # one vote per language+script; regional variants repeat their parent
        parts = loc.split("_")
        if len(parts) > 1 and not (len(parts[1]) == 4 and parts[1][0].isupper()):
            continue
        text = open(path, encoding="utf-8").read()
        seen = set()
        for m in re.finditer(r'<exemplarCharacters(?: type="(\w+)")?>(.*?)</exemplarCharacters>', text):
            kind, body = m.group(1) or "main", m.group(2)
            body = body.replace("&amp;", "&").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'")
            chars = parse_unicode_set(body)
            if kind == "auxiliary":
                aux |= {c for c in chars}
                continue
            for ch in chars:
                seen.add(ch)
                seen.add(ch.upper() if len(ch.upper()) == 1 else ch)
                seen.add(ch.lower() if len(ch.lower()) == 1 else ch)
        for ch in seen:
            main[ord(ch)] = main.get(ord(ch), 0) + 1
    aux_cps = {ord(c) for c in aux} | {ord(c.upper()) for c in aux if len(c.upper()) == 1}
    return main, aux_cps


def holes_of(cp):
    out = []
    for b in range(0x80, 0x100):
        try:
            bytes([b]).decode(cp)
        except UnicodeDecodeError:
            out.append(b)
    return out


def letter_pairs(cat):
    """Counts of adjacent letters (lower-cased; anything else is a word boundary, ' ')
    in the localized strings of CLDR, for pairs with a letter whose UTF-8 holds a byte
    some code page leaves undefined, or 0xA0 (a no-break space that editors flatten);
    how often each such letter occurs; and counts of three letters in a row with such a
    letter in the middle, seen at least three times."""
    holes = {b for cp in CODEPAGES for b in holes_of(cp)} | {0xA0}
    lossable = lambda ch: ch != " " and any(b in holes for b in ch.encode("utf-8"))
    wordlike = {4, 5, 6, 7}
    pairs, single, triples = {}, {}, {}
    for path in sorted(glob.glob(os.path.join(CLDR, "*.xml"))):
        loc = os.path.basename(path)[:-4]
        parts = loc.split("_")
        if len(parts) > 1 and not (len(parts[1]) == 4 and parts[1][0].isupper()):
            continue
        text = open(path, encoding="utf-8").read()
        text = re.sub(r"<exemplarCharacters.*?</exemplarCharacters>|<!--.*?-->", "", text, flags=re.S)
        for m in re.finditer(r">([^<>]+)<", text):
            body = m.group(1).replace("&amp;", "&").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'")
            if body.isascii():
                continue
            low = "".join(ch if cat.get(ord(ch), 0) in wordlike else " " for ch in body.lower())
            low = " " + " ".join(low.split()) + " "
            for a, b in zip(low, low[1:]):
                if lossable(a) or lossable(b):
                    pairs[(a, b)] = pairs.get((a, b), 0) + 1
            for ch in low:
                if lossable(ch):
                    single[ch] = single.get(ch, 0) + 1
            for a, b, c in zip(low, low[1:], low[2:]):
                if lossable(b):
                    triples[(a, b, c)] = triples.get((a, b, c), 0) + 1
    pairs = sorted((ord(a), ord(b), min(n, 0xFFFF)) for (a, b), n in pairs.items() if n >= 2)
    single = sorted((ord(ch), n) for ch, n in single.items())
    triples = sorted((ord(a), ord(b), ord(c), min(n, 0xFFFF)) for (a, b, c), n in triples.items() if n >= 3)
    return pairs, single, triples


def language_sets(cat):
    """For each CLDR language (one per language+script), the non-ASCII letters of its
    main exemplar set, lower-cased; scripts written without a small
    alphabet (sets over 400 letters: Han, Hangul, Yi) are left out."""
    out = []
    for path in sorted(glob.glob(os.path.join(CLDR, "*.xml"))):
        loc = os.path.basename(path)[:-4]
        parts = loc.split("_")
        if len(parts) > 1 and not (len(parts[1]) == 4 and parts[1][0].isupper()):
            continue
        text = open(path, encoding="utf-8").read()
        letters = set()
        for m in re.finditer(r'<exemplarCharacters(?: type="(\w+)")?>(.*?)</exemplarCharacters>', text):
            if (m.group(1) or "main") != "main":
                continue
            body = m.group(2).replace("&amp;", "&").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'")
            for ch in parse_unicode_set(body):
                low = ch.lower() if len(ch.lower()) == 1 else ch
                if ord(low) >= 0x80 and cat.get(ord(low), 0) in (4, 5, 6, 7):
                    letters.add(low)
        if letters and len(letters) <= 400:
            out.append("".join(sorted(letters)))
    return sorted(set(out))


def main():
    cat = categories()
    script_of = ranges_file("Scripts.txt")
    pict = ranges_file("emoji/emoji-data.txt", "Extended_Pictographic")
    pres = ranges_file("emoji/emoji-data.txt", "Emoji_Presentation")
    scripts = ["Unknown", "Common", "Inherited"] + sorted({s for s in script_of.values()} - {"Common", "Inherited"})
    sidx = {s: i for i, s in enumerate(scripts)}
    main_counts, aux = exemplar_counts()

    # A script written by one language (Greek, Thai, Georgian) has letters in one main
    # set each: commonness is measured against the script's most written letter too.
    script_max = {}
    for cp, n in main_counts.items():
        sc = script_of.get(cp, "Unknown")
        script_max[sc] = max(script_max.get(sc, 0), n)

    def props(cp):
        c = cat.get(cp, 0)
        s = sidx[script_of.get(cp, "Unknown")]
        n = main_counts.get(cp, 0)
        rel = n / script_max.get(script_of.get(cp, "Unknown"), 1) if n else 0
        if n >= 15 or (n and rel >= 0.5):
            tier = 5
        elif n >= 5 or rel >= 0.2:
            tier = 4
        else:
            tier = 3 if n >= 2 else 2 if n == 1 else 1 if cp in aux else 0
        emo = 2 if cp in pres else 1 if cp in pict else 0
        return c | (tier << 4) | (emo << 7) | (s << 9)

    rows, last = [], None
    for cp in range(0x80, 0x110000):
        p = props(cp)
        if p != last:
            rows.append((cp, p))
            last = p

    w = sys.stdout.write
    w("//! Generated by tools/gen_tables.py from the Unicode Character Database, CLDR exemplar\n")
    w("//! sets and Python's code page tables. Do not edit by hand.\n\n")
    w("/// Code page names, in the order of `CODEPAGE_HIGH`.\n")
    w("pub(super) const CODEPAGE_NAMES: [&str; %d] = [%s];\n\n" % (len(CODEPAGES), ", ".join('"%s"' % c for c in CODEPAGES)))
    w("/// For each code page, the character each byte 0x80..=0xFF decodes to (0: undefined).\n")
    w("pub(super) static CODEPAGE_HIGH: [[u32; 128]; %d] = [\n" % len(CODEPAGES))
    for cp in CODEPAGES:
        vals = []
        for b in range(0x80, 0x100):
            try:
                vals.append(ord(bytes([b]).decode(cp)))
            except UnicodeDecodeError:
                vals.append(0)
        w("    [" + ", ".join("0x%X" % v for v in vals) + "],\n")
    w("];\n\n")
    w("/// Unicode script names, indexed by the script field of a property word.\n")
    w("pub(super) const SCRIPTS: [&str; %d] = [%s];\n\n" % (len(scripts), ", ".join('"%s"' % s for s in scripts)))
    w("/// Property runs from U+0080: (first code point, packed properties); a run lasts until\n")
    w("/// the next. Bits 0-3 category, 4-6 CLDR tier, 7-8 emoji, 9-16 script.\n")
    w("pub(super) static PROPS: [(u32, u32); %d] = [\n" % len(rows))
    for i in range(0, len(rows), 6):
        w("    " + " ".join("(0x%X, 0x%X)," % r for r in rows[i:i + 6]) + "\n")
    w("];\n\n")
    pairs, single, triples = letter_pairs(cat)
    w("/// Letter pairs in CLDR's localized strings, lower-cased, with a space for a word\n")
    w("/// boundary: (first, second, count), sorted; only pairs with a letter a code page can\n")
    w("/// lose a byte of (or whose 0xA0 byte reads as a space), seen at least twice.\n")
    w("pub(super) static PAIRS: [(u32, u32, u16); %d] = [\n" % len(pairs))
    for i in range(0, len(pairs), 6):
        w("    " + " ".join("(0x%X, 0x%X, %d)," % r for r in pairs[i:i + 6]) + "\n")
    w("];\n\n")
    langs = language_sets(cat)
    w("/// The non-ASCII letters (lower-cased) of each CLDR language's main exemplar set,\n")
    w("/// for languages with small alphabets; identical sets once.\n")
    w("pub(super) static LANGUAGES: [&str; %d] = [\n" % len(langs))
    esc = lambda ch: "\\u{%X}" % ord(ch) if not ch.isprintable() or unicodedata.category(ch)[0] == "M" else ch
    for l in langs:
        w('    "%s",\n' % "".join(esc(ch) for ch in l))
    w("];\n\n")
    w("/// How often each of those letters occurs in the same strings: (letter, count), sorted.\n")
    w("pub(super) static LETTERS: [(u32, u32); %d] = [\n" % len(single))
    for i in range(0, len(single), 8):
        w("    " + " ".join("(0x%X, %d)," % r for r in single[i:i + 8]) + "\n")
    w("];\n")
    w("\n/// Letter triples in the same strings (keys as in `PAIRS`) whose middle letter a code\n")
    w("/// page can lose a byte of, seen at least three times: (first, middle, last, count),\n")
    w("/// sorted.\n")
    w("pub(super) static TRIPLES: [(u32, u32, u32, u16); %d] = [\n" % len(triples))
    for i in range(0, len(triples), 6):
        w("    " + " ".join("(0x%X, 0x%X, 0x%X, %d)," % r for r in triples[i:i + 6]) + "\n")
    w("];\n")


if __name__ == "__main__":
    main()
