package org.jtorrent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.state.StateDirectory;
import org.jtorrent.state.StateSaver;

/** How the commands that run a session ({@code download}, {@code seed}) make it: one place, for all of them. */
final class Sessions {
    private Sessions() {
    }

    /** A session and its state directory, closed in that order (the session writes its last records on close). */
    record Running(Session session, StateDirectory state) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (state) {
                session.close();
            }
        }
    }

    /**
     * A session for {@code config}, not started, kept in the state directory {@code stateDirectory}
     * ({@code --state}): when started, it brings back every torrent recorded there, so a command
     * adds its own torrents after {@link Session#start} ({@link #handleFor}). The directory is
     * locked while open: a second process on the same directory gets one line saying so.
     */
    static Running open(SessionConfig config, Path stateDirectory) throws IOException {
        StateDirectory state;
        try {
            state = StateDirectory.open(stateDirectory);
        } catch (IOException e) {
            String why = TorrentSources.oneLine(e);
            throw new IOException((why.startsWith("state directory") ? why : "state directory " + stateDirectory + ": " + why)
                    + " (--state DIR names another)", e);
        }
        return new Running(new Session(config, state, StateSaver.DEFAULT_RESUME_INTERVAL), state);
    }

    /**
     * The session's handle for a torrent: the one it already has (restored from its state), given
     * the peers of {@code options} (and of a magnet link) to dial, since a record does not keep them;
     * else the torrent added with {@code options}, from its .torrent or its magnet link.
     */
    static TorrentHandle handleFor(Session session, TorrentSources.Source source, TorrentOptions options) {
        Optional<TorrentHandle> known = session.torrent(source.infoHash());
        if (known.isEmpty()) return source.isMagnet() ? session.add(source.magnet(), options) : session.add(source.metainfo(), options);
        known.get().addPeers(options.peers());
        if (source.isMagnet()) known.get().addPeers(source.magnet().peers());
        return known.get();
    }

    /**
     * What the user should know of a torrent the session already had: that it stays in the folder
     * its record names when the command line names another; null when there is nothing to say.
     */
    static String folderNote(TorrentHandle handle, TorrentOptions asked) {
        Path kept = handle.options().folder().toAbsolutePath().normalize();
        Path wanted = asked.folder().toAbsolutePath().normalize();
        if (kept.equals(wanted)) return null;
        return "stays in " + kept + ", where the state directory has it, not in " + wanted;
    }

    /** A line naming the torrents the session brought back from its state directory besides those given, or null. */
    static String othersNote(Session session, List<TorrentHandle> given, Path stateDirectory) {
        int others = session.torrents().size() - given.size();
        if (others <= 0) return null;
        return "also running: " + others + " more torrent" + (others == 1 ? "" : "s") + " from the state directory "
                + stateDirectory;
    }
}
