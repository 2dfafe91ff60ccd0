#!/bin/sh
# Whole-process timings of a schema test suite: parallel (default) against --parallel 1,
# alternating, N runs each; prints one line per run: MODE SECONDS (docs/TESTING.md).
# Usage: test_parallel_timing.sh MERCATOR DEV_URL N SUITE_DIR TEST_FILE…
# e.g.   test_parallel_timing.sh target/release/mercator postgres://postgres@localhost/dev 7 \
#          examples/testing/postgres schema.test.hcl
set -e
M=$1; DEV=$2; N=${3:-7}; DIR=$4; shift 4
cd "$DIR"
for i in $(seq 1 "$N"); do
  for mode in parallel serial; do
    extra=""
    [ "$mode" = serial ] && extra="--parallel 1"
    t0=$(date +%s.%N)
    "$M" schema test --url file://schema.sql --dev-url "$DEV" $extra "$@" > /dev/null
    t1=$(date +%s.%N)
    echo "$mode $(echo "$t1 - $t0" | bc)"
  done
done
