#!/usr/bin/env bash
# Everything hindsight writes or prints for two knowledge bases, into one folder, so
# two builds of hindsight can be compared byte for byte (a refactor must not change
# any of it): `tools/outputs.sh BIN OUT`, then `diff -r OUT_BEFORE OUT_AFTER`.
# The knowledge bases: the bundled one, and 1,000 synthetic incidents from
# ../shared/bench/gen_corpus.py (seed 7).
set -euo pipefail
bin=$(realpath "$1")
out=$(realpath -m "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${HINDSIGHT_SHARED:-$root/../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

one() { # name kb-root
    local name=$1 kb=$2 o=$out/$1
    mkdir -p "$o"
    "$bin" -C "$kb" build -q >"$o/build.stdout" 2>"$o/build.stderr" || echo "exit $?" >>"$o/build.stderr"
    cp -r "$kb/site" "$o/site"
    cp -r "$kb/rules" "$o/rules"
    "$bin" -C "$kb" parse >"$o/parse.json" 2>"$o/parse.stderr" || true
    for q in rsync 'pm2 systemd' 'cause:nginx' 'deploy*' EADRINUSE 'sev:critical'; do
        "$bin" -C "$kb" search --json -n 20 "$q" >"$o/search-${q//[^a-zA-Z0-9]/_}.json" 2>&1 || true
    done
    "$bin" -C "$kb" lint --format json >"$o/lint.json" 2>"$o/lint.stderr" || true
    "$bin" -C "$kb" lint --format sarif >"$o/lint.sarif" 2>/dev/null || true
    "$bin" -C "$kb" check "$root/tests/replay" --format json >"$o/check.json" 2>"$o/check.stderr" || true
    "$bin" -C "$kb" check "$root/tests/replay" --format sarif >"$o/check.sarif" 2>/dev/null || true
    "$bin" -C "$kb" check "$root/tests/replay" >"$o/check.txt" 2>&1 || true
}

mkdir -p "$work/bundled"
cp -r "$root/incidents" "$work/bundled/incidents"
one bundled "$work/bundled"
mkdir -p "$work/synthetic"
python3 "$shared/bench/gen_corpus.py" "$work/synthetic/incidents" --count 1000 --seed 7 >/dev/null
one synthetic "$work/synthetic"
sed -i "s#$work#KB#g" "$out"/*/*.stderr "$out"/*/*.txt 2>/dev/null || true
echo "$out: $(find "$out" -type f | wc -l) files"
