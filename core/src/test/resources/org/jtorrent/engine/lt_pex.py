#!/usr/bin/env python3
"""A libtorrent peer for the PEX interop tests (PexInteropTest), locked to loopback.

  lt_pex.py seed|leech TORRENT DIR --port P [--peer 127.0.0.1:PORT ...] [--no-data] [--no-outgoing]
            [--upload-limit BYTES_PER_S] [--timeout S]

Like the harness's lt_client.py (same loopback settings; DHT, LSD, UPnP, NAT-PMP, uTP off), but with
ut_pex on (libtorrent's default plugins) and made to be watched: it never exits on completion, and
prints one JSON object per line on stdout:
  {"event": "status", "progress": F, "pieces": N, "peers": [{"ip", "port", "pex", "seed", "outgoing"}]}
      every 0.25 s; "pex" says libtorrent learnt that peer through PEX (peer_info.source)
  {"event": "pex", "peer": "IP:PORT", "text": "..."}   an incoming PEX message, as libtorrent logged it
  {"event": "log", "peer": "IP:PORT", "text": "..."}   an extension handshake, either way
  {"event": "disconnected", "peer": "IP:PORT", "text": "..."}
--no-data: the torrent downloads at 2,000 bytes/s, so it connects and stays interested but gets no piece
of 256 KiB or more within a test (handshakes, bitfields and PEX still pass)
(the limit also holds on loopback: ignore_limits_on_local_network is off).
--no-outgoing: it never dials (a seeder that PEX must not lead to the peers it is told of).
Runs until SIGTERM or --timeout.
"""
import argparse
import json
import signal
import sys
import time

import libtorrent as lt


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["seed", "leech"])
    ap.add_argument("torrent")
    ap.add_argument("dir")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--peer", action="append", default=[])
    ap.add_argument("--no-data", action="store_true")
    ap.add_argument("--no-outgoing", action="store_true", help="never dial: peers must come to it")
    ap.add_argument("--upload-limit", type=int, default=0, help="bytes/s it uploads at most (0: no limit)")
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()
    for p in a.peer:
        if not p.startswith("127."):
            raise SystemExit("refusing non-loopback peer %s" % p)

    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(flag=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(flag=True))

    ses = lt.session({
        "listen_interfaces": "127.0.0.1:%d" % a.port,
        "outgoing_interfaces": "127.0.0.1",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_ip_notifier": False, "dht_bootstrap_nodes": "",
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "enable_outgoing_tcp": not a.no_outgoing,
        "allow_multiple_connections_per_ip": True,
        "ignore_limits_on_local_network": False,
        "upload_rate_limit": a.upload_limit,
        "alert_mask": lt.alert_category.error | lt.alert_category.status | lt.alert_category.connect
        | lt.alert_category.peer | lt.alert_category.peer_log,
    })
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(a.torrent)
    atp.save_path = a.dir
    if a.mode == "seed":
        atp.flags |= lt.torrent_flags.seed_mode
    atp.flags &= ~lt.torrent_flags.auto_managed
    atp.flags &= ~lt.torrent_flags.paused
    h = ses.add_torrent(atp)
    if a.no_data:
        h.set_download_limit(2000)
    for p in a.peer:
        host, port = p.rsplit(":", 1)
        h.connect_peer((host, int(port)))

    t0 = time.monotonic()
    last = 0.0
    while not stop["flag"] and time.monotonic() - t0 < a.timeout:
        for al in ses.pop_alerts():
            if isinstance(al, lt.peer_log_alert):
                text = al.message()
                if "<== PEX" in text or "EXTENDED_HANDSHAKE" in text:
                    emit({"event": "pex" if "<== PEX" in text else "log", "peer": "%s:%d" % (al.ip[0], al.ip[1]), "text": text})
            elif isinstance(al, lt.peer_disconnected_alert):
                emit({"event": "disconnected", "peer": "%s:%d" % (al.ip[0], al.ip[1]), "text": al.message()})
        now = time.monotonic()
        if now - last >= 0.25:
            last = now
            st = h.status()
            peers = []
            for p in h.get_peer_info():
                peers.append({"ip": p.ip[0], "port": p.ip[1], "pex": bool(p.source & lt.peer_info.pex),
                              "seed": bool(p.flags & lt.peer_info.seed),
                              "outgoing": bool(p.flags & lt.peer_info.outgoing_connection)})
            emit({"event": "status", "progress": st.progress, "pieces": st.num_pieces, "peers": peers})
        time.sleep(0.05)
    del ses


if __name__ == "__main__":
    main()
