#!/usr/bin/env bash
# A magnet link (info-hash only: no tracker, no peer address) to the completed download through a
# private DHT of 8 libtorrent nodes with a libtorrent seeder announced into it (the harness's
# dht_swarm.py, its own network namespace, loopback only): `jtorrent download MAGNET --dht-bootstrap`
# (the launcher: JVM start and start-up cache included) against dht_swarm.py's libtorrent leecher,
# REPEAT runs each, same payload. Prints both MEDIAN lines and jtorrent/libtorrent of wall_s.
#   REPEAT=5 SIZE=64M bench/dht-magnet-bench.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repeat=${REPEAT:-5} size=${SIZE:-64M}
"$root/jtorrent" --version >/dev/null   # builds the jar if it is stale
cd "$root/../shared/harness"
jt=$(python3 dht_swarm.py --gen "single:$size" --repeat "$repeat" --timeout 120 \
    --leecher "cmd:exec '$root/jtorrent' download \"{magnet}\" -o {outdir} --port {port} --dht-bootstrap {bootstrap} --state {workdir}/jt-state" \
    2>/dev/null | tee /dev/stderr | grep '^MEDIAN')
lt=$(python3 dht_swarm.py --gen "single:$size" --repeat "$repeat" 2>/dev/null | tee /dev/stderr | grep '^MEDIAN')
echo "$jt"
echo "$lt"
a=$(sed -n 's/.* wall_s=\([0-9.]*\).*/\1/p' <<<"$jt"); b=$(sed -n 's/.* wall_s=\([0-9.]*\).*/\1/p' <<<"$lt")
echo "magnet via DHT to complete, wall_s median: jtorrent=$a libtorrent=$b ratio=$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f", (b>0)?a/b:0}')"
