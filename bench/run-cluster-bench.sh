#!/usr/bin/env bash
# Cluster benchmark: acks/s, deliveries/s, ack latency and the cross-node hop with 1, 2 and 3 nodes on this machine.
# For each N, starts N clustered nodes on loopback (bench/parley-cluster.sh) on a fresh PostgreSQL database, runs
# bench/ClusterBench.java with the same receivers and senders spread over the nodes, and stops the nodes.
#
#   bench/run-cluster-bench.sh            (PostgreSQL on 127.0.0.1:5432, user postgres, trust on loopback)
#   NODES="1 2 3" RECEIVERS=300 SENDERS=6 WINDOW=8 SECONDS_PER_RUN=15 PGPORT=5432
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${NODES:-1 2 3}
RECEIVERS=${RECEIVERS:-300}
SENDERS=${SENDERS:-6}
WINDOW=${WINDOW:-8}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
PGPORT=${PGPORT:-5432}
source bench/parley-cluster.sh
trap stop_cluster EXIT
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, PostgreSQL on 127.0.0.1:$PGPORT, ${SECONDS_PER_RUN}s per run after warm-up"
header=true
for n in $NODES; do
    db="parley_bench_cluster_$$_$n"
    psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE DATABASE $db" postgres
    export PARLEY_DB_URL="jdbc:postgresql://127.0.0.1:$PGPORT/$db" PARLEY_DB_USER=postgres PARLEY_DB_PASSWORD=unused
    work=target/bench-cluster-$$-$n
    start_cluster "$n" "$work" -Dparley.default-room=none -Dparley.rate.messages-per-second=0 \
        -Dparley.limits.connections-per-address=0 -Dparley.limits.connections-per-user=0
    urls=$(for p in "${PORTS[@]}"; do printf 'ws://127.0.0.1:%s/chat,' "$p"; done)
    java -Xmx2g bench/ClusterBench.java --urls "${urls%,}" --receivers "$RECEIVERS" --senders "$SENDERS" \
        --window "$WINDOW" --seconds "$SECONDS_PER_RUN" --header "$header"
    header=false
    for pid in "${PIDS[@]}"; do
        echo "#   node pid $pid: CPU time $(ps -o times= -p "$pid" | tr -d ' ') s" >&2
    done
    stop_cluster
    PIDS=()
    psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "DROP DATABASE $db" postgres
done
