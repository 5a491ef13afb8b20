package org.jtorrent.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The two decoding workloads, generated deterministically (fixed seeds) so that the JMH benchmarks,
 * the retained-heap probe and the libtorrent program all decode exactly the same bytes.
 *
 * <p>They are written by hand rather than with our {@code Encoder}, so that an encoder bug cannot
 * change what the decoders are compared on.
 */
public final class BenchInputs {
    /** Peers in the tracker reply: a big swarm's non-compact reply (BEP 3 dictionary model). */
    public static final int PEERS = 1_000_000;
    /** Pieces and files of the big torrent: 1M pieces = a 20 MB {@code pieces} string. */
    public static final int PIECES = 1_000_000;
    public static final int FILES = 100_000;

    private BenchInputs() {
    }

    /** {@code d8:intervali1800e5:peersl} + one {@code d2:ip..7:peer id20:..4:porti..ee} per peer + {@code ee}. */
    public static byte[] trackerReply(int peers) {
        SplittableRandom random = new SplittableRandom(1);
        Out out = new Out(peers * 64 + 64);
        out.ascii("d8:intervali1800e5:peersl");
        byte[] peerId = new byte[20];
        for (int i = 0; i < peers; i++) {
            String ip = (10 + random.nextInt(200)) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                    + (1 + random.nextInt(254));
            random.nextBytes(peerId);
            out.ascii("d2:ip").string(ip).ascii("7:peer id").string(peerId)
                    .ascii("4:porti").ascii(Integer.toString(1024 + random.nextInt(64_512))).ascii("ee");
        }
        return out.ascii("ee").toByteArray();
    }

    /**
     * A multi-file torrent: {@code files} entries with nested paths (1 to 4 directories deep) and a
     * {@code pieces} string of 20 bytes per piece. Keys are in canonical (sorted) order.
     */
    public static byte[] bigTorrent(int pieces, int files) {
        SplittableRandom random = new SplittableRandom(2);
        Out out = new Out(pieces * 20 + files * 80 + 256);
        out.ascii("d8:announce").string("http://tracker.example.org:6969/announce")
                .ascii("13:creation datei1700000000e4:infod5:filesl");
        for (int i = 0; i < files; i++) {
            out.ascii("d6:lengthi").ascii(Long.toString(1 + random.nextLong(1L << 32))).ascii("e4:pathl");
            int dirs = 1 + random.nextInt(4);
            for (int d = 0; d < dirs; d++) out.string("dir" + random.nextInt(100));
            out.string("file-" + i + ".bin").ascii("ee");
        }
        out.ascii("e4:name").string("big-torrent").ascii("12:piece lengthi262144e6:pieces")
                .ascii(Integer.toString(pieces * 20)).ascii(":");
        byte[] hash = new byte[20];
        for (int i = 0; i < pieces; i++) {
            random.nextBytes(hash);
            out.write(hash, 0, hash.length);
        }
        return out.ascii("ee").toByteArray();
    }

    public static byte[] trackerReply() {
        return trackerReply(PEERS);
    }

    public static byte[] bigTorrent() {
        return bigTorrent(PIECES, FILES);
    }

    /** The named input: {@code tracker} or {@code torrent}. */
    public static byte[] named(String name) {
        return switch (name) {
            case "tracker" -> trackerReply();
            case "torrent" -> bigTorrent();
            default -> throw new IllegalArgumentException("unknown input " + name + " (tracker, torrent)");
        };
    }

    private static final class Out extends ByteArrayOutputStream {
        Out(int size) {
            super(size);
        }

        Out ascii(String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            write(b, 0, b.length);
            return this;
        }

        Out string(String s) {
            return string(s.getBytes(StandardCharsets.UTF_8));
        }

        Out string(byte[] b) {
            ascii(Integer.toString(b.length)).ascii(":");
            write(b, 0, b.length);
            return this;
        }
    }
}
