#!/usr/bin/env python3
"""One libtorrent session (python3-libtorrent 2.x) holding many torrents at once, on one port,
locked to loopback: the multi-torrent counterpart of ../shared/harness/lt_client.py, whose
settings it takes (DHT, LSD, UPnP, NAT-PMP and uTP off, 127.0.0.1 only, several connections per
IP allowed).

  lt_session.py seed  DATADIR TORRENT... [--port P] [--ready-file F]
  lt_session.py leech OUTDIR  TORRENT... [--port P] [--peer 127.0.0.1:PORT ...] [--timeout S]

seed : DATADIR holds every torrent's content (a file or top folder named like the torrent).
       seed_mode (no initial hash check), not auto-managed: all seed at once. The ready file is
       written once every torrent seeds. Runs until SIGTERM/SIGINT.
leech: every torrent at once (none auto-managed, so libtorrent's queue does not hold any back),
       each dialling every --peer; exits 0 once all are complete and their files closed, printing
       "all N complete in S s" (from the first add); exits 2 on --timeout.

Used by bench/session-bench.sh and by the interop tests (SessionInteropTest). Run it with a python3
that can import libtorrent (Debian's /usr/bin/python3).
"""
import argparse
import os
import signal
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("JTORRENT_HARNESS", os.path.join(here, "..", "..", "shared", "harness")))
import libtorrent as lt  # noqa: E402
from lt_client import settings  # noqa: E402  the harness's loopback-only settings, not a copy


def loopback_peer(p):
    host, port = p.rsplit(":", 1)
    host = host.strip("[]")
    if not (host.startswith("127.") or host == "::1"):
        raise SystemExit("refusing non-loopback peer %s" % p)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["seed", "leech"])
    ap.add_argument("dir")
    ap.add_argument("torrents", nargs="+")
    ap.add_argument("--port", type=int, default=0, help="listen port on 127.0.0.1 (0 = any)")
    ap.add_argument("--peer", action="append", default=[], help="leech: dial IP:PORT for every torrent (loopback only)")
    ap.add_argument("--ready-file", help="seed: written once every torrent seeds")
    ap.add_argument("--timeout", type=float, default=3600, help="leech: give up after S seconds (exit 2)")
    ap.add_argument("--unchoke-slots", type=int, help="libtorrent's unchoke_slots_limit (default 8; -1 = unlimited)")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()
    a.no_utp = True
    a.encryption = "default"
    peers = [loopback_peer(p) for p in a.peer]

    stop = {"flag": False}

    def on_sig(signum, frame):
        stop["flag"] = True

    signal.signal(signal.SIGTERM, on_sig)
    signal.signal(signal.SIGINT, on_sig)

    t0 = time.monotonic()

    def log(msg):
        if not a.quiet:
            print("[lt-session %s %.2fs] %s" % (a.mode, time.monotonic() - t0, msg), file=sys.stderr, flush=True)

    pack = settings(a.port, a)
    if a.unchoke_slots is not None:
        pack["unchoke_slots_limit"] = a.unchoke_slots
    ses = lt.session(pack)
    save_path = os.path.abspath(a.dir)
    os.makedirs(save_path, exist_ok=True)
    handles = []
    for t in a.torrents:
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(t)
        atp.save_path = save_path
        if a.mode == "seed":
            atp.flags |= lt.torrent_flags.seed_mode
        atp.flags &= ~lt.torrent_flags.auto_managed
        atp.flags &= ~lt.torrent_flags.paused
        h = ses.add_torrent(atp)
        for p in peers:
            h.connect_peer(p)
        handles.append(h)
    log("%d torrents added, listening on %d" % (len(handles), ses.listen_port()))

    rc = 0
    ready = False
    last = 0.0
    while not stop["flag"]:
        for al in ses.pop_alerts():
            if isinstance(al, (lt.listen_failed_alert, lt.file_error_alert, lt.torrent_error_alert, lt.hash_failed_alert)):
                log("ALERT %s: %s" % (type(al).__name__, al.message()))
        statuses = [h.status() for h in handles]
        now = time.monotonic()
        if now - last >= 2.0:
            last = now
            log("complete %d/%d, down %.1f MB/s, up %.1f MB/s, peers %d" % (
                sum(1 for s in statuses if s.is_seeding), len(statuses), sum(s.download_rate for s in statuses) / 1e6,
                sum(s.upload_rate for s in statuses) / 1e6, sum(s.num_peers for s in statuses)))
        if a.mode == "seed":
            if not ready and all(s.is_seeding for s in statuses):
                ready = True
                log("seeding all %d" % len(statuses))
                if a.ready_file:
                    open(a.ready_file, "w").close()
        else:
            if all(s.is_seeding or (s.is_finished and s.progress >= 1.0) for s in statuses):
                print("all %d complete in %.3f s" % (len(statuses), now - t0), flush=True)
                break
            if now - t0 > a.timeout:
                log("TIMEOUT")
                rc = 2
                break
        time.sleep(0.01 if a.mode == "leech" else 0.05)

    # close the files cleanly (flushes libtorrent's mmap'd writes) before exiting
    for h in handles:
        ses.remove_torrent(h)
    removed = 0
    deadline = time.monotonic() + 30
    while removed < len(handles) and time.monotonic() < deadline:
        if ses.wait_for_alert(500) is None:
            continue
        removed += sum(1 for x in ses.pop_alerts() if isinstance(x, lt.torrent_removed_alert))
    del ses
    sys.exit(rc)


if __name__ == "__main__":
    main()
