package org.jtorrent.metainfo;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BDocument;
import org.jtorrent.bencode.BInt;
import org.jtorrent.bencode.BList;
import org.jtorrent.bencode.BString;
import org.jtorrent.bencode.BValue;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.bencode.BencodeException;
import org.jtorrent.bencode.BencodeLimits;
import org.jtorrent.id.InfoHash;

/**
 * Reads a .torrent the way libtorrent 2.0 does, check for check and in the same order, so that both
 * accept and reject the same files (the corpus test holds us to it). Paths are sanitised rather
 * than rejected, as libtorrent does; see {@link PathSanitizer}.
 */
final class MetainfoParser {
    /** libtorrent's default {@code max_pieces}: bounds the piece bitfield and hash list. */
    static final int MAX_PIECES = 0x200000;
    /** libtorrent's {@code file_storage::max_file_size}. */
    static final long MAX_FILE_SIZE = (1L << 48) - 1;
    static final BencodeLimits LIMITS = new BencodeLimits(100, BencodeLimits.TOKEN_CAPACITY);

    private static final String PAD_MARKER = "_____padding_file_";

    private MetainfoParser() {
    }

    static Metainfo parse(byte[] torrent) throws InvalidTorrentException {
        BDocument doc;
        try {
            // Bytes after the top-level dictionary are tolerated: real torrents end with a stray newline.
            doc = Bencode.decodePrefix(torrent, 0, torrent.length, LIMITS);
        } catch (BencodeException e) {
            throw new InvalidTorrentException(e.getMessage());
        }
        if (!(doc.root() instanceof BDict root)) throw new InvalidTorrentException("torrent file is not a dictionary");
        if (!(root.get("info").orElse(null) instanceof BDict info)) {
            throw new InvalidTorrentException("missing or invalid 'info' section in torrent file");
        }
        byte[] infoBytes = info.rawBytes();
        InfoHash infoHash = InfoHash.of(sha1(infoBytes));
        InfoDict infoDict = parseInfo(info, infoHash);
        return new Metainfo(infoHash, infoBytes, infoDict, trackers(root), webSeeds(root),
                integer(root, "creation date").filter(t -> t >= 0).map(Instant::ofEpochSecond),
                text(root, "comment.utf-8").or(() -> text(root, "comment")),
                text(root, "created by"));
    }

    private static InfoDict parseInfo(BDict info, InfoHash infoHash) throws InvalidTorrentException {
        long version = integer(info, "meta version").orElse(-1L);
        if (version > 0) {
            // BEP 52 requires canonical dictionaries; libtorrent enforces it only for v2 torrents.
            if (!isCanonical(info)) throw new InvalidTorrentException("invalid bencoding");
            if (version > 2) throw new InvalidTorrentException("unknown torrent meta version " + version);
        }
        long pieceLength = integer(info, "piece length").orElse(-1L);
        if (pieceLength <= 0 || pieceLength > Integer.MAX_VALUE / 2
                || (version > 1 && (pieceLength < PieceLayout.BLOCK_SIZE || Long.bitCount(pieceLength) != 1))) {
            throw new InvalidTorrentException("invalid or missing 'piece length' entry in torrent file");
        }
        BString rawName = string(info, "name.utf-8").or(() -> string(info, "name"))
                .orElseThrow(() -> new InvalidTorrentException("missing name in torrent file"));
        String name = PathSanitizer.element(nameBytes(rawName)).orElse(infoHash.hex());

        Optional<BList> fileList = info.get("files").filter(BList.class::isInstance).map(BList.class::cast);
        Optional<BDict> fileTree = info.get("file tree").filter(BDict.class::isInstance).map(BDict.class::cast);
        List<V2File> v2Files = null;
        if (version >= 2) {
            if (fileTree.isEmpty()) throw new InvalidTorrentException("missing 'file tree' in v2 torrent");
            v2Files = new ArrayList<>();
            readFileTree(fileTree.get(), new ArrayList<>(), 0, v2Files);
        } else if (fileTree.isPresent()) {
            throw new InvalidTorrentException("torrent has a 'file tree' but no 'meta version'");
        }

        FileListBuilder files = new FileListBuilder();
        boolean multiFile = fileList.isPresent();
        if (multiFile) {
            for (BValue entry : fileList.get()) {
                if (!(entry instanceof BDict file)) throw new InvalidTorrentException("failed to parse files from torrent file");
                readFile(file, name, files);
            }
        } else if (version < 2 || info.containsKey("length")) {
            readSingleFile(info, files);
        } else {
            throw new InvalidTorrentException("v2-only torrents (BEP 52) are not supported yet: this one has no v1 part");
        }
        if (files.isEmpty()) throw new InvalidTorrentException("no files in torrent");
        if (v2Files != null && !files.sameContentAs(v2Files, pieceLength, multiFile)) {
            throw new InvalidTorrentException("the v1 and v2 file metadata does not match");
        }
        long total = files.totalLength();
        if (total / pieceLength >= Integer.MAX_VALUE) throw new InvalidTorrentException("too many pieces in torrent");
        long pieceCount = (total + pieceLength - 1) / pieceLength;
        if (pieceCount >= Integer.MAX_VALUE / 20 || pieceCount > MAX_PIECES) {
            throw new InvalidTorrentException("too many pieces in torrent");
        }
        BString pieces = string(info, "pieces")
                .orElseThrow(() -> new InvalidTorrentException("invalid or missing 'pieces' entry in torrent file"));
        if (pieces.length() != pieceCount * 20) {
            throw new InvalidTorrentException("incorrect number of piece hashes in torrent file");
        }
        boolean isPrivate = integer(info, "private").orElse(0L) != 0;
        if (total == 0) throw new InvalidTorrentException("invalid length of torrent");
        List<FileEntry> entries = files.build();
        PieceLayout layout = new PieceLayout(total, (int) pieceLength, entries);
        return new InfoDict(name, multiFile, entries, layout, pieces.bytes(), isPrivate);
    }

