package org.jtorrent.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.jtorrent.testing.FuzzChecks;

/**
 * Fuzz target of the settings record decoder (docs/fuzzing.md): whatever the state directory holds
 * (a damaged disk, a hand edit, a later version's record), decoding returns a valid record or
 * throws {@link InvalidRecordException} with a one-line message, allocates in proportion to the
 * input, and a record it returns encodes to bytes that decode to the same record.
 */
class TorrentSettingsFuzzTest {
    @DictionaryEntries({"9:info-hash", "9:save-path", "4:name", "8:trackers", "15:file-priorities", "10:sequential",
            "6:paused", "12:upload-limit", "14:download-limit", "22:seed-ratio-thousandths", "9:seed-time",
            "14:queue-position", "5:added", "8:uploaded", "10:downloaded", "6:format"})
    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) throws Exception {
        TorrentSettings s;
        try {
            s = FuzzChecks.boundedAllocation(64L * input.length + 64 * 1024, "TorrentSettings.decode",
                    () -> TorrentSettings.decode(input));
        } catch (InvalidRecordException e) {
            assertThat(e.getMessage()).isNotEmpty().doesNotContain("\n");
            return;
        }
        assertThat(s.savePath().isAbsolute()).isTrue();
        assertThat(TorrentSettings.decode(s.encode())).isEqualTo(s);
    }
}
