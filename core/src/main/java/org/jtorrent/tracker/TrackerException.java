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

    /** The request was abandoned from our side (the session is stopping): says nothing about the tracker. */
    static TrackerException abandoned(URI tracker, Throwable cause) {
        return new TrackerException(tracker, "request abandoned: the session is stopping", false, cause);
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

    /** The most characters of tracker text we pass on. */
    static final int MAX_TEXT = 200;

    /**
     * Tracker text is untrusted and ends up in log lines and on terminals: terminal escape sequences
     * (ESC or CSI and what follows, e.g. {@code ESC[2J} or an OSC title) are removed whole; any other
     * control character, line or paragraph separator, or invisible format character (bidi overrides,
     * zero-width marks) becomes a space; the text is cut at {@link #MAX_TEXT} characters, marked by "...".
     */
    static String oneLine(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_TEXT) + 3);
        int i = 0;
        while (i < text.length() && sb.length() < MAX_TEXT) {
            char c = text.charAt(i);
            if (c == ESC || c == CSI) {
                i = afterEscape(text, i);
                continue;
            }
            sb.append(isUnsafe(c) ? ' ' : c);
            i++;
        }
        if (!sb.isEmpty() && Character.isHighSurrogate(sb.charAt(sb.length() - 1))) sb.setLength(sb.length() - 1);
        if (i < text.length()) sb.append("...");
        return sb.toString();
    }

    private static final char ESC = 0x1b;
    private static final char CSI = 0x9b; // the C1 form of ESC [
    private static final char BEL = 0x07;
    private static final char ST = 0x9c; // the C1 string terminator

    /** The index after the escape sequence that starts at {@code start} (ECMA-48's shapes). */
    private static int afterEscape(String s, int start) {
        if (s.charAt(start) == CSI) return afterControlSequence(s, start + 1);
        if (start + 1 >= s.length()) return start + 1;
        char next = s.charAt(start + 1);
        return switch (next) {
            case '[' -> afterControlSequence(s, start + 2);
            case ']', 'P', '_', '^', 'X' -> afterControlString(s, start + 2); // OSC, DCS, APC, PM, SOS
            default -> start + 2; // a two-character escape
        };
    }

    /** Parameter bytes, intermediate bytes, then one final byte. */
    private static int afterControlSequence(String s, int i) {
        while (i < s.length() && s.charAt(i) >= 0x30 && s.charAt(i) <= 0x3f) i++;
        while (i < s.length() && s.charAt(i) >= 0x20 && s.charAt(i) <= 0x2f) i++;
        if (i < s.length() && s.charAt(i) >= 0x40 && s.charAt(i) <= 0x7e) i++;
        return i;
    }

    /** Up to and including BEL, ST or ESC \ ; or up to the next ESC (a new sequence) or the end of the text. */
    private static int afterControlString(String s, int i) {
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == BEL || c == ST) return i + 1;
            if (c == ESC) return i + 1 < s.length() && s.charAt(i + 1) == '\\' ? i + 2 : i; // another sequence starts
        }
        return i;
    }

    private static boolean isUnsafe(char c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }
}
