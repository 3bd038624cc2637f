#!/usr/bin/env python3
"""Check `hindsight parse` on the real corpora in ../shared/corpus.

usage: corpus_coverage.py HINDSIGHT CORPUS_DIR

Every file must parse. Wherever a record lists a section of a canonical kind, the
field that kind feeds must be non-empty in at least 95% of such records; icco's
front matter titles and dates must be used. Prints the figures; exits 1 if short.
"""
import json, os, subprocess, sys

FEEDS = {
    "timeline": "timeline",
    "root_cause": "causes", "contributing_factors": "causes", "trigger": "causes", "five_whys": "causes",
    "resolution": "fixes",
    "action_items": "prevention", "prevention": "prevention",
    "lessons_learned": "lessons",
}

def main():
    binary, corpus = sys.argv[1], sys.argv[2]
    p = subprocess.run([binary, "parse", corpus], capture_output=True)
    if p.returncode != 0:
        print("parse failed:", p.stderr.decode()[:2000])
        sys.exit(1)
    records = json.loads(p.stdout)
    files = sum(1 for r, _, fs in os.walk(corpus) for f in fs
                if (f.endswith(".md") or "." not in f) and not f.startswith(".") and not f.startswith("LICENSE"))
    ok = True
    print(f"records: {len(records)} of {files} files")
    if len(records) != files:
        ok = False
    seen, filled, misses = {}, {}, []
    for r in records:
        kinds = {s["kind"] for s in r["sections"]}
        for kind, field in FEEDS.items():
            if kind in kinds:
                key = f"{kind} -> {field}"
                seen[key] = seen.get(key, 0) + 1
                if r[field]:
                    filled[key] = filled.get(key, 0) + 1
                else:
                    misses.append(f"{r['path']}: {key}")
    total_seen, total_filled = sum(seen.values()), sum(filled.values())
    for k in sorted(seen):
        print(f"  {k:40} {filled.get(k, 0):4} / {seen[k]:4}")
    rate = total_filled / max(total_seen, 1)
    print(f"sections with a non-empty field: {total_filled}/{total_seen} = {rate:.1%} (need >= 95%)")
    if rate < 0.95:
        ok = False
        print("\n".join(misses[:40]))
    icco = [r for r in records if "icco-postmortems" in r["path"]]
    titled = sum(1 for r in icco if r["title"] and not r["title"].endswith(".md") and len(r["title"]) != 36)
    dated = sum(1 for r in icco if r["date"])
    print(f"icco: {len(icco)} records, {titled} titled from front matter, {dated} dated")
    if len(icco) != 242:
        ok = False
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()
