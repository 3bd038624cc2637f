#!/usr/bin/env bash
# hindsight benchmarks, each row measured side by side with its baseline in one run.
#
# usage: bench/run.sh [SIZE...]        (default: 10000; e.g. bench/run.sh 10000 100000)
#        MDBOOK_MAX=10000 bench/run.sh    (mdBook at 10,000 chapters takes minutes)
#
# Corpora come from ../shared/bench/gen_corpus.py and are cached in bench/out/.
# Rows from bench/search.py leave CPU and memory empty: they are latency samples.
# Every row reports wall time, CPU time (user+sys) and peak memory (max RSS).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shared=${HINDSIGHT_SHARED:-$root/../shared}
out=$root/bench/out
mkdir -p "$out"
sizes=("${@:-10000}")

need() { command -v "$1" >/dev/null || { echo "bench: $1 is required ($2)" >&2; exit 2; }; }
need python3 "Debian python3"
python3 -c 'import ftfy' 2>/dev/null || pip install --quiet 'ftfy==6.3.1'
cargo build --release --quiet
bin=$root/target/release/hindsight

# measure CMD...: run once, record wall and CPU seconds and peak MB in $m_wall $m_cpu
# $m_rss. Exit status 1 ("findings") counts as success.
measure() {
    local t status=0
    t=$(mktemp)
    /usr/bin/time -f "%e %U %S %M" -o "$t" "$@" >/dev/null 2>"$out/last.err" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "bench: failed ($status): $*" >&2; cat "$out/last.err" >&2; exit 2
    fi
    read -r m_wall u s rss < <(tail -n 1 "$t")
    m_cpu=$(python3 -c "print(f'{$u+$s:.2f}')")
    m_rss=$((rss / 1024))
    rm -f "$t"
}

# warm DIR: read every file once, so that neither side of a pair pays for a cold page
# cache (the first of a pair otherwise reads from disk after a larger corpus ran).
warm() { find "$1" -type f -print0 | xargs -0 cat >/dev/null; }

row() { printf '| %s | %s | %s s | %s s | %s MB | %s |\n' "$@"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "date: $(date -u +%Y-%m-%d)"
echo
echo "| size | row | wall | cpu | peak mem | notes |"
echo "|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
    corpus=$out/corpus-$n
    if [ ! -f "$corpus/.done" ]; then
        rm -rf "$corpus"
        python3 "$shared/bench/gen_corpus.py" "$corpus" --count "$n" >/dev/null
        touch "$corpus/.done"
    fi
    mb=$(du -sm --apparent-size "$corpus" | cut -f1)
    warm "$corpus"

    # Ingest + parse on one core: records for every file.
    measure taskset -c 0 "$bin" parse "$corpus"
    rate=$(python3 -c "print(f'{$mb/$m_wall:.1f}')")
    row "$n" "hindsight parse (1 core)" "$m_wall" "$m_cpu" "$m_rss" "$mb MB, $rate MB/s"

    # Repair only: hindsight fix --check vs ftfy.fix_encoding line by line.
    measure taskset -c 0 "$bin" fix --check "$corpus"
    hw=$m_wall
    row "$n" "hindsight fix --check (1 core)" "$m_wall" "$m_cpu" "$m_rss" "repair step"
    measure taskset -c 0 python3 "$root/bench/ftfy_repair.py" "$corpus"
    ratio=$(python3 -c "print(f'{$m_wall/$hw:.0f}x')")
    row "$n" "ftfy fix_encoding per line (1 core)" "$m_wall" "$m_cpu" "$m_rss" "hindsight is $ratio faster"

    # Search: index build and whole-process latency next to rg over the same files.
    command -v rg >/dev/null || apt-get install -y -qq ripgrep >/dev/null
    python3 "$root/bench/search.py" "$bin" "$corpus" "$out"
    python3 "$root/bench/mcp.py" "$bin" "$corpus" "$out"

    # Lint: every check on every postmortem (exit 1: the corpus has findings).
    measure "$bin" lint "$corpus" --format json
    rate=$(python3 -c "print(f'{$n/$m_wall:.0f}')")
    row "$n" "hindsight lint" "$m_wall" "$m_cpu" "$m_rss" "$rate incidents/s"
done

# Site: hindsight build from scratch next to mdBook on the same files (mdBook's time
# grows with the square of the chapter count: it runs up to MDBOOK_MAX chapters).
command -v mdbook >/dev/null || cargo install mdbook --locked --quiet
site_sizes=(1000 4000 "${sizes[@]}")
query=()
[ -d "$root/ci/browser/node_modules" ] && query=(--query-bytes)
python3 "$root/bench/site.py" "$bin" "$shared/bench/gen_corpus.py" "$out" "${site_sizes[@]}" \
    --mdbook-max "${MDBOOK_MAX:-4000}" "${query[@]}"

# check vs ripgrep: the bundled knowledge base's forbid-pattern guards over a
# generated repository-like tree, and rg with the same regexes and globs.
command -v rg >/dev/null || apt-get install -y -qq ripgrep >/dev/null
tree=$out/tree-50000
if [ ! -f "$tree/.done" ]; then
    rm -rf "$tree"
    python3 "$root/bench/gen_tree.py" "$tree" --files 50000 >/dev/null
    touch "$tree/.done"
fi
rules=$out/check-rules
rm -rf "$rules" && mkdir -p "$rules"
grep -l 'kind = "forbid-pattern"' "$root"/rules/*.toml | xargs -I{} cp {} "$rules/"
mapfile -t rgargs < <(python3 - "$rules" <<'PY'
import glob, sys, tomllib
pats, globs = [], set()
for f in sorted(glob.glob(sys.argv[1] + "/*.toml")):
    for g in tomllib.load(open(f, "rb")).get("guard", []):
        if g["kind"] == "forbid-pattern":
            pats.append(g["pattern"].replace("(?P<hit>", "("))  # rg joins patterns: no duplicate group names
            globs.update(g["files"])
# A pattern that spans lines (a YAML mapping) needs rg's multiline mode.
import re
if any("\\n" in re.sub(r"\[[^\]]*\]", "", p) for p in pats):
    print("-U")
for p in pats:
    print("-e"); print(p)
for g in sorted(globs):
    print("-g"); print(g)
PY
)
tmb=$(du -sm --apparent-size "$tree" | cut -f1)
warm "$tree"
measure "$bin" check "$tree" --rules "$rules" --format json
hw=$m_wall
row 50000 "hindsight check (forbid-pattern guards)" "$m_wall" "$m_cpu" "$m_rss" "$tmb MB, $(ls "$rules" | wc -l) rules"
measure rg --hidden -n "${rgargs[@]}" "$tree"
ratio=$(python3 -c "print(f'{$hw/$m_wall:.2f}x')")
row 50000 "rg --hidden, same regexes and globs" "$m_wall" "$m_cpu" "$m_rss" "hindsight takes $ratio rg's time"
