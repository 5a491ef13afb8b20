package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jtorrent.engine.InteropTest.assertSameFiles;
import static org.jtorrent.engine.InteropTest.awaitListening;
import static org.jtorrent.engine.InteropTest.freePort;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jtorrent.mse.EncryptionPolicy;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.testing.External;
import org.jtorrent.testing.RealPeers;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MSE against real clients that insist on it, both directions, every byte compared and every
 * connection checked to be RC4: libtorrent 2.0 with {@code out_enc_policy = in_enc_policy =
 * pe_forced} and {@code allowed_enc_level = pe_rc4} ({@code bench/lt_mse.py}), Transmission 3.00
 * with {@code encryption: 2} (required). And the other way: with REQUIRE on our side, a
 * plaintext-only libtorrent is refused in both directions.
 */
@Tag("interop")
@Timeout(150)
class EncryptionInteropTest {
    @TempDir
    Path dir;

    private final TestTorrent torrent = InteropTest.single();

    /** Our default (PREFER, offering both) and REQUIRE both end up on RC4 with a peer that forces it. */
    @ParameterizedTest
    @EnumSource(value = EncryptionPolicy.class, names = {"PREFER", "REQUIRE"})
    void downloadsFromLibtorrentWithRc4Forced(EncryptionPolicy ours) throws Exception {
        fromSeeder(ours, (torrentFile, data, port) -> start("lt-seed.log", Map.of(), python(), ltMse(), "seed",
                torrentFile.toString(), data.toString(), "--port", String.valueOf(port)));
    }

    @Test
    void libtorrentLeecherWithRc4ForcedDownloadsFromUs() throws Exception {
        Path torrentFile = torrent.writeTorrent(dir.resolve("t.torrent"));
        Path ours = dir.resolve("ours");
        torrent.writeTo(ours);
        try (Download seed = Download.start(torrent.metainfo(), options(ours, List.of(), EncryptionPolicy.REQUIRE))) {
            Path out = dir.resolve("lt-out");
            External leech = start("lt-leech.log", Map.of(), python(), ltMse(), "leech", torrentFile.toString(),
                    out.toString(), "--port", String.valueOf(freePort()), "--peer", "127.0.0.1:" + seed.listenPort(),
                    "--timeout", "60");
            try {
                assertThat(leech.waitFor(Duration.ofSeconds(90))).as("libtorrent leecher exit code\n" + leech.log()).isZero();
            } finally {
                leech.stop();
            }
            assertSameFiles(torrent, out);
            assertThat(seed.result().uploadedBytes()).isGreaterThanOrEqualTo(torrent.metainfo().info().totalLength());
            assertAllEncrypted(seed.torrent().summaries());
        }
    }

    /** Transmission never dials 127.x: we dial it. It waits ~10 s before it unchokes. */
    @Test
    void downloadsFromTransmissionThatRequiresEncryption() throws Exception {
        RealPeers.require("transmission-cli", "transmission-cli");
        fromSeeder(EncryptionPolicy.REQUIRE, (torrentFile, data, port) -> start("tr-seed.log", Map.of("TR_ENCRYPTION", "2"), "sh",
                RealPeers.harness().resolve("tr_run.sh").toString(), "seed", torrentFile.toString(), data.toString(),
                String.valueOf(port)));
    }

    @Test
    void transmissionLeecherThatRequiresEncryptionDownloadsFromUsWhenWeDialIt() throws Exception {
        RealPeers.require("transmission-cli", "transmission-cli");
        Path torrentFile = torrent.writeTorrent(dir.resolve("t.torrent"));
        Path ours = dir.resolve("ours");
        torrent.writeTo(ours);
        int port = freePort();
        Path out = dir.resolve("tr-out");
        External leech = start("tr-leech.log", Map.of("TR_ENCRYPTION", "2"), "sh", RealPeers.harness().resolve("tr_run.sh").toString(),
                "leech", torrentFile.toString(), out.toString(), String.valueOf(port));
        try {
            awaitListening(port, leech);
            try (Download seed = Download.start(torrent.metainfo(),
                    options(ours, List.of(new InetSocketAddress("127.0.0.1", port)), EncryptionPolicy.REQUIRE))) {
                assertThat(leech.waitFor(Duration.ofSeconds(90))).as("transmission leecher exit code\n" + leech.log()).isZero();
                assertThat(seed.result().uploadedBytes()).isGreaterThanOrEqualTo(torrent.metainfo().info().totalLength());
                assertAllEncrypted(seed.torrent().summaries());
            }
        } finally {
            leech.stop();
        }
        assertSameFiles(torrent, out);
    }

