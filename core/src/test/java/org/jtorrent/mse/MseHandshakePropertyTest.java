package org.jtorrent.mse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.jtorrent.id.InfoHash;

class MseHandshakePropertyTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Random bytes as an MSE initiator: always an IOException (a protocol error or the end of the
     * input), never anything else, and never more read than the 628 bytes the spec allows before
     * the req1 hash (96 of key, 512 of pad, 20 of hash).
     */
    @Property(tries = 200)
    void randomBytesAreRefusedWithinTheSpecsWindow(@ForAll @Size(max = 2000) byte[] input) {
        ByteArrayInputStream in = new ByteArrayInputStream(input);
        assertThatThrownBy(() -> MseHandshake.respond(in, OutputStream.nullOutputStream(),
                h -> InfoHash.fromHex("12".repeat(20)), EncryptionPolicy.PREFER, RANDOM)).isInstanceOf(IOException.class);
        assertThat(input.length - in.available()).isLessThanOrEqualTo(628);
    }
}
