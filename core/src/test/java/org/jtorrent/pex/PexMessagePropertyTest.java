package org.jtorrent.pex;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.testing.FuzzChecks;
import org.jtorrent.wire.ProtocolException;

/** Decoding is total and bounded: random input yields a message or a protocol error, never more than the cap. */
class PexMessagePropertyTest {
    @Property(tries = 3000)
    void randomBytesNeverCrashTheDecoder(@ForAll @Size(max = 400) byte[] input) {
        try {
            PexMessage m = FuzzChecks.boundedAllocation(16L * input.length + 32 * 1024, "PexMessage.decode",
                    () -> PexMessage.decode(input, 10));
            assertThat(m.added().size()).isLessThanOrEqualTo(10);
            assertThat(m.dropped().size()).isLessThanOrEqualTo(10);
        } catch (ProtocolException expected) {
            // the only way out
        }
    }

    /** Any dictionary of the six keys with strings of any length: the cap holds, nothing else breaks. */
    @Property(tries = 1000)
    void anyFieldLengthsStayWithinTheCap(@ForAll @Size(max = 200) byte[] added, @ForAll @Size(max = 60) byte[] flags,
                                         @ForAll @Size(max = 400) byte[] added6, @ForAll @Size(max = 200) byte[] dropped,
                                         @ForAll @IntRange(min = 0, max = 40) int cap) throws ProtocolException {
        Map<String, Object> dict = new TreeMap<>();
        dict.put("added", added);
        dict.put("added.f", flags);
        dict.put("added6", added6);
        dict.put("dropped", dropped);
        PexMessage m = PexMessage.decode(Bencode.encode(dict), cap);
        assertThat(m.added().size()).isLessThanOrEqualTo(Math.min(cap, added.length / 6 + added6.length / 18));
        assertThat(m.dropped().size()).isLessThanOrEqualTo(Math.min(cap, dropped.length / 6));
        for (PexPeer p : m.added()) assertThat(p.address().getPort()).isPositive();
    }

    @Property(tries = 500)
    void roundTrips(@ForAll("messages") PexMessage m) throws ProtocolException {
        // IPv4 contacts are encoded apart from IPv6 ones: the order holds within each family.
        PexMessage back = PexMessage.decode(m.encode(), 1000);
        assertThat(back.added()).containsExactlyInAnyOrderElementsOf(m.added());
        assertThat(back.dropped()).containsExactlyInAnyOrderElementsOf(m.dropped());
    }

    @Provide
    Arbitrary<PexMessage> messages() {
        Arbitrary<InetSocketAddress> address = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofSize(4),
                        Arbitraries.bytes().array(byte[].class).ofSize(16)),
                Arbitraries.integers().between(1, 65535)).as(PexMessagePropertyTest::socket);
        Arbitrary<PexPeer> peer = Combinators.combine(address, Arbitraries.integers().between(0, 255)).as(PexPeer::new);
        return Combinators.combine(peer.list().ofMaxSize(60), address.list().ofMaxSize(60)).as(PexMessage::new);
    }

    private static InetSocketAddress socket(byte[] ip, int port) {
        try {
            InetAddress a = InetAddress.getByAddress(ip);
            // An IPv4-mapped IPv6 address decodes as IPv4 and would encode into the other list: keep clear of it.
            if (ip.length == 16 && a instanceof java.net.Inet4Address) a = InetAddress.getByAddress(new byte[16]);
            return new InetSocketAddress(a, port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
