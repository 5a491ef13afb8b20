package org.jtorrent.engine;

import java.util.List;

/** The end-of-run report that {@code jtorrent download --json} prints. */
/**
 * @param downloadedBytes payload bytes downloaded and verified in this run
 * @param wastedBytes     bytes received but not kept: end-game duplicates, late copies of cancelled
 *                        requests, pieces that failed their hash
 */
public record DownloadResult(String infoHash, boolean complete, long downloadedBytes, long wastedBytes,
                             long uploadedBytes, double wallSeconds, List<PeerSummary> peers) {

    /**
     * A session torrent's report so far: its bytes and peers from its current run (none once it is
     * paused, queued or failed), its upload over the session's lifetime.
     */
    public static DownloadResult of(TorrentHandle handle, double wallSeconds) {
        Torrent torrent = handle.liveTorrent().orElse(null);
        TorrentStatus status = handle.status();
        return new DownloadResult(handle.infoHash().hex(), status.isComplete(), torrent == null ? 0 : torrent.verifiedBytes(),
                torrent == null ? 0 : torrent.wastedBytes(), status.uploadedBytes(), wallSeconds,
                torrent == null ? List.of() : torrent.summaries());
    }

    /** One JSON object; written by hand, as the shape is fixed and small. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"info_hash\":").append(quote(infoHash));
        sb.append(",\"complete\":").append(complete);
        sb.append(",\"downloaded_bytes\":").append(downloadedBytes);
        sb.append(",\"wasted_bytes\":").append(wastedBytes);
        sb.append(",\"uploaded_bytes\":").append(uploadedBytes);
        sb.append(",\"wall_seconds\":").append(String.format(java.util.Locale.ROOT, "%.3f", wallSeconds));
        sb.append(",\"peers\":[");
        for (int i = 0; i < peers.size(); i++) {
            PeerSummary p = peers.get(i);
            if (i > 0) sb.append(',');
            sb.append("{\"address\":").append(quote(p.address()))
                    .append(",\"client\":").append(quote(p.client()))
                    .append(",\"downloaded_bytes\":").append(p.downloadedBytes())
                    .append(",\"uploaded_bytes\":").append(p.uploadedBytes())
                    .append(",\"closed_because\":").append(quote(p.closedBecause()))
                    .append(",\"encrypted\":").append(p.encrypted()).append('}');
        }
        return sb.append("]}").toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
