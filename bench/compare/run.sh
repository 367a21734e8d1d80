#!/usr/bin/env bash
# Parley against its peers, in one run on this machine: a Node `ws` server and a Socket.IO server doing the same
# message path (bench/compare/peer-*.js) and a plain Tyrus-on-Grizzly endpoint (bench/compare/tyrus), the stack
# under Payara Micro. Each server is pinned to core 0 and the Node load generator (load.js) to core 1, so server
# and load never share a core. Every figure is the median of RUNS runs, with the min and max.
# Writes bench/results/<date>.md and bench/results/<date>.png (gnuplot).
#
#   bench/compare/run.sh                 all modes
#   MODES="fanout latency" RUNS=3 SECONDS_PER_RUN=10 CLIENTS=5000 CONNECT_CLIENTS=1000 bench/compare/run.sh
# Modes: fanout (100 receivers, 1 sender, 200 in flight: deliveries/s), latency (the same at 10 in flight: p99),
# rooms (10 rooms x 10 receivers, 10 senders, unpinned: Parley on both cores against itself pinned), connect
# (CONNECT_CLIENTS into the default room, asking for presence diffs: seconds until all are joined; connect-v1 the same
# without diffs), bigroom (BIGROOM_CLIENTS in the default room, then one message: seconds until all got it), idle
# (CLIENTS idle: KB of live heap and of server RSS each, and where a JVM keeps it), churn (connect-welcome-close
# loops: connects/s), durable (100 senders in 100 rooms on PostgreSQL, on the embedded store and, as the ceiling
# without a database, on the in-memory store: acks/s and ack p99; Parley only).
# Rate and connection limits are turned off by configuration, never by code.
# A before/after comparison of Parley itself: PARLEY_BEFORE_WAR=path/to/parley.war PEERS="parley parley-before ws".
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CLIENTS=${CLIENTS:-5000}
CONNECT_CLIENTS=${CONNECT_CLIENTS:-$CLIENTS}
BIGROOM_CLIENTS=${BIGROOM_CLIENTS:-10000}
MODES=${MODES:-fanout latency rooms connect idle churn durable}
PEERS=${PEERS:-parley ws socketio tyrus}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DATE=$(date -u +%Y-%m-%d-%H%M)
OUT=bench/results/$DATE
WORK=target/bench-compare-$$
mkdir -p bench/results "$WORK"
source bench/parley-server.sh

# --- set-up: Node packages, the Tyrus peer, the WAR, gnuplot -------------------------------------------------
(cd bench/compare && npm install --no-audit --no-fund --silent)
(cd bench/compare/tyrus && mvn -B -q -ntp package dependency:build-classpath -Dmdep.outputFile=target/cp.txt)
[ -f target/parley.war ] && [ -f target/payara-micro.jar ] || mvn -B -q -ntp package -DskipTests
if ! command -v gnuplot >/dev/null; then
    (apt-get install -y -q gnuplot-nox >/dev/null 2>&1 || sudo -n apt-get install -y -q gnuplot-nox >/dev/null 2>&1) \
        || echo "gnuplot could not be installed: no chart, the table only" >&2
fi
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cp target/parley.war "$WORK/parley.war"

# --- is the machine quiet? ---------------------------------------------------------------------------------------
LOAD1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD1" 'BEGIN { exit !(l > 0.7) }'; then
    QUIET="no: load average $LOAD1 before the run (other work on the machine; ratios measured in the same run still hold better than absolute figures)"
    [ "${REQUIRE_QUIET:-0}" = 1 ] && { echo "machine not quiet (load $LOAD1); REQUIRE_QUIET=1" >&2; exit 3; }
else
    QUIET="yes: load average $LOAD1 before the run"
fi

SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true; fi
    SERVER_PID=""
    stop_parley
    PID=""
}
DBS=()
cleanup() {
    stop_server
    for db in "${DBS[@]}"; do psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; done
}
trap cleanup EXIT

# start_server NAME DEFAULT_ROOM PIN [STORE]   sets PORT and SERVER_PID
start_server() {
    local name=$1 room=$2 pin=$3 store=${4:-memory}
    if [ "$name" = parley ] || [ "$name" = parley-before ]; then
        local props=(-Dparley.default-room="$room" -Dparley.rate.messages-per-second=0
            -Dparley.limits.connections-per-address=0 -Dparley.limits.connections-per-user=0 -Dparley.limits.members-per-room=0)
        case "$store" in
            memory) props+=(-Dparley.store=memory) ;;
            embedded) props+=("-Dparley.data.dir=$WORK/data-$RANDOM") ;;
            postgres)
                local db="parley_bench_$$_$RANDOM"
                psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -q -c "CREATE DATABASE $db"
                DBS+=("$db")
                props+=("-Dparley.db.url=jdbc:postgresql://$PGHOST:$PGPORT/$db" "-Dparley.db.user=$PGUSER") ;;
        esac
        local war=$WORK/parley.war  # a copy: a build during the run does not change the server under test
        [ "$name" = parley-before ] && war=${PARLEY_BEFORE_WAR:?PARLEY_BEFORE_WAR names the build to compare with}
        PARLEY_WAR="$war" PIN="$pin" start_parley "$WORK/parley-$RANDOM" "${props[@]}"
        SERVER_PID=$PID
        return
    fi
    PORT=$(java bench/FreePort.java)
    local log="$WORK/$name.log"
    case "$name" in
        ws) $pin node bench/compare/peer-ws.js "$PORT" "$room" > "$log" 2>&1 & ;;
        socketio) $pin node bench/compare/peer-socketio.js "$PORT" "$room" > "$log" 2>&1 & ;;
        tyrus) $pin java -Xmx1g -cp "bench/compare/tyrus/target/tyrus-peer-1.jar:$(cat bench/compare/tyrus/target/cp.txt)" \
                   TyrusPeer "$PORT" "$room" > "$log" 2>&1 & ;;
    esac
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        grep -qs "ready in" "$log" && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; return 1; }
        sleep 0.2
    done
    echo "$name did not start" >&2
    return 1
}

