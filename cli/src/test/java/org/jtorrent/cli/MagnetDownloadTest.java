package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentHandle;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.MagnetLink;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.testing.StraddlingTorrent;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code jtorrent download MAGNET}: metadata from a peer, then the data; --save-torrent, --metadata-only, --files; bad input. */
@Timeout(60)
class MagnetDownloadTest {
    @TempDir
    Path dir;

    /** A session seeding {@code t} from {@code dir/seed}, started; the caller closes it. */
    private Session seeder(TestTorrent... torrents) throws Exception {
        Session seeder = new Session(SessionConfig.defaults());
        for (TestTorrent t : torrents) {
            t.writeTo(dir.resolve("seed"));
            seeder.add(t.metainfo(), TorrentOptions.in(dir.resolve("seed")));
        }
        seeder.start();
        for (TorrentHandle h : seeder.torrents()) h.completion().get(30, TimeUnit.SECONDS);
        return seeder;
    }

    /** The magnet link of {@code t} whose only source is {@code seeder}, as x.pe. */
    private static String magnet(TestTorrent t, Session seeder) {
        MagnetLink link = MagnetLink.of(t.metainfo());
        return new MagnetLink(link.infoHash(), link.displayName(), List.of(), List.of(new InetSocketAddress("127.0.0.1",
                seeder.listenPort())), List.of(), Optional.empty()).toUri();
    }

    @Test
    void aMagnetLinkDownloadsFromItsPeerAndSavesTheTorrentOnTheWay() throws Exception {
        TestTorrent t = TestTorrent.single("m.bin", 300_001, 16 * 1024);
        Path out = dir.resolve("out");
        Path saved = dir.resolve("m.torrent");
        try (Session seeder = seeder(t)) {
            CliTest.Result r = CliTest.run("download", magnet(t, seeder), "-o", out.toString(), "--save-torrent", saved.toString(),
                    "--port", "0", "--no-trackers", "--progress-every", "0.05", "--state", dir.resolve("state").toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).contains("m.bin: metadata received (1 file, 293 KiB), saved to " + saved);
            assertThat(r.out()).startsWith("m.bin: complete: ");
        }
        assertThat(Files.readAllBytes(out.resolve("m.bin"))).isEqualTo(t.content());
        Metainfo written = Metainfo.load(saved);
        assertThat(written.infoHash()).isEqualTo(t.metainfo().infoHash());
        assertThat(written.infoBytes()).isEqualTo(t.metainfo().infoBytes());
    }

