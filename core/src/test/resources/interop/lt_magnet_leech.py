#!/usr/bin/env python3
"""A libtorrent leecher given only a magnet link, locked to loopback (the settings of the
harness's lt_client.py: no DHT, LSD, UPnP, NAT-PMP, uTP). It fetches the metadata from the
peers it is told (--peer) or the magnet's trackers, downloads, and exits 0 once complete.
Prints "metadata received <name> <bytes>" when the info dictionary arrives, and with
--metadata-only exits right then. Exit 2: timed out."""
import argparse
import sys
import time

import libtorrent as lt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("magnet")
    ap.add_argument("outdir")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--peer", action="append", default=[], help="IP:PORT on loopback")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--metadata-only", action="store_true")
    args = ap.parse_args()

    ses = lt.session({
        "listen_interfaces": "127.0.0.1:%d" % args.port,
        "outgoing_interfaces": "127.0.0.1",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_ip_notifier": False, "dht_bootstrap_nodes": "",
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "announce_to_all_trackers": True, "announce_to_all_tiers": True,
        "alert_mask": lt.alert_category.error | lt.alert_category.status | lt.alert_category.peer,
        "user_agent": "bt-harness-lt-magnet/" + lt.__version__,
    })
    params = lt.parse_magnet_uri(args.magnet)
    params.save_path = args.outdir
    handle = ses.add_torrent(params)
    for peer in args.peer:
        host, port = peer.rsplit(":", 1)
        handle.connect_peer((host, int(port)))

    deadline = time.monotonic() + args.timeout
    told = False
    last_connect = time.monotonic()
    while time.monotonic() < deadline:
        for a in ses.pop_alerts():
            if isinstance(a, (lt.peer_disconnected_alert, lt.peer_error_alert, lt.torrent_error_alert,
                              lt.metadata_failed_alert)):
                print(a.message(), flush=True)
        status = handle.status()
        if status.has_metadata and not told:
            info = handle.torrent_file()
            print("metadata received %s %d" % (info.name(), info.metadata_size()), flush=True)
            told = True
            if args.metadata_only:
                return 0
        if status.is_seeding:
            ses.pause()
            print("complete", flush=True)
            return 0
        if time.monotonic() - last_connect > 5:  # a peer that dropped us: dial it again
            for peer in args.peer:
                host, port = peer.rsplit(":", 1)
                handle.connect_peer((host, int(port)))
            last_connect = time.monotonic()
        time.sleep(0.1)
    print("timed out: has_metadata=%s progress=%.3f" % (handle.status().has_metadata, handle.status().progress), flush=True)
    return 2


if __name__ == "__main__":
    sys.exit(main())
