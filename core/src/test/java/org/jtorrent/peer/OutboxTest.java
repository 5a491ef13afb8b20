package org.jtorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jtorrent.wire.Message;
import org.jtorrent.wire.Message.Have;
import org.jtorrent.wire.Message.Piece;
import org.jtorrent.wire.Message.RejectRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OutboxTest {
    private static final int REJECT = 17; // bytes of a reject frame

    @Test
    void controlMessagesPastTheBoundAreRefusedAndNothingOfThemIsQueued() throws Exception {
        Outbox box = new Outbox(10 * REJECT, 1 << 20);
        for (int i = 0; i < 10; i++) assertThat(box.post(List.of(new RejectRequest(0, i, 1)))).isTrue();
        assertThat(box.post(List.of(new Have(1)))).as("9 more bytes do not fit").isFalse();
        List<Message> batch = new ArrayList<>();
        assertThat(box.takeAll(batch, 0)).isTrue();
        assertThat(batch).hasSize(10).allMatch(m -> m instanceof RejectRequest);
        assertThat(box.post(List.of(new Have(1)))).as("taken but not yet written: still counted").isFalse();
        box.written(batch);
        assertThat(box.post(List.of(new Have(1)))).isTrue();
    }

    /** The timer rests only on a drained outbox: a batch the writer took and has not written yet still counts. */
    @Test
    void drainedOnlyOnceEverythingTakenIsWritten() throws Exception {
        Outbox box = new Outbox(1 << 20, 1 << 20);
        assertThat(box.drained()).isTrue();
        box.post(List.of(new Have(1)));
        assertThat(box.postPiece(new Piece(0, 0, new byte[16]), false)).isTrue();
        List<Message> batch = new ArrayList<>();
        box.takeAll(batch, 0);
        assertThat(box.isEmpty()).isTrue();
        assertThat(box.drained()).as("taken, not written").isFalse();
        box.written(batch);
        assertThat(box.drained()).isTrue();
    }

    @Test
    void piecesWaitForTheWindowAndKeepTheirOrderWithControlMessages() throws Exception {
        Outbox box = new Outbox(1 << 20, 16 * 1024);
        Piece first = new Piece(0, 0, new byte[16 * 1024]);
        Piece second = new Piece(0, 16 * 1024, new byte[16 * 1024]);
        assertThat(box.postPiece(first, false)).isTrue();
        Thread uploader = Thread.ofVirtual().start(() -> {
            try {
                box.postPiece(second, false);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(uploader.join(java.time.Duration.ofMillis(200))).as("the second piece waits for room").isFalse();
        box.post(List.of(new Have(3)));
        List<Message> batch = new ArrayList<>();
        box.takeAll(batch, -1);
        assertThat(batch).containsExactly(first, new Have(3));
        box.written(batch);
        uploader.join();
        batch.clear();
        box.takeAll(batch, -1);
        assertThat(batch).containsExactly(second);
    }

    @Test
    void piecesWithMoreComingWakeTheWriterAtHalfTheWindowOrWhenTheUploaderRunsDry() throws Exception {
        Outbox box = new Outbox(1 << 20, 64 * 1024);
        List<Message> batch = new ArrayList<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                box.takeAll(batch, -1);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(50); // the writer waits
        box.postPiece(new Piece(0, 0, new byte[16 * 1024]), true);
        assertThat(writer.join(java.time.Duration.ofMillis(200))).as("a quarter of the window: not woken").isFalse();
        box.wakeWriter(); // the uploader has nothing more in hand
        assertThat(writer.join(java.time.Duration.ofSeconds(5))).isTrue();
        assertThat(batch).hasSize(1);
        box.written(batch);

        batch.clear();
        Thread again = Thread.ofVirtual().start(() -> {
            try {
                box.takeAll(batch, -1);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(50);
        box.postPiece(new Piece(0, 0, new byte[16 * 1024]), true);
        box.postPiece(new Piece(0, 16 * 1024, new byte[16 * 1024]), true); // half the window
        assertThat(again.join(java.time.Duration.ofSeconds(5))).isTrue();
        assertThat(batch).hasSize(2);
    }

    @Test
    void closeWakesTheWriterAndTheUploader() throws Exception {
        Outbox box = new Outbox(1 << 20, 1);
        box.postPiece(new Piece(0, 0, new byte[10]), false);
        List<Message> batch = new ArrayList<>();
        box.takeAll(batch, -1);
        AtomicReference<Boolean> took = new AtomicReference<>();
        AtomicReference<Boolean> posted = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                took.set(box.takeAll(new ArrayList<>(), -1));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread uploader = Thread.ofVirtual().start(() -> {
            try {
                posted.set(box.postPiece(new Piece(0, 10, new byte[10]), false));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(100);
        box.close();
        writer.join(TimeUnit.SECONDS.toMillis(5));
        uploader.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(took.get()).as("the writer is told: closed").isFalse();
        assertThat(posted.get()).as("the uploader is told: closed").isFalse();
        assertThat(box.takeAll(batch, 0)).isFalse();
    }
}
