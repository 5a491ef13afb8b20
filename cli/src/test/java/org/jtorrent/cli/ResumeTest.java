package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jtorrent.storage.PieceHasher;
import org.jtorrent.storage.Recheck;
import org.jtorrent.storage.Storage;
import org.jtorrent.testing.FakePeer;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtorrent download} in a child JVM is killed with SIGKILL part-way; a second run over the
 * same folder re-checks the disk and fetches only what is missing.
 */
@Timeout(120)
class ResumeTest {
    private static final Pattern PERCENT = Pattern.compile("\\s(\\d+\\.\\d)%");

    @TempDir
    Path dir;

    @Test
    void killedWithSigkillAtFortyPercentThenResumedFetchesOnlyTheRest() throws Exception {
        TestTorrent t = TestTorrent.single("resume.bin", 4 * 1024 * 1024, 64 * 1024); // 64 pieces, 256 blocks
        Path torrentFile = t.writeTorrent(dir.resolve("resume.torrent"));
        Path out = dir.resolve("out");
        AtomicBoolean slow = new AtomicBoolean(true);
        // A seeder that serves every block correctly, 20 ms apart while "slow": ~5 s for the whole.
        try (FakePeer seeder = new FakePeer(t, (link, r) -> {
            if (slow.get()) sleep(20);
            link.send(new Message.Piece(r.piece(), r.begin(), link.block(r)));
        })) {
            String peer = "127.0.0.1:" + seeder.address().getPort();
            Process first = JavaProcess.start("download", torrentFile.toString(), "-o", out.toString(), "--peer", peer,
                    "--progress-every", "0.2", "--state", dir.resolve("state").toString());
            double killedAt = JavaProcess.killWhenPast(first, PERCENT, 40.0);
            assertThat(killedAt).as("killed part-way").isBetween(40.0, 95.0);

            long missing;
            try (Storage storage = Storage.open(t.metainfo().info(), out, Storage.Options.DEFAULT);
                 PieceHasher hasher = new PieceHasher(1)) {
                int have = Recheck.run(storage, hasher, 4).cardinality();
                assertThat(have).as("pieces that survived the kill").isBetween(16, 63);
                missing = (64L - have) * 64 * 1024;
            }

            slow.set(false);
            Process second = JavaProcess.start("download", torrentFile.toString(), "-o", out.toString(), "--peer", peer,
                    "--json", "--state", dir.resolve("state").toString());
            String text = JavaProcess.finish(second, 60);
            assertThat(second.exitValue()).as(text).isZero();
            Matcher m = Pattern.compile("\"downloaded_bytes\":(\\d+)").matcher(text);
            assertThat(m.find()).as(text).isTrue();
            // Only the pieces missing after the kill: not one byte of what was verified before.
            assertThat(Long.parseLong(m.group(1))).isEqualTo(missing);
        }
        assertThat(Files.readAllBytes(out.resolve("resume.bin"))).isEqualTo(t.content());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
