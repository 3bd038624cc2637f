#!/usr/bin/env bash
# Run each fuzz target for SECONDS (default 600) one after another and print, per
# target: executions, coverage halfway through and at the end (equal: a plateau), when
# coverage last grew, and any failure.
# Needs a nightly toolchain and cargo-fuzz. Failing inputs land in fuzz/artifacts/;
# copy them to fuzz/regressions/<target>/ once fixed (tests/fuzz_regressions.rs).
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=${*:-ingest parse guard_rule mdc}
[ -d corpus ] || ./seed.sh
mkdir -p logs
cargo +nightly fuzz build -O >logs/build.log 2>&1 || { echo "cargo +nightly fuzz build failed: fuzz/logs/build.log" >&2; exit 2; }
printf '%-11s %12s %8s %8s %8s %14s  %s\n' target executions exec/s half-cov cov last-new-cov result
for t in $targets; do
  log=logs/$t.log
  # The binaries built above, run directly: a source edit meanwhile cannot change them.
  mkdir -p "artifacts/$t"
  "target/x86_64-unknown-linux-gnu/release/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | paste -sd+ | bc)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  half=$(grep -E '^#[0-9]+\s' "$log" | awk -v n=$(( ${execs:-0} / 2 )) \
    '{ if (substr($1, 2) + 0 <= n && $3 == "cov:") c = $4 } END { print c }')
  rate=$(( ${execs:-0} / secs ))
  result=ok
  [ $rc -ne 0 ] && result="FAILED: $(grep -m1 -E 'panicked|ERROR: libFuzzer' "$log")"
  newest=$(grep -E '^#[0-9]+\s+NEW' "$log" | tail -1 | awk '{print $1}')
  printf '%-11s %12s %8s %8s %8s %14s  %s\n' "$t" "${execs:-?}" "$rate" "${half:-?}" "${cov:-?}" \
    "${newest:-none}" "$result"
done
