#!/usr/bin/env python3
"""Generate src/ingest/tables.rs: code page byte tables and a compact Unicode property table.

usage: tools/gen_tables.py > src/ingest/tables.rs

Sources (Debian packages `unicode-data` and `unicode-cldr-core`, independent of any test
corpus): UnicodeData.txt and Scripts.txt for category and script, emoji-data.txt for
Extended_Pictographic, and CLDR exemplar character sets for how common a character is in
written language (the prior the mojibake repairer uses to choose between candidates).
The code page tables come from Python's codecs, the same ones that damage text in the wild.
"""
import codecs, glob, os, re, sys

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
    w("];\n")


if __name__ == "__main__":
    main()