    private static void readSingleFile(BDict info, FileListBuilder files) throws InvalidTorrentException {
        FileAttributes attributes = attributes(info);
        long length = fileLength(info, attributes);
        byte[] rawName = nameBytes(string(info, "name.utf-8").or(() -> string(info, "name")).orElseThrow());
        if (rawName.length == 0) throw new InvalidTorrentException("missing name in torrent file");
        String name = PathSanitizer.element(rawName)
                .orElseThrow(() -> new InvalidTorrentException("missing name in torrent file"));
        files.add(List.of(name), length, attributes);
    }

    /** The name up to its first NUL byte: libtorrent reads it as a C string (corpus: bad_name.torrent). */
    private static byte[] nameBytes(BString name) {
        byte[] bytes = name.bytes();
        for (int i = 0; i < bytes.length; i++) if (bytes[i] == 0) return Arrays.copyOf(bytes, i);
        return bytes;
    }

    private static void readFile(BDict file, String root, FileListBuilder files) throws InvalidTorrentException {
        FileAttributes attributes = attributes(file);
        long length = fileLength(file, attributes);
        Optional<BList> path = list(file, "path.utf-8").or(() -> list(file, "path"));
        List<String> elements = new ArrayList<>();
        elements.add(root);
        if (path.isPresent() && !path.get().isEmpty()) {
            for (BValue element : path.get()) {
                if (!(element instanceof BString s)) {
                    throw new InvalidTorrentException("invalid 'name' of torrent (possible exploit attempt)");
                }
                PathSanitizer.element(s.bytes()).ifPresent(elements::add);
            }
            if (elements.size() == 1) elements.add("_"); // every element was sanitised away
        } else if (attributes.padding()) {
            elements = List.of(".pad", Long.toString(length)); // padding needs no name; never written
        } else {
            throw new InvalidTorrentException("missing name in torrent file");
        }
        if (attributes.symlink()) {
            // The link target is not followed or created yet (symlinks are stored as empty files), but a
            // malformed target rejects the torrent as libtorrent does.
            Optional<BList> target = list(file, "symlink path");
            if (target.isPresent()) {
                for (BValue element : target.get()) {
                    if (!(element instanceof BString)) {
                        throw new InvalidTorrentException("invalid 'name' of torrent (possible exploit attempt)");
                    }
                }
            }
        }
        if (elements.stream().anyMatch(e -> e.contains(PAD_MARKER))) attributes = attributes.withPadding();
        files.add(elements, length, attributes);
    }

    private static long fileLength(BDict file, FileAttributes attributes) throws InvalidTorrentException {
        // A symlink takes no bytes of the payload.
        long length = attributes.symlink() ? 0 : integer(file, "length").orElse(-1L);
        if (length < 0 || length / PieceLayout.BLOCK_SIZE >= Integer.MAX_VALUE / 2 || length > MAX_FILE_SIZE) {
            throw new InvalidTorrentException("invalid length of torrent");
        }
        return length;
    }

