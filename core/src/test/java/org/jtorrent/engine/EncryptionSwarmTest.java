package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jtorrent.mse.EncryptionPolicy;
import org.jtorrent.peer.PeerConfig;
import org.jtorrent.peer.PeerConnection;
import org.jtorrent.testing.TestTorrent;
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

    private static DownloadOptions options(Path folder, List<InetSocketAddress> peers, EncryptionPolicy policy) {
        DownloadOptions base = DownloadOptions.defaults(folder, peers);
        return base.withPeerConfig(base.peer().withEncryption(policy));
    }
}
