package org.jtorrent.tracker;

import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;

/**
 * What one announce tells a tracker. The engine fills in the transfer counters; {@code key} stays the
 * same for the whole run so a tracker can recognise us after our IP changes (BEP 7's use of it).
 *
 * @param numWant how many peers we ask for; a negative value means "tracker's default"
 */
public record AnnounceRequest(InfoHash infoHash, PeerId peerId, int port, long uploaded, long downloaded,
                              long left, AnnounceEvent event, int numWant, int key) {
    public AnnounceRequest {
        if (infoHash == null || peerId == null || event == null) throw new IllegalArgumentException("missing field");
        if (port < 0 || port > 0xFFFF) throw new IllegalArgumentException("port out of range: " + port);
        if (uploaded < 0 || downloaded < 0 || left < 0) throw new IllegalArgumentException("negative counter");
    }

    public AnnounceRequest withEvent(AnnounceEvent newEvent) {
        return new AnnounceRequest(infoHash, peerId, port, uploaded, downloaded, left, newEvent, numWant, key);
    }
}
