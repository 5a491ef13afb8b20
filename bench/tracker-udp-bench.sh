#!/bin/sh
# UDP announces per second answered by `jtorrent tracker` and by opentracker, same generator
# (bench/.../UdpAnnounceLoad: closed loop, CLIENTS sockets, 1 request in flight each).
# Each tracker is pinned to CPU 0 with taskset, the generator to CPU 1; everything runs in a
# private network namespace on loopback. Prints both rates and jtorrent/opentracker.
#
# usage: bench/tracker-udp-bench.sh [SECONDS=10] [CLIENTS=64] [HASHES=1000]
# needs: mvn -q -o package -DskipTests (cli/target/jtorrent.jar, bench/target/classes), opentracker, taskset
set -eu
cd "$(dirname "$0")/.."
if [ -z "${JT_IN_NETNS:-}" ]; then
    exec unshare -n env JT_IN_NETNS=1 sh -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
SECONDS_RUN=${1:-10}; CLIENTS=${2:-64}; HASHES=${3:-1000}

JAVA="$(scripts/find-jdk)/bin/java"   # the newest JDK >= 21, as the launcher finds it
JAR=cli/target/jtorrent.jar
[ -f "$JAR" ] && [ -d bench/target/classes ] || { echo "build first: mvn -q -o package -DskipTests" >&2; exit 1; }
GEN="$JAVA -cp bench/target/classes:$JAR org.jtorrent.bench.UdpAnnounceLoad"

WORK=$(mktemp -d); PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

run() { # label
    sleep 1
    taskset -c 1 $GEN 127.0.0.1 "$UDP" 3 "$CLIENTS" "$HASHES" >/dev/null   # warm-up (JIT, caches), not counted
    r=$(taskset -c 1 $GEN 127.0.0.1 "$UDP" "$SECONDS_RUN" "$CLIENTS" "$HASHES")
    echo "$1 $r" >&2
    echo "$r" | awk '{print $2}'
}

mkdir -m 755 "$WORK/ot"
$GEN --print-hashes "$HASHES" > "$WORK/ot/whitelist"; chmod 644 "$WORK/ot/whitelist"
UDP=16969
taskset -c 0 opentracker -i 127.0.0.1 -p 16970 -P $UDP -d "$WORK/ot" -w whitelist >"$WORK/ot.log" 2>&1 & PID=$!
OT=$(run opentracker)
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

UDP=16971
taskset -c 0 "$JAVA" -jar "$JAR" tracker --http-port 16972 --udp-port $UDP --bind 127.0.0.1 >"$WORK/jt.log" 2>&1 & PID=$!
JT=$(run jtorrent)
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

echo "udp announces/s: jtorrent=$JT opentracker=$OT ratio=$(awk -v a="$JT" -v b="$OT" 'BEGIN{printf "%.2f", (b>0)?a/b:0}')"
