package org.jtorrent.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.storage.Storage;

/**
 * @param folder        the download folder (a multi-file torrent goes below it, in its name)
 * @param peers         peers to dial; no tracker in this minimal engine
 * @param listenPort    port for incoming connections (0: any free port)
 * @param bind          local address to listen on and dial from (loopback by default: nothing leaves
 *                      the machine unless asked)
 * @param memoryCap     bytes that partial pieces may hold in memory before blocks go to disk
 */
public record DownloadOptions(Path folder, List<InetSocketAddress> peers, int listenPort, InetAddress bind,
                              PeerConfig peer, Storage.Options storage, long memoryCap) {
    public DownloadOptions {
        peers = List.copyOf(peers);
    }

    public static DownloadOptions defaults(Path folder, List<InetSocketAddress> peers) {
        return new DownloadOptions(folder, peers, 0, InetAddress.getLoopbackAddress(), PeerConfig.DEFAULT,
                Storage.Options.DEFAULT, 256L * 1024 * 1024);
    }

    public DownloadOptions withListenPort(int port) {
        return new DownloadOptions(folder, peers, port, bind, peer, storage, memoryCap);
    }

    public DownloadOptions withBind(InetAddress address) {
        return new DownloadOptions(folder, peers, listenPort, address, peer, storage, memoryCap);
    }
}
