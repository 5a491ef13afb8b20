package org.jtorrent.state;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BInt;
import org.jtorrent.bencode.BList;
import org.jtorrent.bencode.BString;
import org.jtorrent.bencode.BValue;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.bencode.BencodeException;
import org.jtorrent.id.InfoHash;

/**
 * A torrent's options and the counters that must outlive the process, as the state directory keeps
 * them ({@code <info-hash>.settings}, bencoded: the core has no JSON). The name and trackers are
 * there so a torrent known only by its info-hash (a magnet, before its info dictionary arrives)
 * can be shown and announced.
 *
 * <p>Decoding is lenient where it can be and strict where it must be: unknown keys are ignored
 * (a newer version may add some), missing keys take the defaults of {@link #of}, except
 * {@code info-hash} and {@code save-path}, without which the record means nothing; a value of the
 * wrong type or out of range is an {@link InvalidRecordException} naming the key.
 *
 * @param infoHash          which torrent
 * @param name              display name (the info dictionary's name once known)
 * @param trackers          announce tiers, as in the .torrent or magnet
 * @param savePath          the download folder, absolute
 * @param filePriorities    per file, 0 = do not download, higher first; empty = all {@link #DEFAULT_PRIORITY}
 * @param sequential        download in piece order
 * @param paused            stays paused when the session starts again
 * @param uploadLimit       bytes/s, 0 = none
 * @param downloadLimit     bytes/s, 0 = none
 * @param seedRatio         stop seeding at this upload/download ratio, 0 = no goal; kept to thousandths
 * @param seedTimeSeconds   stop seeding after this long, 0 = no goal
 * @param queuePosition     place in the queue, 0 first
 * @param addedEpochSeconds when the torrent was added
 * @param totalUploaded     payload bytes uploaded over all runs
 * @param totalDownloaded   payload bytes downloaded over all runs
 */
