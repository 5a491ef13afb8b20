#!/bin/sh
# Prints the java of the newest JDK >= 21 under /usr/lib/jvm (the tracker benchmarks run with it).
JAVA=""; BEST=0
for j in /usr/lib/jvm/*/bin/java; do
    v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$BEST" ]; then BEST=$v; JAVA=$j; fi
done
[ -n "$JAVA" ] || { echo "no JDK >= 21 under /usr/lib/jvm" >&2; exit 1; }
echo "$JAVA"
