package org.jtorrent.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BInt;
import org.jtorrent.bencode.BString;
import org.jtorrent.bencode.BValue;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.bencode.BencodeException;

/**
 * The BEP 10 extension handshake (extended message id 0), the fields we use.
 *
 * @param client     {@code v}: client name and version, if sent
 * @param reqq       {@code reqq}: how many outstanding requests the sender accepts; BEP 10 does not
 *                   require it, and libtorrent assumes 250 when it is absent, so do we
 * @param listenPort {@code p}: the sender's listen port (0 if not sent)
 * @param extensions {@code m}: extension name to the id the sender wants to receive it under;
 *                   id 0 means the sender disabled it
 * @param metadataSize {@code metadata_size} (BEP 9): the length of the sender's info dictionary, 0
 *                   if it did not say (it has no metadata yet, or does not serve it)
 * @param yourIp     {@code yourip}: our address as the sender sees it, if sent (4 or 16 bytes)
 */
public record ExtensionHandshake(Optional<String> client, int reqq, int listenPort, Map<String, Integer> extensions,
                                 long metadataSize, Optional<InetAddress> yourIp) {
    /** What libtorrent assumes when {@code reqq} is missing. */
    public static final int DEFAULT_REQQ = 250;

    public ExtensionHandshake {
        extensions = Map.copyOf(extensions);
        if (reqq <= 0) throw new IllegalArgumentException("reqq must be positive");
        if (metadataSize < 0) throw new IllegalArgumentException("metadata_size must not be negative");
    }

    public ExtensionHandshake(Optional<String> client, int reqq, int listenPort, Map<String, Integer> extensions) {
        this(client, reqq, listenPort, extensions, 0, Optional.empty());
    }

    public byte[] encode() {
        Map<String, Object> dict = new LinkedHashMap<>();
        Map<String, Object> m = new TreeMap<>();
        extensions.forEach((name, id) -> m.put(name, (long) id));
        dict.put("m", m);
        if (listenPort > 0) dict.put("p", (long) listenPort);
        dict.put("reqq", (long) reqq);
        client.ifPresent(v -> dict.put("v", v));
        if (metadataSize > 0) dict.put("metadata_size", metadataSize);
        yourIp.ifPresent(ip -> dict.put("yourip", ip.getAddress()));
        return Bencode.encode(dict);
    }

    /** Parses the payload of extended message 0; fields of the wrong type count as absent. */
    public static ExtensionHandshake decode(byte[] payload) throws ProtocolException {
        BValue root;
        try {
            root = Bencode.decode(payload).root();
        } catch (BencodeException e) {
            throw new ProtocolException("extension handshake is not bencoded: " + e.getMessage());
        }
        if (!(root instanceof BDict dict)) throw new ProtocolException("extension handshake is not a dictionary");
        Optional<String> client = dict.get("v").filter(BString.class::isInstance).map(v -> ((BString) v).utf8());
        long reqq = intField(dict, "reqq").orElse((long) DEFAULT_REQQ);
        long port = intField(dict, "p").orElse(0L);
        Map<String, Integer> m = new TreeMap<>();
        if (dict.get("m").orElse(null) instanceof BDict extensions) {
            for (BDict.Entry e : extensions.entries()) {
                if (e.value() instanceof BInt id && id.value() >= 0 && id.value() <= 255) {
                    m.put(e.key().utf8(), (int) id.value());
                }
            }
        }
        long metadataSize = Math.max(0, intField(dict, "metadata_size").orElse(0L));
        Optional<InetAddress> yourIp = dict.get("yourip").filter(BString.class::isInstance)
                .map(v -> ((BString) v).bytes()).filter(b -> b.length == 4 || b.length == 16).map(ExtensionHandshake::address);
        int boundedReqq = (int) Math.max(1, Math.min(reqq, 100_000)); // a liar cannot make us queue unbounded
        int boundedPort = port > 0 && port < 65536 ? (int) port : 0;
        return new ExtensionHandshake(client, boundedReqq, boundedPort, m, metadataSize, yourIp);
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static Optional<Long> intField(BDict dict, String key) {
        return dict.get(key).filter(BInt.class::isInstance).map(v -> ((BInt) v).value());
    }
}
