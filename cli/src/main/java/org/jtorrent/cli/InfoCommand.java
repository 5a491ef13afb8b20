package org.jtorrent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.List;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.InfoDict;
import org.jtorrent.metainfo.InvalidTorrentException;
import org.jtorrent.metainfo.Metainfo;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code jtorrent info}: what a .torrent holds, as text or JSON. */
final class InfoCommand extends Command {

    private final Arg<Path> torrent = positional(Path.class, PositionalParamSpec.builder().required(true)
            .paramLabel("FILE.torrent").description("The torrent file to read."));

    private final Arg<Boolean> json = flag(OptionSpec.builder("--json")
            .description("Print one JSON document instead of text."));

    InfoCommand() {
        super("info", "Show what a .torrent file holds: name, info-hash, magnet link, files, trackers.");
    }

    @Override
    public Integer call() throws Exception {
        Path torrent = this.torrent.get();
        if (torrent.toString().regionMatches(true, 0, TorrentSources.MAGNET_PREFIX, 0, TorrentSources.MAGNET_PREFIX.length())
                && !java.nio.file.Files.exists(torrent)) {
            throw new IllegalArgumentException("info reads .torrent files, and a magnet link holds no more than its "
                    + "info-hash: 'jtorrent download MAGNET --metadata-only --save-torrent FILE' fetches the .torrent");
        }
        Metainfo m;
        try {
            m = Metainfo.load(torrent);
        } catch (InvalidTorrentException e) {
            throw new InvalidTorrentException(torrent + ": " + e.getMessage());
        }
        PrintWriter out = out();
        if (json.get()) printJson(m, out);
        else printText(m, out);
        out.flush();
        return 0;
    }

    private static void printText(Metainfo m, PrintWriter out) {
        InfoDict info = m.info();
        out.printf("name:         %s%n", info.name());
        out.printf("info-hash:    %s%n", m.infoHash().hex());
        out.printf("magnet:       %s%n", m.magnetLink());
        out.printf("size:         %s (%,d bytes)%n", Sizes.human(info.totalLength()), info.totalLength());
        out.printf("pieces:       %,d x %s%n", info.pieceCount(), Sizes.human(info.pieceLength()));
        out.printf("private:      %s%n", info.isPrivate() ? "yes" : "no");
        m.creationDate().ifPresent(d -> out.printf("created:      %s%n",
                DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(d.atOffset(ZoneOffset.UTC)) + "Z"));
        m.createdBy().ifPresent(c -> out.printf("created by:   %s%n", c));
        m.comment().ifPresent(c -> out.printf("comment:      %s%n", c));
        out.printf("trackers:     %s%n", m.trackers().isEmpty() ? "none" : "");
        for (int t = 0; t < m.trackers().size(); t++) {
            for (String url : m.trackers().get(t)) out.printf("  tier %d: %s%n", t + 1, url);
        }
        if (!m.webSeeds().isEmpty()) {
            out.println("web seeds:");
            m.webSeeds().forEach(w -> out.printf("  %s%n", w));
        }
        // The index is what --files takes (BEP 53: 0-based, padding files counted, as libtorrent counts them).
        out.printf("files:        %d (index, size, path)%n", info.files().size());
        List<FileEntry> files = info.files();
        for (int i = 0; i < files.size(); i++) {
            FileEntry f = files.get(i);
            out.printf("  %4d  %12s  %s%s%n", i, Sizes.human(f.length()), f.displayPath(), f.isPadding() ? "  [padding]" : "");
        }
    }

    private static void printJson(Metainfo m, PrintWriter out) throws IOException {
        InfoDict info = m.info();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("info_hash", m.infoHash().hex());
            g.writeStringField("name", info.name());
            g.writeNumberField("total_size", info.totalLength());
            g.writeNumberField("piece_length", info.pieceLength());
            g.writeNumberField("piece_count", info.pieceCount());
            g.writeArrayFieldStart("files");
            for (int i = 0; i < info.files().size(); i++) {
                FileEntry f = info.files().get(i);
                g.writeStartObject();
                g.writeNumberField("index", i);
                g.writeStringField("path", f.displayPath());
                g.writeNumberField("length", f.length());
                if (f.isPadding()) g.writeBooleanField("padding", true);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("trackers");
            for (List<String> tier : m.trackers()) {
                g.writeStartArray();
                for (String url : tier) g.writeString(url);
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("web_seeds");
            for (String w : m.webSeeds()) g.writeString(w);
            g.writeEndArray();
            g.writeBooleanField("private", info.isPrivate());
            g.writeStringField("magnet", m.magnetLink());
            if (m.creationDate().isPresent()) g.writeNumberField("creation_date", m.creationDate().get().getEpochSecond());
            if (m.createdBy().isPresent()) g.writeStringField("created_by", m.createdBy().get());
            if (m.comment().isPresent()) g.writeStringField("comment", m.comment().get());
            g.writeEndObject();
        }
        out.println();
    }
}
