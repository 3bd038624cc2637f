#!/usr/bin/env bash
# Run `hindsight check` with a rules folder on healthy repositories and print the
# number of findings per repository (a healthy repository should have none).
#   tools/healthy.sh BIN RULES_DIR REPO...
set -uo pipefail
bin=$1; rules=$2; shift 2
total=0
for repo in "$@"; do
    out=$("$bin" check --stage deploy --format json --rules "$rules" "$repo" 2>/dev/null)
    n=$(printf '%s' "$out" | python3 -c 'import json,sys
try: d=json.load(sys.stdin)
except Exception: print("error"); sys.exit()
print(len([f for f in d if f.get("kind","finding")!="skipped" and not f.get("skipped")]))')
    printf '%-45s %s\n' "$(basename "$repo")" "$n"
    [ "$n" = error ] || total=$((total + n))
done
echo "total $total"
