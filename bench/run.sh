#!/usr/bin/env bash
# The Relais benchmark (issue 9): builds what it needs, then runs the harness, which starts Redis, Relais, the
# Socket.IO peer and the bare Vert.x ceiling on 127.0.0.1, runs the scenarios, stops everything and writes
# bench/results/<timestamp>.json and .md. See docs/BENCHMARKS.md.
#
#   bash bench/run.sh --quick                 # every scenario, small sizes, a few minutes
#   bash bench/run.sh                         # full sizes (long; never in CI)
#   bash bench/run.sh --quick --repeat 3 --targets relais,socketio --scenarios bigroom,history
#   bash bench/run.sh --set big.rates=10,50 --set step.measure.s=10 ...
#   bash bench/run.sh --compare bench/results/OLD.json [bench/results/NEW.json]   # Relais before/after, no run
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--compare" ]]; then
  shift
  if [[ ! -f bench/target/relais-bench.jar ]]; then
    mvn -q -B -Pbench -pl bench -am -DskipTests package
  fi
  exec java -cp bench/target/relais-bench.jar org.relais.bench.Compare "$@"
fi

if [[ "${BENCH_SKIP_BUILD:-}" != "1" ]]; then
  echo "building server/target/relais.jar and bench/target/relais-bench.jar ..."
  mvn -q -B -Pbench -DskipTests package
  if [[ ! -d bench/peers/socketio/node_modules ]]; then
    (cd bench/peers/socketio && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# one server process may hold up to the hard descriptor limit
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

PIN=()
if command -v taskset >/dev/null 2>&1; then
  PIN=(taskset -c 1)   # the generator (and the redis-servers it starts) on CPU 1; servers go to CPU 0
fi
# The generator's own pauses delay every delivery in flight (each window records them: generatorGc* in the JSON).
# With -XX:+UseParallelGC and 2 GB it paused 0.7-0.9 s for full collections and up to 180 ms for young ones in a full
# run (docs/BENCHMARKS.md); G1 with a fixed, pre-touched heap kept them under 41 ms, for more of the generator's CPU at
# the highest rates (the ceiling's top small-rooms step). BENCH_GEN_JVM_OPTS replaces these options.
GEN_JVM_OPTS=${BENCH_GEN_JVM_OPTS:-"-Xms4g -Xmx4g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+AlwaysPreTouch"}
# shellcheck disable=SC2086
exec "${PIN[@]}" java $GEN_JVM_OPTS -jar bench/target/relais-bench.jar "$@"
