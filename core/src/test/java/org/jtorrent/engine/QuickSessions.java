package org.jtorrent.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jtorrent.testing.TestTorrent;

/** Started sessions on loopback with quick choking, for a test to close after itself. */
final class QuickSessions implements AutoCloseable {
    private final List<Session> sessions = new ArrayList<>();

    static SessionConfig quick() {
        SessionConfig config = SessionConfig.defaults();
        return config.withLimits(config.limits().quick());
    }

    Session start() throws IOException {
        return start(new Session(quick()));
    }

    /** Starts {@code session} and closes it with the others. */
    Session start(Session session) throws IOException {
        sessions.add(session);
        session.start();
        return session;
    }

    /** A session seeding {@code t} from {@code data} (written there first), checked complete. */
    Session seeding(TestTorrent t, Path data) throws Exception {
        Session s = start();
        t.writeTo(data);
        s.add(t.metainfo(), TorrentOptions.in(data)).completion().get(30, TimeUnit.SECONDS);
        return s;
    }

    @Override
    public void close() throws IOException {
        for (Session s : sessions) s.close();
    }
}
