#!/usr/bin/env python3
"""A libtorrent (python3-libtorrent 2.x) leecher given only a magnet link, locked to loopback with
the harness's settings (../shared/harness/lt_client.py: DHT, LSD, UPnP, NAT-PMP and uTP off,
127.0.0.1 only, several connections per IP allowed).

  lt_magnet.py MAGNET OUTDIR [--port P] [--timeout S]

Fetches the metadata from the peers the link names (tr trackers, x.pe addresses), downloads, and
exits 0 once every piece is verified and the files are closed, printing one line:
  "metadata_s=M first_piece_s=F complete_s=C" (seconds since the link was added); exits 2 on
--timeout. Used by the command-line magnet interop tests (MagnetCliInteropTest) and bench/magnet-bench.sh.
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("magnet")
    ap.add_argument("outdir")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    # lt_client.settings reads these two of its own options
    a.no_utp = True
    a.encryption = "default"

    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(flag=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(flag=True))

    s = settings(a.port, a)
    s["alert_mask"] = s["alert_mask"] | lt.alert_category.status | lt.alert_category.piece_progress
    ses = lt.session(s)
    atp = lt.parse_magnet_uri(a.magnet)
    atp.save_path = os.path.abspath(a.outdir)
    atp.flags &= ~lt.torrent_flags.auto_managed
    atp.flags &= ~lt.torrent_flags.paused
    os.makedirs(atp.save_path, exist_ok=True)
    t0 = time.monotonic()
    h = ses.add_torrent(atp)
    metadata = first_piece = None
    rc = 2
    while not stop["flag"] and time.monotonic() - t0 < a.timeout:
        ses.wait_for_alert(50)
        for al in ses.pop_alerts():
            now = time.monotonic() - t0
            if isinstance(al, lt.metadata_received_alert) and metadata is None:
                metadata = now
            elif isinstance(al, lt.piece_finished_alert) and first_piece is None:
                first_piece = now
            elif isinstance(al, (lt.tracker_error_alert, lt.torrent_error_alert, lt.file_error_alert)):
                print("ALERT %s: %s" % (type(al).__name__, al.message()), file=sys.stderr, flush=True)
        st = h.status()
        if st.has_metadata and (st.is_seeding or (st.is_finished and st.progress >= 1.0)):
            rc = 0
            break
    complete = time.monotonic() - t0
    ses.remove_torrent(h)  # closes the files cleanly before the check of the bytes
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if ses.wait_for_alert(500) is not None and any(isinstance(x, lt.torrent_removed_alert) for x in ses.pop_alerts()):
            break
    if rc == 0:
        print("metadata_s=%.3f first_piece_s=%.3f complete_s=%.3f" % (metadata or 0, first_piece or complete, complete), flush=True)
    else:
        print("lt_magnet: not complete after %.0f s" % (time.monotonic() - t0), file=sys.stderr, flush=True)
    sys.exit(rc)


if __name__ == "__main__":
    main()
