package org.jtorrent.tracker.server;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Who counts as one source for the per-address limits, and how many peer entries each source holds.
 * A source is an IPv4 address or an IPv6 /64: a subscriber gets at least a /64 and its hosts pick
 * addresses in it at will, so counting IPv6 addresses one by one would limit nothing.
 *
 * <p>The counts are a count-min sketch: two rows of 2^16 counters, each source adding to one counter
 * per row under a keyed hash, its count being the smaller of its two. The memory is fixed (512 KiB)
 * however many sources come and go, where a map of exact counts would grow by about 100 bytes per
 * distinct address. A count is never below the truth; it is above it only when both of a source's
 * counters are shared with heavy sources, which the random key (per process) keeps an attacker from
 * aiming at: with 100 sources at their limit, an honest one is wrongly limited with odds of about
 * (100 / 65,536)^2, one in 400,000.
 */
final class Sources {
    private static final int ROW_BITS = 16;

    private final AtomicIntegerArray row0 = new AtomicIntegerArray(1 << ROW_BITS);
    private final AtomicIntegerArray row1 = new AtomicIntegerArray(1 << ROW_BITS);
    private final long key0;
    private final long key1;

    Sources() {
        SecureRandom random = new SecureRandom();
        key0 = random.nextLong();
        key1 = random.nextLong();
    }

    /**
     * The key of an address's source in a map: the {@link Inet4Address} itself (already held by the
     * peer entry, so an IPv4 key costs nothing), or the /64 prefix as a {@link Long}. The two kinds
     * never equal each other.
     */
    static Object key(InetAddress ip) {
        return ip instanceof Inet4Address ? ip : (Object) prefix64(ip);
    }

    /** Entries the source of {@code ip} holds; never less than the truth. */
    int count(InetAddress ip) {
        long bits = bits(ip);
        return Math.min(row0.get(slot(bits, key0)), row1.get(slot(bits, key1)));
    }

    /** Counts one more entry for the source unless it already holds {@code limit}; says whether it did. */
    boolean tryAdd(InetAddress ip, int limit) {
        long bits = bits(ip);
        int s0 = slot(bits, key0), s1 = slot(bits, key1);
        // add first, then look: two announces racing for the last unit cannot both pass
        int now = Math.min(row0.incrementAndGet(s0), row1.incrementAndGet(s1));
        if (now <= limit) return true;
        row0.decrementAndGet(s0);
        row1.decrementAndGet(s1);
        return false;
    }

    /** An entry of this source is gone. */
    void remove(InetAddress ip) {
        long bits = bits(ip);
        row0.decrementAndGet(slot(bits, key0));
        row1.decrementAndGet(slot(bits, key1));
    }

    private static long prefix64(InetAddress ip) {
        return ByteBuffer.wrap(ip.getAddress()).getLong();
    }

    /** IPv4 addresses are 32 bits with bit 32 set, so they stay apart from /64 prefixes of zeros. */
    private static long bits(InetAddress ip) {
        if (ip instanceof Inet4Address) return 0x1_0000_0000L | (ByteBuffer.wrap(ip.getAddress()).getInt() & 0xFFFF_FFFFL);
        return prefix64(ip);
    }

    /** The top bits of a keyed 64-bit mix (the MurmurHash3 finaliser of bits xor key). */
    private static int slot(long bits, long key) {
        long h = bits ^ key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) (h >>> (64 - ROW_BITS));
    }
}
