#!/usr/bin/python3
"""A libtorrent session seeding every .torrent in a folder, for bench/peer-load.sh: the side-by-side
seeder for jtorrent's `seed`. Loopback only. Data is trusted as complete (seed_mode), as jtorrent's
resume data would make it. Settings that matter under a connection load:
  connections_limit   raised to --connections (libtorrent's default is 200)
  unchoke_slots_limit --upload-slots (default 8; -1: every interested peer)
  listen_queue_size   the accept backlog (default 5, which drops SYNs under a burst of dials)
Touches --ready-file once every torrent is seeding; runs until SIGTERM/SIGINT.

usage: lt-seed-many.py TORRENT_DIR DATA_DIR --port N [--connections N] [--upload-slots N] [--ready-file F]
"""
import argparse
import glob
import os
import signal
import sys
import time

import libtorrent as lt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("torrents")
    ap.add_argument("data")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--upload-slots", type=int, default=8)
    ap.add_argument("--ready-file")
    a = ap.parse_args()
    ses = lt.session({
        "listen_interfaces": "127.0.0.1:%d" % a.port,
        "outgoing_interfaces": "127.0.0.1",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_ip_notifier": False, "dht_bootstrap_nodes": "",
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "connections_limit": a.connections,
        "unchoke_slots_limit": a.upload_slots,
        "listen_queue_size": 200,
        "active_seeds": -1, "active_limit": -1,
        "alert_mask": lt.alert_category.error,
    })
    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(flag=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(flag=True))
    files = sorted(glob.glob(os.path.join(a.torrents, "*.torrent")))
    if not files:
        print("lt-seed-many: no .torrent files in " + a.torrents, file=sys.stderr)
        return 2
    handles = []
    for f in files:
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(f)
        atp.save_path = os.path.abspath(a.data)
        atp.max_connections = a.connections
        atp.flags |= lt.torrent_flags.seed_mode
        atp.flags &= ~lt.torrent_flags.auto_managed
        atp.flags &= ~lt.torrent_flags.paused
        handles.append(ses.add_torrent(atp))
    deadline = time.monotonic() + 60
    while not stop["flag"] and time.monotonic() < deadline:
        if all(h.status().is_seeding for h in handles):
            break
        time.sleep(0.05)
    print("lt-seed-many: seeding %d torrents on port %d" % (len(handles), a.port), file=sys.stderr, flush=True)
    if a.ready_file:
        open(a.ready_file, "w").close()
    while not stop["flag"]:
        for alert in ses.pop_alerts():
            pass
        time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
