package org.jtorrent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jtorrent.engine.TorrentState;
import org.jtorrent.engine.TorrentStatus;
import org.jtorrent.id.InfoHash;
import org.junit.jupiter.api.Test;

class SeedGoalsTest {
    private static final long S = 1_000_000_000L;

    private static TorrentStatus uploaded(long bytes) {
        return new TorrentStatus(InfoHash.of(new byte[20]), "t", TorrentState.SEEDING, "", 1000, 1000, 1, 0, 0, 1000, bytes,
                0, 0, Optional.empty(), 0, List.of(1000L), 0);
    }

    @Test
    void withoutAGoalATorrentIsDoneWhenComplete() {
        SeedGoals none = new SeedGoals(null, null, false);
        assertThat(none.seeds()).isFalse();
        assertThat(none.met(uploaded(0), 0, 0)).isTrue();
    }

    @Test
    void ratioOrTimeWhicheverComesFirst() {
        SeedGoals goals = new SeedGoals(2.0, Duration.ofSeconds(60), false);
        assertThat(goals.seeds()).isTrue();
        assertThat(goals.met(uploaded(1999), 10 * S, 69 * S)).isFalse();
        assertThat(goals.met(uploaded(2000), 10 * S, 11 * S)).isTrue();
        assertThat(goals.met(uploaded(0), 10 * S, 70 * S)).isTrue();
        assertThat(goals.describe()).isEqualTo("seeding to ratio 2.0 for 60 s");
    }

    @Test
    void keepServingIsNeverDoneAndBadRatiosAreRefused() {
        assertThat(new SeedGoals(1.0, null, true).met(uploaded(1_000_000), 0, Long.MAX_VALUE)).isFalse();
        assertThatThrownBy(() -> new SeedGoals(0.0, null, false)).hasMessage("--seed-ratio must be positive");
        assertThatThrownBy(() -> new SeedGoals(Double.NaN, null, false)).hasMessage("--seed-ratio must be positive");
    }
}
