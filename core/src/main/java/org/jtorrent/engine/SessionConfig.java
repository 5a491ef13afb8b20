package org.jtorrent.engine;

import java.net.InetAddress;
import java.time.Duration;
import org.jtorrent.dht.DhtConfig;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.storage.DiskResources;
import org.jtorrent.storage.Storage;
import org.jtorrent.tracker.TrackerConfig;

/**
 * What is process-wide in a {@link Session}. Defaults follow qBittorrent's and libtorrent's.
 *
 * @param listenPort        the one TCP port every torrent's peers connect to (0: any free port)
 * @param bind              local address to listen on and dial from (loopback by default: nothing
 *                          leaves the machine unless asked)
 * @param maxConnections    open peer connections over all torrents, at most (libtorrent's
 *                          {@code connections_limit})
 * @param maxHalfOpen       dials in progress over all torrents, at most: a burst of tracker answers
 *                          must not open thousands of sockets at once
 * @param activeDownloads   incomplete torrents transferring at once; the rest wait in order
 * @param activeSeeds       complete torrents seeding at once; the rest wait in order
 * @param inactiveAfter     a torrent that moved less than {@code inactiveRate} for this long does
 *                          not hold an active slot (qBittorrent's "do not count slow torrents")
 * @param inactiveRate      bytes per second, down and up together, below which a torrent is idle
 * @param memoryCap         bytes that each torrent's partial pieces may hold before blocks spill to disk
 *                          (all of them together are held to {@code disk.memoryBytes()})
 * @param limits            the session-wide choker's slots and intervals, and the global rate limits
 *                          every torrent's own limits are combined with
 * @param disk              what every torrent's storage shares: the open-file cap, hashing and
 *                          flushing threads, the memory budget (see {@link DiskResources})
 * @param dht               the session's DHT node (docs/dht.md), or null for none (the default); a bind
 *                          port of 0 means the TCP listen port's number
 */
public record SessionConfig(int listenPort, InetAddress bind, PeerConfig peer, Storage.Options storage,
                            boolean useTrackers, TrackerConfig tracker, int maxConnections, int maxHalfOpen,
                            int activeDownloads, int activeSeeds, Duration inactiveAfter, long inactiveRate,
                            long memoryCap, TransferLimits limits, DiskResources.Config disk, DhtConfig dht) {
    public static final int DEFAULT_MAX_CONNECTIONS = 500;
    public static final int DEFAULT_MAX_HALF_OPEN = 100;
    public static final int DEFAULT_ACTIVE_DOWNLOADS = 5;
    public static final int DEFAULT_ACTIVE_SEEDS = 10;
    /** libtorrent's {@code unchoke_slots_limit}: upload slots over all torrents. */
    public static final int DEFAULT_UPLOAD_SLOTS = 8;

    public SessionConfig {
        if (maxConnections < 1 || maxHalfOpen < 1) throw new IllegalArgumentException("connection caps must be at least 1");
        if (activeDownloads < 0 || activeSeeds < 0) throw new IllegalArgumentException("active limits must not be negative");
    }

    public static SessionConfig defaults() {
        return new SessionConfig(0, InetAddress.getLoopbackAddress(), PeerConfig.DEFAULT, Storage.Options.DEFAULT, true,
                TrackerConfig.DEFAULT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HALF_OPEN, DEFAULT_ACTIVE_DOWNLOADS,
                DEFAULT_ACTIVE_SEEDS, Duration.ofMinutes(1), 2048, DownloadOptions.DEFAULT_MEMORY_CAP,
                TransferLimits.DEFAULT.withChoker(TransferLimits.DEFAULT.choker().withSlots(DEFAULT_UPLOAD_SLOTS)),
                DiskResources.Config.DEFAULT, null);
    }

    public SessionConfig withListenPort(int port) {
        return new SessionConfig(port, bind, peer, storage, useTrackers, tracker, maxConnections, maxHalfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, memoryCap, limits, disk, dht);
    }

    public SessionConfig withBind(InetAddress address) {
        return new SessionConfig(listenPort, address, peer, storage, useTrackers, tracker, maxConnections, maxHalfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, memoryCap, limits, disk, dht);
    }

    public SessionConfig withPeerConfig(PeerConfig config) {
        return new SessionConfig(listenPort, bind, config, storage, useTrackers, tracker, maxConnections, maxHalfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, memoryCap, limits, disk, dht);
    }

    public SessionConfig withStorage(Storage.Options options) {
        return new SessionConfig(listenPort, bind, peer, options, useTrackers, tracker, maxConnections, maxHalfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, memoryCap, limits, disk, dht);
    }

    public SessionConfig withTrackers(boolean use, TrackerConfig config) {
        return new SessionConfig(listenPort, bind, peer, storage, use, config, maxConnections, maxHalfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, memoryCap, limits, disk, dht);
    }

    public SessionConfig withConnectionCaps(int connections, int halfOpen) {
        return new SessionConfig(listenPort, bind, peer, storage, useTrackers, tracker, connections, halfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, memoryCap, limits, disk, dht);
    }

    /** Queueing: {@code downloads} and {@code seeds} active at once, idle ones after {@code inactive} not counted. */
    public SessionConfig withQueue(int downloads, int seeds, Duration inactive, long idleRate) {
        return new SessionConfig(listenPort, bind, peer, storage, useTrackers, tracker, maxConnections, maxHalfOpen,
                downloads, seeds, inactive, idleRate, memoryCap, limits, disk, dht);
    }

    public SessionConfig withMemoryCap(long cap) {
        return new SessionConfig(listenPort, bind, peer, storage, useTrackers, tracker, maxConnections, maxHalfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, cap, limits, disk, dht);
    }

    public SessionConfig withDisk(DiskResources.Config shared) {
        return new SessionConfig(listenPort, bind, peer, storage, useTrackers, tracker, maxConnections, maxHalfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, memoryCap, limits, shared, dht);
    }

    public SessionConfig withLimits(TransferLimits newLimits) {
        return new SessionConfig(listenPort, bind, peer, storage, useTrackers, tracker, maxConnections, maxHalfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, memoryCap, newLimits, disk, dht);
    }

    /** A DHT node for the session (null: none); torrents that are not private get peers from it. */
    public SessionConfig withDht(DhtConfig config) {
        return new SessionConfig(listenPort, bind, peer, storage, useTrackers, tracker, maxConnections, maxHalfOpen,
                activeDownloads, activeSeeds, inactiveAfter, inactiveRate, memoryCap, limits, disk, config);
    }
}
