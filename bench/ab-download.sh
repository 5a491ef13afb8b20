#!/usr/bin/env bash
# A/B of two jtorrent builds on one download: ROUNDS rounds, each runs build A then build B, each
# against a fresh libtorrent seeder on loopback (--peer, no tracker), in a private network
# namespace. Prints /usr/bin/time's wall, user, sys and max RSS per run, the seeder's CPU, and the
# medians. Interleaving is what makes a small difference visible on a machine that drifts.
#   bench/ab-download.sh ROUNDS A.jar B.jar       (SIZE=1G PIECE=1M; JVM options as the launcher's)
# A jar is `cli/target/jtorrent.jar` copied aside; each gets its own start-up cache, trained here.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness="$root/../shared/harness"
(( $# == 3 )) || { echo "usage: $0 ROUNDS A.jar B.jar" >&2; exit 2; }
rounds=$1 jar_a=$(realpath "$2") jar_b=$(realpath "$3")
size=${SIZE:-1G} piece=${PIECE:-1M}
jdk=$("$root/scripts/find-jdk")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data"
/usr/bin/python3 "$harness/mkpayload.py" single "$work/data/payload.bin" "$size" >/dev/null 2>&1
/usr/bin/python3 "$harness/mktorrent.py" "$work/data/payload.bin" -t http://127.0.0.1:1/announce \
    -l $(( $(numfmt --from=iec "$piece") )) -o "$work/t.torrent" >/dev/null
# The launcher's options, so that the builds run as users run them (see ../jtorrent).
jvm="$jdk/bin/java -Xmx256m -XX:+UseParallelGC -XX:+UseTransparentHugePages -Xss1m"
[[ $(<"$jdk/release") =~ JAVA_VERSION=\"([0-9]+) ]] && (( BASH_REMATCH[1] >= 25 )) \
    && jvm+=" -XX:UserThreadWaitAttemptsAtExit=0" && aot=1 || aot=0
export rounds jar_a jar_b harness work jvm aot
unshare -n bash -c '
set -euo pipefail
ip link set lo up
cache_opts=() # per build: its start-up cache, trained on demo as the launcher does
for v in a b; do
  jar_var=jar_$v; jar=${!jar_var}
  if (( aot )); then
    $jvm -XX:AOTCacheOutput="$work/$v.aot" -jar "$jar" demo >"$work/$v.aot.log" 2>&1
    cache_opts+=("-XX:AOTCache=$work/$v.aot -Xlog:aot=off")
  else
    cache_opts+=("")
  fi
done
for ((i = 1; i <= rounds; i++)); do
  for v in 0 1; do
    name=$([[ $v == 0 ]] && echo A || echo B); jar=$([[ $v == 0 ]] && echo "$jar_a" || echo "$jar_b")
    /usr/bin/python3 "$harness/lt_client.py" seed "$work/t.torrent" "$work/data" --port 7000 --ready-file "$work/ready" \
        >"$work/seed.log" 2>&1 &
    seeder=$!
    while [[ ! -f $work/ready ]]; do sleep 0.1; done
    rm -f "$work/ready"
    read -r -a before < <(cut -d" " -f14,15 /proc/$seeder/stat)
    rm -rf "$work/out"; mkdir "$work/out"
    XDG_STATE_HOME=$(mktemp -d -p "$work") \
    /usr/bin/time -o "$work/time" -f "wall=%e user=%U sys=%S rss_MB=%M" $jvm ${cache_opts[$v]} -jar "$jar" download "$work/t.torrent" \
        -o "$work/out" --no-trackers --peer 127.0.0.1:7000 --port 7001 >/dev/null 2>"$work/leech.log" </dev/null
    read -r -a after < <(cut -d" " -f14,15 /proc/$seeder/stat)
    cmp -s "$work/out/payload.bin" "$work/data/payload.bin" || { echo "$name: download differs" >&2; exit 1; }
    echo "$name $(awk "{sub(/rss_MB=[0-9]+/, \"rss_MB=\" int(substr(\$4, 8) / 1024)); print}" "$work/time") seeder_cpu=$(( after[0] + after[1] - before[0] - before[1] ))cs"
    kill "$seeder"; wait "$seeder" 2>/dev/null || true
  done
done
' | tee "$work/runs.txt"
awk -v names="A B" -v keys="wall user sys rss_MB seeder_cpu" -f "$root/bench/medians.awk" "$work/runs.txt"
