package org.jtorrent.mse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class Rc4Test {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 6229, section 2, the 40-bit key 0x0102030405: keystream at offsets 0, 1024 and 4096. */
    @Test
    void rfc6229KnownAnswers() {
        byte[] stream = keystream(new Rc4(HEX.parseHex("0102030405")), 4096 + 16);
        assertThat(HEX.formatHex(stream, 0, 16)).isEqualTo("b2396305f03dc027ccc3524a0a1118a8");
        assertThat(HEX.formatHex(stream, 16, 32)).isEqualTo("6982944f18fc82d589c403a47a0d0919");
        assertThat(HEX.formatHex(stream, 1024, 1040)).isEqualTo("30abbcc7c20b01609f23ee2d5f6bb7df");
        assertThat(HEX.formatHex(stream, 4096, 4112)).isEqualTo("ff25b58995996707e51fbdf08b34d875");
    }

    /** MSE's cipher starts 1024 bytes into the keystream: its first bytes are RFC 6229's at offset 1024. */
    @Test
    void mseDropsTheFirst1024Bytes() {
        byte[] stream = keystream(Rc4.mse(HEX.parseHex("0102030405")), 16);
        assertThat(HEX.formatHex(stream)).isEqualTo("30abbcc7c20b01609f23ee2d5f6bb7df");
    }

    /** Arrays, heap and direct buffers, in odd chunks, agree with the JDK's ARCFOUR on a 20-byte key (MSE's length). */
    @Test
    void agreesWithTheJdkInEveryForm() throws Exception {
        Random random = new Random(7);
        byte[] key = new byte[20];
        random.nextBytes(key);
        byte[] plain = new byte[100_000];
        random.nextBytes(plain);
        Cipher jdk = Cipher.getInstance("ARCFOUR");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ARCFOUR"));
        byte[] expected = jdk.doFinal(plain);

        Rc4 arrays = new Rc4(key);
        Rc4 direct = new Rc4(key);
        Rc4 heap = new Rc4(key);
        Rc4 littleEndian = new Rc4(key);
        ByteBuffer viaLittleEndian = ByteBuffer.allocateDirect(plain.length).order(java.nio.ByteOrder.LITTLE_ENDIAN).put(0, plain);
        byte[] viaArrays = new byte[plain.length];
        ByteBuffer viaDirect = ByteBuffer.allocateDirect(plain.length + 3).put(3, plain);
        ByteBuffer viaHeap = ByteBuffer.wrap(plain.clone());
        for (int at = 0; at < plain.length; ) {
            int n = Math.min(plain.length - at, 1 + random.nextInt(5000));
            arrays.apply(plain, at, viaArrays, at, n);
            direct.apply(viaDirect, 3 + at, n);
            heap.apply(viaHeap, at, n);
            littleEndian.apply(viaLittleEndian, at, n);
            at += n;
        }
        byte[] fromDirect = new byte[plain.length];
        viaDirect.get(3, fromDirect);
        assertThat(viaArrays).isEqualTo(expected);
        assertThat(fromDirect).isEqualTo(expected);
        byte[] fromLittleEndian = new byte[plain.length];
        viaLittleEndian.get(0, fromLittleEndian);
        assertThat(fromLittleEndian).isEqualTo(expected);
        assertThat(viaHeap.array()).isEqualTo(expected);
        Rc4 back = new Rc4(key);
        back.apply(viaArrays);
        assertThat(viaArrays).isEqualTo(plain);
    }

    private static byte[] keystream(Rc4 rc4, int length) {
        byte[] zeros = new byte[length];
        rc4.apply(zeros);
        assertThat(Arrays.equals(zeros, new byte[length])).isFalse();
        return zeros;
    }
}
