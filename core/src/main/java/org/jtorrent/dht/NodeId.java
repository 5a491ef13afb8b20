package org.jtorrent.dht;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;
import java.util.zip.CRC32C;

/**
 * A DHT node id or lookup target: 160 bits compared by XOR distance (BEP 5). Immutable.
 *
 * <p>BEP 42 ties an id to its node's external IP: the first 21 bits are a CRC32C of the masked
 * address and 3 random bits, the last byte holds those 3 bits. A node whose id does not match its
 * address is "unverified"; addresses on local networks (loopback included) are exempt.
 */
public final class NodeId implements Comparable<NodeId> {
    public static final int LENGTH = 20;
    private static final SecureRandom SECURE = new SecureRandom();
    private static final byte[] V4_MASK = {0x03, 0x0f, 0x3f, (byte) 0xff};
    private static final byte[] V6_MASK = {0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, (byte) 0xff};

    private final byte[] bytes;

    private NodeId(byte[] bytes) {
        this.bytes = bytes;
    }

    public static NodeId of(byte[] bytes) {
        if (bytes.length != LENGTH) throw new IllegalArgumentException("a node id is 20 bytes, not " + bytes.length);
        return new NodeId(bytes.clone());
    }

    static NodeId of(byte[] source, int offset) {
        return new NodeId(Arrays.copyOfRange(source, offset, offset + LENGTH));
    }

    public static NodeId fromHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    public static NodeId random() {
        return random(SECURE);
    }

    public static NodeId random(RandomGenerator random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        return new NodeId(b);
    }

    /** A BEP 42 id for {@code address} with the given 3 random bits ({@code rand & 7}) and random rest. */
    public static NodeId forAddress(InetAddress address, int rand, RandomGenerator random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        int crc = bep42Crc(address, rand);
        b[0] = (byte) (crc >>> 24);
        b[1] = (byte) (crc >>> 16);
        b[2] = (byte) (((crc >>> 8) & 0xf8) | (b[2] & 0x07));
        b[19] = (byte) rand;
        return new NodeId(b);
    }

    public static NodeId forAddress(InetAddress address) {
        return forAddress(address, SECURE.nextInt(256), SECURE);
    }

    private static int bep42Crc(InetAddress address, int rand) {
        byte[] ip = address.getAddress();
        byte[] mask = address instanceof Inet4Address ? V4_MASK : V6_MASK;
        byte[] masked = new byte[mask.length];
        for (int i = 0; i < mask.length; i++) masked[i] = (byte) (ip[i] & mask[i]);
        masked[0] |= (byte) ((rand & 7) << 5);
        CRC32C crc = new CRC32C();
        crc.update(masked);
        return (int) crc.getValue();
    }

    /** Whether BEP 42 applies to this address at all: local, private and loopback ranges are exempt. */
    public static boolean bep42Applies(InetAddress address) {
        return !(address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || isUniqueLocal(address));
    }

    private static boolean isUniqueLocal(InetAddress address) {
        byte[] ip = address.getAddress();
        return ip.length == 16 && (ip[0] & 0xfe) == 0xfc;
    }

    /** Whether this id is the one BEP 42 expects from a node at {@code address} (false where exempt). */
    public boolean matchesAddress(InetAddress address) {
        if (!bep42Applies(address)) return false;
        int crc = bep42Crc(address, bytes[19]);
        return bytes[0] == (byte) (crc >>> 24) && bytes[1] == (byte) (crc >>> 16)
                && (bytes[2] & 0xf8) == ((crc >>> 8) & 0xf8);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, LENGTH);
    }

    /** Compares the XOR distances of {@code a} and {@code b} to this id: negative when {@code a} is closer. */
    public int compareDistance(NodeId a, NodeId b) {
        for (int i = 0; i < LENGTH; i++) {
            int da = (a.bytes[i] ^ bytes[i]) & 0xff;
            int db = (b.bytes[i] ^ bytes[i]) & 0xff;
            if (da != db) return da < db ? -1 : 1;
        }
        return 0;
    }

    /** The number of leading bits this id shares with {@code other} (160 when equal). */
    public int commonPrefixBits(NodeId other) {
        for (int i = 0; i < LENGTH; i++) {
            int x = (bytes[i] ^ other.bytes[i]) & 0xff;
            if (x != 0) return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
        }
        return LENGTH * 8;
    }

    /** A random id sharing exactly {@code prefixBits} leading bits with this one (the next bit differs). */
    NodeId randomWithPrefix(int prefixBits, RandomGenerator random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        for (int bit = 0; bit <= prefixBits && bit < LENGTH * 8; bit++) {
            int mask = 0x80 >>> (bit % 8);
            boolean ours = (bytes[bit / 8] & mask) != 0;
            boolean set = bit < prefixBits ? ours : !ours;
            b[bit / 8] = (byte) (set ? b[bit / 8] | mask : b[bit / 8] & ~mask);
        }
        return new NodeId(b);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public int compareTo(NodeId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
