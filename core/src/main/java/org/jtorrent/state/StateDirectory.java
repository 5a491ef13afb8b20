package org.jtorrent.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtorrent.id.InfoHash;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.InvalidTorrentException;
import org.jtorrent.metainfo.MagnetLink;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.storage.AtomicFile;
import org.jtorrent.storage.ResumeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state directory ({@code --state DIR}): what a session needs to bring every torrent back
 * after a restart, or after a {@code kill -9}. Per torrent, in {@code torrents/}, keyed by the
 * info-hash in lower-case hex:
 * <ul>
 * <li>{@code <hex>.settings}: its {@link TorrentSettings}, bencoded. This file is the record: a
 *     torrent is in the state directory exactly when it has one. Adding writes it last, removing
 *     deletes it first, so a crash in between leaves only files that the next load removes.</li>
 * <li>{@code <hex>.torrent}: the .torrent bytes exactly as given; absent while a torrent known by
 *     its info-hash alone (a magnet) waits for its info dictionary.</li>
 * <li>{@code <hex>.resume}: its {@link ResumeData}.</li>
 * </ul>
 * Every file is replaced atomically ({@link AtomicFile}); writes of one torrent's files take that
 * torrent's lock, so one writer per torrent at a time. A {@code lock} file, locked while the
 * directory is open, keeps a second process off it (the OS drops the lock when a process dies,
 * {@code kill -9} included). Opening starts no thread.
 */
