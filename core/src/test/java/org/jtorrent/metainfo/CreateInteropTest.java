package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtorrent.testing.RealPeers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Torrents cross the border both ways with the same info-hash: ours load in libtorrent and
 * Transmission; mktorrent's and libtorrent's (v1-only and hybrid) load in jtorrent.
 */
@Tag("interop")
class CreateInteropTest {

    @TempDir
    Path dir;
    Path single;
    Path folder;

    @BeforeEach
    void payload() throws IOException {
        Random random = new Random(42);
        single = dir.resolve("single.bin");
        Files.write(single, bytes(random, 300_001));
        folder = dir.resolve("tree");
        Files.createDirectories(folder.resolve("a/b"));
        Files.write(folder.resolve("a/b/deep.bin"), bytes(random, 70_000));
        Files.write(folder.resolve("a/empty.txt"), new byte[0]);
        Files.write(folder.resolve("one-byte"), bytes(random, 1));
        Files.write(folder.resolve("z.bin"), bytes(random, 123_457));
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void ourTorrentsLoadInLibtorrentAndTransmissionWithTheSameInfoHash() throws Exception {
        Path python = RealPeers.pythonWithLibtorrent();
        Path show = RealPeers.require("transmission-show", "transmission-cli");
        for (Path source : List.of(single, folder)) {
            Path torrent = dir.resolve(source.getFileName() + ".torrent");
            Files.write(torrent, new TorrentCreator(source).pieceLength(32768)
                    .trackerTier(List.of("http://127.0.0.1:6969/announce")).create());
            String ours = Metainfo.load(torrent).infoHash().hex();
            assertThat(libtorrentInfoHash(python, torrent)).as("libtorrent on %s", source).isEqualTo(ours);
            String shown = run(show.toString(), torrent.toString());
            Matcher m = Pattern.compile("Hash: ([0-9a-f]{40})").matcher(shown);
            assertThat(m.find()).as(shown).isTrue();
            assertThat(m.group(1)).as("transmission-show on %s", source).isEqualTo(ours);
        }
    }

    @Test
    void mktorrentTorrentsLoadInJtorrentWithTheSameInfoHash() throws Exception {
        Path mktorrent = RealPeers.require("mktorrent", "mktorrent");
        Path python = RealPeers.pythonWithLibtorrent();
        for (Path source : List.of(single, folder)) {
            Path torrent = dir.resolve("mk-" + source.getFileName() + ".torrent");
            run(mktorrent.toString(), "-l", "15", "-a", "http://127.0.0.1:6969/announce", "-o", torrent.toString(),
                    source.toString());
            Metainfo ours = Metainfo.load(torrent);
            assertThat(ours.infoHash().hex()).isEqualTo(libtorrentInfoHash(python, torrent));
            assertThat(ours.info().totalLength()).isEqualTo(source == single ? 300_001 : 193_458);
        }
    }

    @Test
    void libtorrentV1AndHybridTorrentsLoadInJtorrentWithTheSameInfoHash() throws Exception {
        Path python = RealPeers.pythonWithLibtorrent();
        for (String mode : List.of("v1_only", "hybrid")) {
            for (Path source : List.of(single, folder)) {
                Path torrent = dir.resolve("lt-" + mode + "-" + source.getFileName() + ".torrent");
                String script = """
                        import sys, os, libtorrent as lt
                        src, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]
                        fs = lt.file_storage()
                        lt.add_files(fs, src)
                        flags = lt.create_torrent.v1_only if mode == 'v1_only' else 0
                        ct = lt.create_torrent(fs, 32768, flags=flags)
                        ct.add_tracker('http://127.0.0.1:6969/announce')
                        lt.set_piece_hashes(ct, os.path.dirname(src))
                        open(out, 'wb').write(lt.bencode(ct.generate()))
                        print(lt.torrent_info(out).info_hashes().v1)
                        """;
                String expected = run(python.toString(), "-c", script, source.toString(), torrent.toString(), mode).strip();
                Metainfo ours = Metainfo.load(torrent);
                assertThat(ours.infoHash().hex()).as("%s %s", mode, source.getFileName()).isEqualTo(expected);
                long payload = source == single ? 300_001 : 193_458;
                assertThat(ours.info().payloadLength()).isEqualTo(payload);
            }
        }
    }

    private static String libtorrentInfoHash(Path python, Path torrent) throws Exception {
        return run(python.toString(), "-c",
                "import sys, libtorrent as lt; print(lt.torrent_info(sys.argv[1]).info_hashes().v1)",
                torrent.toString()).strip();
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s%n%s", String.join(" ", command), text).isZero();
        return text;
    }
}
