#!/bin/sh
# DHT lookups on loopback, jtorrent and libtorrent 2.0 in one run (inside a private network namespace):
#  1. 32 jtorrent nodes in one JVM: one announces, the 31 others look it up (warm tables):
#     time, queries and hops per lookup.
#  2. 32 libtorrent nodes (harness dht_lt.py) and a libtorrent seeder announced into them:
#     a fresh jtorrent node (empty table) bootstraps from one of them and looks the seeder up,
#     REPEAT times: time from start to first peers, like libtorrent's own dht_peers_s below.
#  3. harness dht_swarm.py --nodes 32: a libtorrent leecher's dht_peers_s (add magnet -> first
#     DHT peers) in the same kind of DHT, REPEAT runs.
#
# usage: bench/dht-bench.sh [REPEAT=5]
# needs: mvn -q -o -pl core,bench compile; python3-libtorrent (/usr/bin/python3)
set -eu
cd "$(dirname "$0")/.."
if [ -z "${JT_IN_NETNS:-}" ]; then
    exec unshare -n env JT_IN_NETNS=1 sh -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
REPEAT=${1:-5}
JAVA="$(scripts/find-jdk)/bin/java"
CP=bench/target/classes:core/target/classes:$(ls ~/.m2/repository/org/slf4j/slf4j-api/*/slf4j-api-*.jar | head -1)
[ -d bench/target/classes/org/jtorrent/bench ] || { echo "build first: mvn -q -o -pl core,bench compile" >&2; exit 1; }
LTPY=${LT_PYTHON:-/usr/bin/python3}
H=../shared/harness
WORK=$(mktemp -d); PIDS=""
# dht_lt.py can take long to tear its sessions down after SIGTERM: SIGKILL what is left after 2 s
stop() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; sleep 2; for p in $PIDS; do kill -9 "$p" 2>/dev/null || true; done; PIDS=""; }
cleanup() { stop; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

echo "== 1. jtorrent DHT, 32 nodes in one JVM"
"$JAVA" -cp "$CP" org.jtorrent.bench.DhtLookupLoad swarm 32

echo "== 2. a cold jtorrent node in a DHT of 32 libtorrent nodes"
"$LTPY" $H/mkpayload.py single "$WORK/payload.bin" 1M >/dev/null
HASH=$("$LTPY" $H/mktorrent.py "$WORK/payload.bin" -o "$WORK/t.torrent" | grep -E '^[0-9a-f]{40}$')
PORTS=$(seq 41001 41032 | paste -sd, -)
LIST=$(seq 41001 41032 | sed 's/^/127.0.0.1:/' | paste -sd, -)
"$LTPY" $H/dht_lt.py nodes "$PORTS" --bootstrap "$LIST" --ready-file "$WORK/ready" \
    --announced-file "$WORK/announced" --infohash "$HASH" 2>"$WORK/nodes.log" & PIDS="$PIDS $!"
while [ ! -f "$WORK/ready" ]; do sleep 0.2; done
"$LTPY" $H/dht_lt.py seed "$WORK/t.torrent" "$WORK" --port 41100 --bootstrap "$LIST" 2>"$WORK/seed.log" & PIDS="$PIDS $!"
while [ ! -f "$WORK/announced" ]; do sleep 0.2; done
sleep 1
"$JAVA" -cp "$CP" org.jtorrent.bench.DhtLookupLoad external "$LIST" "$HASH" 127.0.0.1:41100 "$REPEAT"
stop

echo "== 3. libtorrent leecher in a DHT of 32 libtorrent nodes (dht_swarm.py)"
JT_IN_NETNS= python3 $H/dht_swarm.py --no-netns --gen single:4M --nodes 32 --repeat "$REPEAT" 2>/dev/null | grep -E 'leecher=|MEDIAN'
