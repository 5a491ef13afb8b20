package org.jtorrent.tracker;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BInt;
import org.jtorrent.bencode.BList;
import org.jtorrent.bencode.BString;
import org.jtorrent.bencode.BValue;
import org.jtorrent.bencode.Bencode;
import org.jtorrent.bencode.BencodeException;
import org.jtorrent.id.InfoHash;

/**
 * The HTTP tracker wire format (BEP 3, 7, 23, 48) with no I/O: building announce and scrape URLs and
 * parsing replies. Separate from {@link HttpTrackerClient} so every rule here is testable on bytes.
 */
public final class HttpTrackerProtocol {
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private HttpTrackerProtocol() {
    }

    /**
     * The announce URL: the tracker's URL with our parameters appended, after {@code &} when the URL
     * already carries a query (private trackers put a passkey there).
     */
    public static URI announceUri(URI tracker, AnnounceRequest r, Optional<String> trackerId) {
        StringBuilder q = new StringBuilder(256);
        q.append("info_hash=").append(UrlEncoding.percentEncode(r.infoHash().bytes()));
        q.append("&peer_id=").append(UrlEncoding.percentEncode(r.peerId().bytes()));
        q.append("&port=").append(r.port());
        q.append("&uploaded=").append(r.uploaded());
        q.append("&downloaded=").append(r.downloaded());
        q.append("&left=").append(r.left());
        q.append("&compact=1");
        if (r.event() != AnnounceEvent.NONE) q.append("&event=").append(r.event().httpName());
        if (r.numWant() >= 0) q.append("&numwant=").append(r.numWant());
        q.append("&key=").append(String.format("%08x", r.key()));
        trackerId.ifPresent(id -> q.append("&trackerid=").append(UrlEncoding.percentEncode(id)));
        return withQuery(tracker, q);
    }

    /**
     * The scrape URL by BEP 48's rule: the last path segment must start with {@code announce}, which
     * is replaced by {@code scrape}; otherwise the tracker does not support scraping.
     */
    public static Optional<URI> scrapeUri(URI tracker, List<InfoHash> hashes) {
        String raw = tracker.toString();
        int query = raw.indexOf('?');
        String beforeQuery = query < 0 ? raw : raw.substring(0, query);
        int slash = beforeQuery.lastIndexOf('/');
        if (slash < 0 || !beforeQuery.startsWith("announce", slash + 1)) return Optional.empty();
        String scrape = beforeQuery.substring(0, slash + 1) + "scrape"
                + beforeQuery.substring(slash + 1 + "announce".length()) + (query < 0 ? "" : raw.substring(query));
        StringBuilder q = new StringBuilder();
        for (InfoHash h : hashes) {
            if (!q.isEmpty()) q.append('&');
            q.append("info_hash=").append(UrlEncoding.percentEncode(h.bytes()));
        }
        return Optional.of(withQuery(URI.create(scrape), q));
    }

    private static URI withQuery(URI base, CharSequence params) {
        String s = base.toString();
        int fragment = s.indexOf('#');
        if (fragment >= 0) s = s.substring(0, fragment); // never sent; our parameters must not land after it
        String separator = s.indexOf('?') < 0 ? "?" : s.endsWith("?") || s.endsWith("&") ? "" : "&";
        return URI.create(s + separator + params);
    }

    /**
     * Parses an announce reply. A {@code failure reason} becomes a refusal; peers come from a compact
     * string (BEP 23) or a list of dictionaries (BEP 3), plus {@code peers6} (BEP 7); our own address is
     * dropped. Peers given by host name are skipped: a tracker must not make us resolve names.
     */
    public static AnnounceResponse parseAnnounce(URI tracker, byte[] body, SelfFilter self) throws TrackerException {
        BDict root = rootDict(tracker, body);
        Optional<String> failure = text(root, "failure reason");
        if (failure.isPresent()) throw TrackerException.refused(tracker, failure.get());
        long interval = integer(tracker, root, "interval").orElse(1800L);
        if (interval < 0) throw TrackerException.failed(tracker, "negative interval " + interval);
        Optional<Duration> minInterval = integer(tracker, root, "min interval")
                .filter(v -> v >= 0).map(Duration::ofSeconds);
        List<PeerAddress> peers = new ArrayList<>();
        BValue peersValue = root.get("peers").orElse(null);
        switch (peersValue) {
            case null -> { }
            case BString compact -> readCompact(tracker, compact, 4, "peers", peers);
            case BList list -> readDicts(list, peers);
            default -> throw TrackerException.failed(tracker, "'peers' is a " + peersValue.kind());
        }
        BValue peers6 = root.get("peers6").orElse(null);
        if (peers6 instanceof BString compact6) readCompact(tracker, compact6, 16, "peers6", peers);
        peers.removeIf(self::isSelf);
        return new AnnounceResponse(Duration.ofSeconds(interval), minInterval,
                clampInt(integer(tracker, root, "complete").orElse(-1L)),
                clampInt(integer(tracker, root, "incomplete").orElse(-1L)),
                peers, text(root, "warning message").map(TrackerException::oneLine), text(root, "tracker id"));
    }

