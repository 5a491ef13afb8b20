package org.jtorrent.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.storage.Storage;
import org.jtorrent.tracker.TrackerConfig;

/**
 * @param folder        the download folder (a multi-file torrent goes below it, in its name)
 * @param peers         peers to dial besides those the trackers give; kept however often they fail
 * @param listenPort    port for incoming connections (0: any free port)
 * @param bind          local address to listen on and dial from (loopback by default: nothing leaves
 *                      the machine unless asked)
 * @param memoryCap     bytes that partial pieces may hold in memory before blocks go to disk
 * @param maxPeers      open connections (dialled and accepted) plus dials in progress, at most
 * @param useTrackers   whether to announce to the torrent's trackers
 * @param tracker       timeouts and limits of the tracker client
 * @param limits        the choker's settings and the upload/download rate limits
 * @param selection     which files to fetch and in what order (initial values: {@link Torrent}
 *                      changes them while running)
 */
public record DownloadOptions(Path folder, List<InetSocketAddress> peers, int listenPort, InetAddress bind,
                              PeerConfig peer, Storage.Options storage, long memoryCap, int maxPeers,
                              boolean useTrackers, TrackerConfig tracker, TransferLimits limits, Selection selection) {

    public static final int DEFAULT_MAX_PEERS = 50;
    /** Partial pieces in memory before blocks spill to disk: enough for ~60 pieces of 1 MiB in flight. */
    public static final long DEFAULT_MEMORY_CAP = 64L * 1024 * 1024;

    public DownloadOptions {
        peers = List.copyOf(peers);
        if (maxPeers < 1) throw new IllegalArgumentException("maxPeers must be at least 1");
    }

    public static DownloadOptions defaults(Path folder, List<InetSocketAddress> peers) {
        return new DownloadOptions(folder, peers, 0, InetAddress.getLoopbackAddress(), PeerConfig.DEFAULT,
                Storage.Options.DEFAULT, DEFAULT_MEMORY_CAP, DEFAULT_MAX_PEERS, true, TrackerConfig.DEFAULT, TransferLimits.DEFAULT,
                Selection.ALL);
    }

    public DownloadOptions withListenPort(int port) {
        return new DownloadOptions(folder, peers, port, bind, peer, storage, memoryCap, maxPeers, useTrackers, tracker, limits, selection);
    }

    public DownloadOptions withBind(InetAddress address) {
        return new DownloadOptions(folder, peers, listenPort, address, peer, storage, memoryCap, maxPeers, useTrackers, tracker, limits, selection);
    }

    public DownloadOptions withPeerConfig(PeerConfig config) {
        return new DownloadOptions(folder, peers, listenPort, bind, config, storage, memoryCap, maxPeers, useTrackers, tracker, limits, selection);
    }

    public DownloadOptions withStorage(Storage.Options options) {
        return new DownloadOptions(folder, peers, listenPort, bind, peer, options, memoryCap, maxPeers, useTrackers, tracker, limits, selection);
    }

    public DownloadOptions withMemoryCap(long cap) {
        return new DownloadOptions(folder, peers, listenPort, bind, peer, storage, cap, maxPeers, useTrackers, tracker, limits, selection);
    }

    public DownloadOptions withMaxPeers(int max) {
        return new DownloadOptions(folder, peers, listenPort, bind, peer, storage, memoryCap, max, useTrackers, tracker, limits, selection);
    }

    public DownloadOptions withTrackers(boolean use, TrackerConfig config) {
        return new DownloadOptions(folder, peers, listenPort, bind, peer, storage, memoryCap, maxPeers, use, config, limits, selection);
    }

    public DownloadOptions withLimits(TransferLimits newLimits) {
        return new DownloadOptions(folder, peers, listenPort, bind, peer, storage, memoryCap, maxPeers, useTrackers, tracker,
                newLimits, selection);
    }

    /** Initial file priorities: one per file, 0 = do not download (see {@link Selection}). */
    public DownloadOptions withFilePriorities(int[] priorities) {
        return withSelection(new Selection(priorities, selection.sequential(), selection.fileEndsFirst()));
    }

    /** Sequential mode from the start, and whether each wanted file's first and last piece go first. */
    public DownloadOptions withSequential(boolean sequential, boolean fileEndsFirst) {
        return withSelection(new Selection(selection.filePriorities(), sequential, fileEndsFirst));
    }

    public DownloadOptions withSelection(Selection newSelection) {
        return new DownloadOptions(folder, peers, listenPort, bind, peer, storage, memoryCap, maxPeers, useTrackers, tracker,
                limits, newSelection);
    }
}
