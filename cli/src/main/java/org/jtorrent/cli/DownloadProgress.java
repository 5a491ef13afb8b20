package org.jtorrent.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jtorrent.engine.TorrentState;
import org.jtorrent.engine.TorrentStatus;

/**
 * Progress of {@code jtorrent download}: one line per torrent (name, state, percent, rates, peers,
 * ETA) and, with several torrents, a total line. On a terminal the lines are redrawn in place every
 * half second; otherwise (a log, a pipe, a CI job) the lines of the torrents still under way are
 * printed every {@code every}, so logs stay short. Rates are the session's, over its last second.
 */
final class DownloadProgress {
    /** Longest name shown; longer ones are cut, so that a line fits a terminal. */
    static final int NAME_WIDTH = 30;
    /** Torrent lines drawn at most on a terminal, so that the whole block fits a 24-line screen. */
    static final int LIVE_ROWS = 20;
    private static final String CLEAR_TO_END_OF_LINE = "\033[K", CLEAR_TO_END_OF_SCREEN = "\033[J";
    /** Lines longer than the terminal are clipped, not wrapped, while drawing: a wrapped line would break the count of lines to redraw. */
    private static final String NO_WRAP = "\033[?7l", WRAP = "\033[?7h";

    /** One torrent as shown: {@code done} torrents (complete and past their seed goal, or failed) leave the plain log. */
    record Row(TorrentStatus status, boolean done) {
    }

    private final PrintWriter out;
    private final boolean live;
    private final long everyNanos;
    private long lastPrinted = Long.MIN_VALUE;
    private int drawnLines;

    DownloadProgress(PrintWriter out, boolean live, Duration every) {
        this.out = out;
        this.live = live;
        this.everyNanos = live ? 500_000_000L : every.toNanos();
    }

    long intervalMillis() {
        return everyNanos / 1_000_000;
    }

    /** Draws the rows if the interval has passed (a terminal is drawn at once, a log after the first interval). */
    void update(List<Row> rows, long nanos) {
        if (lastPrinted == Long.MIN_VALUE && !live) lastPrinted = nanos;
        if (lastPrinted != Long.MIN_VALUE && nanos - lastPrinted < everyNanos) return;
        lastPrinted = nanos;
        List<String> lines = lines(rows, live);
        if (live) {
            StringBuilder frame = new StringBuilder(NO_WRAP).append(up(drawnLines));
            for (String line : lines) frame.append(line).append(CLEAR_TO_END_OF_LINE).append('\n');
            out.print(frame.append(WRAP));
            drawnLines = lines.size();
        } else {
            for (String line : lines) out.println(line);
        }
        out.flush();
    }

    /** A message for the user (a torrent completed, failed): above the lines on a terminal, which are drawn again next time. */
    void note(String message) {
        if (live) {
            out.print(up(drawnLines) + CLEAR_TO_END_OF_SCREEN);
            drawnLines = 0;
            lastPrinted = Long.MIN_VALUE;
        }
        out.println(message);
        out.flush();
    }

    /** Clears the lines drawn on a terminal before the summary is printed. */
    void finish() {
        if (live && drawnLines > 0) {
            out.print(up(drawnLines) + CLEAR_TO_END_OF_SCREEN);
            out.flush();
            drawnLines = 0;
        }
    }

    /** To the start of the line {@code lines} above. */
    private static String up(int lines) {
        return lines == 0 ? "\r" : "\033[" + lines + "F";
    }

    /**
     * On a terminal, every row, but at most {@link #LIVE_ROWS} (those still under way first, then a
     * line counting the rest): lines scrolled off the top could not be redrawn. In a log, the rows
     * not done. Then the total line when there are several torrents.
     */
    static List<String> lines(List<Row> rows, boolean live) {
        List<Row> shown = new ArrayList<>();
        for (Row r : rows) if (!r.done()) shown.add(r);
        if (live) for (Row r : rows) if (r.done()) shown.add(r);
        int hidden = live ? Math.max(0, shown.size() - LIVE_ROWS) : 0;
        if (hidden > 0) shown = new ArrayList<>(shown.subList(0, LIVE_ROWS));
        else if (live) shown = rows; // all fit: in the order given
        int width = 0;
        for (Row r : shown) width = Math.max(width, shortName(r.status().name()).length());
        List<String> lines = new ArrayList<>();
        for (Row r : shown) lines.add(line(r.status(), width));
        if (hidden > 0) lines.add("... and " + hidden + " more");
        if (rows.size() > 1) lines.add(total(rows, Math.max(width, "total".length())));
        return lines;
    }

    static String line(TorrentStatus s, int nameWidth) {
        String head = String.format(Locale.ROOT, "%-" + nameWidth + "s  %-11s %5.1f%%", shortName(s.name()), state(s.state()),
                100 * s.progress());
        if (s.state() == TorrentState.ERROR) return head + "  " + printable(s.error());
        if (s.state() == TorrentState.FETCHING_METADATA) {
            // Name and size are not known yet: what there is to show is whether peers were found.
            return String.format(Locale.ROOT, "%-" + nameWidth + "s  fetching metadata  down %s/s  peers %d (%d seed%s)",
                    shortName(s.name()), Sizes.human(s.downloadRate()), s.peers(), s.seeds(), s.seeds() == 1 ? "" : "s");
        }
        String eta = s.isComplete() ? "done" : s.eta().map(d -> clock(d.toSeconds())).orElse("--:--");
        return head + String.format(Locale.ROOT, "  %s of %s  down %s/s  up %s/s  peers %d (%d seed%s)  ETA %s",
                Sizes.human(s.haveBytes()), Sizes.human(s.totalBytes()), Sizes.human(s.downloadRate()),
                Sizes.human(s.uploadRate()), s.peers(), s.seeds(), s.seeds() == 1 ? "" : "s", eta);
    }

    static String total(List<Row> rows, int nameWidth) {
        long have = 0, total = 0, down = 0, up = 0;
        int peers = 0, complete = 0, failed = 0;
        for (Row r : rows) {
            TorrentStatus s = r.status();
            have += s.haveBytes();
            total += s.totalBytes();
            down += s.downloadRate();
            up += s.uploadRate();
            peers += s.peers();
            if (s.state() == TorrentState.ERROR) failed++;
            else if (s.isComplete()) complete++;
        }
        String count = complete + "/" + rows.size() + " done" + (failed > 0 ? ", " + failed + " failed" : "");
        return String.format(Locale.ROOT, "%-" + nameWidth + "s  %-11s %5.1f%%  %s of %s  down %s/s  up %s/s  peers %d",
                "total", count, total == 0 ? 100.0 : 100.0 * have / total, Sizes.human(have), Sizes.human(total),
                Sizes.human(down), Sizes.human(up), peers);
    }

    static String shortName(String name) {
        String shown = printable(name);
        return shown.length() <= NAME_WIDTH ? shown : shown.substring(0, NAME_WIDTH - 3) + "...";
    }

    /** Names and reasons come from the torrent: control characters (escape sequences, line breaks) never reach the terminal. */
    static String printable(String text) {
        return text.replaceAll("\\p{Cntrl}", "?");
    }

    static String state(TorrentState state) {
        return state.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    static String clock(long seconds) {
        if (seconds >= 100 * 3600) return ">99h";
        return seconds >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
