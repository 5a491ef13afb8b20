#!/usr/bin/env bash
# Prints, for a range of total sizes, the piece length each tool picks when none is given:
# jtorrent, libtorrent (python3-libtorrent, without hashing), transmission-create and mktorrent
# (which hash: measured on sparse files up to MAX_HASHED, default 4 GiB).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
max_hashed=${MAX_HASHED:-$((4 << 30))}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
human() { numfmt --to=iec-i --suffix=B "$1"; }
piece_of() { "$root/jtorrent" info --json "$1" | sed -n 's/.*"piece_length" : \([0-9]*\).*/\1/p'; }
printf '| total size | jtorrent | libtorrent 2.0 | transmission-create 3.00 | mktorrent 1.1 |\n|---|---|---|---|---|\n'
for size in $((1 << 20)) $((16 << 20)) $((100 << 20)) $((256 << 20)) $((1 << 30)) $((4 << 30)) $((16 << 30)) $((64 << 30)) $((1 << 40)); do
  f="$work/payload"; rm -f "$f"; truncate -s "$size" "$f"
  if (( size <= max_hashed )); then
    "$root/jtorrent" create "$f" -o "$work/j.torrent" >/dev/null; ours=$(piece_of "$work/j.torrent")
    transmission-create -o "$work/t.torrent" "$f" >/dev/null 2>&1; tr=$(piece_of "$work/t.torrent")
    mktorrent -o "$work/m.torrent" "$f" >/dev/null 2>&1; mk=$(piece_of "$work/m.torrent"); rm -f "$work/m.torrent"
  else
    ours=$(printf 'System.out.println(org.jtorrent.metainfo.PieceLengths.forTotalSize(%sL))\n/exit\n' "$size" \
      | "$("$root/scripts/find-jdk")/bin/jshell" -q --class-path "$root/core/target/classes" - 2>/dev/null | tail -1)
    tr='(not hashed)'; mk='(not hashed)'
  fi
  lt=$(/usr/bin/python3 -c "import libtorrent as lt; fs=lt.file_storage(); fs.add_file('p', $size); print(lt.create_torrent(fs).piece_length())")
  fmt() { [[ "$1" =~ ^[0-9]+$ ]] && human "$1" || echo "$1"; }
  printf '| %s | %s | %s | %s | %s |\n' "$(human "$size")" "$(fmt "$ours")" "$(fmt "$lt")" "$(fmt "$tr")" "$(fmt "$mk")"
  rm -f "$f" "$work"/*.torrent
done
