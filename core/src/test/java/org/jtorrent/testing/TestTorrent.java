package org.jtorrent.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InvalidTorrentException;
import org.jtorrent.metainfo.Metainfo;

/**
 * A torrent built in memory for tests: deterministic content, real SHA-1 piece hashes, encoded and
 * parsed through the production parser so the layout is exactly what a .torrent would give.
 *
 * @param content the whole byte stream, padding (zeros) included
 */
public record TestTorrent(Metainfo metainfo, byte[] content) {

    /** A file of the torrent: path relative to the torrent's top folder, size, BEP 47 padding. */
    public record Spec(String path, int size, boolean padding) {
        public static Spec file(String path, int size) {
            return new Spec(path, size, false);
        }

        public static Spec pad(int size) {
            return new Spec(".pad/" + size, size, true);
        }
    }

    public static TestTorrent single(String name, int size, int pieceLength) {
        return single(name, size, pieceLength, false);
    }

    /** A single-file torrent with BEP 27's private flag. */
    public static TestTorrent privateSingle(String name, int size, int pieceLength) {
        return single(name, size, pieceLength, true);
    }

    private static TestTorrent single(String name, int size, int pieceLength, boolean isPrivate) {
        byte[] content = random(size, name.hashCode());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("length", (long) size);
        info.put("name", name);
        info.put("piece length", (long) pieceLength);
        info.put("pieces", hashes(content, pieceLength));
        if (isPrivate) info.put("private", 1L);
        return parse(info, content);
    }

    public static TestTorrent multi(String name, int pieceLength, Spec... files) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Object> list = new ArrayList<>();
        long seed = name.hashCode();
        for (Spec f : files) {
            byte[] bytes = f.padding() ? new byte[f.size()] : random(f.size(), seed++);
            stream.writeBytes(bytes);
            Map<String, Object> entry = new LinkedHashMap<>();
            if (f.padding()) entry.put("attr", "p");
            entry.put("length", (long) f.size());
            entry.put("path", new ArrayList<Object>(Arrays.asList((Object[]) f.path().split("/"))));
            list.add(entry);
        }
        byte[] content = stream.toByteArray();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("files", list);
        info.put("name", name);
        info.put("piece length", (long) pieceLength);
        info.put("pieces", hashes(content, pieceLength));
        return parse(info, content);
    }

    /** The bytes a file should hold. */
    /**
     * {@code count} torrents, alternately a single file and a tree (nested folders, an empty file,
     * files across piece boundaries, a one-byte last piece), each with its own name and content.
     * {@code scale} (a power of two) multiplies their sizes and piece lengths: 1 gives 0.2-0.6 MB each in 16-64 KiB pieces.
     */
    public static List<TestTorrent> mixed(int count, int scale) {
        List<TestTorrent> torrents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int piece = scale * (16 * 1024 << (i % 3));
            if (i % 2 == 0) {
                torrents.add(TestTorrent.single("single-" + i + ".bin", scale * (200_000 + 37_123 * i) + 1, piece));
            } else {
                torrents.add(TestTorrent.multi("tree-" + i, piece,
                        Spec.file("a/b/deep.bin", scale * (90_001 + 1_000 * i)),
                        Spec.file("a/empty.txt", 0),
                        Spec.file("a/mid.bin", scale * 150_000),
                        Spec.file("top.bin", 12_345 + i),
                        Spec.file("z/last.bin", scale * 65_536 + 1)));
            }
        }
        return torrents;
    }

    public byte[] expected(FileEntry file) {
        return Arrays.copyOfRange(content, (int) file.offset(), (int) file.end());
    }

    public byte[] piece(int piece) {
        long start = metainfo.info().layout().pieceOffset(piece);
        return Arrays.copyOfRange(content, (int) start, (int) start + metainfo.info().layout().pieceSize(piece));
    }

    /** Writes the complete, correct data below {@code folder}, as a seeder would hold it. */
    public void writeTo(Path folder) throws IOException {
        for (FileEntry f : metainfo.info().files()) {
            if (f.isPadding()) continue;
            Path p = f.resolveIn(folder);
            Files.createDirectories(p.getParent());
            Files.write(p, expected(f));
        }
    }

    /** The same torrent (same info-hash) announcing to these tiers of trackers (BEP 12). */
    public TestTorrent withTrackers(List<List<String>> tiers) {
        try {
            return new TestTorrent(Metainfo.parse(encode(metainfo.infoBytes(), tiers)), content);
        } catch (InvalidTorrentException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the .torrent file. */
    public Path writeTorrent(Path file) throws IOException {
        Files.write(file, torrentBytes());
        return file;
    }

    private byte[] torrentBytes() {
        return encode(metainfo.infoBytes(), metainfo.trackers());
    }

    /** The .torrent around the original info bytes, so the info-hash never changes. */
    private static byte[] encode(byte[] info, List<List<String>> tiers) {
        if (!tiers.isEmpty()) {
            Map<String, Object> head = new LinkedHashMap<>(); // keys sort before "info"
            head.put("announce", tiers.get(0).get(0));
            List<Object> list = new ArrayList<>();
            for (List<String> tier : tiers) list.add(new ArrayList<Object>(tier));
            head.put("announce-list", list);
            byte[] dict = Bencode.encode(head);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(dict, 0, dict.length - 1); // without the closing 'e'
            out.writeBytes("4:info".getBytes());
            out.writeBytes(info);
            out.write('e');
            return out.toByteArray();
        }
        byte[] head = "d4:info".getBytes();
        byte[] out = Arrays.copyOf(head, head.length + info.length + 1);
        System.arraycopy(info, 0, out, head.length, info.length);
        out[out.length - 1] = 'e';
        return out;
    }

    private static TestTorrent parse(Map<String, Object> info, byte[] content) {
        Map<String, Object> torrent = new LinkedHashMap<>();
        torrent.put("info", info);
        try {
            return new TestTorrent(Metainfo.parse(Bencode.encode(torrent)), content);
        } catch (InvalidTorrentException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] hashes(byte[] content, int pieceLength) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int start = 0; start < content.length; start += pieceLength) {
                MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                sha1.update(content, start, Math.min(pieceLength, content.length - start));
                out.writeBytes(sha1.digest());
            }
            return out.toByteArray();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