proto_of() { [ "$1" = socketio ] && echo socketio || echo ws; }
url_of() { [ "$1" = socketio ] && echo "http://127.0.0.1:$PORT" || echo "ws://127.0.0.1:$PORT/chat"; }

RESULTS=$WORK/results.jsonl
: > "$RESULTS"
# measure SERVER MODE_LABEL ROOM SERVER_PIN STORE -- load.js options...
measure() {
    local server=$1 label=$2 room=$3 pin=$4 store=$5
    shift 6
    start_server "$server" "$room" "$pin" "$store"
    # one warm-up run (the JVMs compile their hot paths), then RUNS measured runs on the same server; idle runs
    # have none: the warm-up's connections, still being released, would count in the "before" figure
    [ "$label" = idle ] || taskset -c 1 node bench/compare/load.js --proto "$(proto_of "$server")" --url "$(url_of "$server")" "$@" > /dev/null || true
    for run in $(seq 1 "$RUNS"); do
        local line
        line=$(taskset -c 1 node bench/compare/load.js --proto "$(proto_of "$server")" --url "$(url_of "$server")" \
            --pid "$SERVER_PID" "$@" || true)
        echo "$server $label run $run: $line" >&2
        echo "{\"server\":\"$server\",\"label\":\"$label\",\"run\":$run,\"result\":$line}" >> "$RESULTS"
    done
    stop_server
}

# heap_breakdown SERVER   for a JVM: where its idle connections keep their memory, from the class histograms of
# the last idle run, written to OUT-heap-SERVER.md
heap_breakdown() {
    [ -f "$WORK/$1-heap-after.txt" ] || return 0
    node bench/compare/heap-breakdown.js "$WORK/$1-heap-before.txt" "$WORK/$1-heap-after.txt" "$CLIENTS" 25 > "$OUT-heap-$1.md"
}

S=$SECONDS_PER_RUN
for mode in $MODES; do
    for server in $PEERS; do
        case "$mode" in
            fanout) measure "$server" fanout none "taskset -c 0" memory -- --mode fanout --receivers 100 --senders 1 --window 200 --seconds "$S" ;;
            latency) measure "$server" latency none "taskset -c 0" memory -- --mode fanout --receivers 100 --senders 1 --window 10 --seconds "$S" ;;
            rooms)
                [ "$server" = parley ] || continue
                measure parley rooms-1core none "taskset -c 0" memory -- --mode fanout --receivers 10 --senders 10 --rooms 10 --window 20 --seconds "$S"
                measure parley rooms-2cores none "" memory -- --mode fanout --receivers 10 --senders 10 --rooms 10 --window 20 --seconds "$S" ;;
            connect) measure "$server" connect lobby "taskset -c 0" memory -- --mode connect --clients "$CONNECT_CLIENTS" --timeout 300 \
                         --features presence-diff ;;
            connect-v1) measure "$server" connect-v1 lobby "taskset -c 0" memory -- --mode connect --clients "$CONNECT_CLIENTS" --timeout 300 ;;
            bigroom)
                [ "$server" = socketio ] || [ "$server" = tyrus ] && continue
                measure "$server" bigroom lobby "taskset -c 0" memory -- --mode bigroom --clients "$BIGROOM_CLIENTS" --timeout 300 \
                    --features presence-diff ;;
            idle) measure "$server" idle none "taskset -c 0" memory -- --mode idle --clients "$CLIENTS" --settle 5 --timeout 900 \
                --histograms "$WORK/$server-heap"
                heap_breakdown "$server" ;;
            churn) measure "$server" churn none "taskset -c 0" memory -- --mode churn --concurrency 20 --seconds "$S" ;;
            durable)
                case "$server" in parley | parley-before) ;; *) continue ;; esac
                measure "$server" durable-postgres none "taskset -c 0" postgres -- --mode durable --senders 100 --window 4 --seconds "$S"
                measure "$server" durable-embedded none "taskset -c 0" embedded -- --mode durable --senders 100 --window 4 --seconds "$S"
                # the same load on the in-memory store: the ceiling the WebSocket path allows, no database at all
                measure "$server" durable-memory none "taskset -c 0" memory -- --mode durable --senders 100 --window 4 --seconds "$S" ;;
        esac
    done
done

node bench/compare/report.js "$RESULTS" "$OUT" "$QUIET" "$RUNS" \
    "RUNS=$RUNS SECONDS_PER_RUN=$SECONDS_PER_RUN CLIENTS=$CLIENTS CONNECT_CLIENTS=$CONNECT_CLIENTS MODES=\"$MODES\" PEERS=\"$PEERS\" on $(nproc) cores; Parley at $(git rev-parse --short HEAD)"
echo "wrote $OUT.md" >&2
