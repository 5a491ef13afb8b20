package org.jtorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jtorrent.testing.TestTorrent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DiskResourcesTest {
    @TempDir
    Path dir;

    private static long poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("jtorrent-hash-") || t.getName().startsWith("jtorrent-flush-"))
                .filter(Thread::isAlive).count();
    }

    @Test
    void nothingStartsAThreadUntilThereIsWorkAndCloseEndsThePools() throws Exception {
        TestTorrent t = TestTorrent.single("t.bin", 4 * 16384, 16384);
        long before = poolThreads();
        DiskResources shared = new DiskResources(DiskResources.Config.DEFAULT.withHashThreads(2));
        try (Storage a = Storage.open(t.metainfo().info(), dir.resolve("a"), Storage.Options.DEFAULT, shared);
             Storage b = Storage.open(t.metainfo().info(), dir.resolve("b"), Storage.Options.DEFAULT, shared)) {
            new PartialPieces(a, shared.hasher(), 1 << 20);
            new ReadCache(b, 1 << 20);
            assertThat(poolThreads()).as("built and opened: no thread yet (idle ones of earlier tests may end)").isLessThanOrEqualTo(before);
            assertThat(shared.hasher().submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
                    .startsWith("jtorrent-hash-");
        }
        shared.close();
        assertThatThrownBy(() -> shared.hasher().submit(() -> 1).get()).isInstanceOf(ExecutionException.class)
                .cause().hasMessage("the hashing pool is closed");
        try (Storage late = Storage.open(t.metainfo().info(), dir.resolve("c"), Storage.Options.DEFAULT, shared)) {
            assertThatThrownBy(() -> late.write(0, 0, ByteBuffer.wrap(t.piece(0)))).isInstanceOf(StorageException.class)
                    .hasMessageContaining("the session's disk resources are closed");
        }
    }
}
