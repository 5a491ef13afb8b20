package org.jtorrent.wire;

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
 */
public record ExtensionHandshake(Optional<String> client, int reqq, int listenPort, Map<String, Integer> extensions) {
    /** What libtorrent assumes when {@code reqq} is missing. */
    public static final int DEFAULT_REQQ = 250;

    public ExtensionHandshake {
        extensions = Map.copyOf(extensions);
        if (reqq <= 0) throw new IllegalArgumentException("reqq must be positive");
    }

    public byte[] encode() {
        Map<String, Object> dict = new LinkedHashMap<>();
        Map<String, Object> m = new TreeMap<>();
        extensions.forEach((name, id) -> m.put(name, (long) id));
        dict.put("m", m);
        if (listenPort > 0) dict.put("p", (long) listenPort);
        dict.put("reqq", (long) reqq);
        client.ifPresent(v -> dict.put("v", v));
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
        int boundedReqq = (int) Math.max(1, Math.min(reqq, 100_000)); // a liar cannot make us queue unbounded
        int boundedPort = port > 0 && port < 65536 ? (int) port : 0;
        return new ExtensionHandshake(client, boundedReqq, boundedPort, m);
    }

    private static Optional<Long> intField(BDict dict, String key) {
        return dict.get(key).filter(BInt.class::isInstance).map(v -> ((BInt) v).value());
    }
}
