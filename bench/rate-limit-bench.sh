#!/usr/bin/env bash
# How closely the rate limits hold: a jtorrent seeder with --max-upload-rate RATE serves a jtorrent
# leecher; then an unlimited seeder serves a leecher with --max-download-rate RATE. SIZE (250 MiB)
# at RATE (4M = 4 MiB/s, binary like the CLI) lasts about a minute. The achieved rate is the
# leecher's downloaded_bytes / wall_seconds from `download --json` (wall time from the leecher's
# start, so it includes connecting: a slight under-estimate). Runs in its own network namespace;
# the peers find each other by --peer only (the torrent's tracker is a closed loopback port).
#   SIZE=250M RATE=4M PIECE=1048576 bench/rate-limit-bench.sh
set -euo pipefail
if [[ ${RATE_BENCH_NETNS:-} != 1 ]]; then
  exec unshare -n env RATE_BENCH_NETNS=1 "$0" "$@"
fi
ip link set lo up
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness="$root/../shared/harness"
size=${SIZE:-250M}
rate=${RATE:-4M}
piece=${PIECE:-1048576}   # bytes
work=$(mktemp -d)
seeder=
cleanup() { [[ -n $seeder ]] && kill "$seeder" 2>/dev/null && wait "$seeder" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$root/jtorrent" --version >/dev/null            # build outside the timing
mkdir -p "$work/seed"
python3 "$harness/mkpayload.py" single "$work/seed/payload.bin" "$size" >/dev/null 2>&1
python3 "$harness/mktorrent.py" "$work/seed/payload.bin" -t http://127.0.0.1:9/announce -l "$piece" \
    -o "$work/t.torrent" >/dev/null
bytes_per_s=$(python3 -c 'import sys; s=sys.argv[1]; m={"K":1<<10,"M":1<<20,"G":1<<30}; print(int(s[:-1])*m[s[-1]] if s[-1] in m else int(s))' "$rate")
echo "payload $size, limit $rate = $bytes_per_s B/s; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

port=0
start_seeder() { # args: extra seed options
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$root/jtorrent" seed "$work/t.torrent" --data "$work/seed" --port "$port" --state "$(mktemp -d -p "$work")" "$@" \
      >"$work/seed.log" 2>&1 &
  seeder=$!
  for _ in $(seq 600); do  # the seeder hash-checks its data before it listens
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$seeder" 2>/dev/null || { echo "seeder exited:"; cat "$work/seed.log"; return 1; }
    sleep 0.5
  done
  echo "seeder never listened on $port"; return 1
}
stop_seeder() { kill "$seeder"; wait "$seeder" 2>/dev/null || true; seeder=; }
leech() { # args: label, extra download options
  local label=$1; shift
  rm -rf "$work/out"
  "$root/jtorrent" download "$work/t.torrent" -o "$work/out" --peer "127.0.0.1:$port" --no-trackers --json \
      --state "$(mktemp -d -p "$work")" "$@" \
      >"$work/leech.json" 2>"$work/leech.err" || { echo "$label: download failed"; cat "$work/leech.err"; return 1; }
  cmp -s "$work/seed/payload.bin" "$work/out/payload.bin" || { echo "$label: payload differs"; return 1; }
  python3 - "$label" "$bytes_per_s" "$rate" "$work/leech.json" <<'PY'
import json, sys
label, limit, rate, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
r = json.loads(open(path).read().strip().splitlines()[-1])
achieved = r["downloaded_bytes"] / r["wall_seconds"]
print("%-34s bytes=%d wall_s=%.2f achieved=%.0f B/s (%.2f MiB/s) limit=%s = %.1f%% of the limit"
      % (label, r["downloaded_bytes"], r["wall_seconds"], achieved, achieved / 2**20, rate, 100 * achieved / limit))
PY
}

start_seeder --max-upload-rate "$rate"
leech "seeder --max-upload-rate $rate"
stop_seeder
start_seeder
leech "leecher --max-download-rate $rate" --max-download-rate "$rate"
stop_seeder
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
