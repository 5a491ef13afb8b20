package org.jtorrent.metainfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jtorrent.id.InfoHash;

/**
 * A parsed .torrent file (BEP 3, 12, 19, 27, 47; hybrid v1+v2 torrents through their v1 part).
 *
 * @param infoHash     SHA-1 of the original bytes of the {@code info} dictionary
 * @param infoBytes    those original bytes, as a peer asking for metadata (BEP 9) must receive them
 * @param trackers     announce URLs by tier ({@code announce-list}, or else {@code announce})
 * @param webSeeds     BEP 19 {@code url-list}
 */
public record Metainfo(InfoHash infoHash, byte[] infoBytes, InfoDict info, List<List<String>> trackers,
                       List<String> webSeeds, Optional<Instant> creationDate, Optional<String> comment,
                       Optional<String> createdBy) {

    /** Largest .torrent we read: a bound on memory, larger than any real torrent (libtorrent: 80 MB). */
    public static final int MAX_FILE_SIZE = 100 * 1024 * 1024;

    public Metainfo {
        trackers = trackers.stream().map(List::copyOf).toList();
        webSeeds = List.copyOf(webSeeds);
    }

    public static Metainfo load(Path torrentFile) throws IOException, InvalidTorrentException {
        long size = Files.size(torrentFile);
        if (size > MAX_FILE_SIZE) {
            throw new InvalidTorrentException("torrent file is " + size + " bytes, more than the "
                    + MAX_FILE_SIZE + " we accept");
        }
        return parse(Files.readAllBytes(torrentFile));
    }

    public static Metainfo parse(byte[] torrent) throws InvalidTorrentException {
        return MetainfoParser.parse(torrent);
    }

    /**
     * The metadata of a torrent known first by its magnet link: its info dictionary as fetched from
     * peers (BEP 9; the caller checked it against the info-hash), with the magnet's trackers (one tier
     * each) and web seeds. Parsed as a .torrent made of them would be, with the same limits.
     */
    public static Metainfo fromInfo(byte[] infoBytes, List<List<String>> trackers, List<String> webSeeds)
            throws InvalidTorrentException {
        java.util.Map<String, Object> head = new java.util.TreeMap<>();
        List<String> first = trackers.stream().flatMap(List::stream).limit(1).toList();
        if (!first.isEmpty()) {
            head.put("announce", first.get(0));
            head.put("announce-list", trackers.stream().filter(tier -> !tier.isEmpty()).toList());
        }
        byte[] before = org.jtorrent.bencode.Bencode.encode(head); // "d...e": the info goes before its "e", keys in order
        byte[] infoKey = "4:info".getBytes(StandardCharsets.US_ASCII);
        byte[] after = webSeeds.isEmpty() ? new byte[0] : org.jtorrent.bencode.Bencode.encode(java.util.Map.of("url-list", webSeeds));
        java.io.ByteArrayOutputStream torrent = new java.io.ByteArrayOutputStream(before.length + infoBytes.length + after.length + 8);
        torrent.write(before, 0, before.length - 1);
        torrent.writeBytes(infoKey);
        torrent.writeBytes(infoBytes);
        if (after.length > 0) torrent.write(after, 1, after.length - 2); // "url-list" sorts after "info"
        torrent.write('e');
        return parse(torrent.toByteArray());
    }

    /**
     * This torrent as a .torrent file: the info dictionary's original bytes (so the info-hash stays
     * the same, whatever our encoder would make of it), the trackers, the web seeds and the optional
     * fields. What the state directory keeps of a torrent added from parsed metadata.
     */
    public byte[] toTorrentFile() {
        java.util.Map<String, Object> torrent = new java.util.HashMap<>();
        List<String> first = trackers.stream().flatMap(List::stream).limit(1).toList();
        if (!first.isEmpty()) {
            torrent.put("announce", first.get(0));
            torrent.put("announce-list", trackers.stream().filter(tier -> !tier.isEmpty()).toList());
        }
        if (!webSeeds.isEmpty()) torrent.put("url-list", webSeeds);
        comment.ifPresent(c -> torrent.put("comment", c));
        createdBy.ifPresent(c -> torrent.put("created by", c));
        creationDate.ifPresent(d -> torrent.put("creation date", d.getEpochSecond()));
        torrent.put("info", org.jtorrent.bencode.Bencode.decode(infoBytes).root());
        return org.jtorrent.bencode.Bencode.encode(torrent);
    }

    /** The magnet link (BEP 9): info-hash, name, every tracker once, web seeds ({@link MagnetLink#toUri()}). */
    public String magnetLink() {
        return MagnetLink.of(this).toUri();
    }
}
