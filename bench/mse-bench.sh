#!/usr/bin/env bash
# Encrypted download side by side: SIZE (1 GiB) from a libtorrent seeder with RC4 forced
# (bench/lt_mse.py: out_enc_policy = in_enc_policy = pe_forced, allowed_enc_level = pe_rc4; a fresh
# seeder per run) fetched by jtorrent (`download --encryption require`, the launcher as users run
# it) and by a libtorrent leecher with the same forced settings, in turn, ROUNDS rounds, the order
# alternating. Private network namespace, loopback only. Prints every run (/usr/bin/time wall,
# user, sys, max RSS; the seeder's CPU from /proc), the medians and jtorrent/libtorrent; then the
# CPU cost of RC4 per GiB from the JMH benchmark Rc4Benchmark (ours and the JDK's ARCFOUR) and as
# thread CPU time (Rc4CpuTime).
#   ROUNDS=3 SIZE=1G PIECE=1M bench/mse-bench.sh        (JMH=0 skips the JMH part)
# Issue 15's target: jtorrent's wall time <= libtorrent's (ratio <= 1.0).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness="$root/../shared/harness"
rounds=${ROUNDS:-3} size=${SIZE:-1G} piece=${PIECE:-1M}
jdk=$("$root/scripts/find-jdk")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$root/jtorrent" --version >/dev/null # builds the jar when stale, outside the timing
mkdir -p "$work/data"
/usr/bin/python3 "$harness/mkpayload.py" single "$work/data/payload.bin" "$size" >/dev/null 2>&1
/usr/bin/python3 "$harness/mktorrent.py" "$work/data/payload.bin" -t http://127.0.0.1:1/announce \
    -l $(( $(numfmt --from=iec "$piece") )) -o "$work/t.torrent" >/dev/null
export rounds root harness work
unshare -n bash -c '
set -euo pipefail
ip link set lo up
run() { # NAME: one download from a fresh forced-RC4 seeder
  local name=$1
  /usr/bin/python3 "$root/bench/lt_mse.py" seed "$work/t.torrent" "$work/data" --port 7000 --ready-file "$work/ready" \
      >"$work/seed.log" 2>&1 &
  local seeder=$!
  while [[ ! -f $work/ready ]]; do sleep 0.1; done
  rm -f "$work/ready"
  local before after
  read -r -a before < <(cut -d" " -f14,15 /proc/$seeder/stat)
  rm -rf "$work/out"; mkdir "$work/out"
  if [[ $name == jtorrent ]]; then
    XDG_STATE_HOME=$(mktemp -d -p "$work") /usr/bin/time -o "$work/time" -f "wall=%e user=%U sys=%S rss_MB=%M" \
        "$root/jtorrent" download "$work/t.torrent" -o "$work/out" --no-trackers --peer 127.0.0.1:7000 --port 7001 \
        --encryption require --json >"$work/result.json" 2>"$work/leech.log" </dev/null
    grep -q "\"encrypted\":true" "$work/result.json" || { echo "jtorrent: no encrypted connection" >&2; exit 1; }
    grep -q "\"encrypted\":false" "$work/result.json" && { echo "jtorrent: a plaintext connection" >&2; exit 1; }
  else
    /usr/bin/time -o "$work/time" -f "wall=%e user=%U sys=%S rss_MB=%M" /usr/bin/python3 "$root/bench/lt_mse.py" leech \
        "$work/t.torrent" "$work/out" --port 7001 --peer 127.0.0.1:7000 --timeout 600 -q >"$work/leech.log" 2>&1 </dev/null
  fi
  read -r -a after < <(cut -d" " -f14,15 /proc/$seeder/stat)
  cmp -s "$work/out/payload.bin" "$work/data/payload.bin" || { echo "$name: download differs" >&2; exit 1; }
  echo "$name $(awk "{sub(/rss_MB=[0-9]+/, \"rss_MB=\" int(substr(\$4, 8) / 1024)); print}" "$work/time") seeder_cpu=$(( after[0] + after[1] - before[0] - before[1] ))cs"
  kill "$seeder"; wait "$seeder" 2>/dev/null || true
}
for ((i = 1; i <= rounds; i++)); do
  if (( i % 2 )); then run jtorrent; run libtorrent; else run libtorrent; run jtorrent; fi
done
' | tee "$work/runs.txt"
awk -v names="jtorrent libtorrent" -v keys="wall user sys rss_MB seeder_cpu" -v ratio="jtorrent libtorrent" \
    -f "$root/bench/medians.awk" "$work/runs.txt"

if [[ ${JMH:-1} != 0 ]]; then
  (cd "$root" && mvn -q -o -B -pl core,bench package -Dmaven.test.skip=true >&2)
  "$jdk/bin/java" -jar "$root/bench/target/benchmarks.jar" Rc4Benchmark -f 2 -wi 5 -i 10 -w 1 -r 1 -rf csv \
      -rff "$work/rc4.csv" >"$work/jmh.log" 2>&1
  echo
  echo "RC4, CPU seconds per GiB (JMH average time per 64 KiB x 16384):"
  awk -F, 'NR > 1 { gsub(/"/, "", $1); sub(/.*\./, "", $1); printf "  %-18s %.2f s/GiB  (%.0f MB/s)\n", $1, $5 * 16384 / 1e6, 65536 / $5 }' "$work/rc4.csv"
  echo "RC4, the same as the thread's CPU time (median of 9 rounds of 1 GiB each; steadier on a busy machine):"
  "$jdk/bin/java" -cp "$root/bench/target/benchmarks.jar" org.jtorrent.bench.Rc4CpuTime 9
fi
