#!/usr/bin/env bash
# How many fsyncs a second the disk under a directory sustains, with one writer and with
# many: the ceiling of anything bound by syncs. A fleet apply on PostgreSQL 15 syncs every
# new index file at once; scripts/bench-fleet.sh prints the rate each run reached, to
# compare with this.
#
#   scripts/disk-sync-rate.sh [DIR] [SECONDS] [ROUNDS] [JOBS]
#
# Each round runs fio twice for SECONDS (default 20): one job, then JOBS jobs (default 16)
# at once, each appending 8 KiB blocks to a file of its own and syncing after every block
# (files grow, as PostgreSQL's new relation files do). ROUNDS (default 3) back-to-back
# rounds show whether the rate holds or drops once a virtual disk's burst allowance is
# spent. Prints syncs per second per round and the ratio of many writers to one: an
# upper bound on how much parallel work can gain where every step waits for a sync.
# Needs fio (Debian package fio) and python3. DIR defaults to PostgreSQL's data directory
# when psql can ask for it, else /tmp.
set -euo pipefail

command -v fio >/dev/null || { echo "fio is required (apt-get install fio)" >&2; exit 1; }
PG=${MERCATOR_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
DIR=${1:-}
if [ -z "$DIR" ]; then
    data=$(psql -qAt "$PG" -c 'SHOW data_directory' 2>/dev/null || true)
    DIR=${data:+$(dirname "$data")}
    DIR=${DIR:-/tmp}
fi
SECONDS_PER=${2:-20}
ROUNDS=${3:-3}
JOBS=${4:-16}
WORK=$(mktemp -d "$DIR/mercator-sync-rate.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

rate() {
    local jobs=$1
    rm -f "$WORK"/*
    fio --name=sync --directory="$WORK" --rw=write --bs=8k --size=256m --fallocate=none \
        --fsync=1 --numjobs="$jobs" --time_based --runtime="$SECONDS_PER" --group_reporting \
        --output-format=json 2>/dev/null |
        python3 -c 'import json, sys; print(round(json.load(sys.stdin)["jobs"][0]["write"]["iops"]))'
}

echo "# $DIR ($(df -h "$DIR" | awk 'NR == 2 { print $1 }')), ${SECONDS_PER}s per measurement"
printf '%-6s %12s %12s %8s\n' round "1 job/s" "$JOBS jobs/s" ratio
for round in $(seq 1 "$ROUNDS"); do
    one=$(rate 1)
    many=$(rate "$JOBS")
    printf '%-6s %12s %12s %8s\n' "$round" "$one" "$many" "$(awk -v a="$many" -v b="$one" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')"
done