    /**
     * With REQUIRE, a libtorrent that speaks plaintext only (pe_disabled) is refused both ways: our
     * dial ends at our MSE key (no plaintext retry), its dial at its plaintext handshake; its leecher
     * gives up with nothing.
     */
    @Test
    void requireRefusesAPlaintextOnlyPeerBothWays() throws Exception {
        Path torrentFile = torrent.writeTorrent(dir.resolve("t.torrent"));
        Path data = dir.resolve("seed");
        torrent.writeTo(data);
        int port = freePort();
        External plainSeeder = start("lt-plain-seed.log", Map.of(), python(), RealPeers.harness().resolve("lt_client.py").toString(),
                "seed", torrentFile.toString(), data.toString(), "--port", String.valueOf(port), "--encryption", "off");
        try (Download ours = Download.start(torrent.metainfo(), options(dir.resolve("ours"), List.of(), EncryptionPolicy.REQUIRE))) {
            awaitListening(port, plainSeeder);
            PeerConfig require = PeerConfig.DEFAULT.withEncryption(EncryptionPolicy.REQUIRE);
            assertThatThrownBy(() -> PeerConnection.connect(new InetSocketAddress("127.0.0.1", port), null, ours.torrent(), require))
                    .isInstanceOf(IOException.class).hasMessageContaining("MSE handshake refused");
            // The control: the same seeder serves us under PREFER (MSE refused, plaintext retried).
            PeerConfig prefer = PeerConfig.DEFAULT.withEncryption(EncryptionPolicy.PREFER);
            PeerConnection.connect(new InetSocketAddress("127.0.0.1", port), null, ours.torrent(), prefer).close();

            External plainLeech = start("lt-plain-leech.log", Map.of(), python(), RealPeers.harness().resolve("lt_client.py").toString(),
                    "leech", torrentFile.toString(), dir.resolve("lt-out").toString(), "--port", String.valueOf(freePort()),
                    "--peer", "127.0.0.1:" + ours.listenPort(), "--timeout", "5", "--encryption", "off");
            try {
                assertThat(plainLeech.waitFor(Duration.ofSeconds(30))).as("gave up\n" + plainLeech.log()).isEqualTo(2);
            } finally {
                plainLeech.stop();
            }
            assertThat(ours.torrent().peers()).isEmpty();
            assertThat(ours.result().uploadedBytes()).isZero();
        } finally {
            plainSeeder.stop();
        }
    }

    // ---- helpers ----

    interface SeederStarter {
        External start(Path torrentFile, Path data, int port) throws Exception;
    }

    private void fromSeeder(EncryptionPolicy ours, SeederStarter starter) throws Exception {
        Path torrentFile = torrent.writeTorrent(dir.resolve("t.torrent"));
        Path data = dir.resolve("seed");
        torrent.writeTo(data);
        int port = freePort();
        External seeder = starter.start(torrentFile, data, port);
        try {
            awaitListening(port, seeder);
            Path out = dir.resolve("out");
            try (Download d = Download.start(torrent.metainfo(), options(out, List.of(new InetSocketAddress("127.0.0.1", port)), ours))) {
                // The seeder really insists: a plaintext dial is turned away.
                PeerConfig plaintext = PeerConfig.DEFAULT.withEncryption(EncryptionPolicy.DISABLE);
                assertThatThrownBy(() -> PeerConnection.connect(new InetSocketAddress("127.0.0.1", port), null, d.torrent(), plaintext))
                        .isInstanceOf(IOException.class);
                assertThat(d.awaitComplete(Duration.ofSeconds(90))).as("complete\n" + seeder.log()).isTrue();
                assertThat(d.result().downloadedBytes()).isEqualTo(torrent.metainfo().info().totalLength());
                assertAllEncrypted(d.torrent().summaries());
            }
            assertSameFiles(torrent, out);
        } finally {
            seeder.stop();
        }
    }

    /** Every connection that moved payload was RC4-encrypted. */
    private static void assertAllEncrypted(List<PeerSummary> peers) {
        List<PeerSummary> moved = peers.stream().filter(p -> p.downloadedBytes() + p.uploadedBytes() > 0).toList();
        assertThat(moved).as("connections that moved payload").isNotEmpty();
        assertThat(moved).allMatch(PeerSummary::encrypted, "RC4-encrypted");
    }

    private static DownloadOptions options(Path folder, List<InetSocketAddress> peers, EncryptionPolicy policy) {
        DownloadOptions base = DownloadOptions.defaults(folder, peers);
        return base.withPeerConfig(base.peer().withEncryption(policy));
    }

    private static String python() {
        return RealPeers.pythonWithLibtorrent().toString();
    }

    private static String ltMse() {
        return RealPeers.repoRoot().resolve("bench/lt_mse.py").toString();
    }

    private External start(String log, Map<String, String> env, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile());
        pb.environment().putAll(env);
        return new External(pb.start(), dir.resolve(log));
    }
}
