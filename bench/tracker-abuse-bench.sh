#!/bin/sh
# Abuse benchmark: honest UDP announces while one address floods, against opentracker and
# `jtorrent tracker`, same generator (bench/.../TrackerAbuseLoad). Honest clients (one loopback
# address each, 127.0.1.N) announce whitelisted hashes with a 5 ms pause; the flooder (127.0.0.66,
# 64 sockets) sends RATE announces/s for fresh random info-hashes and random ports. Per tracker:
# 3 s warm-up, SECONDS of honest load alone (idle), SECONDS with the flood; the flood is bounded to
# RATE x SECONDS packets. Reports honest p50/p99 latency idle and under flood, and their ratio.
# Trackers: opentracker (whitelist of the honest hashes: the Debian build serves nothing else),
# jtorrent with its defaults, jtorrent with --max-torrents 1500 (below the 2,000 one address may hold,
# so the flood fills it and honest torrents must be let in by eviction), and, if BASELINE_JAR names
# a jar of an older build, that build with --max-torrents 1500. Tracker on CPU 0, generator on CPU 1,
# all in a private network namespace on loopback.
#
# usage: bench/tracker-abuse-bench.sh [SECONDS=15] [RATE=5000] [HONEST=16] [HASHES=1000]
# needs: mvn -q -o package -DskipTests (cli/target/jtorrent.jar, bench/target/classes), opentracker, taskset
set -eu
cd "$(dirname "$0")/.."
if [ -z "${JT_IN_NETNS:-}" ]; then
    exec unshare -n env JT_IN_NETNS=1 sh -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi
SECONDS_RUN=${1:-15}; RATE=${2:-5000}; HONEST=${3:-16}; HASHES=${4:-1000}

JAVA="$(scripts/find-jdk)/bin/java"   # the newest JDK >= 21, as the launcher finds it
JAR=cli/target/jtorrent.jar
[ -f "$JAR" ] && [ -d bench/target/classes ] || { echo "build first: mvn -q -o package -DskipTests" >&2; exit 1; }
GEN="$JAVA -cp bench/target/classes:$JAR"

WORK=$(mktemp -d); PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

run() { # label udp-port
    sleep 1
    out=$(taskset -c 1 $GEN org.jtorrent.bench.TrackerAbuseLoad 127.0.0.1 "$2" "$SECONDS_RUN" "$SECONDS_RUN" "$HONEST" "$HASHES" "$RATE")
    echo "$out" | sed "s/^/$1 /"
    echo "$out" | awk -v label="$1" '
        /phase=idle/  { for (i = 1; i <= NF; i++) { split($i, kv, "="); idle[kv[1]] = kv[2] } }
        /phase=flood/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); flood[kv[1]] = kv[2] } }
        END { printf "%s summary: honest ok %d/%d under flood, p50 %d -> %d us (x%.2f), p99 %d -> %d us (x%.2f)\n", label,
              flood["ok"], flood["ok"] + flood["failed"], idle["p50_us"], flood["p50_us"], flood["p50_us"] / (idle["p50_us"] > 0 ? idle["p50_us"] : 1),
              idle["p99_us"], flood["p99_us"], flood["p99_us"] / (idle["p99_us"] > 0 ? idle["p99_us"] : 1) }'
}

stop() {
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

mkdir -m 755 "$WORK/ot"
$GEN org.jtorrent.bench.UdpAnnounceLoad --print-hashes "$HASHES" > "$WORK/ot/whitelist"; chmod 644 "$WORK/ot/whitelist"
taskset -c 0 opentracker -i 127.0.0.1 -p 16980 -P 16981 -d "$WORK/ot" -w whitelist >"$WORK/ot.log" 2>&1 & PID=$!
run opentracker 16981
stop

jtorrent() { # label jar udp-port extra-args...
    label=$1; jar=$2; udp=$3; shift 3
    taskset -c 0 "$JAVA" -jar "$jar" tracker --http-port -1 --udp-port "$udp" --bind 127.0.0.1 "$@" >"$WORK/$label.log" 2>&1 & PID=$!
    run "$label" "$udp"
    stop
}
jtorrent jtorrent "$JAR" 16982
jtorrent jtorrent-max1500 "$JAR" 16983 --max-torrents 1500
if [ -n "${BASELINE_JAR:-}" ]; then
    jtorrent baseline-max1500 "$BASELINE_JAR" 16984 --max-torrents 1500
fi
