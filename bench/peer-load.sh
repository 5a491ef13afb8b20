#!/usr/bin/env bash
# Many peers against one seeding process: `jtorrent seed` (this build, and BASE_JAR's if given) and a
# libtorrent session, each seeding the same TORRENTS torrents, each loaded in turn by the same
# generator (bench/.../PeerLoad): CONNECTIONS connections spread over the torrents' info-hashes,
# each handshakes, says interested, waits for an unchoke and then requests one 16 KiB block every
# INTERVAL_MS (one in flight). Per seeder one line: connections established/refused/dropped,
# request->piece latency p50/p99/max, and the seeder's idle CPU (IDLE_SECONDS with every connection
# open and no requests), CPU under the load, RSS, peak RSS and thread count at the end.
# start_s: from launch until the seeder listens and says it serves every torrent (jtorrent: with the
# resume data its first run left in its state directory; libtorrent: seed_mode, nothing checked).
# Seeder on CPU 0, generator on CPU 1, loopback in a private network namespace.
#
# usage: bench/peer-load.sh CONNECTIONS [SECONDS=30]
#   env: SEEDERS="jtorrent libtorrent" (and "base" with BASE_JAR=old/jtorrent.jar), TORRENTS=1,
#        SIZE=64M (each), INTERVAL_MS=2000, IDLE_SECONDS=10, UPLOAD_SLOTS=CONNECTIONS (every peer
#        unchoked, so every connection measures latency; libtorrent gets the same, and a connections_limit
#        of 4 x CONNECTIONS: at 700 it dropped "too many connections" with fewer than 500 open), TORRENT_DIR and
#        DATA_DIR to load existing torrents instead of made ones (their data must be complete),
#        STARTUP_CACHE=path/to/jtorrent-<jdk>.aot: the launcher's start-up cache (made by running
#        ./jtorrent once with JDK 25+) for "jtorrent" (not "base"); without it, none
# needs: mvn -q -o package -DskipTests (cli/target/jtorrent.jar, bench/target/classes), taskset
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${JT_IN_NETNS:-}" ]]; then
  exec unshare -n env JT_IN_NETNS=1 bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
(( $# >= 1 )) || { echo "usage: $0 CONNECTIONS [SECONDS]" >&2; exit 2; }
conns=$1 seconds=${2:-30}
seeders=${SEEDERS:-jtorrent libtorrent}
slots=${UPLOAD_SLOTS:-$conns}
harness=../shared/harness
java="$(scripts/find-jdk)/bin/java"
jar=cli/target/jtorrent.jar
[[ -f $jar && -d bench/target/classes ]] || { echo "build first: mvn -q -o package -DskipTests" >&2; exit 1; }
work=$(mktemp -d) pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
# Copies, so that a rebuild during the run changes nothing under it.
cp "$jar" "$work/jtorrent.jar" && jar=$work/jtorrent.jar
cp -r bench/target/classes "$work/bench-classes"
cache_opts=()
if [[ -n ${STARTUP_CACHE:-} ]]; then
  cp "$STARTUP_CACHE" "$work/startup.aot" && cache_opts=(-XX:AOTCache="$work/startup.aot" -Xlog:aot=off -Xlog:cds=off)
fi

torrents=${TORRENT_DIR:-$work/torrents} data=${DATA_DIR:-$work/data}
if [[ -z ${TORRENT_DIR:-} ]]; then
  mkdir -p "$torrents" "$data"
  for ((i = 0; i < ${TORRENTS:-1}; i++)); do
    /usr/bin/python3 $harness/mkpayload.py single "$data/payload-$i.bin" "${SIZE:-64M}" --seed "$i" >/dev/null 2>&1
    /usr/bin/python3 $harness/mktorrent.py "$data/payload-$i.bin" -t http://127.0.0.1:1/announce -l 262144 \
        -o "$torrents/$(printf %04d "$i").torrent" >/dev/null
  done
fi
n_torrents=$(ls "$torrents"/*.torrent | wc -l)

ready() { # label port ready-regex: waits until the seeder listens and its log says every torrent is served; prints the seconds
  local t0=$EPOCHREALTIME
  until ss -ltn | grep -q ":$2 " && grep -Eq "$3" "$work/$1.log"; do
    (( ${EPOCHREALTIME%.*} - ${t0%.*} < 300 )) || { echo "$1: not ready after 300 s" >&2; tail -5 "$work/$1.log" >&2; return 1; }
    sleep 0.05
  done
  echo "$EPOCHREALTIME - $t0" | bc
}

load() { # label port ready-regex
  local start
  start=$(ready "$1" "$2" "$3") || return 1
  sleep 1
  echo "$1 start_s=$start $(taskset -c 1 "$java" -Xmx512m -XX:+UseParallelGC -cp $work/bench-classes:$jar \
      org.jtorrent.bench.PeerLoad 127.0.0.1 "$2" "$torrents" "$conns" "$seconds" --interval-ms="${INTERVAL_MS:-2000}" \
      --idle-seconds="${IDLE_SECONDS:-10}" --watch-pid="$pid")"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

jtorrent() { # label jar port [JVM options]
  # The launcher's JVM options (../jtorrent), its start-up cache only if given. A state directory of its
  # own; a first run checks the data and leaves resume data there (stopped by SIGTERM: a clean
  # close), so the measured start is one with resume data present, as a restarted seeder's is.
  local state=$work/state-$1
  start_seed() {
    taskset -c 0 "$java" -Xmx256m -XX:+UseParallelGC -XX:+UseTransparentHugePages -Xss1m "${@:4}" -jar "$2" seed "$torrents"/*.torrent \
        --data "$data" --port "$3" --bind 127.0.0.1 --max-peers $((conns + 100)) --max-connections $((conns + 100)) \
        --upload-slots "$slots" --state "$state" >"$work/$1.log" 2>&1 &
    pid=$!
  }
  local served='^seeding [0-9]+ of [0-9]+ torrents'
  start_seed "$@"
  ready "$1" "$3" "$served" >/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  start_seed "$@"
  load "$1" "$3" "$served"
}

for s in $seeders; do
  case $s in
    jtorrent) jtorrent jtorrent "$jar" 17001 "${cache_opts[@]}" ;;
    base) jtorrent base "${BASE_JAR:?BASE_JAR=path/to/old/jtorrent.jar}" 17002 ;;
    libtorrent)
      taskset -c 0 /usr/bin/python3 bench/lt-seed-many.py "$torrents" "$data" --port 17003 --connections $((4 * conns + 100)) \
          --upload-slots "$slots" >"$work/libtorrent.log" 2>&1 &
      pid=$!
      load libtorrent 17003 'lt-seed-many: seeding' ;;
    *) echo "unknown seeder $s" >&2; exit 2 ;;
  esac
done
echo "($n_torrents torrents, $conns connections, ${seconds} s of requests every ${INTERVAL_MS:-2000} ms each, upload slots $slots)"
