#!/usr/bin/env bash
# Whole-process timing of `mercator migrate apply` on a directory of 200 small migration
# files (a table, an index and a row each), on SQLite and on PostgreSQL, against a peer in
# the same session applying the same files concatenated (each file in BEGIN/COMMIT, as
# Mercator runs them): `sqlite3 DB < all.sql` and `psql -f all.sql`.
#
# Prints per-run wall times, medians and the ratio Mercator/peer. With `perf` installed,
# it also profiles one Mercator run per database and splits the process's CPU samples
# into database driver (rusqlite + the SQLite library, tokio-postgres/postgres-protocol,
# TLS, Mercator's driver crates), kernel (I/O, fsync, sockets), Mercator's own code and
# the rest (allocator, runtime, libc). For PostgreSQL most of the time is spent waiting on
# the server, so the script also prints the process's CPU time against its wall time.
#
# Usage: scripts/bench-versioned-apply.sh            (builds the release binary first)
# Environment: MERCATOR=path/to/mercator (skip the build), RUNS (default 7),
#   FILES (default 200), MERCATOR_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test),
#   PROFILE=0 to skip perf. The PostgreSQL part is skipped when the server is unreachable.
# It creates and drops databases named mercator_bench_cli_<pid>_<n>.
set -euo pipefail
export PGOPTIONS="${PGOPTIONS:---client-min-messages=warning}"

