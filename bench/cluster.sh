#!/usr/bin/env bash
# A local Parley cluster of N nodes on loopback, in the foreground (Ctrl-C stops every node):
#
#   PARLEY_DB_URL=jdbc:postgresql://127.0.0.1:5432/parley PARLEY_DB_USER=postgres bench/cluster.sh 3
#
# Builds the WAR if needed, starts the nodes one after the other with Payara Micro's cluster flags (a cluster name
# of its own, TCP/IP discovery on 127.0.0.1), prints each node's chat URL, and waits. Extra -D settings after N go
# to every node. Logs: target/cluster/nodeI/payara.log.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3}
shift || true
source bench/parley-cluster.sh
trap stop_cluster EXIT
start_cluster "$N" target/cluster "$@"
for i in $(seq 0 $((N - 1))); do
    echo "node $((i + 1)): ws://127.0.0.1:${PORTS[$i]}/chat   http://127.0.0.1:${PORTS[$i]}/   (pid ${PIDS[$i]})"
done
echo "Ctrl-C stops the cluster"
wait
