#!/usr/bin/env bash
# jtorrent create on a 2 GiB file (SIZE_MIB to change) against the SHA-1 throughput that
# `openssl speed -evp sha1` reports for all cores, in the same run. Prints the ratio.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size_mib=${SIZE_MIB:-2048}
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c $((size_mib << 20)) /dev/urandom > "$work/payload"   # random data, now in the page cache
"$root/jtorrent" --version >/dev/null                            # build outside the timing
# openssl: bytes/s for 16 KiB blocks, summed over one process per core.
ossl=$(openssl speed -evp sha1 -multi "$cores" -seconds 3 2>/dev/null | awk '/^evp|^sha1/ {v=$NF} END {sub(/k$/,"",v); print v*1000}')
start=$(date +%s.%N)
"$root/jtorrent" create "$work/payload" -o "$work/p.torrent" --no-date >/dev/null
end=$(date +%s.%N)
awk -v b=$((size_mib << 20)) -v s="$start" -v e="$end" -v o="$ossl" -v c="$cores" -v l="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
  r = b / (e - s);
  printf "openssl sha1, %d cores: %.0f MB/s\njtorrent create %.0f MiB: %.2f s, %.0f MB/s (whole process, JVM start included)\nratio jtorrent/openssl: %.2f  (load avg before: %s)\n", c, o/1e6, b/1048576, e - s, r/1e6, r/o, l }'