public record TorrentSettings(InfoHash infoHash, String name, List<List<String>> trackers, Path savePath,
                              int[] filePriorities, boolean sequential, boolean paused, long uploadLimit,
                              long downloadLimit, double seedRatio, long seedTimeSeconds, int queuePosition,
                              long addedEpochSeconds, long totalUploaded, long totalDownloaded) {
    public static final int DEFAULT_PRIORITY = org.jtorrent.metainfo.Priorities.DEFAULT;
    /** The highest file priority (libtorrent's top priority too). */
    public static final int MAX_PRIORITY = 7;
    /** A seed ratio goal beyond this is a mistake, not a goal. */
    public static final double MAX_SEED_RATIO = 1_000_000;
    /** The format this code writes; a record of a later, incompatible one is refused. */
    static final int FORMAT = 1;

    public TorrentSettings {
        if (infoHash == null || name == null || savePath == null) throw new IllegalArgumentException("null field");
        trackers = trackers.stream().map(List::copyOf).toList();
        savePath = savePath.toAbsolutePath();
        filePriorities = filePriorities.clone();
        for (int p : filePriorities) {
            if (p < 0 || p > MAX_PRIORITY) throw new IllegalArgumentException("file priority " + p + " not in 0.." + MAX_PRIORITY);
        }
        if (!(seedRatio >= 0 && seedRatio <= MAX_SEED_RATIO)) throw new IllegalArgumentException("seed ratio " + seedRatio);
        seedRatio = Math.round(seedRatio * 1000) / 1000.0;
        requireNonNegative("upload limit", uploadLimit);
        requireNonNegative("download limit", downloadLimit);
        requireNonNegative("seed time", seedTimeSeconds);
        requireNonNegative("queue position", queuePosition);
        requireNonNegative("uploaded", totalUploaded);
        requireNonNegative("downloaded", totalDownloaded);
    }

    private static void requireNonNegative(String what, long value) {
        if (value < 0) throw new IllegalArgumentException(what + " is negative: " + value);
    }

    /** A new torrent's settings: every option at its default, added now. */
    public static TorrentSettings of(InfoHash infoHash, String name, List<List<String>> trackers, Path savePath) {
        return new TorrentSettings(infoHash, name, trackers, savePath, new int[0], false, false, 0, 0, 0, 0, 0,
                System.currentTimeMillis() / 1000, 0, 0);
    }

    @Override
    public int[] filePriorities() {
        return filePriorities.clone();
    }

    /** File {@code index}'s priority (all files are at the default until priorities are set). */
    public int filePriority(int index) {
        return index < filePriorities.length ? filePriorities[index] : DEFAULT_PRIORITY;
    }

    public TorrentSettings withSavePath(Path path) {
        return new TorrentSettings(infoHash, name, trackers, path, filePriorities, sequential, paused, uploadLimit,
                downloadLimit, seedRatio, seedTimeSeconds, queuePosition, addedEpochSeconds, totalUploaded, totalDownloaded);
    }

    public TorrentSettings withPaused(boolean newPaused) {
        return new TorrentSettings(infoHash, name, trackers, savePath, filePriorities, sequential, newPaused, uploadLimit,
                downloadLimit, seedRatio, seedTimeSeconds, queuePosition, addedEpochSeconds, totalUploaded, totalDownloaded);
    }

    public TorrentSettings withFilePriorities(int[] priorities) {
        return new TorrentSettings(infoHash, name, trackers, savePath, priorities, sequential, paused, uploadLimit,
                downloadLimit, seedRatio, seedTimeSeconds, queuePosition, addedEpochSeconds, totalUploaded, totalDownloaded);
    }

    public TorrentSettings withSequential(boolean newSequential) {
        return new TorrentSettings(infoHash, name, trackers, savePath, filePriorities, newSequential, paused, uploadLimit,
                downloadLimit, seedRatio, seedTimeSeconds, queuePosition, addedEpochSeconds, totalUploaded, totalDownloaded);
    }

    public TorrentSettings withLimits(long newUploadLimit, long newDownloadLimit) {
        return new TorrentSettings(infoHash, name, trackers, savePath, filePriorities, sequential, paused, newUploadLimit,
                newDownloadLimit, seedRatio, seedTimeSeconds, queuePosition, addedEpochSeconds, totalUploaded, totalDownloaded);
    }

    public TorrentSettings withSeedGoals(double ratio, long timeSeconds) {
        return new TorrentSettings(infoHash, name, trackers, savePath, filePriorities, sequential, paused, uploadLimit,
                downloadLimit, ratio, timeSeconds, queuePosition, addedEpochSeconds, totalUploaded, totalDownloaded);
    }

    public TorrentSettings withQueuePosition(int position) {
        return new TorrentSettings(infoHash, name, trackers, savePath, filePriorities, sequential, paused, uploadLimit,
                downloadLimit, seedRatio, seedTimeSeconds, position, addedEpochSeconds, totalUploaded, totalDownloaded);
    }

    public TorrentSettings withTotals(long uploaded, long downloaded) {
        return new TorrentSettings(infoHash, name, trackers, savePath, filePriorities, sequential, paused, uploadLimit,
                downloadLimit, seedRatio, seedTimeSeconds, queuePosition, addedEpochSeconds, uploaded, downloaded);
    }

    // ---- the record's bencoded form ----

    public byte[] encode() {
        Map<String, Object> d = new TreeMap<>();
        d.put("format", FORMAT);
        d.put("info-hash", infoHash.bytes());
        d.put("name", name);
        d.put("trackers", trackers);
        d.put("save-path", savePath.toString());
        d.put("file-priorities", Arrays.stream(filePriorities).boxed().toList());
        d.put("sequential", sequential ? 1 : 0);
        d.put("paused", paused ? 1 : 0);
        d.put("upload-limit", uploadLimit);
        d.put("download-limit", downloadLimit);
        d.put("seed-ratio-thousandths", Math.round(seedRatio * 1000));
        d.put("seed-time", seedTimeSeconds);
        d.put("queue-position", queuePosition);
        d.put("added", addedEpochSeconds);
        d.put("uploaded", totalUploaded);
        d.put("downloaded", totalDownloaded);
        return Bencode.encode(d);
    }

    /** Reads a record {@link #encode} wrote (or a later version's, unknown keys ignored). */
    public static TorrentSettings decode(byte[] bytes) throws InvalidRecordException {
        BValue root;
        try {
            root = Bencode.decode(bytes).root();
        } catch (BencodeException e) {
            throw new InvalidRecordException("not bencode: " + e.getMessage());
        }
        if (!(root instanceof BDict d)) throw new InvalidRecordException("not a dictionary but a " + root.kind());
        long format = integer(d, "format", FORMAT, 1, Integer.MAX_VALUE);
        if (format != FORMAT) throw new InvalidRecordException("format " + format + " is newer than this version reads (" + FORMAT + ")");
        byte[] hash = string(d, "info-hash").map(BString::bytes)
                .orElseThrow(() -> new InvalidRecordException("no info-hash"));
        if (hash.length != 20) throw new InvalidRecordException("info-hash is " + hash.length + " bytes, not 20");
        String savePath = string(d, "save-path").map(BString::utf8)
                .orElseThrow(() -> new InvalidRecordException("no save-path"));
        Path path;
        try {
            path = Path.of(savePath);
        } catch (InvalidPathException e) {
            throw new InvalidRecordException("save-path is not a path: " + e.getReason());
        }
        if (!path.isAbsolute()) throw new InvalidRecordException("save-path is not absolute");
        try {
            return new TorrentSettings(InfoHash.of(hash), string(d, "name").map(BString::utf8).orElse(""), trackers(d),
                    path, priorities(d), flag(d, "sequential"), flag(d, "paused"),
                    integer(d, "upload-limit", 0, 0, Long.MAX_VALUE), integer(d, "download-limit", 0, 0, Long.MAX_VALUE),
                    integer(d, "seed-ratio-thousandths", 0, 0, (long) (MAX_SEED_RATIO * 1000)) / 1000.0,
                    integer(d, "seed-time", 0, 0, Long.MAX_VALUE), (int) integer(d, "queue-position", 0, 0, Integer.MAX_VALUE),
                    integer(d, "added", 0, 0, Long.MAX_VALUE), integer(d, "uploaded", 0, 0, Long.MAX_VALUE),
                    integer(d, "downloaded", 0, 0, Long.MAX_VALUE));
        } catch (IllegalArgumentException e) { // a value the checks above let through: still one line, never a crash
            throw new InvalidRecordException(e.getMessage());
        }
    }

    private static Optional<BString> string(BDict d, String key) throws InvalidRecordException {
        Optional<BValue> v = d.get(key);
        if (v.isEmpty()) return Optional.empty();
        if (v.get() instanceof BString s) return Optional.of(s);
        throw wrongType(key, "a string", v.get());
    }

    private static long integer(BDict d, String key, long missing, long min, long max) throws InvalidRecordException {
        Optional<BValue> v = d.get(key);
        if (v.isEmpty()) return missing;
        if (!(v.get() instanceof BInt i)) throw wrongType(key, "an integer", v.get());
        long value = i.value();
        if (value < min || value > max) throw new InvalidRecordException(key + " is " + value + ", not in " + min + ".." + max);
        return value;
    }

    private static boolean flag(BDict d, String key) throws InvalidRecordException {
        return integer(d, key, 0, 0, 1) == 1;
    }

    private static int[] priorities(BDict d) throws InvalidRecordException {
        Optional<BValue> v = d.get("file-priorities");
        if (v.isEmpty()) return new int[0];
        if (!(v.get() instanceof BList list)) throw wrongType("file-priorities", "a list", v.get());
        int[] priorities = new int[list.size()];
        int i = 0;
        for (BValue item : list) {
            if (!(item instanceof BInt p)) throw wrongType("file-priorities[" + i + "]", "an integer", item);
            long value = p.value();
            if (value < 0 || value > MAX_PRIORITY) {
                throw new InvalidRecordException("file-priorities[" + i + "] is " + value + ", not in 0.." + MAX_PRIORITY);
            }
            priorities[i++] = (int) value;
        }
        return priorities;
    }

    private static List<List<String>> trackers(BDict d) throws InvalidRecordException {
        Optional<BValue> v = d.get("trackers");
        if (v.isEmpty()) return List.of();
        if (!(v.get() instanceof BList tiers)) throw wrongType("trackers", "a list of lists", v.get());
        List<List<String>> all = new ArrayList<>(tiers.size());
        for (BValue tier : tiers) {
            if (!(tier instanceof BList urls)) throw wrongType("trackers", "a list of lists", tier);
            List<String> list = new ArrayList<>(urls.size());
            for (BValue url : urls) {
                if (!(url instanceof BString s)) throw wrongType("trackers", "a list of lists of strings", url);
                list.add(s.utf8());
            }
            all.add(list);
        }
        return all;
    }

    private static InvalidRecordException wrongType(String key, String expected, BValue got) {
        String kind = got.kind();
        String article = "aeiou".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ";
        return new InvalidRecordException(key + " is " + article + kind + ", not " + expected);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorrentSettings s && infoHash.equals(s.infoHash) && name.equals(s.name)
                && trackers.equals(s.trackers) && savePath.equals(s.savePath)
                && Arrays.equals(filePriorities, s.filePriorities) && sequential == s.sequential && paused == s.paused
                && uploadLimit == s.uploadLimit && downloadLimit == s.downloadLimit
                && Double.compare(seedRatio, s.seedRatio) == 0 && seedTimeSeconds == s.seedTimeSeconds
                && queuePosition == s.queuePosition && addedEpochSeconds == s.addedEpochSeconds
                && totalUploaded == s.totalUploaded && totalDownloaded == s.totalDownloaded;
    }

    @Override
    public int hashCode() {
        return infoHash.hashCode() * 31 + Arrays.hashCode(filePriorities) + Long.hashCode(totalDownloaded + totalUploaded);
    }

    @Override
    public String toString() {
        return "TorrentSettings[" + infoHash.hex() + " " + name + " in " + savePath + (paused ? ", paused" : "")
                + ", queue " + queuePosition + ", priorities " + Arrays.toString(filePriorities) + "]";
    }
}
