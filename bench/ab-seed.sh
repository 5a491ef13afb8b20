#!/usr/bin/env bash
# A/B of two jtorrent builds as the seeder: a libtorrent leecher downloads SIZE (256 MiB) from
# `jtorrent seed` on loopback (--peer, no tracker), ROUNDS interleaved rounds, in a private network
# namespace. Prints per run the leecher's wall time, the seeder's CPU (centiseconds, from
# /proc/PID/stat) and its write system calls, then the medians. ab-download.sh's mirror image.
#   bench/ab-seed.sh ROUNDS A.jar B.jar       (SIZE=256M; a jar is cli/target/jtorrent.jar copied aside)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(( $# == 3 )) || { echo "usage: $0 ROUNDS A.jar B.jar" >&2; exit 2; }
rounds=$1 jar_a=$(realpath "$2") jar_b=$(realpath "$3") size=${SIZE:-256M}
harness="$root/../shared/harness"
jdk=$("$root/scripts/find-jdk")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data"
/usr/bin/python3 "$harness/mkpayload.py" single "$work/data/payload.bin" "$size" >/dev/null 2>&1
/usr/bin/python3 "$harness/mktorrent.py" "$work/data/payload.bin" -t http://127.0.0.1:1/announce -l 1048576 -o "$work/t.torrent" >/dev/null
export rounds jar_a jar_b harness work jdk
unshare -n bash -c '
set -euo pipefail
ip link set lo up
for ((i = 1; i <= rounds; i++)); do
  for v in A B; do
    jar=$([[ $v == A ]] && echo "$jar_a" || echo "$jar_b")
    XDG_STATE_HOME=$(mktemp -d -p "$work") "$jdk/bin/java" -Xmx256m -XX:+UseParallelGC -XX:+UseTransparentHugePages \
        -jar "$jar" seed "$work/t.torrent" \
        --data "$work/data" --port 7001 >"$work/seed.log" 2>&1 &
    seeder=$!
    until ss -ltn | grep -q ":7001 "; do sleep 0.05; done
    sleep 0.3
    read -r -a before < <(cut -d" " -f14,15 /proc/$seeder/stat)
    w0=$(grep syscw /proc/$seeder/io | cut -d" " -f2)
    rm -rf "$work/out"; mkdir "$work/out"
    /usr/bin/time -o "$work/time" -f "%e" timeout 60 /usr/bin/python3 "$harness/lt_client.py" leech "$work/t.torrent" "$work/out" \
        --port 7002 --peer 127.0.0.1:7001 >"$work/leech.log" 2>&1 || tail -5 "$work/leech.log" "$work/seed.log"
    read -r -a after < <(cut -d" " -f14,15 /proc/$seeder/stat)
    w1=$(grep syscw /proc/$seeder/io | cut -d" " -f2)
    cmp -s "$work/out/payload.bin" "$work/data/payload.bin" || { echo "$v: the leecher'"'"'s copy differs" >&2; exit 1; }
    echo "$v wall=$(cat "$work/time") seeder_cpu=$(( after[0] + after[1] - before[0] - before[1] )) writes=$((w1 - w0))"
    kill $seeder; wait $seeder 2>/dev/null || true
  done
done' | tee "$work/runs"
echo
echo "medians of $rounds rounds (seeder_cpu in centiseconds)"
for v in A B; do
  printf '%s ' "$v"
  for field in wall seeder_cpu writes; do
    grep "^$v " "$work/runs" | sed -n "s/.* $field=\([0-9.]*\).*/\1/p" | sort -n |
      awk -v f="$field" '{a[NR]=$1} END {printf " %s=%s", f, (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
  done
  echo
done
