#!/usr/bin/env bash
# Runs squawk (pip install squawk-cli) and `mercator migrate lint` on every case of
# docs/squawk-corpus/ and prints one markdown table row per case: squawk's rules and
# Mercator's codes. Each case is linted by Mercator as the newest file after
# 00-base.sql, on a PostgreSQL dev database created (and dropped) here; squawk sees the
# case file alone (it needs no database).
#
#   scripts/lint-vs-squawk.sh [MERCATOR_BINARY] > table.md
#
# MERCATOR_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) names the server.
set -euo pipefail

BIN=${1:-target/release/mercator}
CORPUS=$(cd "$(dirname "$0")/../docs/squawk-corpus" && pwd)
PG=${MERCATOR_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
SQUAWK=${SQUAWK:-squawk}
DEV_DB="mercator_squawk_$$"
DEV_URL="${PG%/*}/$DEV_DB"
case "$PG" in *\?*) DEV_URL="${PG%%\?*}"; DEV_URL="${DEV_URL%/*}/$DEV_DB?${PG#*\?}" ;; esac
WORK=$(mktemp -d)
psql -q "$PG" -c "CREATE DATABASE $DEV_DB" >/dev/null
cleanup() {
  psql -q "$PG" -c "DROP DATABASE IF EXISTS $DEV_DB WITH (FORCE)" >/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "| case | squawk | Mercator |"
echo "|---|---|---|"
for file in "$CORPUS"/[0-9][0-9]-*.sql; do
  name=$(basename "$file" .sql)
  [ "$name" = "00-base" ] && continue
  # squawk: the rule names it reports (JSON reporter), sorted and unique.
  squawk_rules=$("$SQUAWK" --pg-version 15 --reporter json "$file" 2>/dev/null \
    | python3 -c 'import json,sys
data = sys.stdin.read().strip()
items = json.loads(data) if data else []
print(" ".join(sorted({i.get("rule_name") or i.get("rule") or "?" for i in items})))' || true)
  # Mercator: the codes of the linted file, in report order.
  dir="$WORK/$name"
  mkdir -p "$dir"
  cp "$CORPUS/00-base.sql" "$dir/1_base.sql"
  cp "$file" "$dir/2_case.sql"
  "$BIN" migrate hash --dir "file://$dir" >/dev/null
  mercator_codes=$("$BIN" migrate lint --dir "file://$dir" --dev-url "$DEV_URL" --latest 1 \
      --no-cache --format json 2>"$WORK/err" \
    | python3 -c 'import json,sys
data = sys.stdin.read().strip()
report = json.loads(data) if data else {}
print(" ".join(d["code"] for d in report.get("diagnostics", [])))' || true)
  if [ -s "$WORK/err" ] && [ -z "$mercator_codes" ]; then
    mercator_codes="error: $(head -c 120 "$WORK/err" | tr '\n|' '  ')"
  fi
  echo "| $name | ${squawk_rules:--} | ${mercator_codes:--} |"
done
