#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with starting inputs: the bundled postmortems, the public
# corpora and mojibake cases in ../shared, the bundled guard rules and fuzz/seeds/.
# Usage: fuzz/seed.sh [path/to/shared]   then   cargo +nightly fuzz run <target>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=${1:-$here/../../shared}
c=$here/corpus
mkdir -p "$c/ingest" "$c/parse" "$c/guard_rule" "$c/mdc"
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "$c/ingest/md-$n"
  cp "$f" "$c/parse/md-$n"
done < <(find "$here/../incidents" "$shared/seeds" "$shared/seeds-repaired" "$shared/corpus" \
  -type f \( -name '*.md' -o -name '*.markdown' -o ! -name '*.*' \) -size -64k -print0 | sort -z)
python3 - "$shared/mojibake/ftfy-cases" "$c/ingest" <<'PY'
import json, pathlib, sys
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
k = 0
for f in sorted(src.glob("*.json")):
    cases = json.loads(f.read_text())
    if not isinstance(cases, list):
        continue
    for case in cases:
        if isinstance(case, dict) and isinstance(case.get("original"), str):
            k += 1
            (out / f"ftfy-{k}").write_bytes(case["original"].encode("utf-8", "surrogatepass"))
PY
# Hand-made inputs for syntax the fuzzer is unlikely to invent: lint suppressions, and
# every guard kind and option (the bundled rules use only some).
for t in parse guard_rule; do cp "$here"/seeds/$t/* "$c/$t/"; done
for f in "$here"/../rules/*.toml; do cp "$f" "$c/guard_rule/"; done
# mdc inputs: a title, NUL, globs one per line, NUL, an existing file's text.
printf 'Never rsync --delete to production\0scripts/*.sh\ndeploy/**\0# Team notes\n' > "$c/mdc/1"
printf 'Use: quotes "and" #hashes\0*.{js,ts}\nsrc dir/*.rs\0<!-- hindsight:begin -->\nold\n<!-- hindsight:end -->\nkeep\n' > "$c/mdc/2"
printf -- '- [ ] `yes`\0\0line\r\nother\r\n' > "$c/mdc/3"
echo "seeded: $(ls "$c/ingest" | wc -l) ingest, $(ls "$c/parse" | wc -l) parse, $(ls "$c/guard_rule" | wc -l) guard_rule, $(ls "$c/mdc" | wc -l) mdc"
