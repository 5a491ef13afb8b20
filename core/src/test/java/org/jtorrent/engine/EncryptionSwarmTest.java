package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jtorrent.mse.EncryptionPolicy;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two jtorrents over loopback under each pair of encryption policies (the leecher dials the seeder):
 * which pairs connect, and whether the payload ends up RC4-encrypted. The seeder routes the MSE
 * connection by its obfuscated info-hash (the session's acceptor), and every byte is compared.
 */
@Timeout(60)
class EncryptionSwarmTest {
    @TempDir
    Path dir;

    private final TestTorrent torrent = TestTorrent.single("enc.bin", 1024 * 1024 + 5, 64 * 1024);

    /**
     * PREFER selects plaintext when offered both (libtorrent's default), so only REQUIRE on either
     * side gives RC4. PREFER dialling DISABLE: the seeder drops the MSE attempt at its first byte,
     * and the plaintext retry goes through.
     */
    @ParameterizedTest(name = "leecher {0}, seeder {1}")
    @CsvSource({"PREFER,PREFER,false", "PREFER,REQUIRE,true", "PREFER,DISABLE,false", "REQUIRE,PREFER,true",
            "REQUIRE,REQUIRE,true", "DISABLE,PREFER,false", "DISABLE,DISABLE,false"})
    void downloadsUnderEveryCompatiblePairOfPolicies(EncryptionPolicy leecher, EncryptionPolicy seeder, boolean rc4) throws Exception {
        Path seedDir = dir.resolve("seed");
        torrent.writeTo(seedDir);
        try (Download seed = Download.start(torrent.metainfo(), options(seedDir, List.of(), seeder))) {
            Path leechDir = dir.resolve("leech");
            try (Download leech = Download.start(torrent.metainfo(),
                    options(leechDir, List.of(new InetSocketAddress("127.0.0.1", seed.listenPort())), leecher))) {
                assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
                assertThat(Files.readAllBytes(leechDir.resolve("enc.bin"))).isEqualTo(torrent.content());
                List<PeerSummary> peers = leech.torrent().summaries();
                assertThat(peers).isNotEmpty().allMatch(p -> p.encrypted() == rc4, "encrypted: " + rc4);
                assertThat(seed.torrent().peers()).allMatch(p -> p.encrypted() == rc4);
            }
        }
    }

    /**
     * REQUIRE against DISABLE, either way round, never connects: the plaintext listener drops the MSE
     * key at its first byte, the RC4-only listener drops the plaintext handshake at its 20th.
     */
    @ParameterizedTest(name = "dialler {0}, listener {1}")
    @CsvSource({"REQUIRE,DISABLE,MSE handshake refused", "DISABLE,REQUIRE,(closed|reset)"})
    void requireAndDisableNeverConnect(EncryptionPolicy dialler, EncryptionPolicy listener, String reason) throws Exception {
        Path seedDir = dir.resolve("seed");
        torrent.writeTo(seedDir);
        try (Download seed = Download.start(torrent.metainfo(), options(seedDir, List.of(), listener));
             Download idle = Download.start(torrent.metainfo(), options(dir.resolve("other"), List.of(), dialler))) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", seed.listenPort());
            PeerConfig config = PeerConfig.DEFAULT.withEncryption(dialler);
            assertThatThrownBy(() -> PeerConnection.connect(address, null, idle.torrent(), config))
                    .isInstanceOf(IOException.class).hasMessageMatching("(?s).*" + reason + ".*");
            assertThat(seed.torrent().peers()).isEmpty();
        }
    }

    /**
     * One session seeding two torrents on one port: an MSE connection names its torrent only as
     * HASH('req2', info-hash), and each leecher is routed to its own; a third torrent the session
     * does not serve is refused, and so is one once it is removed.
     */
    @Test
    void theSessionRoutesEncryptedConnectionsByObfuscatedHash() throws Exception {
        TestTorrent other = TestTorrent.single("other.bin", 300_000, 32 * 1024);
        TestTorrent unserved = TestTorrent.single("unserved.bin", 100_000, 32 * 1024);
        torrent.writeTo(dir.resolve("seed"));
        other.writeTo(dir.resolve("seed"));
        try (Session session = new Session(SessionConfig.defaults())) {
            session.start();
            TorrentHandle first = session.add(torrent.metainfo(), TorrentOptions.in(dir.resolve("seed")));
            TorrentHandle second = session.add(other.metainfo(), TorrentOptions.in(dir.resolve("seed")));
            first.completion().get(30, TimeUnit.SECONDS);
            second.completion().get(30, TimeUnit.SECONDS);
            List<InetSocketAddress> seeder = List.of(new InetSocketAddress("127.0.0.1", session.listenPort()));
            for (TestTorrent t : List.of(other, torrent)) {
                Path out = dir.resolve("leech-" + t.metainfo().info().name());
                try (Download leech = Download.start(t.metainfo(), options(out, seeder, EncryptionPolicy.REQUIRE))) {
                    assertThat(leech.awaitComplete(Duration.ofSeconds(30))).isTrue();
                    assertThat(Files.readAllBytes(out.resolve(t.metainfo().info().name()))).isEqualTo(t.content());
                    assertThat(leech.torrent().summaries()).isNotEmpty().allMatch(PeerSummary::encrypted);
                }
            }
            PeerConfig require = PeerConfig.DEFAULT.withEncryption(EncryptionPolicy.REQUIRE);
            try (Download idle = Download.start(unserved.metainfo(), options(dir.resolve("unserved"), List.of(), EncryptionPolicy.REQUIRE))) {
                assertThatThrownBy(() -> PeerConnection.connect(seeder.get(0), null, idle.torrent(), require))
                        .isInstanceOf(IOException.class).hasMessageContaining("MSE handshake refused");
            }
            second.remove(false);
            try (Download late = Download.start(other.metainfo(), options(dir.resolve("late"), List.of(), EncryptionPolicy.REQUIRE))) {
                assertThatThrownBy(() -> PeerConnection.connect(seeder.get(0), null, late.torrent(), require))
                        .isInstanceOf(IOException.class).hasMessageContaining("MSE handshake refused");
            }
        }
    }

    private static DownloadOptions options(Path folder, List<InetSocketAddress> peers, EncryptionPolicy policy) {
        DownloadOptions base = DownloadOptions.defaults(folder, peers);
        return base.withPeerConfig(base.peer().withEncryption(policy));
    }
}