    private static FileAttributes attributes(BDict file) {
        return string(file, "attr").map(a -> FileAttributes.parse(a.utf8())).orElse(FileAttributes.NONE);
    }

    // ---- v2 file tree, read only to check that a hybrid torrent's two halves agree -------------

    record V2File(List<String> path, long length) {
    }

    private static void readFileTree(BDict tree, List<String> prefix, int depth, List<V2File> out)
            throws InvalidTorrentException {
        if (depth > 100) throw new InvalidTorrentException("failed to parse files from torrent file");
        for (BDict.Entry entry : tree.entries()) {
            if (!(entry.value() instanceof BDict node) || entry.key().length() == 0) {
                throw new InvalidTorrentException("failed to parse files from torrent file");
            }
            List<String> path = new ArrayList<>(prefix);
            PathSanitizer.element(entry.key().bytes()).ifPresent(path::add);
            Optional<BValue> leaf = node.size() == 1 ? node.get("") : Optional.empty();
            if (leaf.isPresent()) {
                if (!(leaf.get() instanceof BDict file)) throw new InvalidTorrentException("failed to parse files from torrent file");
                FileAttributes attributes = attributes(file);
                if (attributes.padding()) {
                    throw new InvalidTorrentException("a file in the v2 metadata has the pad attribute set");
                }
                long length = fileLength(file, attributes);
                if (!attributes.symlink() && length > 0) { // BEP 52: empty files have no root
                    BString root = string(file, "pieces root").filter(r -> r.length() == 32)
                            .orElseThrow(() -> new InvalidTorrentException("a v2 file entry has no root hash"));
                    if (Arrays.equals(root.bytes(), new byte[32])) {
                        throw new InvalidTorrentException("a v2 file entry has no root hash");
                    }
                }
                out.add(new V2File(path, length));
            } else {
                readFileTree(node, path, depth + 1, out);
            }
        }
    }

    /** Whether every dictionary in the value has its keys strictly ascending as raw bytes. */
    private static boolean isCanonical(BValue value) {
        switch (value) {
            case BDict dict -> {
                byte[] previous = null;
                for (BDict.Entry e : dict.entries()) {
                    byte[] key = e.key().bytes();
                    if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) return false;
                    if (!isCanonical(e.value())) return false;
                    previous = key;
                }
                return true;
            }
            case BList list -> {
                for (BValue v : list) if (!isCanonical(v)) return false;
                return true;
            }
            default -> {
                return true;
            }
        }
    }

    // ---- outside the info dictionary ------------------------------------------------------------

    private static List<List<String>> trackers(BDict root) {
        List<List<String>> tiers = new ArrayList<>();
        list(root, "announce-list").ifPresent(announceList -> {
            for (BValue tier : announceList) {
                if (!(tier instanceof BList urls)) continue;
                List<String> kept = new ArrayList<>();
                for (BValue url : urls) {
                    if (url instanceof BString s) {
                        String trimmed = s.utf8().stripLeading();
                        if (!trimmed.isEmpty()) kept.add(trimmed);
                    }
                }
                if (!kept.isEmpty()) tiers.add(kept);
            }
        });
        if (tiers.isEmpty()) {
            text(root, "announce").map(String::stripLeading).filter(s -> !s.isEmpty())
                    .ifPresent(url -> tiers.add(List.of(url)));
        }
        return tiers;
    }

    private static List<String> webSeeds(BDict root) {
        Set<String> urls = new LinkedHashSet<>();
        switch (root.get("url-list").orElse(null)) {
            case BString single -> urls.add(single.utf8());
            case BList list -> list.forEach(v -> {
                if (v instanceof BString s) urls.add(s.utf8());
            });
            case null, default -> {
            }
        }
        urls.remove("");
        return List.copyOf(urls);
    }

    // ---- typed lookups: a value of the wrong type counts as absent, as in libtorrent -------------

    static Optional<Long> integer(BDict dict, String key) {
        return dict.get(key).filter(BInt.class::isInstance).map(v -> ((BInt) v).value());
    }

    static Optional<BString> string(BDict dict, String key) {
        return dict.get(key).filter(BString.class::isInstance).map(BString.class::cast);
    }

    static Optional<String> text(BDict dict, String key) {
        return string(dict, key).map(BString::utf8);
    }

    static Optional<BList> list(BDict dict, String key) {
        return dict.get(key).filter(BList.class::isInstance).map(BList.class::cast);
    }

    static byte[] sha1(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
