# The medians of interleaved benchmark runs, one run a line: "NAME key=value key=value ..." (a
# value may end in "cs", hundredths of a second from /proc, dropped here). Used by ab-download.sh
# and session-bench.sh:
#   awk -v names="A B" -v keys="wall user sys" [-v ratio="A B"] -f bench/medians.awk runs.txt
# prints "medians of N rounds", a line per name, and with ratio="X Y" X's wall and CPU (user + sys)
# over Y's; with ratios="k1 k2 ..." as well, X's median over Y's for each of those keys (magnet-bench.sh).
function median(v, n,    i, j, t) {
  for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
  return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{ k = ++n[$1]; for (f = 2; f <= NF; f++) { split($f, kv, "="); sub(/cs$/, "", kv[2]); val[$1, kv[1], k] = kv[2] } }
END {
  nn = split(names, name, " "); nk = split(keys, key, " ")
  printf "\nmedians of %d rounds\n", n[name[1]]
  for (b = 1; b <= nn; b++) {
    c = name[b]; line = c
    for (k = 1; k <= nk; k++) {
      m = n[c]; for (i = 1; i <= m; i++) a[i] = val[c, key[k], i]
      med[c, key[k]] = median(a, m); line = line sprintf("  %s=%s", key[k], med[c, key[k]])
    }
    print line
  }
  if (split(ratio, r, " ") == 2 && ratios != "") {
    line = r[1] "/" r[2] ":"
    nr = split(ratios, rk, " ")
    for (k = 1; k <= nr; k++) line = line sprintf("  %s %.2f", rk[k], med[r[1], rk[k]] / med[r[2], rk[k]])
    print line
  } else if (split(ratio, r, " ") == 2)
    printf "%s/%s: wall %.2f  cpu %.2f\n", r[1], r[2], med[r[1], "wall"] / med[r[2], "wall"],
        (med[r[1], "user"] + med[r[1], "sys"]) / (med[r[2], "user"] + med[r[2], "sys"])
}
