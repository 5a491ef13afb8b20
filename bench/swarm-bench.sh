#!/usr/bin/env bash
# 1 GiB from one libtorrent seeder through opentracker (../shared/harness/swarm.py, in its own
# network namespace), leeched in turn by jtorrent, aria2, transmission-cli and libtorrent:
# wall time, leecher CPU and max RSS, median of REPEAT rounds (3), and jtorrent's ratio to each.
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
# Rounds, not blocks: each round runs every leecher once, so a machine that drifts over the ten
# minutes (other tenants, page reporting) weighs on all of them alike. The payload is generated once.
mkdir -p "$out/cache"
for ((round = 1; round <= repeat; round++)); do
  for l in $leechers; do
    kind=$l
    # jtorrent takes its peers from the torrent's tracker (opentracker, started by swarm.py).
    [[ $l == jtorrent ]] && kind="cmd:exec $root/jtorrent download {torrent} -o {outdir} --port {port} --json --state {workdir}/jtorrent-leech-state"
    python3 "$harness/swarm.py" --gen "single:$size" --cache "$out/cache" --piece-length "$piece" --seeder lt \
        --leecher "$kind" --repeat 1 --label "$l" | tee -a "$out/$l.txt"
  done
done
# The median of each leecher (each column on its own, as swarm.py does), then jtorrent's ratios
# (wall: > 1 means jtorrent is slower). A failed run counts in "ok" and nowhere else.
awk '
  function median(name, key,    n, i, j, t, a) {
    n = count[name]
    for (i = 1; i <= n; i++) a[i] = val[name, key, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  FNR == 1 { name = FILENAME; sub(/.*\//, "", name); sub(/\.txt$/, "", name); names[name] = 1 }
  /^leecher=/ { runs[name]++ }
  /^leecher=.* ok$/ {
    k = ++count[name]
    for (i = 1; i <= NF; i++) { split($i, kv, "="); val[name, kv[1], k] = kv[2] }
  }
  END {
    printf "\n%-13s %6s %8s %8s %8s %10s\n", "leecher", "ok", "wall_s", "MBps", "cpu_s", "maxrss_MB"
    for (n in names) {
      if (!count[n]) { printf "%-13s %6s\n", n, "0/" runs[n]; continue }
      w[n] = median(n, "wall_s"); c[n] = median(n, "cpu_s"); r[n] = median(n, "maxrss_MB")
      printf "%-13s %6s %8.2f %8.1f %8.2f %10.0f\n", n, count[n] "/" runs[n], w[n], median(n, "MBps"), c[n], r[n]
    }
    if (count["jtorrent"]) for (n in names) if (n != "jtorrent" && count[n])
      printf "jtorrent/%s: wall %.2f  cpu %.2f  rss %.2f\n", n, w["jtorrent"] / w[n], c["jtorrent"] / c[n], r["jtorrent"] / r[n]
  }' "$out"/*.txt
