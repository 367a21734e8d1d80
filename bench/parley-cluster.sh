# Sourced by bench/cluster.sh and bench/run-cluster-bench.sh: starts N Parley nodes on Payara Micro, clustered on
# loopback with Payara Micro's own flags, and stops them (by their PIDs).
#   start_cluster N WORKDIR [-Dname=value ...]   sets PORTS (HTTP, one per node) and PIDS; fails fast if a node fails
#   stop_cluster
# The nodes share the database of PARLEY_DB_URL (and PARLEY_DB_USER, PARLEY_DB_PASSWORD), which must be PostgreSQL:
# a clustered node refuses the embedded one. Each run gets a cluster name and Hazelcast ports of its own, so nodes
# of another run on the same machine never join it.
start_cluster() {
    local n=$1 work=$2
    shift 2
    [ -f target/parley.war ] && [ -f target/payara-micro.jar ] || mvn -B -q package -DskipTests
    [ -n "${PARLEY_DB_URL:-}" ] || { echo "set PARLEY_DB_URL (PostgreSQL) for the cluster" >&2; return 1; }
    mkdir -p "$work"
    local name="parley-$(date +%s)-$$" members="" hz=()
    for i in $(seq 1 "$n"); do
        hz+=("$(java bench/FreePort.java)")
        members="${members:+$members,}127.0.0.1:${hz[-1]}"
    done
    PORTS=()
    PIDS=()
    for i in $(seq 0 $((n - 1))); do
        PORTS+=("$(java bench/FreePort.java)")
        mkdir -p "$work/node$((i + 1))"
        ${PIN:-} java -Xmx1g -Dhazelcast.socket.bind.any=false "$@" -jar target/payara-micro.jar --deploy target/parley.war \
            --contextroot / --port "${PORTS[$i]}" --rootdir "$work/node$((i + 1))/runtime" \
            --clustername "$name" --clustermode "tcpip:$members" --interfaces 127.0.0.1 --startport "${hz[$i]}" \
            > "$work/node$((i + 1))/payara.log" 2>&1 &
        PIDS+=("$!")
        # The first node first: the others then join it instead of forming clusters of their own at the same time.
        if [ "$i" = 0 ] || [ "$i" = $((n - 1)) ]; then await_nodes "$work" $((i + 1)) || return 1; fi
    done
}

# Waits until nodes 1..$2 under $1 are ready (or one failed).
await_nodes() {
    local work=$1 upto=$2
    for _ in $(seq 1 1200); do
        local ready=0
        for i in $(seq 1 "$upto"); do
            local log="$work/node$i/payara.log"
            if grep -q -e "Failed to start" -e "Exception while loading the app" "$log" 2>/dev/null; then
                echo "node $i failed to start:" >&2; tail -30 "$log" >&2; return 1
            fi
            kill -0 "${PIDS[$((i - 1))]}" 2>/dev/null || { echo "node $i exited:" >&2; tail -30 "$log" >&2; return 1; }
            grep -q "ready in" "$log" 2>/dev/null && ready=$((ready + 1))
        done
        [ "$ready" = "$upto" ] && return 0
        sleep 0.5
    done
    echo "nodes not ready in time" >&2
    return 1
}

stop_cluster() {
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
}
