package org.jtorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class HttpGetTest {
    private static final int CAP = 1000;

    private static HttpGet.Reply parse(String reply) throws IOException {
        return HttpGet.readReply(stream(reply), CAP);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String body(HttpGet.Reply r) {
        return new String(r.body(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void contentLengthBody() throws IOException {
        HttpGet.Reply r = parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello and more");
        assertThat(r.status()).isEqualTo(200);
        assertThat(body(r)).isEqualTo("hello");
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailers() throws IOException {
        HttpGet.Reply r = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;name=value\r\nd8:i\r\n7\r\nnterval\r\n0\r\nX-Trailer: 1\r\n\r\n");
        assertThat(body(r)).isEqualTo("d8:interval");
    }

    @Test
    void bodyToTheEndOfTheConnectionAndBareLineFeeds() throws IOException {
        HttpGet.Reply r = parse("HTTP/1.0 200 OK\nServer: old\n\nle");
        assertThat(body(r)).isEqualTo("le");
    }

    @Test
    void headerNamesAreCaseInsensitiveAndRedirectsKeepTheirLocation() throws IOException {
        HttpGet.Reply r = parse("HTTP/1.1 302 Found\r\nLOCATION: http://other/announce\r\nContent-Length: 3\r\n\r\nabc");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.location()).contains("http://other/announce");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void interimRepliesAreSkipped() throws IOException {
        HttpGet.Reply r = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nle");
        assertThat(r.status()).isEqualTo(200);
        assertThat(body(r)).isEqualTo("le");
    }

    @Test
    void everyBodyKindIsCapped() throws IOException {
        String big = "x".repeat(CAP + 1);
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n"))
                .isInstanceOf(HttpGet.ReplyTooLarge.class).hasMessage("reply larger than 1000 bytes, refused");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n" + big))
                .isInstanceOf(HttpGet.ReplyTooLarge.class);
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\n\r\n" + big)).isInstanceOf(HttpGet.ReplyTooLarge.class);
        assertThat(parse("HTTP/1.1 200 OK\r\n\r\n" + "x".repeat(CAP)).body()).hasSize(CAP); // exactly the cap is fine
    }

    /** Finding 5 of issue 13: 1 + 0x7fffffffffffffff overflowed the size check, and the cast to int threw. */
    @Test
    void aChunkSizeThatWouldOverflowTheCountIsRefusedForItsSize() {
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nd\r\n7fffffffffffffff\r\n"))
                .isInstanceOf(HttpGet.ReplyTooLarge.class);
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "3e8\r\n" + "x".repeat(CAP)
                + "\r\n1\r\nx\r\n0\r\n\r\n")).isInstanceOf(HttpGet.ReplyTooLarge.class); // one byte past the cap
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n"))
                .hasMessage("bad chunk size: 10000000000000000"); // past a long
    }

    @Test
    void malformedRepliesAreOneLineErrors() {
        assertThatThrownBy(() -> parse("SSH-2.0-OpenSSH_9.2\r\n\r\n")).hasMessageStartingWith("not an HTTP reply: SSH-2.0");
        assertThatThrownBy(() -> parse("HTTP/1.1 2x0 OK\r\n\r\n")).hasMessageStartingWith("not an HTTP reply");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n")).hasMessage("bad Content-Length: -5");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
                .hasMessage("connection closed after 5 of 10 bytes");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")).hasMessage("bad chunk size: zz");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nServer: x")).hasMessage("connection closed mid-reply");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nX: " + "y".repeat(HttpGet.MAX_HEADER_BYTES) + "\r\n\r\n"))
                .hasMessage("HTTP header block longer than 16384 bytes");
    }

    @Test
    void theRequestIsMinimalAndKeepsTheQueryAsItWasEncoded() {
        URI uri = URI.create("http://tracker.example:6969/announce?info_hash=%AA%BB&port=1");
        assertThat(HttpGet.request(uri, uri.getHost(), "jtorrent/0.1")).isEqualTo(
                "GET /announce?info_hash=%AA%BB&port=1 HTTP/1.1\r\nHost: tracker.example:6969\r\n"
                        + "User-Agent: jtorrent/0.1\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n");
        assertThat(HttpGet.request(URI.create("http://[::1]"), "[::1]", "a")).startsWith("GET / HTTP/1.1\r\nHost: [::1]\r\n");
    }

    @Test
    void aServerThatTricklesIsCutOffAtTheDeadline() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    for (int i = 0; i < 100; i++) { // one header byte every 100 ms: each read alone is quick
                        out.write('X');
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (Exception ignored) {
                    // the client hung up, as it should
                }
            });
            long start = System.nanoTime();
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/announce");
            assertThatThrownBy(() -> HttpGet.fetch(uri, "t", CAP, start + Duration.ofMillis(700).toNanos()))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    /**
     * Finding 6 of issue 13: socket timeouts bound each read, and a TLS handshake fed one byte every
     * 200 ms never waits that long for one. The record header announces 16 KiB, so the client keeps
     * reading for an hour; the deadline must end it all the same.
     */
    @Test
    void theDeadlineCoversATlsHandshakeThatDrips() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00}); // a handshake record of 16,384 bytes follows...
                    out.flush();
                    for (int i = 0; i < 16_384; i++) { // ...one byte at a time
                        out.write(0x02);
                        out.flush();
                        Thread.sleep(200);
                    }
                } catch (Exception ignored) {
                    // the client hung up, as it should
                }
            });
            long start = System.nanoTime();
            URI uri = URI.create("https://127.0.0.1:" + server.getLocalPort() + "/announce");
            assertTimeoutPreemptively(Duration.ofSeconds(6), () ->
                    assertThatThrownBy(() -> HttpGet.fetch(uri, "t", CAP, start + Duration.ofSeconds(1).toNanos()))
                            .isInstanceOf(SocketTimeoutException.class));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    /** Cancelling from another thread ends a request blocked in a read at once, long before its deadline. */
    @Test
    void aCancelledRequestEndsAtOnce() throws Exception {
        try (var silent = TestTrackers.silentTcp()) {
            Cancellation cancellation = new Cancellation();
            long start = System.nanoTime();
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                cancellation.cancel();
            });
            assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                    assertThatThrownBy(() -> HttpGet.fetch(silent.uri(), "t", CAP, start + Duration.ofSeconds(60).toNanos(), cancellation))
                            .isInstanceOf(IOException.class).isNotInstanceOf(SocketTimeoutException.class));
            assertThat(cancellation.isCancelled()).isTrue();
        }
    }

    @Test
    void httpsCertificatesAreVerified(@TempDir Path dir) throws Exception {
        // A self-signed certificate: the TLS handshake happens, and the default trust store refuses it.
        Path keystore = dir.resolve("ks.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keyalg", "EC", "-alias", "t", "-keystore", keystore.toString(), "-storepass", "secret",
                "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12").redirectErrorStream(true).start();
        keytool.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertThat(keytool.waitFor()).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(keystore)) {
            ks.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "secret".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 2);
                exchange.getResponseBody().write("le".getBytes(StandardCharsets.ISO_8859_1));
            }
        });
        server.start();
        try {
            URI uri = URI.create("https://localhost:" + server.getAddress().getPort() + "/announce");
            assertThatThrownBy(() -> HttpGet.fetch(uri, "t", CAP, System.nanoTime() + Duration.ofSeconds(10).toNanos()))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("PKIX");
        } finally {
            server.stop(0);
        }
    }
}
