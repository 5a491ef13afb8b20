package org.jtorrent.engine;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which torrents may transfer, as qBittorrent and Transmission queue them: walking the queue in
 * order, the first {@code downloads} incomplete torrents and the first {@code seeds} complete ones
 * get a slot; the rest wait. An active torrent that has been idle (moved almost nothing for a
 * while) keeps running but holds no slot, so a stalled download does not block the queue behind it.
 * A pure function, so the policy is tested without a session.
 */
final class QueuePolicy {
    private QueuePolicy() {
    }

    /**
     * @param torrent  the caller's handle
     * @param complete whether every wanted piece is verified (it would seed)
     * @param active   whether it is transferring now
     * @param idle     whether it is active and has been idle long enough not to count
     */
    record Entry<T>(T torrent, boolean complete, boolean active, boolean idle) {
    }

    /** The torrents to have active, from the runnable ones (not paused, not in error, checked) in queue order. */
    static <T> Set<T> chooseActive(List<Entry<T>> queue, int downloads, int seeds) {
        Set<T> run = new LinkedHashSet<>();
        int downloading = 0, seeding = 0;
        for (Entry<T> e : queue) {
            boolean free = e.complete() ? seeding < seeds : downloading < downloads;
            if (e.active() && e.idle()) {
                run.add(e.torrent()); // keeps running, counts against nothing
            } else if (free) {
                run.add(e.torrent());
                if (e.complete()) seeding++;
                else downloading++;
            }
        }
        return run;
    }
}
