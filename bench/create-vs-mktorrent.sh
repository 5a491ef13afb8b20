#!/usr/bin/env bash
# `jtorrent create` against `mktorrent -t 2` on one large file in the page cache (issue 13: at most
# 1.25x mktorrent's wall time on 8 GiB), in rounds that alternate the two, with the piece hashes of
# both compared. Prints each run (wall, user, sys, load average before it), the medians and their
# ratio, and the same for CPU time (user + sys), which load from elsewhere disturbs less. Whole
# processes are timed: the JVM's start-up is in jtorrent's figure.
#
# Environment (all optional):
#   SIZE_GIB  payload size (default 8)
#   ROUNDS    runs of each (default 7); who goes first alternates
#   THREADS   mktorrent's hashing threads (default 2, the cores of the benchmark VM)
#   WORK      where the payload goes (default bench/target/create-vs-mktorrent); it is deleted at exit
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size_gib=${SIZE_GIB:-8}
rounds=${ROUNDS:-7}
threads=${THREADS:-2}
work=${WORK:-$root/bench/target/create-vs-mktorrent}
command -v mktorrent >/dev/null || { echo "mktorrent is not installed" >&2; exit 1; }
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# Random bytes, fast: AES-CTR over zeros (urandom runs at a fraction of this speed).
# (openssl ends on SIGPIPE when head has enough: not an error.)
{ openssl enc -aes-128-ctr -pass pass:jtorrent -nosalt -pbkdf2 </dev/zero 2>/dev/null || true; } | head -c $((size_gib << 30)) >"$work/payload"
cat "$work/payload" >/dev/null                                  # into the page cache
"$root/jtorrent" --version >/dev/null                            # build outside the timing

# Prints "wall user sys" of one run of the given command.
timed() {
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  cat "$work/time"
}

# The concatenated piece hashes of a .torrent, in hex.
pieces() {
  python3 - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
def parse(i):
    c = data[i:i + 1]
    if c == b"i":
        j = data.index(b"e", i)
        return int(data[i + 1:j]), j + 1
    if c in (b"l", b"d"):
        i += 1
        items = []
        while data[i:i + 1] != b"e":
            v, i = parse(i)
            items.append(v)
        return (items if c == b"l" else dict(zip(items[::2], items[1::2]))), i + 1
    j = data.index(b":", i)
    n = int(data[i:j])
    return data[j + 1:j + 1 + n], j + 1 + n
print(parse(0)[0][b"info"][b"pieces"].hex())
EOF
}

echo "payload: $size_gib GiB in $work; 1 MiB pieces; mktorrent -t $threads; $(nproc) cores"
printf '%-6s %-10s %7s %7s %7s  %s\n' round tool wall_s user_s sys_s "load avg before"
mk_walls=() jt_walls=() mk_cpus=() jt_cpus=()
run_mktorrent() {
  local load wall user sys
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r wall user sys < <(timed mktorrent -t "$threads" -l 20 -a http://127.0.0.1/announce -o "$work/m.torrent" "$work/payload")
  printf '%-6s %-10s %7s %7s %7s  %s\n' "$r" mktorrent "$wall" "$user" "$sys" "$load"
  mk_walls+=("$wall")
  mk_cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
}
run_jtorrent() {
  local load wall user sys
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r wall user sys < <(timed "$root/jtorrent" create --piece-length 1M --no-date -o "$work/j.torrent" "$work/payload")
  printf '%-6s %-10s %7s %7s %7s  %s\n' "$r" jtorrent "$wall" "$user" "$sys" "$load"
  jt_walls+=("$wall")
  jt_cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
}
for ((r = 1; r <= rounds; r++)); do
  # Who goes first alternates, so that a burst of load from elsewhere favours neither.
  if ((r % 2)); then run_mktorrent; run_jtorrent; else run_jtorrent; run_mktorrent; fi
  if [[ $(pieces "$work/m.torrent") != $(pieces "$work/j.torrent") ]]; then
    echo "piece hashes differ" >&2
    exit 1
  fi
  rm -f "$work/m.torrent" "$work/j.torrent"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
mk=$(median "${mk_walls[@]}")
jt=$(median "${jt_walls[@]}")
mkc=$(median "${mk_cpus[@]}")
jtc=$(median "${jt_cpus[@]}")
echo "piece hashes: equal in every round"
awk -v m="$mk" -v j="$jt" 'BEGIN {printf "median wall: mktorrent %.2f s, jtorrent %.2f s, ratio jtorrent/mktorrent %.2f\n", m, j, j / m}'
awk -v m="$mkc" -v j="$jtc" 'BEGIN {printf "median CPU (user+sys): mktorrent %.2f s, jtorrent %.2f s, ratio %.2f\n", m, j, j / m}'
