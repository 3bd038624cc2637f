#!/usr/bin/env python3
"""Search quality on a real corpus: for every postmortem whose front matter names a
company and a title, ask `hindsight search` for the company plus the words of the title
that say what failed (dates, filler and the product's own name left out), and count how
often that postmortem comes back in the top 3.

usage: search_quality.py HINDSIGHT CORPUS_DIR [--min RATE] [--show-misses]
"""
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FILLER = set("""a an the of on in at to for and or with without by from due during after
before into over under via its their our is was were be been being as that this
which what when how why not no new june january february march april may july august
september october november december jan feb mar apr jun jul aug sep sept oct nov dec
incident postmortem post mortem post-mortem report summary update analysis about issue
issues event""".split())


def front_matter(text):
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    fm = {}
    for line in text[3:end].splitlines():
        m = re.match(r"^(\w+):\s*(.*)$", line)
        if m:
            fm[m.group(1)] = m.group(2).strip().strip('"').strip("'")
    return fm


def words(s):
    return [w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'&.-]*", s)]


def query_for(fm):
    company = fm.get("company", "")
    title = fm.get("title", "")
    if not company or not title:
        return None
    named = {w.lower() for w in words(company) + words(fm.get("product", ""))}
    kind = [w for w in words(title) if w.lower() not in FILLER and w.lower() not in named
            and not re.fullmatch(r"[0-9.,-]+(st|nd|rd|th)?", w.lower())]
    if not kind:
        return None
    return f"{company} {' '.join(kind[:3])}"


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    exe, corpus = args[0], Path(args[1])
    minimum = float(args[args.index("--min") + 1]) if "--min" in args else 0.0
    show = "--show-misses" in args
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(corpus, Path(tmp) / "incidents")
        cases = []
        for p in sorted((Path(tmp) / "incidents").rglob("*.md")):
            fm = front_matter(p.read_text(encoding="utf-8", errors="replace"))
            q = query_for(fm)
            if q:
                about = " ".join([fm["title"], fm.get("company", ""), fm.get("product", "")])
                cases.append((p.relative_to(tmp).as_posix(), fm["title"], q, about.lower()))
        found = 0
        misses = []
        for path, title, q, _ in cases:
            out = subprocess.run([exe, "-C", tmp, "search", "--json", "-n", "3", q],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"search failed for {q!r}: {out.stderr}")
            paths = [h["path"] for h in json.loads(out.stdout)]
            if path in paths:
                found += 1
            else:
                # Ambiguous: three or more other postmortems are about the same
                # company and kind by their own titles, so no top 3 can hold all.
                qw = [w.lower() for w in words(q)]
                alike = sum(1 for c in cases if c[0] != path and all(w in c[3] for w in qw))
                misses.append((q, title, paths, alike >= 3))
    rate = found / len(cases) if cases else 0.0
    ambiguous = sum(1 for m in misses if m[3])
    print(f"search quality: {found}/{len(cases)} titled postmortems in the top 3 "
          f"for company + failure kind ({rate:.1%}); {ambiguous} of {len(misses)} misses "
          f"are ambiguous (3+ other titles name the same company and kind)")
    if show:
        for q, title, paths, amb in misses:
            tag = "ambiguous" if amb else "miss"
            print(f"  {tag}: {q!r} (title {title!r}) -> {paths}")
    if rate < minimum:
        sys.exit(f"search quality {rate:.1%} is below the floor {minimum:.0%}")


if __name__ == "__main__":
    main()
