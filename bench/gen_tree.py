#!/usr/bin/env python3
"""A deterministic repository-like tree for `hindsight check` benchmarks.

usage: gen_tree.py OUT_DIR [--files N] [--kb-per-file K]

Mostly shell scripts, CI workflows, Makefiles and package manifests (the files deploy
guards read) among source files; about 1% of scripts carry a forbidden command.
"""
import argparse, os, random

WORDS = ["deploy", "build", "release", "sync", "backup", "restart", "migrate", "cache", "assets", "worker"]
SAFE = ["set -euo pipefail", "npm ci", "npm run build", "echo \"deploying $VERSION\"", "rsync -avz dist/ web:/srv/app/",
        "systemctl restart api", "docker build -t app:$SHA .", "aws s3 sync ./public s3://bucket/", "curl -fsS $HEALTH",
        "git fetch --tags", "tar czf release.tgz dist", "kubectl rollout status deploy/api"]
BAD = ["rsync -avz --delete dist/ web:/srv/app/", "pm2 restart all"]
KINDS = [("scripts/{w}-{i}.sh", "sh"), (".github/workflows/{w}-{i}.yml", "yml"), ("services/{w}{i}/Makefile", "make"),
         ("packages/{w}{i}/package.json", "json"), ("src/{w}/{w}_{i}.js", "js"), ("docs/{w}-{i}.md", "md")]

def body(r, kind, kb):
    lines, size = [], 0
    while size < kb * 1024:
        if kind == "json":
            l = f'    "{r.choice(WORDS)}{r.randint(0, 99)}": "node scripts/{r.choice(WORDS)}.js",'
        elif kind == "js":
            l = f"export function {r.choice(WORDS)}{r.randint(0, 999)}(x) {{ return x * {r.randint(1, 9)}; }}"
        elif kind == "md":
            l = f"The {r.choice(WORDS)} step runs after {r.choice(WORDS)}; see runbook {r.randint(1, 500)}."
        else:
            l = ("  - run: " if kind == "yml" else "\t" if kind == "make" else "") + r.choice(SAFE)
        lines.append(l)
        size += len(l) + 1
    if kind in ("sh", "yml", "make") and r.random() < 0.01:
        lines.insert(r.randrange(len(lines)), r.choice(BAD))
    if kind == "json":
        lines = ["{", '  "scripts": {'] + lines + ['    "noop": "true"', "  }", "}"]
    return "\n".join(lines) + "\n"

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=50000)
    ap.add_argument("--kb-per-file", type=int, default=10)
    a = ap.parse_args()
    r = random.Random(7)
    for i in range(a.files):
        pattern, kind = KINDS[i % len(KINDS)]
        path = os.path.join(a.out, pattern.format(w=r.choice(WORDS), i=i))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(body(r, kind, a.kb_per_file))

if __name__ == "__main__":
    main()
