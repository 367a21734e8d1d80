# Sourced by the bench scripts: starts Parley on Payara Micro on a free loopback port and stops it (by its
# PID) when the script exits.
#   start_parley WORKDIR [-Dname=value ...]   sets PORT and PID; fails fast if Payara does not come up
#   PIN="taskset -c 0" start_parley ...     runs the server under that command (pinned to a core)
#   PARLEY_WAR=other/parley.war start_parley ...   another build of Parley (a before/after comparison)
#   HEAP=2g start_parley ...                 a larger maximum heap (default 1g)
start_parley() {
    local work=$1
    shift
    local war=${PARLEY_WAR:-target/parley.war}
    [ -f "$war" ] && [ -f target/payara-micro.jar ] || mvn -B -q package -DskipTests
    mkdir -p "$work"
    PORT=$(java bench/FreePort.java)
    ${PIN:-} java -Xmx${HEAP:-1g} -Dhazelcast.socket.bind.any=false "$@" -jar target/payara-micro.jar --deploy "$war" \
        --contextroot / --port "$PORT" --rootdir "$work/runtime" --nocluster > "$work/payara.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 600); do
        if grep -q "Failed to start" "$work/payara.log"; then echo "Payara failed to start:" >&2; tail -30 "$work/payara.log" >&2; return 1; fi
        if grep -q "ready in" "$work/payara.log"; then return 0; fi
        kill -0 "$PID" 2>/dev/null || { echo "Payara exited:" >&2; tail -30 "$work/payara.log" >&2; return 1; }
        sleep 0.5
    done
    echo "Payara not ready in time" >&2
    return 1
}

stop_parley() {
    if [ -n "${PID:-}" ]; then kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; fi
}
