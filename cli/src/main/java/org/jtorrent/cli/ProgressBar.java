package org.jtorrent.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar redrawn in place, only when a person is watching (a terminal). Updates
 * come from several threads; drawing is throttled to a few times a second.
 */
final class ProgressBar {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter out;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private final boolean enabled;
    private long lastDraw;

    private ProgressBar(PrintWriter out, String label, long total, boolean enabled) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.enabled = enabled;
    }

    static ProgressBar onTerminal(PrintWriter out, String label, long total) {
        return new ProgressBar(out, label, total, isTerminal());
    }

    /**
     * Whether stdin/stdout are a terminal. From JDK 22 {@code System.console()} is never null and
     * {@code Console.isTerminal()} tells; we compile for 21, so ask for that method by name.
     */
    static boolean isTerminal() {
        java.io.Console console = System.console();
        if (console == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console exists only for a terminal
        }
    }

    synchronized void update(long done) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS && done < total) return;
        lastDraw = now;
        int width = 30;
        int filled = total == 0 ? width : (int) (width * done / total);
        double seconds = Math.max((now - start) / 1e9, 1e-3);
        out.printf("\r%s [%s%s] %3d%% %s/s ", label, "#".repeat(filled), " ".repeat(width - filled),
                total == 0 ? 100 : (int) (100 * done / total), Sizes.human((long) (done / seconds)));
        out.flush();
    }

    synchronized void finish() {
        if (!enabled) return;
        out.print("\r" + " ".repeat(70) + "\r");
        out.flush();
    }
}
