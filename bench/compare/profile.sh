#!/usr/bin/env bash
# Profiles Parley under the fan-out load of bench/compare/run.sh with JDK Flight Recorder (started with jcmd after
# a warm-up run), turned into a flame graph by async-profiler's converter (tools.profiler:jfr-converter, from
# Maven Central): server pinned to core 0, Node load on core 1. Writes bench/profiles/<name>.html (flame graph)
# and <name>.txt (the frames that take most of the samples).
#
#   bench/compare/profile.sh NAME [load.js options]     e.g. bench/compare/profile.sh fanout-before
#   STORE=postgres|embedded|memory (default memory): the history store; postgres makes a database of its own
#   on PGHOST:PGPORT (127.0.0.1:5432, user PGUSER=postgres) and drops it at the end
set -euo pipefail
cd "$(dirname "$0")/../.."
NAME=${1:?usage: profile.sh NAME [load.js options]}
shift || true
LOAD=("$@")
[ ${#LOAD[@]} -gt 0 ] || LOAD=(--mode fanout --receivers 100 --senders 1 --window 200 --seconds 15)
AP_VERSION=4.1
WORK=target/bench-profile-$$
mkdir -p bench/profiles "$WORK"
(cd bench/compare && npm install --no-audit --no-fund --silent)
mvn -B -q -ntp dependency:copy -Dartifact=tools.profiler:jfr-converter:$AP_VERSION -DoutputDirectory="$WORK"
CONVERTER=$WORK/jfr-converter-$AP_VERSION.jar
[ -f target/parley.war ] && [ -f target/payara-micro.jar ] || mvn -B -q -ntp package -DskipTests
source bench/parley-server.sh
STORE=${STORE:-memory}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB=""
case "$STORE" in
    memory) STORE_PROPS=(-Dparley.store=memory) ;;
    embedded) STORE_PROPS=("-Dparley.data.dir=$WORK/data") ;;
    postgres)
        DB="parley_profile_$$_$RANDOM"
        psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -q -c "CREATE DATABASE $DB"
        STORE_PROPS=("-Dparley.db.url=jdbc:postgresql://$PGHOST:$PGPORT/$DB" "-Dparley.db.user=$PGUSER") ;;
    *) echo "STORE must be memory, embedded or postgres" >&2; exit 2 ;;
esac
cleanup() {
    stop_parley
    if [ -n "$DB" ]; then psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true; fi
}
trap cleanup EXIT
PIN="taskset -c 0" start_parley "$WORK" -Dparley.default-room=none -Dparley.rate.messages-per-second=0 \
    -Dparley.limits.connections-per-address=0 -Dparley.limits.connections-per-user=0 "${STORE_PROPS[@]}" \
    -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints
URL="ws://127.0.0.1:$PORT/chat"
taskset -c 1 node bench/compare/load.js --url "$URL" "${LOAD[@]}" > /dev/null
# JFR's "profile" settings with Java samples every 10 ms and no samples of threads waiting in native code
# (selectors, accept loops): those are idle, and would fill the flame graph.
JDK=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
awk '/name="jdk.NativeMethodSample"/ { native = 1 } native && /name="enabled"/ { sub(/true/, "false"); native = 0 } { print }' \
    "$JDK/lib/jfr/profile.jfc" > "$WORK/samples.jfc"
jcmd "$PID" JFR.start name=bench settings="$PWD/$WORK/samples.jfc" > /dev/null
taskset -c 1 node bench/compare/load.js --url "$URL" "${LOAD[@]}" | tee "$WORK/load.json"
jcmd "$PID" JFR.stop name=bench filename="$PWD/$WORK/profile.jfr" > /dev/null
java -jar "$CONVERTER" --title "$NAME" "$WORK/profile.jfr" "bench/profiles/$NAME.html"
java -jar "$CONVERTER" -o collapsed "$WORK/profile.jfr" "$WORK/collapsed.txt"
{
    echo "# $NAME, $(date -u +%Y-%m-%dT%H:%MZ): JFR Java execution samples, Parley pinned to core 0, store $STORE, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "load: $(cat "$WORK/load.json")"
    echo
    echo "## Share of samples by frame on the stack (inclusive), Parley and Tyrus/Grizzly/Payara frames"
    awk '{ n = $NF; $NF = ""; split($0, f, ";"); delete seen;
           for (i in f) { g = f[i]; sub(/_\[.\]$/, "", g); if (!(g in seen)) { seen[g] = 1; inc[g] += n } } total += n }
         END { for (g in inc) printf "%6.2f%% %s\n", 100 * inc[g] / total, g }' "$WORK/collapsed.txt" \
        | grep -E "dev/parley|tyrus|grizzly|payara|concurrent|json|JSON" | sort -rn | head -60
    echo
    echo "## Self time (leaf frames)"
    awk '{ n = $NF; $NF = ""; k = split($0, f, ";"); leaf = f[k]; gsub(/ +$/, "", leaf); self[leaf] += n; total += n }
         END { for (g in self) printf "%6.2f%% %s\n", 100 * self[g] / total, g }' "$WORK/collapsed.txt" | sort -rn | head -40
} > "bench/profiles/$NAME.txt"
echo "wrote bench/profiles/$NAME.html and bench/profiles/$NAME.txt" >&2
