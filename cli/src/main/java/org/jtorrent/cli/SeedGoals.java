package org.jtorrent.cli;

import java.time.Duration;
import java.util.Locale;
import org.jtorrent.engine.TorrentStatus;

/**
 * How long each torrent of {@code jtorrent download} is seeded once complete: until it uploaded
 * {@code ratio} times its size or for {@code time}, whichever comes first; with neither, not at all
 * (it is done on completion); with {@code keepServing}, until the command is stopped.
 *
 * @param ratio null, or a positive ratio of uploaded bytes to the torrent's size
 * @param time  null, or how long to seed after completion
 */
record SeedGoals(Double ratio, Duration time, boolean keepServing) {
    SeedGoals {
        if (ratio != null && !(ratio > 0)) throw new IllegalArgumentException("--seed-ratio must be positive");
    }

    /** Whether a complete torrent seeds on at all (rather than being done at completion). */
    boolean seeds() {
        return keepServing || ratio != null || time != null;
    }

    /** Whether a torrent that completed at {@code completedAtNanos} has seeded enough by {@code nowNanos}. */
    boolean met(TorrentStatus status, long completedAtNanos, long nowNanos) {
        if (keepServing) return false;
        if (ratio == null && time == null) return true;
        boolean ratioMet = ratio != null && status.uploadedBytes() >= ratio * status.totalBytes();
        boolean timeMet = time != null && nowNanos - completedAtNanos >= time.toNanos();
        return ratioMet || timeMet;
    }

    /** "seeding to ratio 2.0 for 3600 s", for the user. */
    String describe() {
        if (keepServing) return "serving until stopped";
        return "seeding" + (ratio != null ? String.format(Locale.ROOT, " to ratio %s", ratio) : "")
                + (time != null ? " for " + time.toSeconds() + " s" : "");
    }
}
