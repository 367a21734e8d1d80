#!/usr/bin/env bash
# The history store alone (bench/StoreBench.java: no WebSockets, no Payara), as the sequencer drives it under 100
# senders in 100 rooms: one thread appending batches of 100 drafts, one per room, each with a ref. Runs the store of
# each WAR given (its WEB-INF classes and libraries, with the EclipseLink that Payara Micro carries, taken from
# target/payara-micro.jar), on a fresh PostgreSQL database and a fresh embedded H2 file each, RUNS times, in turns.
#
#   bench/run-store-bench.sh [WAR ...]            default target/parley.war
#   STORES="postgres embedded" RUNS=3 SECONDS_PER_RUN=10 ROOMS=100 BATCH=100 PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
STORES=${STORES:-postgres embedded}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
ROOMS=${ROOMS:-100}
BATCH=${BATCH:-100}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
WARS=("$@")
[ ${#WARS[@]} -gt 0 ] || WARS=(target/parley.war)
WORK=target/bench-store-$$
mkdir -p "$WORK/runtime"
[ -f target/payara-micro.jar ] || mvn -B -q -ntp package -DskipTests
unzip -q -o -j target/payara-micro.jar 'MICRO-INF/runtime/org.eclipse.persistence.*' 'MICRO-INF/runtime/jakarta.persistence-api.jar' \
    'MICRO-INF/runtime/jakarta.json.jar' 'MICRO-INF/runtime/jakarta.transaction-api.jar' -d "$WORK/runtime"
DBS=()
trap 'for db in "${DBS[@]}"; do psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; done' EXIT
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); ${SECONDS_PER_RUN}s per run after 6s warm-up"
echo "| build | store | rooms | batch | msgs/s | ms per batch p50 | p99 | msgs per CPU-s of the writer JVM | msgs per CPU-s of the database |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for run in $(seq 1 "$RUNS"); do
    for i in "${!WARS[@]}"; do
        war=${WARS[$i]}
        dir="$WORK/war-$i"
        [ -d "$dir" ] || { mkdir -p "$dir" && unzip -q "$war" 'WEB-INF/*' -d "$dir"; }
        CP="$dir/WEB-INF/classes:$dir/WEB-INF/lib/*:$WORK/runtime/*"
        label=$(basename "$(dirname "$(readlink -f "$war")")")/$(basename "$war")
        if [[ " $STORES " == *" postgres "* ]]; then
            db="parley_store_bench_$$_$RANDOM"
            psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -q -c "CREATE DATABASE $db"
            DBS+=("$db")
            java -Xmx1g -cp "$CP" bench/StoreBench.java postgres "jdbc:postgresql://$PGHOST:$PGPORT/$db" "$PGUSER" \
                "$ROOMS" "$BATCH" "$SECONDS_PER_RUN" "$label" 2> "$WORK/stderr-$run-$i-pg.log" | grep '^|' || tail -20 "$WORK/stderr-$run-$i-pg.log" >&2
        fi
        if [[ " $STORES " == *" embedded "* ]]; then
            java -Xmx1g -cp "$CP" bench/StoreBench.java embedded "$WORK/h2-$run-$i" \
                "$ROOMS" "$BATCH" "$SECONDS_PER_RUN" "$label" 2> "$WORK/stderr-$run-$i-h2.log" | grep '^|' || tail -20 "$WORK/stderr-$run-$i-h2.log" >&2
        fi
    done
done
echo "# done $(date -u +%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
