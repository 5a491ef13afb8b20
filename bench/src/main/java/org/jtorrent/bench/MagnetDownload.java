package org.jtorrent.bench;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.SessionEvent;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.metainfo.MagnetLink;

/**
 * Downloads one torrent given by its magnet link in one {@link Session} with the defaults, for
 * {@code bench/magnet-bench.sh}, and says when each stage was reached, in the words of
 * {@code bench/lt_magnet.py}, its libtorrent counterpart: seconds from the link being added to the
 * metadata verified, to the first piece verified, and to completion. Exits 0 once complete and the
 * session closed (files closed), 1 if it failed.
 *
 * <pre>MagnetDownload MAGNET OUTDIR   -> "metadata_s=M first_piece_s=F complete_s=C"</pre>
 */
public final class MagnetDownload {
    private MagnetDownload() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: MagnetDownload MAGNET OUTDIR");
            System.exit(2);
        }
        MagnetLink magnet = MagnetLink.parse(args[0]);
        CompletableFuture<Long> metadata = new CompletableFuture<>();
        CompletableFuture<Long> firstPiece = new CompletableFuture<>();
        long added;
        long complete;
        try (Session session = new Session(SessionConfig.defaults())) {
            session.listen(event -> {
                if (event instanceof SessionEvent.MetadataReceived) metadata.complete(System.nanoTime());
                if (event instanceof SessionEvent.PieceVerified) firstPiece.complete(System.nanoTime());
            });
            session.start();
            added = System.nanoTime();
            TorrentHandle handle = session.add(magnet, TorrentOptions.in(Path.of(args[1])));
            try {
                handle.completion().get(10, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                System.err.println(handle.status().state() + " " + handle.status().error());
                System.exit(1);
            }
            complete = System.nanoTime();
        }
        // Events are delivered on the session's thread: the first piece may be told after completion is.
        System.out.printf("metadata_s=%.3f first_piece_s=%.3f complete_s=%.3f%n", (metadata.get(5, TimeUnit.SECONDS) - added) / 1e9,
                (firstPiece.get(5, TimeUnit.SECONDS) - added) / 1e9, (complete - added) / 1e9);
    }
}
