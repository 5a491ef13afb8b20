package org.jtorrent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.jtorrent.engine.DownloadResult;
import org.jtorrent.engine.TorrentStatus;

/**
 * {@code download --json}: one object per torrent, each on one line, so that {@code jq} reads a
 * single torrent's output as it did before sessions. The object is the single-torrent one
 * ({@link DownloadResult#toJson}, its fields unchanged) with {@code name}, {@code state} and
 * {@code error} (null unless the torrent failed) added at the end.
 */
final class ResultJson {
    private static final JsonFactory JSON = new JsonFactory();

    private ResultJson() {
    }

    static String line(DownloadResult result, TorrentStatus status) {
        StringWriter added = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(added)) {
            g.writeStartObject();
            g.writeStringField("name", status.name());
            g.writeStringField("state", DownloadProgress.state(status.state()));
            if (status.error().isEmpty()) g.writeNullField("error");
            else g.writeStringField("error", status.error());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        String single = result.toJson();
        return single.substring(0, single.length() - 1) + "," + added.toString().substring(1);
    }
}
