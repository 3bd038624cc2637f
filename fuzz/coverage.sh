#!/usr/bin/env bash
# How much of hindsight's own code (src/, not its dependencies) a fuzz corpus reaches:
# line and region coverage per file and in total. libFuzzer's `cov` counts edges in
# every crate linked in; this tells whether new edges are in our code.
# Usage: fuzz/coverage.sh TARGET [CORPUS_DIR]   (default corpus: fuzz/corpus/TARGET)
# Needs nightly, cargo-fuzz and `rustup component add llvm-tools --toolchain nightly`.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/coverage.sh TARGET [CORPUS_DIR]}
corpus=${2:-corpus/$target}
src=$(cd ../src && pwd)
mkdir -p logs
cargo +nightly fuzz coverage "$target" "$corpus" >"logs/coverage-$target.log" 2>&1 ||
  { echo "cargo fuzz coverage failed: fuzz/logs/coverage-$target.log" >&2; exit 2; }
bin=$(rustc +nightly --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin
# Files of src/ the target reaches at all, then their total: code no input can reach
# from this target (the site, search) would only dilute the figure.
"$bin/llvm-cov" report "target/x86_64-unknown-linux-gnu/coverage/x86_64-unknown-linux-gnu/release/$target" \
  -instr-profile="coverage/$target/coverage.profdata" "$src" |
  awk '$2 ~ /^[0-9]+$/ && $1 != "TOTAL" && $3 < $2 {
         printf "%-28s regions %5d/%-5d %6.2f%%  lines %5d/%-5d %6.2f%%\n", $1, $2-$3, $2, 100*($2-$3)/$2, $8-$9, $8, 100*($8-$9)/$8
         r += $2; rm += $3; l += $8; lm += $9 }
       END { printf "%-28s regions %5d/%-5d %6.2f%%  lines %5d/%-5d %6.2f%%\n", "reached files", r-rm, r, 100*(r-rm)/r, l-lm, l, 100*(l-lm)/l }'
