#!/usr/bin/env bash
# Each seed postmortem, repaired by `hindsight fix --stdout`, must equal its repaired
# twin in ../shared/seeds-repaired byte for byte.
set -euo pipefail
bin=$1 shared=$2
ok=0 total=0
for f in "$shared"/seeds/*.txt; do
    b=$(basename "$f" .txt)
    total=$((total + 1))
    if "$bin" fix --stdout "$f" | cmp -s - "$shared/seeds-repaired/$b.md"; then
        ok=$((ok + 1))
    else
        echo "seed $b: repaired text differs:"
        "$bin" fix --stdout "$f" | diff - "$shared/seeds-repaired/$b.md" | head -20
    fi
done
echo "seeds repaired exactly: $ok/$total"
[ "$ok" -eq "$total" ]
