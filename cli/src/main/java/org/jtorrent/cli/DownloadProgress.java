package org.jtorrent.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress of {@code jtorrent download}: on a terminal one line redrawn in place every half
 * second; otherwise (a log, a pipe, a CI job) a plain line every {@code every}, so logs stay
 * short. Rates are over the last interval, not since the start, so a stall shows at once.
 */
final class DownloadProgress {
    /** One observation of the download. */
    record Sample(long verified, long total, long uploaded, int peers, int knownPeers, long nanos) {
    }

    private final PrintStream out;
    private final boolean live;
    private final long everyNanos;
    private Sample last;
    private long lastPrinted;
    private int drawnWidth;

    DownloadProgress(PrintStream out, boolean live, Duration every) {
        this.out = out;
        this.live = live;
        this.everyNanos = live ? 500_000_000L : every.toNanos();
    }

    long intervalMillis() {
        return everyNanos / 1_000_000;
    }

    void update(Sample now) {
        if (last == null) {
            last = now;
            lastPrinted = now.nanos();
            return;
        }
        if (now.nanos() - lastPrinted < everyNanos) return;
        String line = line(last, now);
        last = now;
        lastPrinted = now.nanos();
        if (live) {
            out.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
            drawnWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Clears the live line before the summary is printed. */
    void finish() {
        if (live && drawnWidth > 0) {
            out.print("\r" + " ".repeat(drawnWidth) + "\r");
            out.flush();
        }
    }

    static String line(Sample before, Sample now) {
        double seconds = Math.max((now.nanos() - before.nanos()) / 1e9, 1e-3);
        double down = (now.verified() - before.verified()) / seconds;
        double up = (now.uploaded() - before.uploaded()) / seconds;
        double percent = now.total() == 0 ? 100 : 100.0 * now.verified() / now.total();
        long left = now.total() - now.verified();
        String eta = left == 0 ? "done" : down <= 0 ? "--:--" : clock((long) (left / down));
        return String.format(Locale.ROOT, "%5.1f%%  %s of %s  down %s/s  up %s/s  peers %d (%d known)  ETA %s",
                percent, Sizes.human(now.verified()), Sizes.human(now.total()), Sizes.human((long) down),
                Sizes.human((long) up), now.peers(), now.knownPeers(), eta);
    }

    static String clock(long seconds) {
        if (seconds >= 100 * 3600) return ">99h";
        return seconds >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
