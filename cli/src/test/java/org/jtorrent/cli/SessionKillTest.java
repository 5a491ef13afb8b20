package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jtorrent.choke.RateLimiter;
import org.jtorrent.choke.TokenBucket;
import org.jtorrent.engine.Session;
import org.jtorrent.engine.SessionConfig;
import org.jtorrent.engine.TorrentOptions;
import org.jtorrent.metainfo.FileEntry;
import org.jtorrent.metainfo.Metainfo;
import org.jtorrent.storage.PieceHasher;
import org.jtorrent.storage.Recheck;
import org.jtorrent.storage.Storage;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.testing.TestTorrent.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtorrent download} of five torrents in one session, in a child JVM, SIGKILLed part-way;
 * the same command again, with the same state directory, completes all five byte-exact, each
 * fetching only what the kill left missing.
 */
@Timeout(180)
class SessionKillTest {
    private static final Pattern TOTAL = Pattern.compile("^total\\s+\\S.*?\\s(\\d+\\.\\d)%");

    @TempDir
    Path dir;

    @Test
    void aSessionOfFiveTorrentsKilledMidwayCompletesFromItsStateDirectory() throws Exception {
        List<TestTorrent> torrents = List.of(
                TestTorrent.single("one.bin", 2 * 1024 * 1024, 64 * 1024),
                TestTorrent.multi("two", 64 * 1024, Spec.file("a.bin", 700_000), Spec.pad(64 * 1024 - 700_000 % (64 * 1024)),
                        Spec.file("b/c.bin", 1_300_000)),
                TestTorrent.single("three.bin", 2 * 1024 * 1024 + 5, 64 * 1024),
                TestTorrent.multi("four", 32 * 1024, Spec.file("x.bin", 1_000_000), Spec.file("y.bin", 1_000_001)),
                TestTorrent.single("five.bin", 1_900_000, 64 * 1024));
        Path seedDir = dir.resolve("seed");
        List<String> args = new ArrayList<>(List.of("download"));
        for (TestTorrent t : torrents) {
            t.writeTo(seedDir);
            args.add(t.writeTorrent(dir.resolve(t.metainfo().info().name() + ".torrent")).toString());
        }
        Path out = dir.resolve("out");
        Path state = dir.resolve("state");
        // One seeding session, its upload limited to ~10 MiB in 7 s, so the kill lands mid-way.
        SessionConfig config = SessionConfig.defaults();
        config = config.withLimits(config.limits().quick().withUpload(RateLimiter.of(TokenBucket.perSecond(1536 * 1024))));
        try (Session seeder = new Session(config)) {
            seeder.start();
            for (TestTorrent t : torrents) seeder.add(t.metainfo(), TorrentOptions.in(seedDir));
            args.addAll(List.of("-o", out.toString(), "--peer", "127.0.0.1:" + seeder.listenPort(), "--state", state.toString()));

            List<String> first = new ArrayList<>(args);
            first.addAll(List.of("--progress-every", "0.2"));
            double killedAt = JavaProcess.killWhenPast(JavaProcess.start(first.toArray(String[]::new)), TOTAL, 40.0);
            assertThat(killedAt).as("killed part-way").isBetween(40.0, 95.0);

            Map<String, Long> missing = new HashMap<>();
            try (PieceHasher hasher = new PieceHasher(1)) {
                for (TestTorrent t : torrents) missing.put(t.metainfo().info().name(), missingBytes(t.metainfo(), out, hasher));
            }
            assertThat(missing.values().stream().mapToLong(Long::longValue).sum()).as("something left to fetch").isPositive();
            System.out.printf("killed at %.1f %% of the total; missing after the kill: %s%n", killedAt, missing);

            List<String> second = new ArrayList<>(args);
            second.add("--json");
            Process again = JavaProcess.start(second.toArray(String[]::new));
            String text = JavaProcess.finish(again, 90);
            assertThat(again.exitValue()).as(text).isZero();
            int results = 0;
            for (String line : text.lines().filter(l -> l.startsWith("{")).toList()) {
                JsonNode json = new ObjectMapper().readTree(line);
                String name = json.get("name").asText();
                // Only the pieces the kill left missing: not one byte of what was verified before it.
                assertThat(json.get("downloaded_bytes").asLong()).as(name).isEqualTo(missing.get(name));
                assertThat(json.get("complete").asBoolean()).as(name).isTrue();
                results++;
            }
            assertThat(results).as(text).isEqualTo(torrents.size());
        }
        for (TestTorrent t : torrents) {
            for (FileEntry f : t.metainfo().info().files()) {
                if (!f.isPadding()) assertThat(Files.readAllBytes(f.resolveIn(out))).as(f.displayPath()).isEqualTo(t.expected(f));
            }
        }
    }

    /** The bytes of the pieces not on disk (padding included, as the result counts them). */
    private static long missingBytes(Metainfo m, Path out, PieceHasher hasher) throws Exception {
        try (Storage storage = Storage.open(m.info(), out, Storage.Options.DEFAULT)) {
            java.util.BitSet have = Recheck.run(storage, hasher, 4);
            long bytes = 0;
            for (int piece = have.nextClearBit(0); piece < m.info().pieceCount(); piece = have.nextClearBit(piece + 1)) {
                bytes += m.info().layout().pieceSize(piece);
            }
            return bytes;
        }
    }

}
