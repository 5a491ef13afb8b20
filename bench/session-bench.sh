#!/usr/bin/env bash
# Many torrents at once: COUNT torrents of SIZE each (half single files, half trees of 16 files)
# seeded by ONE libtorrent session (bench/lt_session.py, seed_mode, fresh for every run) and
# fetched all at once by ONE jtorrent session (bench's SessionDownload: one Session, every torrent
# dialling the seeder) and by ONE libtorrent session (lt_session.py leech), in turn, ROUNDS rounds,
# the order alternating. Private network namespace, loopback only. Prints every run (/usr/bin/time
# wall, user, sys, max RSS; the seeder's CPU from /proc), the medians and jtorrent/libtorrent.
#   ROUNDS=3 COUNT=10 SIZE=100M PIECE=1M [JAR=other/jtorrent.jar] bench/session-bench.sh
# JAR: another build's command-line jar (holding core) to run SessionDownload against, instead of
# this tree's cli/target/jtorrent.jar (built here when stale).
# Issue 14's target: jtorrent's wall time <= libtorrent's (ratio <= 1.0).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness="$root/../shared/harness"
rounds=${ROUNDS:-3} count=${COUNT:-10} size=${SIZE:-100M} piece=${PIECE:-1M}
jdk=$("$root/scripts/find-jdk")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Build: the command-line jar (holds core) and the bench classes beside it.
jar=${JAR:-$root/cli/target/jtorrent.jar}
[[ -n ${JAR:-} ]] || "$root/jtorrent" --version >/dev/null
(cd "$root" && mvn -q -o -B -pl bench -am compile -Dmaven.test.skip=true >&2)
# The start-up cache takes jars only, no folders, on its class path.
"$jdk/bin/jar" cf "$work/bench.jar" -C "$root/bench/target/classes" org/jtorrent/bench
cp="$work/bench.jar:$(realpath "$jar")"

mkdir -p "$work/data"
torrents=()
for ((i = 0; i < count; i++)); do
  if (( i % 2 == 0 )); then
    p="$work/data/single-$i.bin"
    /usr/bin/python3 "$harness/mkpayload.py" single "$p" "$size" --seed "$i" >/dev/null 2>&1
  else
    p="$work/data/tree-$i"
    /usr/bin/python3 "$harness/mkpayload.py" tree "$p" "$size" --files 16 --seed "$i" >/dev/null 2>&1
  fi
  /usr/bin/python3 "$harness/mktorrent.py" "$p" -l $(( $(numfmt --from=iec "$piece") )) -o "$work/$i.torrent" >/dev/null
  torrents+=("$work/$i.torrent")
done

# The launcher's JVM options (see ../jtorrent), with a start-up cache trained on `demo` over the
# same class path, as the launcher trains its own.
jvm="$jdk/bin/java -Xmx256m -XX:+UseParallelGC -XX:+UseTransparentHugePages -Xss1m"
if [[ $(<"$jdk/release") =~ JAVA_VERSION=\"([0-9]+) ]] && (( BASH_REMATCH[1] >= 25 )); then
  jvm+=" -XX:UserThreadWaitAttemptsAtExit=0"
  unshare -n bash -c "ip link set lo up && $jvm -XX:AOTCacheOutput=$work/bench.aot -cp $cp org.jtorrent.cli.Main demo" \
      >"$work/aot.log" 2>&1 </dev/null
  jvm+=" -XX:AOTCache=$work/bench.aot -Xlog:aot=off"
fi
jtorrent_cmd="$jvm -cp $cp org.jtorrent.bench.SessionDownload \$out 127.0.0.1:7000 ${torrents[*]}"
lt_cmd="/usr/bin/python3 $root/bench/lt_session.py leech \$out ${torrents[*]} --port 7001 --peer 127.0.0.1:7000 -q"
seed_cmd="/usr/bin/python3 $root/bench/lt_session.py seed $work/data ${torrents[*]} --port 7000 --ready-file \$work/ready -q ${SEEDER_OPTS:-}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seeder:    $seed_cmd"
echo "jtorrent:  $jtorrent_cmd"
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
    read -r -a before < <(cut -d" " -f14,15 /proc/$seeder/stat)
    out=$work/out; rm -rf "$out"; mkdir "$out"
    cmd=$([[ $name == jtorrent ]] && echo "$jtorrent_cmd" || echo "$lt_cmd")
    eval "/usr/bin/time -o $work/time -f \"wall=%e user=%U sys=%S rss_MB=%M\" $cmd" >"$work/leech.out" 2>"$work/leech.log" </dev/null \
        || { echo "$name failed:" >&2; tail -20 "$work/leech.log" >&2; exit 1; }
    read -r -a after < <(cut -d" " -f14,15 /proc/$seeder/stat)
    (cd "$work/data" && find . -type f) | while read -r f; do
      cmp -s "$work/data/$f" "$out/$f" || { echo "$name: $f differs" >&2; exit 1; }
    done
    echo "$name $(awk "{sub(/rss_MB=[0-9]+/, \"rss_MB=\" int(substr(\$4, 8) / 1024)); print}" "$work/time") seeder_cpu=$(( after[0] + after[1] - before[0] - before[1] ))cs inner_s=$(awk "{print \$5}" "$work/leech.out")"
    kill "$seeder"; wait "$seeder" 2>/dev/null || true; seeder=
  done
done
' | tee "$work/runs.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall, user and sys in s; seeder_cpu in 1/100 s; inner_s: from the first torrent added to all complete, inside the client"
awk -v names="jtorrent lt" -v keys="wall user sys rss_MB seeder_cpu inner_s" -v ratio="jtorrent lt" -f "$root/bench/medians.awk" "$work/runs.txt"
