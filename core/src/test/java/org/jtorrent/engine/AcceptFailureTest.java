package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jtorrent.id.PeerId;
import org.jtorrent.testing.TestTorrent;
import org.jtorrent.wire.Handshake;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener whose accepts fail for a while, as they do when the process runs out of file
 * descriptors (EMFILE): the download keeps accepting once they succeed again, instead of ending
 * its accept loop for good.
 */
@Timeout(30)
class AcceptFailureTest {
    @TempDir
    Path dir;

    @Test
    void acceptingResumesAfterAcceptsFailForAWhile() throws Exception {
        TestTorrent t = TestTorrent.single("a.bin", 100_000, 16_384);
        ServerSocketChannel real = ServerSocketChannel.open();
        real.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        FailingListener listener = new FailingListener(real);
        try (Download d = Download.start(t.metainfo(), DownloadOptions.defaults(dir, List.of()), listener)) {
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (listener.failures.get() < 3 && System.nanoTime() < until) Thread.sleep(10);
            listener.exhausted.set(false); // descriptors are free again
            try (Socket probe = new Socket("127.0.0.1", d.listenPort())) {
                probe.setSoTimeout(5000);
                probe.getOutputStream().write(new Handshake(t.metainfo().infoHash(), PeerId.random(), true, true).encode());
                assertThat(Handshake.read(probe.getInputStream()).infoHash()).isEqualTo(t.metainfo().infoHash());
            }
            assertThat(listener.failures.get()).as("accepts failed, and were retried").isGreaterThanOrEqualTo(3);
        }
        assertThat(real.isOpen()).as("closed with the download").isFalse();
    }

    /** A bound listener whose accepts fail with EMFILE's message while {@link #exhausted}. */
    private static final class FailingListener extends ServerSocketChannel {
        final AtomicBoolean exhausted = new AtomicBoolean(true);
        final AtomicInteger failures = new AtomicInteger();
        private final ServerSocketChannel real;

        FailingListener(ServerSocketChannel real) {
            super(SelectorProvider.provider());
            this.real = real;
        }

        @Override
        public SocketChannel accept() throws IOException {
            if (exhausted.get()) {
                failures.incrementAndGet();
                throw new IOException("Too many open files");
            }
            return real.accept();
        }

        @Override
        public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
            real.bind(local, backlog);
            return this;
        }

        @Override
        public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
            real.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            return real.getOption(name);
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return real.supportedOptions();
        }

        @Override
        public ServerSocket socket() {
            return real.socket();
        }

        @Override
        public SocketAddress getLocalAddress() throws IOException {
            return real.getLocalAddress();
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            real.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            real.configureBlocking(block);
        }
    }
}
