#!/usr/bin/env bash
# Durable history benchmark: acknowledged messages/s and ack latency p50/p99 with group commit, for 1, 10
# and 100 concurrent senders. Starts Parley on Payara Micro on a free loopback port with the chosen store,
# runs bench/HistoryBench.java against it, stops it (by its PID) and drops the database it made.
#
#   bench/run-history-bench.sh [postgres|embedded|memory]     (default postgres)
#   SECONDS_PER_RUN=15 SENDERS=1,10,100 PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
set -euo pipefail
cd "$(dirname "$0")/.."

STORE=${1:-postgres}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
SENDERS=${SENDERS:-1,10,100}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}

source bench/parley-server.sh
WORK=target/bench-history-$$
PROPS=(-Dparley.default-room=none -Dparley.rate.messages-per-second=0 -Dparley.limits.connections-per-address=0)
DB=""
case "$STORE" in
    postgres)
        DB="parley_bench_$$_$RANDOM"
        psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -q -c "CREATE DATABASE $DB"
        PROPS+=("-Dparley.db.url=jdbc:postgresql://$PGHOST:$PGPORT/$DB" "-Dparley.db.user=$PGUSER")
        ;;
    embedded) PROPS+=("-Dparley.data.dir=$WORK/data") ;;
    memory) PROPS+=(-Dparley.store=memory) ;;
    *) echo "usage: $0 [postgres|embedded|memory]" >&2; exit 2 ;;
esac
cleanup() {
    stop_parley
    if [ -n "$DB" ]; then psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true; fi
}
trap cleanup EXIT
start_parley "$WORK" "${PROPS[@]}"

echo "# $(date -u +%Y-%m-%dT%H:%MZ) store=$STORE, $(nproc) cores, ${SECONDS_PER_RUN}s per run after 3s warm-up"
java bench/HistoryBench.java --url "ws://127.0.0.1:$PORT/chat" --senders "$SENDERS" --seconds "$SECONDS_PER_RUN" --label "$STORE"
