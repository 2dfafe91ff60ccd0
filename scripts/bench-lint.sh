#!/usr/bin/env bash
# Whole-process benchmark of `mercator migrate lint` on a 2,000-statement migration
# directory (500 files of 4 statements: a table, a column, an index and a row), on SQLite
# (in-memory dev database) and PostgreSQL (a dev database created and dropped here).
#
# Two runs per database, each RUNS times (default 5), medians printed:
#   latest-1  `--latest 1 --no-cache`: 1,996 statements replayed, the last file analyzed;
#   all       every file linted: each of the 2,000 statements executed, inspected and
#             diffed (nothing replayed).
# The replay and analysis times come from the process itself (MERCATOR_LINT_TIMING=1),
# next to the whole-process wall time.
#
# Usage: scripts/bench-lint.sh [MERCATOR_BINARY]
# Environment: RUNS, FILES (default 500), MERCATOR_POSTGRES_URL
#   (default postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
export PGOPTIONS="${PGOPTIONS:---client-min-messages=warning}"

BIN=${1:-target/release/mercator}
RUNS=${RUNS:-5}
FILES=${FILES:-500}
PG=${MERCATOR_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
WORK=$(mktemp -d)
DB="mercator_bench_lint_$$"
cleanup() {
  psql -q "$PG" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

dir="$WORK/migrations"
mkdir -p "$dir"
for i in $(seq 1 "$FILES"); do
  printf 'CREATE TABLE t%d (id int PRIMARY KEY, v int);\nALTER TABLE t%d ADD COLUMN w int;\nCREATE INDEX t%d_v ON t%d (v);\nINSERT INTO t%d (id, v) VALUES (1, 1);\n' \
    "$i" "$i" "$i" "$i" "$i" > "$dir/$(printf '%06d' "$i")_t$i.sql"
done
"$BIN" migrate hash --dir "file://$dir"
echo "directory: $FILES files, $((FILES * 4)) statements"

median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }

# bench LABEL ARGS...: prints medians of wall, replay and analysis seconds.
bench() {
  local label=$1; shift
  local walls=() replays=() analyses=()
  for _ in $(seq 1 "$RUNS"); do
    local start end line
    start=$(date +%s.%N)
    line=$(MERCATOR_LINT_TIMING=1 "$BIN" migrate lint --dir "file://$dir" --no-cache "$@" \
      2>&1 >/dev/null | grep 'lint timing' || true)
    end=$(date +%s.%N)
    walls+=("$(echo "$end - $start" | bc)")
    replays+=("$(python3 -c 'import re,sys
m = re.search(r"replay ([0-9.]+)(ms|s|µs)", sys.argv[1])
v = float(m.group(1)) if m else float("nan")
print(v / 1000 if m and m.group(2) == "ms" else v / 1e6 if m and m.group(2) == "µs" else v)' "$line")")
    analyses+=("$(python3 -c 'import re,sys
m = re.search(r"analysis ([0-9.]+)(ms|s|µs)", sys.argv[1])
v = float(m.group(1)) if m else float("nan")
print(v / 1000 if m and m.group(2) == "ms" else v / 1e6 if m and m.group(2) == "µs" else v)' "$line")")
  done
  printf '%-28s wall %8.3f s   replay %8.3f s   analysis %8.3f s\n' "$label" \
    "$(printf '%s\n' "${walls[@]}" | median)" \
    "$(printf '%s\n' "${replays[@]}" | median)" \
    "$(printf '%s\n' "${analyses[@]}" | median)"
}

bench "sqlite latest-1" --latest 1
bench "sqlite all" --latest "$FILES"
if psql "$PG" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  psql -q "$PG" -c "CREATE DATABASE $DB"
  DEV="${PG%/*}/$DB"
  bench "postgres latest-1" --latest 1 --dev-url "$DEV"
  bench "postgres all" --latest "$FILES" --dev-url "$DEV"
else
  echo "postgres: skipped (cannot reach $PG)"
fi
