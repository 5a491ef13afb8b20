package org.jtorrent.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jtorrent.engine.Download;
import org.jtorrent.engine.DownloadOptions;
import org.jtorrent.engine.DownloadResult;
import org.jtorrent.metainfo.Metainfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jtorrent download}: fetch a torrent from peers given on the command line, no tracker. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = "Download a torrent from the given peers (no tracker) and serve it to peers that connect.")
final class DownloadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE.torrent", description = "the .torrent file")
    Path torrent;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "download folder")
    Path output;

    @Option(names = "--peer", paramLabel = "HOST:PORT", description = "a peer to download from (repeatable)")
    List<String> peers = new ArrayList<>();

    @Option(names = "--port", paramLabel = "N", description = "listen port for incoming peers (default: any free port)")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", description = "local address to listen on and dial from (default: loopback)")
    String bind;

    @Option(names = "--json", description = "print one JSON object with the result at the end")
    boolean json;

    @Option(names = "--keep-serving", description = "after completion, keep serving peers until interrupted")
    boolean keepServing;

    @Override
    public Integer call() throws Exception {
        Metainfo metainfo = Metainfo.load(torrent);
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String p : peers) addresses.add(parsePeer(p));
        DownloadOptions options = DownloadOptions.defaults(output, addresses).withListenPort(port);
        if (bind != null) options = options.withBind(InetAddress.getByName(bind));
        try (Download download = Download.start(metainfo, options)) {
            if (!json) System.err.println("listening on port " + download.listenPort());
            while (!download.awaitComplete(Duration.ofSeconds(1))) {
                // waiting: progress reporting belongs to a later issue
            }
            if (keepServing) Thread.sleep(Long.MAX_VALUE);
            DownloadResult result = download.result();
            if (json) System.out.println(result.toJson());
            else System.out.printf("complete: %d bytes downloaded, %d uploaded in %.1f s%n", result.downloadedBytes(),
                    result.uploadedBytes(), result.wallSeconds());
            return 0;
        }
    }

    static InetSocketAddress parsePeer(String peer) {
        int colon = peer.lastIndexOf(':');
        if (colon <= 0 || colon == peer.length() - 1) throw new IllegalArgumentException("peer must be HOST:PORT: " + peer);
        String host = peer.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port = Integer.parseInt(peer.substring(colon + 1));
        if (port < 1 || port > 65535) throw new IllegalArgumentException("bad port in " + peer);
        return new InetSocketAddress(host, port);
    }
}
