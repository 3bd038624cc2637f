#!/usr/bin/env python3
"""Site benchmark: `hindsight build` against mdBook on the same markdown files.

usage: site.py HINDSIGHT GEN_CORPUS OUT_DIR SIZE... [--mdbook-max N] [--query-bytes]

For each size, a generated corpus (cached in OUT_DIR/corpus-SIZE) is built from
scratch by `hindsight build` (read, repair, parse, search index, rules, agent files,
site) and by `mdbook build` (a book whose SUMMARY.md lists every file as a chapter;
invalid UTF-8 is replaced, since mdBook refuses it).
mdBook's time grows with the square of the chapter count, so it runs only up to
--mdbook-max (default 10000). Prints rows of the table bench/run.sh prints: wall time,
CPU time, peak memory. After each from-scratch build, three incremental ones: nothing
changed, one postmortem edited, and a lesson added to another. With --query-bytes, also the bytes a browser loads for one-word
queries on the built site (needs node and ci/browser's playwright-core).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Rare to common in the generated corpus; "deploy" is in most postmortems (the
# largest posting list).
QUERY_WORDS = ["rsync", "kubernetes", "certificate", "latency", "deploy"]


def measure(cmd, cwd=None):
    """Wall s, CPU s, peak MB of one run of cmd (exit 0 or 1 accepted)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        r = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", t.name, *cmd],
            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        if r.returncode not in (0, 1):
            sys.exit(f"failed ({r.returncode}): {' '.join(map(str, cmd))}\n{r.stderr.decode()[-2000:]}")
        wall, user, sys_, rss = t.read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss) // 1024


def row(size, what, m, notes):
    wall, cpu, rss = m
    print(f"| {size} | {what} | {wall:.2f} s | {cpu:.2f} s | {rss} MB | {notes} |", flush=True)


def corpus(gen, out, n):
    c = out / f"corpus-{n}"
    if not (c / ".done").exists():
        shutil.rmtree(c, ignore_errors=True)
        subprocess.run([sys.executable, gen, str(c), "--count", str(n)], check=True,
                       stdout=subprocess.DEVNULL)
        (c / ".done").touch()
    return c


def hindsight(exe, out, src, n):
    kb = out / f"site-kb-{n}"
    shutil.rmtree(kb, ignore_errors=True)
    kb.mkdir(parents=True)
    (kb / "incidents").symlink_to(src)
    m = measure([exe, "-C", str(kb), "build", "--quiet"])
    pages = sum(1 for p in (kb / "site").rglob("*.html"))
    search = sum(p.stat().st_size for p in (kb / "site" / "search").iterdir())
    files = sum(1 for _ in (kb / "site" / "search").iterdir())
    row(n, "hindsight build (from scratch)", m,
        f"{pages} pages, {pages / m[0]:.0f} pages/s; search index {search / 2**20:.1f} MB in {files} files")
    return kb, m


def incremental(exe, kb, src, n):
    """Rebuilds of the knowledge base the from-scratch row just built: with nothing
    changed, after one postmortem (in the middle of the corpus) gained a line, and after
    the next UTF-8 one gained a lesson. Each file is put back afterwards, byte for byte."""
    m = measure([exe, "-C", str(kb), "build", "--quiet"])
    row(n, "hindsight build (nothing changed)", m, "right after the from-scratch build")
    files = sorted(src.glob("*.md"))
    f = files[len(files) // 2]
    orig = f.read_bytes()
    try:
        f.write_bytes(orig + b"\n- Always check the rsync target before a deploy.\n")
        m = measure([exe, "-C", str(kb), "build", "--quiet"])
        row(n, "hindsight build (one postmortem edited)", m, f"a line added to {f.name}")
    finally:
        f.write_bytes(orig)
    # Built back (not measured), so the next row changes one file only.
    measure([exe, "-C", str(kb), "build", "--quiet"])
    # The line above may leave the record as it was (at 10,000 it lands in a UTF-16
    # file's notes): a lesson added to a UTF-8 postmortem changes its record and rules.
    g = next(p for p in files[len(files) // 2 + 1:] if is_utf8(p))
    orig = g.read_bytes()
    try:
        g.write_bytes(orig + b"\n## Lessons learned\n\n- Always check the rsync target before a deploy.\n")
        m = measure([exe, "-C", str(kb), "build", "--quiet"])
        row(n, "hindsight build (a lesson added)", m, f"a lesson added to {g.name}")
    finally:
        g.write_bytes(orig)


def is_utf8(path):
    try:
        path.read_bytes().decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def mdbook(out, src, n):
    book = out / f"mdbook-{n}"
    shutil.rmtree(book, ignore_errors=True)
    (book / "src").mkdir(parents=True)
    (book / "book.toml").write_text('[book]\ntitle = "Postmortems"\n\n[output.html]\n')
    files = sorted(p.name for p in src.glob("*.md"))
    lines = ["# Summary\n"]
    for f in files:
        # mdBook stops at the first file that is not valid UTF-8 (the generated corpus
        # has damaged bytes on purpose), so it gets the same text decoded leniently.
        text = (src / f).read_bytes().decode("utf-8", "replace")
        (book / "src" / f).write_text(text, encoding="utf-8")
        lines.append(f"- [{f[:-3]}](./{f})")
    (book / "src" / "SUMMARY.md").write_text("\n".join(lines) + "\n")
    m = measure(["mdbook", "build", str(book)])
    row(n, "mdbook build (same files)", m, f"{len(files)} chapters, {len(files) / m[0]:.0f} pages/s")
    shutil.rmtree(book / "book", ignore_errors=True)
    return m


def query_bytes(exe, kb):
    script = ROOT / "ci" / "browser" / "query_bytes.mjs"
    # One retry: a page that never shows results once in a while (seen once in a
    # 10,000-incident run, not reproduced) should not cost the whole row.
    for _ in range(2):
        r = subprocess.run(["node", str(script), exe, str(kb), *QUERY_WORDS],
                           capture_output=True, text=True)
        if r.returncode == 0:
            break
    if r.returncode != 0:
        print(f"query bytes: skipped ({r.stderr.strip()[-300:]})", file=sys.stderr)
        return None
    return [line.split() for line in r.stdout.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("gen")
    ap.add_argument("out", type=Path)
    ap.add_argument("sizes", type=int, nargs="+")
    ap.add_argument("--mdbook-max", type=int, default=10000)
    ap.add_argument("--query-bytes", action="store_true")
    ap.add_argument("--hindsight-only", action="store_true",
                    help="only the hindsight rows (no mdBook, no browser queries)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    a.out = a.out.resolve()
    a.exe = str(Path(a.exe).resolve())
    have_mdbook = shutil.which("mdbook") is not None
    if not have_mdbook:
        print("mdbook not found: `cargo install mdbook --locked` for the baseline", file=sys.stderr)
    for n in a.sizes:
        src = corpus(a.gen, a.out, n)
        kb, hm = hindsight(a.exe, a.out, src, n)
        incremental(a.exe, kb, src, n)
        if have_mdbook and n <= a.mdbook_max and not a.hindsight_only:
            mm = mdbook(a.out, src, n)
            print(f"| {n} | ratio | | | | mdBook takes {mm[0] / hm[0]:.1f}x hindsight's time |", flush=True)
        if a.query_bytes and not a.hindsight_only:
            for word, size, files, hits in query_bytes(a.exe, kb) or []:
                print(f"| {n} | browser query `{word}` | | | | {int(size) / 1024:.0f} KB in {files} files, {hits} results |", flush=True)
        if n >= 50000:
            shutil.rmtree(kb, ignore_errors=True)


if __name__ == "__main__":
    main()
