package org.jtorrent.tracker;

/** The {@code event} of an announce (BEP 3), with its name over HTTP and its number over UDP (BEP 15). */
public enum AnnounceEvent {
    /** A regular re-announce on the interval: no {@code event} parameter is sent. */
    NONE("", 0),
    COMPLETED("completed", 1),
    STARTED("started", 2),
    STOPPED("stopped", 3);

    private final String httpName;
    private final int udpCode;

    AnnounceEvent(String httpName, int udpCode) {
        this.httpName = httpName;
        this.udpCode = udpCode;
    }

    public String httpName() {
        return httpName;
    }

    public int udpCode() {
        return udpCode;
    }

    /** The event for a UDP code; unknown codes are treated as a regular announce, as opentracker does. */
    public static AnnounceEvent fromUdpCode(int code) {
        for (AnnounceEvent e : values()) if (e.udpCode == code) return e;
        return NONE;
    }

    /** The event for an HTTP {@code event} value; absent, empty or unknown means a regular announce. */
    public static AnnounceEvent fromHttpName(String name) {
        if (name == null) return NONE;
        for (AnnounceEvent e : values()) if (!e.httpName.isEmpty() && e.httpName.equals(name)) return e;
        return NONE;
    }
}
