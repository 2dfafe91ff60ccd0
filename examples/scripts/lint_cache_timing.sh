#!/usr/bin/env bash
# Whole-process timings of `mercator migrate lint --latest 1`: a 1-file directory against a
# N-file directory (default 500) without the cache, with a cold cache and with a warm one,
# on SQLite (in-memory dev database) and PostgreSQL (a dev database created and dropped here).
#
#   examples/scripts/lint_cache_timing.sh [MERCATOR_BINARY] [N]
#
# With a dev URL bound to no schema, the cache keeps PostgreSQL snapshot databases
# (mercator_snap_…); this script drops the ones its dev database made.
#
# Prints the median of RUNS runs (default 3) per case, in seconds. PostgreSQL is skipped when psql cannot
# reach MERCATOR_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail

BIN=${1:-target/release/mercator}
N=${2:-500}
PG=${MERCATOR_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# A directory of n files: each creates a table, adds a column and an index; the last one
# drops table t1 (so lint reports DS102 and exits 1, which is expected here).
make_dir() {
  local dir=$1 n=$2
  mkdir -p "$dir"
  for i in $(seq 1 $((n - 1))); do
    printf 'CREATE TABLE t%d (id int PRIMARY KEY, v int);\nALTER TABLE t%d ADD COLUMN w int;\nCREATE INDEX t%d_v ON t%d (v);\n' \
      "$i" "$i" "$i" "$i" > "$dir/$(printf '%06d' "$i")_t$i.sql"
  done
  if [ "$n" -gt 1 ]; then
    printf 'DROP TABLE t1;\n' > "$dir/$(printf '%06d' "$n")_drop.sql"
  else
    printf 'CREATE TABLE t1 (id int PRIMARY KEY);\nDROP TABLE t1;\n' > "$dir/000001_only.sql"
  fi
  "$BIN" migrate hash --dir "file://$dir"
}

RUNS=${RUNS:-3}

# median of $RUNS runs of: lint --latest 1 on $1 with extra args
time_lint() {
  local dir=$1; shift
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    local start end
    start=$(date +%s.%N)
    "$BIN" migrate lint --dir "file://$dir" --latest 1 "$@" > /dev/null || true
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

# one run (the first, cold-cache one)
time_once() {
  local dir=$1; shift
  local start end
  start=$(date +%s.%N)
  "$BIN" migrate lint --dir "file://$dir" --latest 1 "$@" > /dev/null || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

make_dir "$WORK/one" 1
make_dir "$WORK/many" "$N"

report() {
  local label=$1; shift
  local cache="$WORK/cache-$label"
  rm -rf "$cache"
  echo "== $label"
  echo "1-file dir, no cache:          $(time_lint "$WORK/one" --no-cache "$@")"
  echo "$N-file dir, no cache (replay): $(time_lint "$WORK/many" --no-cache "$@")"
  echo "$N-file dir, cold cache:        $(time_once "$WORK/many" --cache-dir "$cache" "$@")"
  echo "$N-file dir, warm cache:        $(time_lint "$WORK/many" --cache-dir "$cache" "$@")"
}

report sqlite

if psql "$PG" -qAtc 'SELECT 1' > /dev/null 2>&1; then
  DB="mercator_lint_timing_$$"
  psql "$PG" -qc "CREATE DATABASE $DB"
  # Cached runs keep dev-state snapshots next to the dev database, named
  # mercator_snap_<tag>_<key> with <tag> the FNV-1a hash of its name: drop this run's too.
  TAG=$(python3 -c 'import sys
h = 0x811c9dc5
for b in sys.argv[1].encode():
    h = ((h ^ b) * 0x01000193) & 0xffffffff
print(f"{h:08x}")' "$DB")
  drop_all() {
    psql "$PG" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    for snap in $(psql "$PG" -qAtc "SELECT datname FROM pg_database WHERE datname LIKE 'mercator\_snap\_${TAG}\_%'" 2>/dev/null); do
      psql "$PG" -qc "DROP DATABASE IF EXISTS $snap" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
  }
  trap drop_all EXIT
  DEV="${PG%/*}/$DB"
  report postgres --dev-url "$DEV"
  # Bound to a schema, the scratch space is a schema: no database to create and drop.
  report postgres-schema --dev-url "$DEV?search_path=public"
else
  echo "== postgres: skipped (cannot reach $PG)"
fi
