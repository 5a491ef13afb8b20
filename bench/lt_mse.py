#!/usr/bin/env python3
"""../shared/harness/lt_client.py with protocol encryption forced: RC4 only, both ways.

  lt_mse.py seed|leech ... (the arguments of lt_client.py)

libtorrent settings on top of the harness's loopback-only ones: out_enc_policy = in_enc_policy =
pe_forced (plaintext peers refused in and out), allowed_enc_level = pe_rc4 (the header-only
"plaintext" mode of MSE refused too), prefer_rc4. Used by EncryptionInteropTest and
bench/mse-bench.sh. Run it with a python3 that can import libtorrent (Debian's /usr/bin/python3).
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("JTORRENT_HARNESS", os.path.join(here, "..", "..", "shared", "harness")))
import libtorrent as lt  # noqa: E402
import lt_client  # noqa: E402  the harness itself, not a copy: only its settings are extended

loopback_settings = lt_client.settings


def forced_rc4(port, args):
    s = loopback_settings(port, args)
    s["out_enc_policy"] = int(lt.enc_policy.pe_forced)
    s["in_enc_policy"] = int(lt.enc_policy.pe_forced)
    s["allowed_enc_level"] = int(lt.enc_level.pe_rc4)
    s["prefer_rc4"] = True
    return s


lt_client.settings = forced_rc4

if __name__ == "__main__":
    lt_client.main()
