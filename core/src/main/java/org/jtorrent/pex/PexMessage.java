package org.jtorrent.pex;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BString;
import org.jtorrent.bencode.BValue;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.bencode.BencodeException;
import org.jtorrent.bencode.BencodeLimits;
import org.jtorrent.wire.ProtocolException;

/**
 * A {@code ut_pex} message (BEP 11): contacts {@code added} since the sender's last message (with
 * one flags byte each) and contacts {@code dropped}, IPv4 ones in {@code added}/{@code dropped} (6
 * bytes each: address, port), IPv6 ones in {@code added6}/{@code dropped6} (18 bytes each).
 *
 * <p>Decoding is bounded whatever arrives: at most {@code maxEntries} contacts of each list are
 * read (added, then added6; dropped, then dropped6) and the rest of the strings is never looked at,
 * so a message of 5,000 contacts costs the few hundred it is allowed. What libtorrent refuses, we
 * refuse: a payload that is not a bencoded dictionary is a protocol error (the connection closes). What
 * libtorrent skips, we skip: a field of the wrong type is absent; bytes after the last whole contact
 * of a string are ignored; an {@code added.f} whose length is not one byte per contact makes the
 * contacts of that family ignored (the sender is confused about what it sends). Unlike libtorrent,
 * which then ignores {@code added} too, a missing {@code added.f} means flags 0: BEP 11 calls it
 * optional. A contact with port 0 is skipped.
 */
public record PexMessage(List<PexPeer> added, List<InetSocketAddress> dropped) {
    /** The extension's name in the {@code m} dictionary. */
    public static final String NAME = "ut_pex";
    /** The id we receive it under: libtorrent's. */
    public static final int LOCAL_ID = 1;

    private static final int V4 = 6, V6 = 18;
    /** Enough for any real message (six strings, a few unknown keys), small enough to cost nothing. */
    private static final BencodeLimits LIMITS = new BencodeLimits(8, 256);

    public PexMessage {
        added = List.copyOf(added);
        dropped = List.copyOf(dropped);
    }

    public boolean isEmpty() {
        return added.isEmpty() && dropped.isEmpty();
    }

    /** All six keys, empty ones included, as libtorrent sends them. */
    public byte[] encode() {
        ByteBuffer added4 = ByteBuffer.allocate(added.size() * V4), flags4 = ByteBuffer.allocate(added.size());
        ByteBuffer added6 = ByteBuffer.allocate(added.size() * V6), flags6 = ByteBuffer.allocate(added.size());
        for (PexPeer p : added) {
            if (p.address().getAddress() instanceof Inet4Address) {
                put(added4, p.address());
                flags4.put((byte) p.flags());
            } else {
                put(added6, p.address());
                flags6.put((byte) p.flags());
            }
        }
        ByteBuffer dropped4 = ByteBuffer.allocate(dropped.size() * V4), dropped6 = ByteBuffer.allocate(dropped.size() * V6);
        for (InetSocketAddress a : dropped) put(a.getAddress() instanceof Inet4Address ? dropped4 : dropped6, a);
        Map<String, Object> dict = new TreeMap<>();
        dict.put("added", added4.flip());
        dict.put("added.f", flags4.flip());
        dict.put("added6", added6.flip());
        dict.put("added6.f", flags6.flip());
        dict.put("dropped", dropped4.flip());
        dict.put("dropped6", dropped6.flip());
        return Bencode.encode(dict);
    }

    private static void put(ByteBuffer out, InetSocketAddress a) {
        if (a.isUnresolved()) throw new IllegalArgumentException("not an IP address: " + a);
        out.put(a.getAddress().getAddress()).putShort((short) a.getPort());
    }

    /** Decodes a payload, reading at most {@code maxEntries} added and {@code maxEntries} dropped contacts. */
    public static PexMessage decode(byte[] payload, int maxEntries) throws ProtocolException {
        BValue root;
        try {
            root = Bencode.decode(payload, LIMITS).root();
        } catch (BencodeException e) {
            throw new ProtocolException("ut_pex message is not bencoded: " + e.getMessage());
        }
        if (!(root instanceof BDict dict)) throw new ProtocolException("ut_pex message is not a dictionary");
        List<PexPeer> added = new ArrayList<>();
        readAdded(dict, "added", "added.f", V4, maxEntries, added);
        readAdded(dict, "added6", "added6.f", V6, maxEntries, added);
        List<InetSocketAddress> dropped = new ArrayList<>();
        readDropped(dict, "dropped", V4, maxEntries, dropped);
        readDropped(dict, "dropped6", V6, maxEntries, dropped);
        return new PexMessage(added, dropped);
    }

    private static void readAdded(BDict dict, String key, String flagsKey, int size, int max, List<PexPeer> into) {
        Optional<ByteBuffer> contacts = string(dict, key);
        if (contacts.isEmpty()) return;
        int count = contacts.get().remaining() / size;
        Optional<ByteBuffer> flags = string(dict, flagsKey);
        if (flags.isPresent() && flags.get().remaining() != count) return; // libtorrent ignores such a list too
        ByteBuffer in = contacts.get();
        for (int i = 0; i < count && into.size() < max; i++) {
            int flag = flags.map(f -> f.get() & 0xff).orElse(0);
            InetSocketAddress a = read(in, size);
            if (a != null) into.add(new PexPeer(a, flag));
        }
    }

    private static void readDropped(BDict dict, String key, int size, int max, List<InetSocketAddress> into) {
        Optional<ByteBuffer> contacts = string(dict, key);
        if (contacts.isEmpty()) return;
        ByteBuffer in = contacts.get();
        for (int i = in.remaining() / size; i > 0 && into.size() < max; i--) {
            InetSocketAddress a = read(in, size);
            if (a != null) into.add(a);
        }
    }

    /** The next contact, or null for port 0. */
    private static InetSocketAddress read(ByteBuffer in, int size) {
        byte[] ip = new byte[size - 2];
        in.get(ip);
        int port = in.getShort() & 0xffff;
        if (port == 0) return null;
        try {
            // An IPv4-mapped IPv6 contact comes back as IPv4: that is the peer it names.
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static Optional<ByteBuffer> string(BDict dict, String key) {
        return dict.get(key).filter(BString.class::isInstance).map(v -> ((BString) v).content());
    }
}