    @Test
    void metadataOnlyWritesTheTorrentAndDownloadsNothing() throws Exception {
        TestTorrent t = TestTorrent.multi("album", 16 * 1024, TestTorrent.Spec.file("a.bin", 70_000),
                TestTorrent.Spec.file("b/c.bin", 40_000));
        Path out = dir.resolve("out");
        Path saved = dir.resolve("album.torrent");
        try (Session seeder = seeder(t)) {
            CliTest.Result r = CliTest.run("download", magnet(t, seeder), "--metadata-only", "--save-torrent", saved.toString(),
                    "-o", out.toString(), "--port", "0", "--no-trackers", "--state", dir.resolve("state").toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("album: metadata saved to " + saved + " in ");
        }
        assertThat(Metainfo.load(saved).infoBytes()).isEqualTo(t.metainfo().infoBytes());
        assertThat(out).doesNotExist();
        // Taken out of the session once saved: the state directory does not keep it to fetch again.
        try (var records = Files.list(dir.resolve("state/torrents"))) {
            assertThat(records.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(t.metainfo().infoHash().hex()));
        }
    }

    @Test
    void severalMagnetLinksSaveIntoAFolderAndJsonNamesTheFile() throws Exception {
        TestTorrent a = TestTorrent.single("a.bin", 50_000, 16 * 1024);
        TestTorrent b = TestTorrent.single("b.bin", 60_000, 16 * 1024);
        Path folder = Files.createDirectory(dir.resolve("torrents"));
        try (Session seeder = seeder(a, b)) {
            CliTest.Result r = CliTest.run("download", magnet(a, seeder), magnet(b, seeder), "--metadata-only", "--save-torrent",
                    folder.toString(), "--json", "--port", "0", "--no-trackers", "--state", dir.resolve("state").toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("\"torrent_file\":\"" + folder.resolve("a.bin.torrent") + "\"",
                    "\"torrent_file\":\"" + folder.resolve("b.bin.torrent") + "\"");
        }
        assertThat(Metainfo.load(folder.resolve("a.bin.torrent")).infoHash()).isEqualTo(a.metainfo().infoHash());
        assertThat(Metainfo.load(folder.resolve("b.bin.torrent")).infoHash()).isEqualTo(b.metainfo().infoHash());
    }

    @Test
    void filesAppliesOnceTheMetadataGivesTheFileCount() throws Exception {
        TestTorrent t = StraddlingTorrent.torrent();
        Path out = dir.resolve("out");
        try (Session seeder = seeder(t)) {
            CliTest.Result r = CliTest.run("download", magnet(t, seeder), "-o", out.toString(), "--files", "0,2-2,4,99",
                    "--port", "0", "--no-trackers", "--state", dir.resolve("state").toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).contains("--files 0,2,4 (indices past 6 ignored)");
        }
        List<FileEntry> files = t.metainfo().info().files();
        for (int f : StraddlingTorrent.WANTED_FILES) {
            assertThat(Files.readAllBytes(files.get(f).resolveIn(out))).isEqualTo(t.expected(files.get(f)));
        }
        for (int f : StraddlingTorrent.LEFT_OUT) assertThat(files.get(f).resolveIn(out)).doesNotExist();
    }

    @Test
    void badMagnetLinksAndMisusedOptionsAreOneLineErrorsBeforeAnythingStarts() throws Exception {
        Path torrent = TestTorrent.single("f.bin", 1000, 16 * 1024).writeTorrent(dir.resolve("f.torrent"));
        String good = "magnet:?xt=urn:btih:" + "ab".repeat(20);
        String other = "magnet:?xt=urn:btih:" + "cd".repeat(20);
        String state = dir.resolve("state").toString();
        String[][] cases = {
                {"bad magnet link: x.pe peer '127.0.0.1:0' has a bad port (expected 1-65535)", good + "&x.pe=127.0.0.1:0"},
                {"bad magnet link: not a magnet link (expected magnet:?xt=urn:btih:...): 'magnet:xt'", "magnet:xt"},
                {"bad magnet link: v2 (btmh) magnet links are not supported yet", "magnet:?xt=urn:btmh:1220" + "00".repeat(32)},
                {"--metadata-only needs --save-torrent FILE (where to write the metadata)", good, "--metadata-only"},
                {"--metadata-only: " + torrent + " is a .torrent file, not a magnet link", good, torrent.toString(), "--metadata-only",
                        "--save-torrent", dir.resolve("x.torrent").toString()},
                {"--save-torrent is for magnet links, and none was given", torrent.toString(), "--save-torrent", "x.torrent"},
                {"--save-torrent: " + dir.resolve("x.torrent") + " must be an existing folder when several magnet links are given",
                        good, other, "--save-torrent", dir.resolve("x.torrent").toString()},
                {"--save-torrent: no such folder: " + dir.resolve("nowhere"), good, "--save-torrent",
                        dir.resolve("nowhere/x.torrent").toString()},
                {"--files: range 3-1 runs backwards in file list '3-1'", good, "--files", "3-1"},
        };
        for (String[] c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of("download"));
            args.addAll(List.of(c).subList(1, c.length));
            args.addAll(List.of("--port", "0", "--state", state, "-o", dir.resolve("out").toString()));
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("jtorrent download: " + c[0] + System.lineSeparator());
        }
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void infoPointsAMagnetLinkToMetadataOnly() {
        CliTest.Result r = CliTest.run("info", "magnet:?xt=urn:btih:" + "ab".repeat(20));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jtorrent info: info reads .torrent files, and a magnet link holds no more than its "
                + "info-hash: 'jtorrent download MAGNET --metadata-only --save-torrent FILE' fetches the .torrent"
                + System.lineSeparator());
    }
}
