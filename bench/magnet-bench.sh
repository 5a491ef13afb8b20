#!/usr/bin/env bash
# From a magnet link to the data: one libtorrent seeder (the harness's lt_client.py, seed_mode,
# fresh for every run) holds a SIZE file; a jtorrent leecher (bench's MagnetDownload: one Session,
# the library's defaults) and a libtorrent leecher (bench/lt_magnet.py, the harness's settings) are
# each given the same magnet link, whose only source is the seeder (x.pe, no tracker), in turn,
# ROUNDS rounds, the order alternating. Private network namespace, loopback only. Each leecher
# reports, from the link being added: metadata_s (info dictionary verified), first_piece_s (first
# piece verified), complete_s (every piece verified); wall is the whole process (/usr/bin/time,
# JVM or Python start-up included). Prints every run, the medians and jtorrent/libtorrent.
#   ROUNDS=5 SIZE=64M PIECE=256K bench/magnet-bench.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness="$root/../shared/harness"
rounds=${ROUNDS:-5} size=${SIZE:-64M} piece=${PIECE:-256K}
jdk=$("$root/scripts/find-jdk")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Build: the command-line jar (holds core) and the bench classes beside it.
"$root/jtorrent" --version >/dev/null
(cd "$root" && mvn -q -o -B -pl bench -am compile -Dmaven.test.skip=true >&2)
"$jdk/bin/jar" cf "$work/bench.jar" -C "$root/bench/target/classes" org/jtorrent/bench
cp="$work/bench.jar:$(realpath "$root/cli/target/jtorrent.jar")"

mkdir -p "$work/data"
/usr/bin/python3 "$harness/mkpayload.py" single "$work/data/payload.bin" "$size" >/dev/null 2>&1
hash=$(/usr/bin/python3 "$harness/mktorrent.py" "$work/data/payload.bin" -l $(( $(numfmt --from=iec "$piece") )) -o "$work/t.torrent" | tail -1)
magnet="magnet:?xt=urn:btih:$hash&dn=payload.bin&x.pe=127.0.0.1:7000"

# The launcher's JVM options (see ../jtorrent), with a start-up cache trained on `demo` over the
# same class path, as the launcher trains its own.
jvm="$jdk/bin/java -Xmx256m -XX:+UseParallelGC -XX:+UseTransparentHugePages -Xss1m"
if [[ $(<"$jdk/release") =~ JAVA_VERSION=\"([0-9]+) ]] && (( BASH_REMATCH[1] >= 25 )); then
  jvm+=" -XX:UserThreadWaitAttemptsAtExit=0"
  unshare -n bash -c "ip link set lo up && $jvm -XX:AOTCacheOutput=$work/bench.aot -cp $cp org.jtorrent.cli.Main demo" \
      >"$work/aot.log" 2>&1 </dev/null
  jvm+=" -XX:AOTCache=$work/bench.aot -Xlog:aot=off"
fi
jtorrent_cmd="$jvm -cp $cp org.jtorrent.bench.MagnetDownload '$magnet' \$out"
lt_cmd="/usr/bin/python3 $root/bench/lt_magnet.py '$magnet' \$out --port 7001"
seed_cmd="/usr/bin/python3 $harness/lt_client.py seed $work/t.torrent $work/data --port 7000 --ready-file \$work/ready -q"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "magnet:     $magnet"
echo "seeder:     $seed_cmd"
echo "jtorrent:   $jtorrent_cmd"
echo "libtorrent: $lt_cmd"

export rounds work jtorrent_cmd lt_cmd seed_cmd
unshare -n bash -c '
set -euo pipefail
ip link set lo up
seeder=
trap '"'"'[[ -n $seeder ]] && kill $seeder 2>/dev/null'"'"' EXIT
for ((i = 1; i <= rounds; i++)); do
  order="jtorrent lt"; (( i % 2 == 0 )) && order="lt jtorrent"
  for name in $order; do
    rm -f "$work/ready"
    eval "exec $seed_cmd" 2>"$work/seed.log" & # exec: $! is the seeder itself
    seeder=$!
    while [[ ! -f $work/ready ]]; do kill -0 $seeder 2>/dev/null || { cat "$work/seed.log" >&2; exit 1; }; sleep 0.1; done
    out=$work/out; rm -rf "$out"; mkdir "$out"
    cmd=$([[ $name == jtorrent ]] && echo "$jtorrent_cmd" || echo "$lt_cmd")
    eval "/usr/bin/time -o $work/time -f \"wall=%e cpu=%U+%S\" $cmd" >"$work/leech.out" 2>"$work/leech.log" </dev/null \
        || { echo "$name failed:" >&2; tail -20 "$work/leech.log" >&2; exit 1; }
    cmp -s "$work/data/payload.bin" "$out/payload.bin" || { echo "$name: payload.bin differs" >&2; exit 1; }
    cpu=$(awk "{split(substr(\$2, 5), t, \"+\"); printf \"%.2f\", t[1] + t[2]}" "$work/time")
    echo "$name $(tail -1 "$work/leech.out") $(awk "{print \$1}" "$work/time") cpu=$cpu"
    kill "$seeder"; wait "$seeder" 2>/dev/null || true; seeder=
  done
done
' | tee "$work/runs.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seconds; metadata_s, first_piece_s and complete_s from the link being added, inside the client; wall and cpu for the whole process"
awk -v names="jtorrent lt" -v keys="metadata_s first_piece_s complete_s wall cpu" -v ratio="jtorrent lt" \
    -v ratios="metadata_s first_piece_s complete_s wall cpu" -f "$root/bench/medians.awk" "$work/runs.txt"
