#!/usr/bin/env bash
# Whole-process timings of a fleet apply on PostgreSQL schemas (issue 14).
#
#   scripts/bench-fleet.sh [TENANTS] [LOOP_SAMPLE] [RUNS] [PARALLEL] [SEQ_SAMPLE]
#
# BASELINE_RUNS (default RUNS) limits how many of the rounds also measure the two
# baselines, which take several times longer than the fleet itself.
#
# For each of RUNS rounds, in a fresh database per measurement holding TENANTS empty
# schemas t0001…, applies a 10-file directory (20 tables, indexes, foreign keys):
#   fleet  one `mercator migrate apply --tenants-query … --parallel PARALLEL`
#   seq    the same with --parallel 1 (one process, tenants one after another), over
#          SEQ_SAMPLE tenants (default TENANTS), extrapolated linearly when fewer
#   loop   a shell loop, one `mercator migrate apply` process per tenant, over the first
#          LOOP_SAMPLE tenants; its time is extrapolated linearly to TENANTS (printed so)
#   status `mercator migrate status` over the TENANTS schemas migrated by `fleet` (3 times)
# and prints each measurement's wall time and peak RSS (GNU time -v), then the medians.
# Where the kernel counts them (/sys/block/*/stat, Linux 5.5+), each measurement's note
# also gives the disk flushes (fsyncs reaching the device) it caused and their rate, to
# compare with what the disk sustains (scripts/disk-sync-rate.sh). PostgreSQL 15 syncs
# every new index file at once; on this project's 2-core machine the applies were still
# bound by the server's CPU, not by the disk (docs/FLEET.md).
# Needs psql, GNU time and a built binary (MERCATOR_BIN, default target/release/mercator).
# Every database it creates is kept until the end and dropped on exit, also on failure or
# Ctrl-C: dropping one deletes some 150,000 files, and on ext4 without a journal (this
# machine's disk) the inode allocator then skips inodes deleted in the last 60 s (300 s
# while their table blocks are dirty) one by one, which showed up as a fifth of the CPU
# in a profile of the next measurement and made runs after a drop up to twice as slow.
# For the same reason the script syncs and waits RECENT_DELETE_WAIT seconds (default 65)
# before the first measurement.
set -euo pipefail

TENANTS=${1:-1500}
LOOP_SAMPLE=${2:-100}
RUNS=${3:-3}
PARALLEL=${4:-8}
SEQ_SAMPLE=${5:-$TENANTS}
PG=${MERCATOR_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
BIN=${MERCATOR_BIN:-${CARGO_TARGET_DIR:-target}/release/mercator}
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release -p mercator-cli, or set MERCATOR_BIN)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is required" >&2; exit 1; }

WORK=$(mktemp -d /tmp/mercator-bench-fleet.XXXXXX)
PREFIX="mercator_bench_fleet_$$"
base="${PG%%\?*}"; base="${base%/*}"
query=""; [[ "$PG" == *\?* ]] && query="${PG#*\?}"
db_url() { if [ -n "$query" ]; then echo "$base/$1?$query"; else echo "$base/$1"; fi; }
sep() { if [ -n "$query" ]; then echo "&"; else echo "?"; fi; }

