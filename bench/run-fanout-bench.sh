#!/usr/bin/env bash
# Fan-out benchmark: messages/s, deliveries/s and delivery latency p50/p99 for R receivers and S senders in
# one room. Starts Parley on Payara Micro on a free loopback port (rate and connection limits off, so what is
# measured is delivery), runs bench/FanoutBench.java against it, and stops it by its PID.
#
#   bench/run-fanout-bench.sh [memory|embedded]     (default memory: delivery without the database)
#   SECONDS_PER_RUN=10 RECEIVERS=100,1000 SENDERS=1,10 WINDOW=8
set -euo pipefail
cd "$(dirname "$0")/.."

STORE=${1:-memory}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
RECEIVERS=${RECEIVERS:-100,1000}
SENDERS=${SENDERS:-1,10}
WINDOW=${WINDOW:-8}

source bench/parley-server.sh
WORK=target/bench-fanout-$$
PROPS=(-Dparley.default-room=none -Dparley.rate.messages-per-second=0
       -Dparley.limits.connections-per-address=0 -Dparley.limits.connections-per-user=0)
case "$STORE" in
    memory) PROPS+=(-Dparley.store=memory) ;;
    embedded) PROPS+=("-Dparley.data.dir=$WORK/data") ;;
    *) echo "usage: $0 [memory|embedded]" >&2; exit 2 ;;
esac
trap stop_parley EXIT
start_parley "$WORK" "${PROPS[@]}"

echo "# $(date -u +%Y-%m-%dT%H:%MZ) store=$STORE, $(nproc) cores, ${SECONDS_PER_RUN}s per run after warm-up"
java -Xmx2g bench/FanoutBench.java --url "ws://127.0.0.1:$PORT/chat" --receivers "$RECEIVERS" --senders "$SENDERS" \
    --window "$WINDOW" --seconds "$SECONDS_PER_RUN" --label "$STORE"