    /** Parses a scrape reply: {@code files} maps each raw 20-byte info-hash to its counts. */
    public static Map<InfoHash, ScrapeStats> parseScrape(URI tracker, byte[] body) throws TrackerException {
        BDict root = rootDict(tracker, body);
        Optional<String> failure = text(root, "failure reason");
        if (failure.isPresent()) throw TrackerException.refused(tracker, failure.get());
        if (!(root.get("files").orElse(null) instanceof BDict files)) {
            throw TrackerException.failed(tracker, "scrape reply has no 'files' dictionary");
        }
        Map<InfoHash, ScrapeStats> result = new LinkedHashMap<>();
        for (BDict.Entry e : files.entries()) {
            if (e.key().length() != InfoHash.LENGTH || !(e.value() instanceof BDict stats)) continue;
            result.put(InfoHash.of(e.key().bytes()), new ScrapeStats(
                    integer(tracker, stats, "complete").orElse(0L),
                    integer(tracker, stats, "downloaded").orElse(0L),
                    integer(tracker, stats, "incomplete").orElse(0L)));
        }
        return result;
    }

    private static BDict rootDict(URI tracker, byte[] body) throws TrackerException {
        BValue root;
        try {
            root = Bencode.decode(body).root();
        } catch (BencodeException e) {
            String start = new String(body, 0, Math.min(body.length, 40), java.nio.charset.StandardCharsets.ISO_8859_1);
            throw TrackerException.failed(tracker, "reply is not bencode (" + e.getMessage() + "), starts with \""
                    + TrackerException.oneLine(start) + "\"", e);
        }
        if (!(root instanceof BDict dict)) throw TrackerException.failed(tracker, "reply is a " + root.kind() + ", not a dictionary");
        return dict;
    }

    private static void readCompact(URI tracker, BString s, int addressLength, String key, List<PeerAddress> out)
            throws TrackerException {
        int entry = addressLength + 2;
        if (s.length() % entry != 0) {
            throw TrackerException.failed(tracker, "'" + key + "' is " + s.length() + " bytes, not a multiple of " + entry);
        }
        ByteBuffer in = s.content();
        while (in.hasRemaining()) out.add(PeerAddress.readCompact(in, addressLength));
    }

    private static void readDicts(BList list, List<PeerAddress> out) {
        for (BValue v : list) {
            if (!(v instanceof BDict d)) continue;
            if (!(d.get("ip").orElse(null) instanceof BString ipText)) continue;
            if (!(d.get("port").orElse(null) instanceof BInt port) || port.value() < 1 || port.value() > 0xFFFF) continue;
            parseLiteral(ipText.utf8()).ifPresent(ip -> out.add(new PeerAddress(ip, (int) port.value())));
        }
    }

    /**
     * An IP literal, never a DNS lookup. {@code InetAddress.getByName} is not enough on its own: it
     * sends a dotted quad with an octet over 255 ({@code 999.0.0.1}), or a string that does not
     * start like an address ({@code .:}), to the resolver as a host name (shown by a fuzz target,
     * docs/fuzzing.md). So a dotted quad is parsed here, and anything else goes in brackets, where the
     * JDK accepts only an IPv6 literal.
     */
    static Optional<InetAddress> parseLiteral(String text) {
        try {
            if (IPV4_LITERAL.matcher(text).matches()) {
                byte[] address = new byte[4];
                String[] octets = text.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(octets[i]);
                    if (octet > 255) return Optional.empty();
                    address[i] = (byte) octet;
                }
                return Optional.of(InetAddress.getByAddress(address));
            }
            if (text.indexOf(':') >= 0 && text.matches("[0-9a-fA-F:.]+")) return Optional.of(InetAddress.getByName("[" + text + "]"));
        } catch (UnknownHostException e) {
            // not a valid literal
        }
        return Optional.empty();
    }

    private static Optional<String> text(BDict d, String key) {
        return d.get(key).filter(v -> v instanceof BString).map(v -> ((BString) v).utf8());
    }

    private static Optional<Long> integer(URI tracker, BDict d, String key) throws TrackerException {
        BValue v = d.get(key).orElse(null);
        if (v == null) return Optional.empty();
        if (v instanceof BInt i) return Optional.of(i.value());
        throw TrackerException.failed(tracker, "'" + key + "' is a " + v.kind() + ", not an integer");
    }

    private static int clampInt(long v) {
        return (int) Math.max(-1, Math.min(Integer.MAX_VALUE, v));
    }
}
