#!/usr/bin/env bash
# Bencode decoding side by side: jtorrent, libtorrent's bdecode (C++), Bt and ttorrent.
#
# Writes the generated inputs to files, builds and runs bench/native/lt_bdecode.cpp, runs the JMH
# benchmarks (org.jtorrent.bench.DecodeBenchmark) and prints one table of MB/s with ratios, plus the
# retained heap of each decoder's result. Takes about 5 minutes.
#
# Environment (all optional):
#   BENCH_JVM_FLAGS  flags for the JMH fork JVMs (default below; see docs/performance.md)
#   BENCH_JMH        "warmups iterations seconds" (default "3 5 2")
#   BENCH_LT_SECONDS seconds of timed decodes per input and mode for libtorrent (default 5)
#   BENCH_OUT        where inputs and raw results go (default bench/target/bencode-bench)
set -euo pipefail
cd "$(dirname "$0")/.."

# The newest JDK >= 21 under /usr/lib/jvm, judged by its release file.
jdk=""
best=0
for dir in /usr/lib/jvm/*/; do
    dir=${dir%/}
    [[ -x $dir/bin/java && -f $dir/release ]] || continue
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$dir/release")
    if [[ -n $version ]] && ((version >= 21 && version > best)); then
        best=$version
        jdk=$dir
    fi
done
if [[ -z $jdk ]]; then
    echo "bencode-bench: no JDK >= 21 found under /usr/lib/jvm" >&2
    exit 1
fi
java=$jdk/bin/java

out=${BENCH_OUT:-bench/target/bencode-bench}
flags=${BENCH_JVM_FLAGS:--Xms2g -Xmx8g -XX:+UseTransparentHugePages}
read -r warmups iterations seconds <<<"${BENCH_JMH:-3 5 2}"
lt_seconds=${BENCH_LT_SECONDS:-5}
mkdir -p "$out"

echo "== machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), JDK $best ($jdk)"
echo "== load before: $(uptime)"

echo "== building"
mvn -q -B package -DskipTests -pl bench -am
jar=bench/target/benchmarks.jar
g++ -O2 -std=c++17 -o "$out/lt_bdecode" bench/native/lt_bdecode.cpp $(pkg-config --cflags --libs libtorrent-rasterbar)

echo "== inputs"
"$java" -cp "$jar" org.jtorrent.bench.WriteInputs "$out"

echo "== libtorrent bdecode"
# Out of the box, glibc returns large freed blocks to the kernel, so every decode's token vector
# lands on fresh pages; the "warm" run keeps freed memory in the process, as a JVM heap does.
: >"$out/libtorrent.txt"
for mode in default warm; do
    if [[ $mode == warm ]]; then
        env MALLOC_MMAP_THRESHOLD_=4294967295 MALLOC_TRIM_THRESHOLD_=68719476736 \
            "$out/lt_bdecode" "$lt_seconds" "$out/tracker.bencode" "$out/torrent.bencode"
    else
        "$out/lt_bdecode" "$lt_seconds" "$out/tracker.bencode" "$out/torrent.bencode"
    fi | tee /dev/stderr | awk -v mode="$mode" '{ print mode, $1, $3; print mode "-reused", $1, $5 }' >>"$out/libtorrent.txt"
done

echo "== JMH (fork flags: $flags) and retained heap"
"$java" -Xmx8g -cp "$jar" org.jtorrent.bench.BencodeComparison "$out/libtorrent.txt" "$flags" \
    "$warmups" "$iterations" "$seconds" | tee "$out/jmh.log" | sed -n '/^Bencode decoding/,$p'
echo "== load after: $(uptime)"
