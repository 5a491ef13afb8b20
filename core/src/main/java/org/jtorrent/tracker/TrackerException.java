package org.jtorrent.tracker;

import java.io.IOException;
import java.net.URI;

/**
 * An announce or scrape that did not succeed. The message is one line that names the tracker and the
 * problem, fit to show a user as is. {@link #isRefusal()} tells a tracker that answered with a
 * {@code failure reason} (it is up, but said no) from one that could not be reached or talked garbage.
 */
public final class TrackerException extends IOException {
    private final URI tracker;
    private final boolean refusal;

    private TrackerException(URI tracker, String problem, boolean refusal, Throwable cause) {
        super(tracker + ": " + oneLine(problem), cause);
        this.tracker = tracker;
        this.refusal = refusal;
    }

    public static TrackerException failed(URI tracker, String problem) {
        return new TrackerException(tracker, problem, false, null);
    }

    public static TrackerException failed(URI tracker, String problem, Throwable cause) {
        return new TrackerException(tracker, problem, false, cause);
    }

    /** The tracker answered with a {@code failure reason} (or a BEP 15 error packet). */
    public static TrackerException refused(URI tracker, String reason) {
        return new TrackerException(tracker, "tracker refused: " + reason, true, null);
    }

    public URI tracker() {
        return tracker;
    }

    public boolean isRefusal() {
        return refusal;
    }

    /** "no reply within 2 s" / "... 1200 ms": whole seconds when the deadline is whole seconds. */
    static String noReplyWithin(java.time.Duration deadline) {
        return "no reply within " + (deadline.toMillis() % 1000 == 0 ? deadline.toSeconds() + " s" : deadline.toMillis() + " ms");
    }

    /** Tracker text is untrusted: no line breaks or control characters reach a log line, and it stays short. */
    static String oneLine(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && sb.length() < 200; i++) {
            char c = text.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (text.length() > 200) sb.append("...");
        return sb.toString();
    }
}
