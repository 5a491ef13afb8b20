package org.jtorrent.peer;

import org.jtorrent.id.InfoHash;
import org.jtorrent.mse.ObfuscatedHash;

/**
 * Where an incoming connection goes: the torrent its plaintext handshake names, or the one its MSE
 * handshake names in obfuscated form (HASH('req2', info-hash)). Null: we serve no such torrent, and
 * the connection is closed before we say anything more.
 */
public interface PeerRouter {
    PeerHost byInfoHash(InfoHash infoHash);

    PeerHost byObfuscatedHash(ObfuscatedHash hash);
}
