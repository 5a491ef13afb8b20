package org.jtorrent.bench;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.engine.TorrentStatus;
import org.jtorrent.metainfo.Metainfo;

/**
 * Downloads every torrent given at once in one {@link Session} (one port), each from the peer
 * given, for {@code bench/session-bench.sh}: the library as a program embeds it, with the session's
 * defaults except that all the torrents are active at once (as libtorrent's, not auto-managed, in
 * the same benchmark) and trackers are not asked. Exits 0 once every torrent is complete and the
 * session closed (files closed, resume data written), 1 if one failed.
 *
 * <pre>SessionDownload OUTDIR HOST:PORT TORRENT...   -> "all N complete in S s" (from main)</pre>
 */
public final class SessionDownload {
    private SessionDownload() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        if (args.length < 3) {
            System.err.println("usage: SessionDownload OUTDIR HOST:PORT TORRENT...");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int colon = args[1].lastIndexOf(':');
        InetSocketAddress peer = new InetSocketAddress(args[1].substring(0, colon), Integer.parseInt(args[1].substring(colon + 1)));
        List<Metainfo> torrents = new ArrayList<>();
        for (int i = 2; i < args.length; i++) torrents.add(Metainfo.load(Path.of(args[i])));

        SessionConfig defaults = SessionConfig.defaults().withTrackers(false, SessionConfig.defaults().tracker());
        SessionConfig config = defaults.withQueue(torrents.size(), torrents.size(), defaults.inactiveAfter(), defaults.inactiveRate());
        boolean failed = false;
        try (Session session = new Session(config)) {
            session.start();
            List<TorrentHandle> handles = new ArrayList<>();
            for (Metainfo m : torrents) handles.add(session.add(m, TorrentOptions.in(out).withPeers(List.of(peer))));
            for (TorrentHandle h : handles) {
                try {
                    h.completion().join();
                } catch (java.util.concurrent.CompletionException e) {
                    TorrentStatus s = h.status();
                    System.err.println(s.name() + ": " + s.state() + " " + s.error());
                    failed = true;
                }
            }
        }
        if (failed) System.exit(1);
        System.out.printf("all %d complete in %.3f s%n", torrents.size(), (System.nanoTime() - start) / 1e9);
    }
}