public final class StateDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateDirectory.class);
    private static final Pattern RECORD_FILE = Pattern.compile("([0-9a-f]{40})\\.(settings|torrent|resume|magnet)");
    /** A settings record holds a priority per file: a few bytes each, for the largest torrents too. */
    static final int MAX_SETTINGS_BYTES = 16 << 20;

    /** A torrent as the state directory holds it. */
    /**
     * A torrent as the state directory holds it.
     *
     * @param magnet the magnet link it was added with, if it was (its peers and file selection: what
     *               a restart needs to go on fetching the metadata)
     */
    public record StoredTorrent(TorrentSettings settings, Optional<Metainfo> metainfo, Optional<byte[]> torrentFile,
                                Optional<MagnetLink> magnet) {
        public InfoHash infoHash() {
            return settings.infoHash();
        }
    }

    /** Every usable record, in queue order, and a one-line warning for each file that was not. */
    public record Loaded(List<StoredTorrent> torrents, List<String> warnings) {
    }

    private final Path root;
    private final Path torrents;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final Map<InfoHash, ReentrantLock> writers = new ConcurrentHashMap<>();

    private StateDirectory(Path root, Path torrents, FileChannel lockFile, FileLock lock) {
        this.root = root;
        this.torrents = torrents;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Where the state directory is when {@code --state} does not say: {@code $XDG_STATE_HOME/jtorrent},
     * else {@code ~/.local/state/jtorrent}. The XDG base directory specification says a relative
     * value is invalid and to be ignored; so is an empty one.
     */
    public static Path defaultLocation(Map<String, String> environment, Path home) {
        String xdg = environment.get("XDG_STATE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            Path p = Path.of(xdg);
            if (p.isAbsolute()) return p.resolve("jtorrent");
        }
        return home.resolve(".local").resolve("state").resolve("jtorrent");
    }

    /** {@link #defaultLocation(Map, Path)} for this process. */
    public static Path defaultLocation() {
        return defaultLocation(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** Opens (creating it, readable by its owner only) and locks the state directory. */
    public static StateDirectory open(Path root) throws IOException {
        Path torrents = root.resolve("torrents");
        createPrivate(root);
        createPrivate(torrents);
        FileChannel lockFile = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        FileLock lock;
        try {
            lock = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this process has it open already
        } catch (IOException e) {
            lockFile.close();
            throw e;
        }
        if (lock == null) {
            lockFile.close();
            throw new IOException("state directory " + root + " is in use by another jtorrent session");
        }
        return new StateDirectory(root, torrents, lockFile, lock);
    }

    private static void createPrivate(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    public Path root() {
        return root;
    }

    public Path settingsFile(InfoHash infoHash) {
        return torrents.resolve(infoHash.hex() + ".settings");
    }

    public Path torrentFile(InfoHash infoHash) {
        return torrents.resolve(infoHash.hex() + ".torrent");
    }

    public Path magnetFile(InfoHash infoHash) {
        return torrents.resolve(infoHash.hex() + ".magnet");
    }

    /** Keeps the magnet link a torrent was added with (before its settings, as a .torrent is). */
    public void saveMagnet(InfoHash infoHash, MagnetLink magnet) throws IOException {
        locked(infoHash, () -> AtomicFile.write(magnetFile(infoHash), magnet.toUri().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    public Path resumeFile(InfoHash infoHash) {
        return torrents.resolve(infoHash.hex() + ".resume");
    }

    /** Keeps a torrent's .torrent bytes as given (they are what the info-hash was taken over). */
    public void saveTorrentFile(InfoHash infoHash, byte[] torrent) throws IOException {
        locked(infoHash, () -> AtomicFile.write(torrentFile(infoHash), torrent));
    }

    /** Writes a torrent's settings: after its .torrent, so a crash never leaves a record without it. */
    public void saveSettings(TorrentSettings settings) throws IOException {
        locked(settings.infoHash(), () -> AtomicFile.write(settingsFile(settings.infoHash()), settings.encode()));
    }

    /**
     * Writes resume data for pieces {@code have}, a snapshot taken before this call (see
     * {@link ResumeData#save(Path, Path, InfoHash, InfoDict, BitSet, boolean)}: the data files are
     * fsynced before the record vouches for them).
     */
    public void saveResume(InfoHash infoHash, Path downloadFolder, InfoDict info, BitSet have, boolean cleanClose)
            throws IOException {
        locked(infoHash, () -> ResumeData.save(resumeFile(infoHash), downloadFolder, infoHash, info, have, cleanClose));
    }

    /**
     * The resume data of a torrent, from the state directory, or, when there is none there, from
     * its old place in the download folder (written by versions before the state directory).
     */
    public Optional<ResumeData.Loaded> loadResume(InfoHash infoHash, Path downloadFolder, InfoDict info) {
        Path file = resumeFile(infoHash);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return ResumeData.load(file, downloadFolder, infoHash, info);
        return ResumeData.load(downloadFolder, infoHash, info);
    }

    /**
     * Whether the directory's own resume record of a torrent (not the download folder's) was saved
     * at a clean close; empty when it holds none or one of an unknown format. Read after
     * {@link #loadResume} found the record usable.
     */
    public Optional<Boolean> resumeSavedAtCleanClose(InfoHash infoHash) {
        return ResumeData.savedAtCleanClose(resumeFile(infoHash));
    }

    /** A torrent's settings, if it has a usable record. */
    public Optional<TorrentSettings> settings(InfoHash infoHash) {
        try {
            return Optional.of(read(infoHash).settings());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | InvalidRecordException e) {
            log.warn("state directory: the record of torrent {} is unusable: {}", infoHash.hex(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Deletes a torrent's records: its settings first, so a crash part-way leaves no record. */
    public void remove(InfoHash infoHash) throws IOException {
        locked(infoHash, () -> {
            Files.deleteIfExists(settingsFile(infoHash));
            AtomicFile.syncDirectory(torrents);
            for (Path p : List.of(settingsFile(infoHash), torrentFile(infoHash), resumeFile(infoHash), magnetFile(infoHash))) {
                Files.deleteIfExists(p);
                Files.deleteIfExists(AtomicFile.temporaryFor(p));
            }
            AtomicFile.syncDirectory(torrents);
        });
    }

    /**
     * Every torrent with a usable record, in queue order (then by when added). Never fails for one
     * bad record: a torrent whose settings or .torrent cannot be read is skipped with a warning (its
     * files stay, for a person to look at); temporary files of interrupted writes and the files of
     * torrents without settings (an interrupted add or remove) are deleted, with a warning.
     */
    public Loaded load() throws IOException {
        Map<String, List<String>> kinds = new TreeMap<>();
        List<String> warnings = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(torrents)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                Matcher m = RECORD_FILE.matcher(name);
                if (m.matches()) {
                    kinds.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
                } else if (name.endsWith(AtomicFile.TEMPORARY_SUFFIX)) {
                    warn(warnings, "removed " + entry + ": left by a write that was interrupted");
                    Files.deleteIfExists(entry);
                } else {
                    warn(warnings, "ignored " + entry + ": not a file of the state directory");
                }
            }
        }
        List<StoredTorrent> stored = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : kinds.entrySet()) {
            InfoHash infoHash = InfoHash.fromHex(e.getKey());
            if (!e.getValue().contains("settings")) {
                warn(warnings, "removed the files of torrent " + e.getKey() + ": no settings (an add or a remove was interrupted)");
                Files.deleteIfExists(torrentFile(infoHash));
                Files.deleteIfExists(resumeFile(infoHash));
                Files.deleteIfExists(magnetFile(infoHash));
                continue;
            }
            try {
                stored.add(read(infoHash));
            } catch (InvalidRecordException | IOException ex) {
                warn(warnings, "skipped torrent " + e.getKey() + ": " + ex.getMessage());
            }
        }
        stored.sort(Comparator.comparingInt((StoredTorrent t) -> t.settings().queuePosition())
                .thenComparingLong(t -> t.settings().addedEpochSeconds())
                .thenComparing(t -> t.infoHash().hex()));
        return new Loaded(List.copyOf(stored), List.copyOf(warnings));
    }

    private StoredTorrent read(InfoHash infoHash) throws IOException, InvalidRecordException {
        TorrentSettings settings;
        try {
            settings = TorrentSettings.decode(readBounded(settingsFile(infoHash), MAX_SETTINGS_BYTES));
        } catch (InvalidRecordException e) {
            throw new InvalidRecordException("its settings: " + e.getMessage());
        }
        if (!settings.infoHash().equals(infoHash)) {
            throw new InvalidRecordException("its settings are those of torrent " + settings.infoHash().hex());
        }
        byte[] torrent;
        try {
            torrent = readBounded(torrentFile(infoHash), Metainfo.MAX_FILE_SIZE);
        } catch (NoSuchFileException e) {
            return new StoredTorrent(settings, Optional.empty(), Optional.empty(), magnet(infoHash)); // no metadata yet
        }
        Metainfo metainfo;
        try {
            metainfo = Metainfo.parse(torrent);
        } catch (InvalidTorrentException ex) {
            throw new InvalidRecordException("its .torrent: " + ex.getMessage());
        }
        if (!metainfo.infoHash().equals(infoHash)) {
            throw new InvalidRecordException("its .torrent is torrent " + metainfo.infoHash().hex());
        }
        int[] priorities = settings.filePriorities();
        if (priorities.length != 0 && priorities.length != metainfo.info().files().size()) {
            throw new InvalidRecordException("its settings give " + priorities.length + " file priorities for "
                    + metainfo.info().files().size() + " files");
        }
        return new StoredTorrent(settings, Optional.of(metainfo), Optional.of(torrent), Optional.empty());
    }

    /** The magnet link kept for a torrent without metadata; empty (with a warning if it is unreadable) if none. */
    private Optional<MagnetLink> magnet(InfoHash infoHash) throws IOException {
        byte[] uri;
        try {
            uri = readBounded(magnetFile(infoHash), MAX_MAGNET_BYTES);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (InvalidRecordException e) {
            log.warn("state directory: the magnet link of torrent {} is unusable: {}", infoHash.hex(), e.getMessage());
            return Optional.empty();
        }
        try {
            MagnetLink magnet = MagnetLink.parse(new String(uri, java.nio.charset.StandardCharsets.UTF_8));
            if (magnet.infoHash().equals(infoHash)) return Optional.of(magnet);
            log.warn("state directory: the magnet link of torrent {} names torrent {}", infoHash.hex(), magnet.infoHash().hex());
        } catch (org.jtorrent.metainfo.InvalidMagnetException e) {
            log.warn("state directory: the magnet link of torrent {} is unusable: {}", infoHash.hex(), e.getMessage());
        }
        return Optional.empty();
    }

    /** A magnet link is a line of text; one this long is not ours. */
    static final int MAX_MAGNET_BYTES = 1 << 20;

    /** A record's bytes, refusing one longer than {@code max} (it is not ours) before reading it. */
    private static byte[] readBounded(Path file, int max) throws IOException, InvalidRecordException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(max);
            if (in.read() >= 0) throw new InvalidRecordException(file.getFileName() + " is larger than " + max + " bytes");
            return bytes;
        }
    }

    private static void warn(List<String> warnings, String warning) {
        log.warn("state directory: {}", warning);
        warnings.add(warning);
    }

    @FunctionalInterface
    private interface Write {
        void run() throws IOException;
    }

    private void locked(InfoHash infoHash, Write write) throws IOException {
        ReentrantLock writer = writers.computeIfAbsent(infoHash, k -> new ReentrantLock());
        writer.lock();
        try {
            write.run();
        } finally {
            writer.unlock();
        }
    }

    /** The DHT's saved routing table ({@code dht.state}, or {@code dht6.state} for the IPv6 node): small, bounded on read. */
    static final int MAX_DHT_STATE_BYTES = 64 * 1024;

    public Path dhtStateFile(boolean ipv6) {
        return root.resolve(ipv6 ? "dht6.state" : "dht.state");
    }

    /** Replaces the saved DHT state (our node id and the nodes we knew), so a restart bootstraps from them. */
    public void saveDhtState(boolean ipv6, byte[] state) throws IOException {
        AtomicFile.write(dhtStateFile(ipv6), state);
    }

    /** The saved DHT state, or empty when there is none or it is not ours (too large to be one). */
    public Optional<byte[]> loadDhtState(boolean ipv6) throws IOException {
        Path file = dhtStateFile(ipv6);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        try {
            return Optional.of(readBounded(file, MAX_DHT_STATE_BYTES));
        } catch (InvalidRecordException e) {
            log.warn("state directory: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Releases the directory for another process. Records written stay as they are. A second close
     * does nothing: a command stopped by a signal is closed by its shutdown hook and then by its own
     * ending, and the second close used to fail on the released lock ({@code ClosedChannelException}).
     */
    @Override
    public void close() throws IOException {
        if (!lockFile.isOpen()) return;
        try (lockFile) {
            lock.release();
        }
    }
}
