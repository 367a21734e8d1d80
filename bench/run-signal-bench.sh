#!/usr/bin/env bash
# Signal latency and delivery on Parley (Payara Micro, in-memory store): one sender at 2,000 signals a second
# for 5 s to 2 and 20 receivers that read as they come (RECEIVERS="2 20 50" for others). Needs Java 17, Maven and Node 20+.
#   bash bench/run-signal-bench.sh            (results: one JSON line per run, see bench/results-signals.md)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/parley-server.sh
trap stop_parley EXIT
start_parley target/bench-signals -Dparley.store=memory -Dparley.rate.app-signals-per-second=0 \
    -Dparley.limits.connections-per-address=0
for receivers in ${RECEIVERS:-2 20}; do
    node --experimental-websocket --no-warnings bench/SignalBench.mjs "ws://127.0.0.1:$PORT/chat" "$receivers" 2000 5
done
