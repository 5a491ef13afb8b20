#!/usr/bin/env bash
# How soon each leecher is on its peer: ms from exec to its first connect to the seeder, jtorrent
# against libtorrent, both finding the seeder through opentracker (../shared/harness/swarm.py, in
# its own network namespace). On the swarm benchmark the seeder is the bottleneck, so a leecher
# that starts late finishes late by as much; this measures that part alone, and with less noise
# than a whole download. Timestamps come from strace (--seccomp-bpf: only the connect and execve
# calls stop), which slows a start by a few ms. Prints every run, the medians, and the ratio.
#   ROUNDS=5 SIZE=64M bench/first-peer.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
harness="$root/../shared/harness"
rounds=${ROUNDS:-5}
size=${SIZE:-64M}
command -v strace >/dev/null || { echo "first-peer.sh needs strace (apt-get install -y strace)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$root/jtorrent" --version >/dev/null # build and train outside the timing
# Runs a leecher under strace; after it exits, appends "NAME MS" for its first connect to a TCP
# port other than the tracker's (the announce URL's).
cat >"$out/timed.sh" <<'EOF'
#!/usr/bin/env bash
name=$1 result=$2 tracker=$3; shift 3
trace=$(mktemp)
strace -f -qq --seccomp-bpf -ttt -e trace=execve,connect -o "$trace" "$@"
rc=$?
tracker_port=${tracker##*:}; tracker_port=${tracker_port%%/*}
awk -v name="$name" -v tp="$tracker_port" '
  NR == 1 { t0 = $2 }
  /connect\(/ && /htons\(/ {
    port = $0; sub(/.*htons\(/, "", port); sub(/\).*/, "", port)
    if (port != tp) { printf "%s %.0f\n", name, ($2 - t0) * 1000; exit }
  }' "$trace" >>"$result"
rm -f "$trace"
exit $rc
EOF
chmod +x "$out/timed.sh"
mkdir -p "$out/cache"
for ((round = 1; round <= rounds; round++)); do
  for name in jtorrent lt; do
    if [[ $name == jtorrent ]]; then
      cmd="$root/jtorrent download {torrent} -o {outdir} --port {port} --state {workdir}/jtorrent-leech-state"
    else
      cmd="/usr/bin/python3 $harness/lt_client.py leech {torrent} {outdir} --port {port}"
    fi
    python3 "$harness/swarm.py" --gen "single:$size" --cache "$out/cache" --piece-length 1M --seeder lt \
        --leecher "cmd:exec $out/timed.sh $name $out/results {tracker} $cmd" --repeat 1 >"$out/swarm.log" 2>&1 \
      || { cat "$out/swarm.log" >&2; exit 1; }
    tail -1 "$out/results"
  done
done
awk '
  function median(v, n,    i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  $1 == "jtorrent" { a[++na] = $2 }
  $1 == "lt" { b[++nb] = $2 }
  END {
    ma = median(a, na); mb = median(b, nb)
    printf "\nmedians of %d: jtorrent %.0f ms, libtorrent %.0f ms to the first connect to the seeder (jtorrent/lt %.2f)\n", na, ma, mb, ma / mb
  }' "$out/results"
