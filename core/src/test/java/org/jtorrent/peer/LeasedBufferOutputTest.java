package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeasedBufferOutputTest {
    /** Counts the writes that reach the stream below, to see that small ones are gathered. */
    private static final class CountingOutput extends ByteArrayOutputStream {
        int writes;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes++;
            super.write(b, off, len);
        }
    }

    @Test
    void bytesLeaveInOrderInLargeWritesAndTheBufferIsHeldOnlyUntilTheFlush() throws IOException {
        CountingOutput below = new CountingOutput();
        LeasedBufferOutput out = new LeasedBufferOutput(below);
        assertThat(out.holdsBuffer()).isFalse();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Random random = new Random(7);
        int small = 0;
        for (int i = 0; i < 500; i++) {
            byte[] chunk = new byte[random.nextInt(10) == 0 ? LeasedBufferOutput.SIZE + random.nextInt(1000) : 1 + random.nextInt(17_000)];
            random.nextBytes(chunk);
            if (chunk.length < LeasedBufferOutput.SIZE) small++;
            out.write(chunk);
            expected.write(chunk);
        }
        out.write(42);
        expected.write(42);
        assertThat(out.holdsBuffer()).isTrue();
        out.flush();
        assertThat(out.holdsBuffer()).as("an idle connection holds no buffer").isFalse();
        assertThat(below.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(below.writes).as("small writes gathered").isLessThan(small / 2);
    }
}
