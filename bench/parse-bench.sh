#!/usr/bin/env bash
# Parsing torrents built to hit the worst case of duplicate-name handling (issue 13, finding 9):
#   many-a.torrent  20,000 files all named `a` (480 KB)
#   deep.torrent    one file whose path has 20,000 elements (60 KB)
# and a plain torrent of the same size for the fixed cost. Times `jtorrent info` on each, whole
# process (JVM start included), ROUNDS times, and prints the median.
#
# Environment (optional):
#   JAR     the jtorrent.jar to run (default: this tree's, built by ./jtorrent); point it at a jar
#           built from an older commit to get the "before" figures
#   ROUNDS  runs per input (default 5)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z ${JAR:-} ]]; then
  "$root/jtorrent" --version >/dev/null   # builds the jar when stale, outside the timing
  JAR=$root/cli/target/jtorrent.jar
fi
source "$root/scripts/find-jdk" && find_jdk

python3 - "$work" <<'EOF'
import sys
def b(v):
    if isinstance(v, int): return b"i%de" % v
    if isinstance(v, str): v = v.encode()
    if isinstance(v, bytes): return b"%d:%s" % (len(v), v)
    if isinstance(v, list): return b"l" + b"".join(b(x) for x in v) + b"e"
    return b"d" + b"".join(b(k) + b(v[k]) for k in sorted(v)) + b"e"
def torrent(files, total):
    pieces = b"\0" * 20 * ((total + 16383) // 16384)
    return b({"info": {"name": "d", "piece length": 16384, "pieces": pieces, "files": files}})
n = 20000
out = sys.argv[1]
open(out + "/many-a.torrent", "wb").write(torrent([{"length": 1, "path": ["a"]}] * n, n))
open(out + "/deep.torrent", "wb").write(torrent([{"length": 1, "path": ["a"] * n}], 1))
open(out + "/distinct.torrent", "wb").write(torrent([{"length": 1, "path": ["f%d" % i]} for i in range(n)], n))
EOF

echo "jar: $JAR; load avg before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %9s  %s\n' input bytes "median s (runs)"
for t in distinct many-a deep; do
  times=()
  for ((i = 0; i < rounds; i++)); do
    start=$(date +%s.%N)
    # The launcher's flags and heap (./jtorrent); a run that fails is shown with its last line.
    status=0
    "$jdk/bin/java" -XX:+UseParallelGC -XX:+UseTransparentHugePages -Xss1m -Xmx256m -jar "$JAR" info "$work/$t.torrent" \
        >/dev/null 2>"$work/err" || status=$?
    end=$(date +%s.%N)
    times+=("$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.2f", e - s}')")
    ((status == 0)) || echo "  $t run $((i + 1)): exit $status: $(grep -m1 -E 'Error|Exception' "$work/err" || tail -1 "$work/err")"
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  printf '%-18s %9d  %s (%s)\n' "$t.torrent" "$(stat -c %s "$work/$t.torrent")" "$median" "${times[*]}"
done
