package org.jtorrent.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.jtorrent.engine.DownloadResult;
import org.jtorrent.engine.TorrentStatus;

/**
 * {@code download --json}: one object per torrent, each on one line, so that {@code jq} reads a
 * single torrent's output as it did before sessions. The object is the single-torrent one
 * ({@link DownloadResult#toJson}, its fields unchanged) with {@code name}, {@code state} and
 * {@code error} (null unless the torrent failed) added at the end. Three fields need no
 * {@code JsonFactory}, whose start-up (some fifty classes) every download would pay: Jackson's
 * string encoder escapes them.
 */
final class ResultJson {
    private ResultJson() {
    }

    static String line(DownloadResult result, TorrentStatus status) {
        return line(result, status, null);
    }

    /** With {@code torrent_file} last, where a magnet link's metadata was saved ({@code --save-torrent}), when it was. */
    static String line(DownloadResult result, TorrentStatus status, java.nio.file.Path savedTorrent) {
        String single = result.toJson();
        return single.substring(0, single.length() - 1)
                + ",\"name\":" + string(status.name())
                + ",\"state\":" + string(DownloadProgress.state(status.state()))
                + ",\"error\":" + (status.error().isEmpty() ? "null" : string(status.error()))
                + (savedTorrent == null ? "" : ",\"torrent_file\":" + string(savedTorrent.toString())) + "}";
    }

    private static String string(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }
}