# By name: make_db runs in a command substitution, so no list of what it made survives.
cleanup() {
    local db
    for db in $(psql -qAt "$PG" -c "SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}\\_%'" 2>/dev/null); do
        psql -q "$PG" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# A fresh database with TENANTS (or $2) empty schemas.
make_db() {
    local db="${PREFIX}_$1" n=${2:-$TENANTS}
    psql -q "$PG" -c "CREATE DATABASE $db" >/dev/null
    psql -q "$(db_url "$db")" -c "DO \$\$ BEGIN FOR i IN 1..$n LOOP EXECUTE format('CREATE SCHEMA t%s', lpad(i::text, 4, '0')); END LOOP; END \$\$" >/dev/null
    echo "$db"
}


# The directory: 10 files, 2 tables each, with indexes and foreign keys to earlier files.
DIR="$WORK/migrations"
mkdir -p "$DIR"
for f in $(seq 1 10); do
    {
        for k in 1 2; do
            t="t${f}_${k}"
            echo "CREATE TABLE $t (id bigserial PRIMARY KEY, name text NOT NULL, score integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now()$( [ "$f" -gt 1 ] && echo ", parent_id bigint REFERENCES t$((f - 1))_${k} (id) ON DELETE CASCADE" ));"
            echo "CREATE UNIQUE INDEX ${t}_name ON $t (name);"
            echo "CREATE INDEX ${t}_score ON $t (score, created_at);"
        done
    } > "$DIR/$(printf '2024010100%04d' "$f")_step$f.sql"
done
"$BIN" migrate hash --dir "file://$DIR"

TENANTS_QUERY="SELECT nspname FROM pg_namespace WHERE nspname ~ '^t[0-9]{4}\$' ORDER BY 1"

# Runs a command under GNU time; prints "seconds max_rss_kb".
measure() {
    local out="$WORK/time.$$"
    /usr/bin/time -v -o "$out" "$@" > "$WORK/stdout" 2> "$WORK/stderr" || {
        echo "FAILED: $*" >&2; tail -5 "$WORK/stderr" >&2; tail -20 "$WORK/stdout" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
    echo "$wall $rss"
}

# Waits until the previous step's writes are on disk: a CHECKPOINT, then until the disk
# has written nothing for 3 seconds (at most 120 s). Without it a measurement pays for the
# writeback of the one before (dropping a database of 1,500 tenants, say), which moved the
# fleet's time between 104 s and 190 s in one session.
settle() {
    psql -q "$PG" -c CHECKPOINT >/dev/null 2>&1 || true
    sync
    local quiet=0 last now
    last=$(awk '{ s += $10 } END { print s }' /proc/diskstats)
    for _ in $(seq 1 120); do
        sleep 1
        now=$(awk '{ s += $10 } END { print s }' /proc/diskstats)
        if [ "$now" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0; fi
        last=$now
        [ "$quiet" -ge 3 ] && return 0
    done
}

# Flush requests completed by the physical disks (field 16 of /sys/block/*/stat; stacked
# devices left out so nothing counts twice), or 0.
flushes() {
    local total=0 n f
    for f in /sys/block/*/stat; do
        case $f in */loop*|*/ram*|*/zram*|*/sr*|*/dm-*|*/md*) continue ;; esac
        n=$(awk '{ print (NF >= 16) ? $16 : 0 }' "$f" 2>/dev/null) || n=0
        total=$((total + ${n:-0}))
    done
    echo "$total"
}

# "flushes N (R/s)" for the flushes since $1 over $2 seconds.
flush_note() {
    local n=$(( $(flushes) - $1 ))
    awk -v n="$n" -v s="$2" 'BEGIN { printf "flushes %d (%.0f/s)", n, (s > 0 ? n / s : 0) }'
}

median() { sort -g | awk '{a[NR]=$1} END { if (NR == 0) exit; if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

loop_apply() {
    local db=$1 n=$2
    for i in $(seq 1 "$n"); do
        t=$(printf 't%04d' "$i")
        "$BIN" migrate apply --dir "file://$DIR" --url "$(db_url "$db")$(sep)search_path=$t" > /dev/null
    done
}
export -f loop_apply db_url sep
export BIN DIR base query

echo "# $TENANTS schemas, 10 files / 20 tables each, --parallel $PARALLEL, $RUNS run(s); loop sample $LOOP_SAMPLE tenants"
sync
sleep "${RECENT_DELETE_WAIT:-65}"
echo "# machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-4s %10s %12s %s\n' what run seconds peak_rss_kb note
: > "$WORK/results"
for run in $(seq 1 "$RUNS"); do
    db=$(make_db "fleet_$run")
    tmpl="$(db_url "$db")$(sep)search_path={tenant}"
    settle
    f0=$(flushes)
    read -r s rss < <(measure "$BIN" migrate apply --dir "file://$DIR" --url "$tmpl" --tenants-query "$TENANTS_QUERY" --parallel "$PARALLEL" --on-error continue)
    grep -q "applied     $TENANTS" "$WORK/stdout" || { echo "fleet run did not apply every tenant:" >&2; cat "$WORK/stdout" >&2; exit 1; }
    printf '%-8s %-4s %10s %12s %s\n' fleet "$run" "$s" "$rss" "load $(cut -d' ' -f1 /proc/loadavg); $(flush_note "$f0" "$s")" | tee -a "$WORK/results"
    for k in 1 2 3; do
        read -r s rss < <(measure "$BIN" migrate status --dir "file://$DIR" --url "$tmpl" --tenants-query "$TENANTS_QUERY" --parallel "$PARALLEL")
        grep -q " identical, 0 differ" "$WORK/stdout" || { echo "status: unexpected summary:" >&2; tail -3 "$WORK/stdout" >&2; }
        printf '%-8s %-4s %10s %12s %s\n' status "$run.$k" "$s" "$rss" "$(tail -1 "$WORK/stdout"); load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$WORK/results"
    done

    [ "$run" -le "${BASELINE_RUNS:-$RUNS}" ] || continue
    db=$(make_db "seq_$run" "$SEQ_SAMPLE")
    tmpl="$(db_url "$db")$(sep)search_path={tenant}"
    settle
    f0=$(flushes)
    read -r s rss < <(measure "$BIN" migrate apply --dir "file://$DIR" --url "$tmpl" --tenants-query "$TENANTS_QUERY" --parallel 1)
    full=$(awk -v s="$s" -v n="$SEQ_SAMPLE" -v t="$TENANTS" 'BEGIN { printf "%.1f", s * t / n }')
    note="load $(cut -d' ' -f1 /proc/loadavg); $(flush_note "$f0" "$s")"
    [ "$SEQ_SAMPLE" -lt "$TENANTS" ] && note="extrapolated from $s s for $SEQ_SAMPLE tenants; $note"
    printf '%-8s %-4s %10s %12s %s\n' seq "$run" "$full" "$rss" "$note" | tee -a "$WORK/results"

    # The loop's database holds every tenant schema even when only a sample is applied,
    # so each process meets the same catalog size as the fleet does.
    db=$(make_db "loop_$run")
    settle
    f0=$(flushes)
    read -r s rss < <(measure bash -c "loop_apply $db $LOOP_SAMPLE")
    full=$(awk -v s="$s" -v n="$LOOP_SAMPLE" -v t="$TENANTS" 'BEGIN { printf "%.1f", s * t / n }')
    note="load $(cut -d' ' -f1 /proc/loadavg); $(flush_note "$f0" "$s")"
    [ "$LOOP_SAMPLE" -lt "$TENANTS" ] && note="extrapolated from $s s for $LOOP_SAMPLE tenants; $note"
    printf '%-8s %-4s %10s %12s %s\n' loop "$run" "$full" "$rss" "$note" | tee -a "$WORK/results"
done

echo "# medians (seconds) and peak RSS (kB, max over runs)"
for what in fleet seq loop status; do
    m=$(awk -v w="$what" '$1 == w {print $3}' "$WORK/results" | median)
    r=$(awk -v w="$what" '$1 == w {print $4}' "$WORK/results" | sort -g | tail -1)
    printf '%-8s %10s %12s\n' "$what" "$m" "$r"
    eval "med_$what=$m"
done
# Without baseline rounds (BASELINE_RUNS=0) there is nothing to compare with.
[ -n "$med_seq" ] && [ -n "$med_loop" ] && awk -v f="$med_fleet" -v s="$med_seq" -v l="$med_loop" 'BEGIN { printf "fleet is %.1fx faster than the per-tenant process loop (target 5x) and %.1fx faster than --parallel 1 (target 2x)\n", l / f, s / f }'
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
