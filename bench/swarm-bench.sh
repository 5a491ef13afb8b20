#!/usr/bin/env bash
# 1 GiB from one libtorrent seeder through opentracker (../shared/harness/swarm.py, in its own
# network namespace), leeched in turn by jtorrent, aria2, transmission-cli and libtorrent:
# wall time, leecher CPU and max RSS, median of REPEAT runs (3), and jtorrent's ratio to each.
# Takes ~10 minutes and both cores: run it only on an otherwise quiet machine.
#   SIZE=1G PIECE=1M REPEAT=3 LEECHERS="jtorrent aria2 transmission lt" bench/swarm-bench.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness="$root/../shared/harness"
size=${SIZE:-1G}
piece=${PIECE:-1M}
repeat=${REPEAT:-3}
leechers=${LEECHERS:-"jtorrent aria2 transmission lt"}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$root/jtorrent" --version >/dev/null            # build outside the timing
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for l in $leechers; do
  kind=$l
  # jtorrent takes its peers from the torrent's tracker (opentracker, started by swarm.py).
  [[ $l == jtorrent ]] && kind="cmd:exec $root/jtorrent download {torrent} -o {outdir} --port {port} --json"
  python3 "$harness/swarm.py" --gen "single:$size" --piece-length "$piece" --seeder lt --leecher "$kind" \
      --repeat "$repeat" --label "$l" | tee "$out/$l.txt"
done
# The median of each leecher, then jtorrent's ratios (wall: >1 means jtorrent is slower).
awk '
  FNR == 1 { name = FILENAME; sub(/.*\//, "", name); sub(/\.txt$/, "", name) }
  # A run line per repeat, then (REPEAT > 1) the MEDIAN line, which overrides them.
  /^MEDIAN|^leecher=.* ok$/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[name, kv[1]] = kv[2] } names[name] = 1 }
  END {
    printf "\n%-13s %8s %8s %8s %10s\n", "leecher", "wall_s", "MBps", "cpu_s", "maxrss_MB"
    for (n in names) printf "%-13s %8s %8s %8s %10s\n", n, v[n, "wall_s"], v[n, "MBps"], v[n, "cpu_s"], v[n, "maxrss_MB"]
    if (("jtorrent", "wall_s") in v) for (n in names) if (n != "jtorrent" && v[n, "wall_s"] > 0)
      printf "jtorrent/%s: wall %.2f  cpu %.2f  rss %.2f\n", n, v["jtorrent", "wall_s"] / v[n, "wall_s"],
        v["jtorrent", "cpu_s"] / v[n, "cpu_s"], v["jtorrent", "maxrss_MB"] / v[n, "maxrss_MB"]
  }' "$out"/*.txt
