package org.jtorrent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jtorrent.engine.QueuePolicy.Entry;
import org.junit.jupiter.api.Test;

class QueuePolicyTest {
    private static Entry<String> waiting(String name, boolean complete) {
        return new Entry<>(name, complete, false, false);
    }

    private static Entry<String> running(String name, boolean complete, boolean idle) {
        return new Entry<>(name, complete, true, idle);
    }

    @Test
    void theFirstInQueueOrderGetTheDownloadAndSeedSlots() {
        var queue = List.of(waiting("d1", false), waiting("s1", true), waiting("d2", false), waiting("d3", false),
                waiting("s2", true), waiting("s3", true));
        assertThat(QueuePolicy.chooseActive(queue, 2, 1)).containsExactly("d1", "s1", "d2");
    }

    @Test
    void anActiveTorrentLaterInTheQueueYieldsItsSlotToAnEarlierOne() {
        var queue = List.of(waiting("first", false), running("second", false, false));
        assertThat(QueuePolicy.chooseActive(queue, 1, 1)).containsExactly("first");
    }

    @Test
    void anIdleTorrentKeepsRunningButHoldsNoSlot() {
        var queue = List.of(running("stalled", false, true), waiting("next", false), waiting("after", false));
        assertThat(QueuePolicy.chooseActive(queue, 1, 0)).containsExactly("stalled", "next");
    }

    @Test
    void aWaitingTorrentIsNeverIdleAndZeroSlotsRunNothingNew() {
        var queue = List.of(new Entry<>("queued", false, false, true), waiting("seed", true));
        assertThat(QueuePolicy.chooseActive(queue, 0, 0)).isEmpty();
    }
}
