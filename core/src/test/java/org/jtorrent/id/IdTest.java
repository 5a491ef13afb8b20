package org.jtorrent.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IdTest {

    @Test
    void peerIdsFollowBep20AzureusStyleAndDiffer() {
        PeerId a = PeerId.random();
        PeerId b = PeerId.random();
        assertThat(new String(a.bytes(), 0, 8, StandardCharsets.US_ASCII)).isEqualTo("-JT0001-");
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void anInfoHashNeverEqualsAPeerIdWithTheSameBytes() {
        byte[] bytes = new byte[20];
        assertThat((Object) InfoHash.of(bytes)).isNotEqualTo(PeerId.of(bytes));
        assertThat(InfoHash.of(bytes)).isEqualTo(InfoHash.fromHex("00".repeat(20)));
    }

    @Test
    void bytesAreCopiedInAndOut() {
        byte[] bytes = new byte[20];
        InfoHash hash = InfoHash.of(bytes);
        bytes[0] = 1;
        hash.bytes()[1] = 1;
        assertThat(hash.hex()).isEqualTo("00".repeat(20));
        assertThat(hash.matches(new byte[] {9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1)).isTrue();
    }

    @Test
    void wrongLengthsAreRefused() {
        assertThatThrownBy(() -> InfoHash.of(new byte[19])).hasMessage("an info-hash is 20 bytes, not 19");
        assertThatThrownBy(() -> PeerId.of(new byte[21])).hasMessage("a peer id is 20 bytes, not 21");
        assertThatThrownBy(() -> InfoHash.fromHex("abc")).hasMessageContaining("40 hex digits");
        assertThat(PeerId.of("-JT0001-%abcdefghijk".getBytes(StandardCharsets.US_ASCII)).toString())
                .isEqualTo("-JT0001-%25abcdefghijk");
    }
}
