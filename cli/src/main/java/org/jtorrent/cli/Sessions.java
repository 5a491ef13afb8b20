package org.jtorrent.cli;

import java.nio.file.Path;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.metainfo.Metainfo;

/** How the commands that run a session ({@code download}, {@code seed}) make it: one place, for all of them. */
final class Sessions {
    private Sessions() {
    }

    /**
     * A session for {@code config}, not started, whose state lives in {@code stateDirectory}
     * ({@code --state}).
     *
     * <p>STATE SEAM: the state directory ({@code org.jtorrent.state.StateDirectory}, issue 14) is
     * not on this branch yet, so the folder is not used. Wiring it is this method's job alone: open
     * the directory here, hand it to the session (which restores its torrents and keeps their
     * records), and close it with the session. The commands already cope with a session that holds
     * some of their torrents before they add them ({@link #handleFor}).
     */
    static Session open(SessionConfig config, Path stateDirectory) {
        return new Session(config);
    }

    /** The session's handle for a torrent: the one it already has (restored from its state), else the torrent added with {@code options}. */
    static TorrentHandle handleFor(Session session, Metainfo metainfo, TorrentOptions options) {
        return session.torrent(metainfo.infoHash()).orElseGet(() -> session.add(metainfo, options));
    }
}
