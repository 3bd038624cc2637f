#!/usr/bin/env python3
"""Search benchmark: hindsight's index against ripgrep over the same markdown.

usage: search.py HINDSIGHT CORPUS_DIR WORK_DIR

Prints markdown table rows (the format of bench/run.sh): index build time and size,
whole-process search latency (p50, p95) for a fixed set of queries next to `rg -i -l`
for the same words over the same files, and the cost of re-indexing one changed file.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# (hindsight query, the same words for rg -F -i)
QUERIES = [
    ("EADDRINUSE", "EADDRINUSE"),
    ("rsync", "rsync"),
    ('"certificate has expired"', "certificate has expired"),
    ("_worker.js", "_worker.js"),
    ("systemctl", "systemctl"),
    ('"pool size"', "pool size"),
    ("nginx", "nginx"),
    ("migration", "migration"),
    ("kubernetes", "kubernetes"),
    ("cron", "cron"),
]
RUNS = 5


def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if r.returncode not in (0, 1):
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr.decode()}")
    return elapsed


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def row(size, what, wall, notes):
    print(f"| {size} | {what} | {wall} | | | {notes} |")


def main():
    exe, corpus, work = sys.argv[1], Path(sys.argv[2]).resolve(), Path(sys.argv[3])
    n = sum(1 for _ in corpus.glob("*.md"))
    kb = work / f"kb-{n}"
    shutil.rmtree(kb, ignore_errors=True)
    kb.mkdir(parents=True)
    (kb / "incidents").symlink_to(corpus)
    hs = [exe, "-C", str(kb), "search", "-n", "10", "--color", "never"]

    build = timed(hs + ["zzzz-warmup"])
    index = kb / ".hindsight" / "index"
    size = sum(f.stat().st_size for f in index.iterdir() if f.is_file()) / 2**20
    mb = sum(f.stat().st_size for f in corpus.glob("*.md")) / 2**20
    row(n, "hindsight index build (first search)", f"{build:.2f} s", f"index {size:.0f} MB for {mb:.0f} MB of markdown")

    # Warm the page cache for both tools alike before timing.
    timed(["rg", "-i", "-l", "-F", "warmup", str(corpus)])
    h, r = [], []
    for _ in range(RUNS):
        for q, words in QUERIES:
            h.append(timed(hs + [q]))
            r.append(timed(["rg", "-i", "-l", "-F", words, str(corpus)]))
    c = []
    for _ in range(RUNS):
        for q, _words in QUERIES:
            c.append(timed(hs + ["--cached", q]))
    hp50, hp95, rp50, rp95 = pct(h, 50), pct(h, 95), pct(r, 50), pct(r, 95)
    cp50, cp95 = pct(c, 50), pct(c, 95)

    def versus(p50):
        return f"{rp50/p50:.1f}x faster than rg" if p50 < rp50 else f"{p50/rp50:.1f}x rg's time"

    row(n, "rg -i -l -F, same words, same files (baseline)", f"p50 {rp50*1000:.0f} ms, p95 {rp95*1000:.0f} ms",
        f"{len(QUERIES)} queries x {RUNS}, whole process")
    row(n, "hindsight search, top 10 with snippets", f"p50 {hp50*1000:.0f} ms, p95 {hp95*1000:.0f} ms",
        f"checks every file for changes first; {versus(hp50)}")
    row(n, "hindsight search --cached", f"p50 {cp50*1000:.0f} ms, p95 {cp95*1000:.0f} ms",
        f"index as it stands; {versus(cp50)}")

    # One file changed: the next search re-indexes it first.
    target = sorted(corpus.glob("*.md"))[n // 2]
    original = target.read_bytes()
    changed = []
    try:
        for i in range(RUNS):
            target.write_bytes(original + f"\n\nAddendum {i}: quokkafirmware{i}\n".encode())
            changed.append(timed(hs + [f"quokkafirmware{i}"]))
    finally:
        target.write_bytes(original)
    timed(hs + ["zzzz-settle"])
    row(n, "hindsight search after a one-file change", f"p50 {pct(changed, 50)*1000:.0f} ms",
        f"re-index included; unchanged p50 {hp50*1000:.0f} ms")


if __name__ == "__main__":
    main()
