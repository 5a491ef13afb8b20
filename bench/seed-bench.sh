#!/usr/bin/env bash
# aria2c downloads SIZE (1 GiB) from one seeder through opentracker (../shared/harness/swarm.py, in
# its own network namespace): first from `jtorrent seed`, then from libtorrent, REPEAT (3) runs
# each, in the same invocation so both see the same machine. Prints the median wall time, MB/s and
# seeder-independent leecher figures of each, and the ratio jtorrent/libtorrent (wall > 1 = slower).
# The seeder's hash check is not timed: swarm.py starts the leecher only once the tracker's scrape
# counts the seeder as complete. Takes a few minutes and both cores.
#   SIZE=1G PIECE=1M REPEAT=3 LEECHER=aria2 bench/seed-bench.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness="$root/../shared/harness"
size=${SIZE:-1G}
piece=${PIECE:-1M}
repeat=${REPEAT:-3}
leecher=${LEECHER:-aria2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$root/jtorrent" --version >/dev/null            # build outside the timing
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in jtorrent lt; do
  kind=$s
  # exec: swarm.py stops the seeder by PID with SIGTERM; no shell left in between.
  [[ $s == jtorrent ]] && kind="cmd:exec $root/jtorrent seed {torrent} --data {datadir} --port {port} --state {workdir}/jtorrent-seed-state"
  python3 "$harness/swarm.py" --gen "single:$size" --piece-length "$piece" --seeder "$kind" --leecher "$leecher" \
      --repeat "$repeat" --seeder-ready-timeout 300 --label "seed-$s" | tee "$out/$s.txt" || echo "swarm.py failed for seeder $s (see above)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# The median line of each seeder (or its single ok run when REPEAT=1), then the ratio.
awk -v leecher="$leecher" '
  FNR == 1 { name = FILENAME; sub(/.*\//, "", name); sub(/\.txt$/, "", name) }
  /^MEDIAN|^leecher=.* ok$/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[name, kv[1]] = kv[2] } names[name] = 1 }
  /^MEDIAN/ { ok[name] = substr($1, 8) " ok" }
  END {
    printf "\n%-10s %-12s %8s %8s %16s %16s\n", "seeder", "ok", "wall_s", "MBps", leecher "_cpu_s", leecher "_maxrss_MB"
    for (n in names) printf "%-10s %-12s %8s %8s %16s %16s\n", n, ok[n], v[n, "wall_s"], v[n, "MBps"], v[n, "cpu_s"], v[n, "maxrss_MB"]
    if (("jtorrent", "wall_s") in v && ("lt", "wall_s") in v && v["lt", "wall_s"] > 0)
      printf "jtorrent/libtorrent wall: %.2f  (MBps %.2f)\n", v["jtorrent", "wall_s"] / v["lt", "wall_s"],
        v["jtorrent", "MBps"] / v["lt", "MBps"]
  }' "$out"/jtorrent.txt "$out"/lt.txt