RUNS=${RUNS:-7}
FILES=${FILES:-200}
PG_URL=${MERCATOR_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
PROFILE=${PROFILE:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [[ -z "${MERCATOR:-}" ]]; then
    cargo build --release -p mercator-cli --manifest-path "$ROOT/Cargo.toml" >&2
    MERCATOR="${CARGO_TARGET_DIR:-$ROOT/target}/release/mercator"
fi
[[ -x "$MERCATOR" ]] || { echo "no mercator binary at $MERCATOR" >&2; exit 1; }

WORK=$(mktemp -d)
CREATED_DBS=()
cleanup() {
    for db in "${CREATED_DBS[@]}"; do
        psql "$PG_URL" -qAt -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- the directory and its concatenation -------------------------------------------------
DIR="$WORK/migrations"
mkdir -p "$DIR"
: >"$WORK/all.sql"
for ((i = 0; i < FILES; i++)); do
    name=$(printf '%d_t%d.sql' $((20260101000000 + i)) "$i")
    printf 'CREATE TABLE t%d (id integer PRIMARY KEY, name varchar(100) NOT NULL);\nCREATE INDEX t%d_name ON t%d (name);\nINSERT INTO t%d (id, name) VALUES (1, '"'"'row %d'"'"');\n' \
        "$i" "$i" "$i" "$i" "$i" >"$DIR/$name"
    { echo "BEGIN;"; cat "$DIR/$name"; echo "COMMIT;"; } >>"$WORK/all.sql"
done
"$MERCATOR" migrate hash --dir "file://$DIR"

now_ns() { date +%s%N; }
ms() { awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e6 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Runs "$@" and prints its wall time in nanoseconds; output goes to $WORK/last.out.
timed() {
    local start end
    start=$(now_ns)
    "$@" >"$WORK/last.out" 2>&1 || { cat "$WORK/last.out" >&2; return 1; }
    end=$(now_ns)
    echo $((end - start))
}

report() { # label mercator-times-file peer-times-file peer-name
    local m p
    m=$(median <"$2")
    p=$(median <"$3")
    printf '%s: %d files, %d runs: mercator median %s ms (runs: %s), %s median %s ms (runs: %s), ratio %.2f\n' \
        "$1" "$FILES" "$RUNS" "$(ms "$m")" "$(tr '\n' ' ' <"$2" | awk '{ for (i = 1; i <= NF; i++) printf "%.0f ", $i / 1e6 }')" \
        "$4" "$(ms "$p")" "$(tr '\n' ' ' <"$3" | awk '{ for (i = 1; i <= NF; i++) printf "%.0f ", $i / 1e6 }')" \
        "$(awk -v a="$m" -v b="$p" 'BEGIN { print a / b }')"
}

# CPU samples of one run, by class. Symbols are demangled Rust paths or C names; the
# bundled SQLite library's functions are recognised by its naming (sqlite3*, and the
# static helpers of its amalgamation listed below).
profile() { # label command...
    local label=$1
    shift
    command -v perf >/dev/null && [[ "$PROFILE" == 1 ]] || return 0
    perf record -q -F 4999 -o "$WORK/perf.data" -- "$@" >/dev/null 2>&1 || {
        echo "$label: perf record failed; no profile" >&2
        return 0
    }
    perf report -i "$WORK/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null |
        awk -v label="$label" '
        /^#/ || NF < 4 { next }
        {
            pct = $1; sub("%", "", pct)
            line = $0
            if (line ~ /\[k\]/) class = "kernel"
            else if (line ~ /rusqlite|libsqlite3|mercator_sqlite|[ ]sqlite3|sqlite3[A-Z_]|[ ](vdbe|btree|pager|yy_|pcache|walIndex|unixSync|unixWrite|unixRead|robust_|memjrnl|patternCompare|lookaside|whereLoop|exprAnalyze|resolveExpr|sqlite)|tokio_postgres|postgres_protocol|postgres_types|mercator_postgres|rustls|ring::|ring_core|aws_lc|mercator_mysql|mysql_async|mysql_common|mercator_driver/) class = "driver"
            else if (line ~ /mercator_migrate|mercator_migrate_dir|[ <]mercator::|schema_model|schema_diff|sqlimport|sha2::|clap|serde/) class = "mercator"
            else class = "other (alloc, runtime, libc, loader)"
            share[class] += pct
        }
        END {
            printf "%s: CPU samples by class:", label
            for (c in share) printf " %s %.1f%%;", c, share[c]
            printf "\n"
        }'
}

# --- SQLite ---------------------------------------------------------------------------------
: >"$WORK/sqlite.mercator"
: >"$WORK/sqlite.peer"
for ((run = 0; run < RUNS; run++)); do
    rm -f "$WORK/m.db" "$WORK/p.db"
    timed "$MERCATOR" migrate apply --dir "file://$DIR" --url "sqlite://$WORK/m.db" >>"$WORK/sqlite.mercator"
    if command -v sqlite3 >/dev/null; then
        timed sh -c "sqlite3 '$WORK/p.db' < '$WORK/all.sql'" >>"$WORK/sqlite.peer"
    fi
done
count=$(sqlite3 "$WORK/m.db" "SELECT count(*) FROM atlas_schema_revisions" 2>/dev/null || echo "?")
echo "sqlite: revisions written by the last run: $count"
if [[ -s "$WORK/sqlite.peer" ]]; then
    report sqlite "$WORK/sqlite.mercator" "$WORK/sqlite.peer" "sqlite3"
else
    echo "sqlite: mercator median $(ms "$(median <"$WORK/sqlite.mercator")") ms; sqlite3 not installed, no peer"
fi
rm -f "$WORK/m.db"
/usr/bin/time -f "sqlite: one run's process CPU: user %U s, sys %S s, wall %e s" \
    "$MERCATOR" migrate apply --dir "file://$DIR" --url "sqlite://$WORK/m.db" >/dev/null
rm -f "$WORK/m.db"
profile sqlite "$MERCATOR" migrate apply --dir "file://$DIR" --url "sqlite://$WORK/m.db"

# --- PostgreSQL -----------------------------------------------------------------------------
if ! command -v psql >/dev/null || ! psql "$PG_URL" -qAt -c "SELECT 1" >/dev/null 2>&1; then
    echo "postgres: server unreachable or psql missing ($PG_URL); skipped"
    exit 0
fi
pg_url_for() { # the admin URL pointed at database $1
    local base=${PG_URL%%\?*} query=""
    [[ "$PG_URL" == *\?* ]] && query="?${PG_URL#*\?}"
    echo "${base%/*}/$1$query"
}
n=0
fresh_pg() {
    n=$((n + 1))
    local db="mercator_bench_cli_$$_$n"
    CREATED_DBS+=("$db")
    psql "$PG_URL" -qAt -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
    FRESH_DB=$db
}
drop_pg() { psql "$PG_URL" -qAt -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null; }

: >"$WORK/pg.mercator"
: >"$WORK/pg.peer"
for ((run = 0; run < RUNS; run++)); do
    fresh_pg
    timed "$MERCATOR" migrate apply --dir "file://$DIR" --url "$(pg_url_for "$FRESH_DB")" >>"$WORK/pg.mercator"
    drop_pg "$FRESH_DB"
    fresh_pg
    timed psql "$(pg_url_for "$FRESH_DB")" -q -v ON_ERROR_STOP=1 -f "$WORK/all.sql" >>"$WORK/pg.peer"
    drop_pg "$FRESH_DB"
done
report postgres "$WORK/pg.mercator" "$WORK/pg.peer" "psql -f"
fresh_pg
/usr/bin/time -f "postgres: one run's process CPU: user %U s, sys %S s, wall %e s" \
    "$MERCATOR" migrate apply --dir "file://$DIR" --url "$(pg_url_for "$FRESH_DB")" >/dev/null
drop_pg "$FRESH_DB"
fresh_pg
profile postgres "$MERCATOR" migrate apply --dir "file://$DIR" --url "$(pg_url_for "$FRESH_DB")"
drop_pg "$FRESH_DB"
