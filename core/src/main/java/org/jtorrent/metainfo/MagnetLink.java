package org.jtorrent.metainfo;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jtorrent.id.InfoHash;

/**
 * A magnet link (BEP 9, BEP 53): a torrent named by its info-hash alone, with hints for finding
 * peers. The rules, and where they differ from libtorrent 2.0.8's {@code parse_magnet_uri}, are in
 * docs/metainfo.md, "Magnet links".
 *
 * @param infoHash    the v1 info-hash ({@code xt=urn:btih:})
 * @param displayName {@code dn}: a name to show until the metadata arrives (never empty)
 * @param trackers    every {@code tr}, in order, without duplicates; each is announced as its own
 *                    tier ({@link #trackerTiers()}), as libtorrent does
 * @param peers       {@code x.pe}: peers to dial, IP literals with their ports
 * @param webSeeds    {@code ws}: BEP 19 web seeds, kept for the web-seed work
 * @param selectOnly  {@code so}: the files to download in BEP 53's syntax, raw (its syntax checked);
 *                    applied once the metadata gives the file count ({@link #fileSelection(int)})
 */
public record MagnetLink(InfoHash infoHash, Optional<String> displayName, List<String> trackers,
                         List<InetSocketAddress> peers, List<String> webSeeds, Optional<String> selectOnly) {

    private static final String SCHEME = "magnet:?";
    private static final String BTIH = "urn:btih:";
    private static final String BTMH = "urn:btmh:";
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public MagnetLink {
        Objects.requireNonNull(infoHash, "infoHash");
        displayName = displayName.filter(name -> !name.isEmpty());
        trackers = distinctNonEmpty(trackers);
        peers = List.copyOf(peers);
        webSeeds = distinctNonEmpty(webSeeds);
        selectOnly.ifPresent(FileSelection::checkSyntax);
    }

    private static List<String> distinctNonEmpty(List<String> values) {
        return values.stream().filter(value -> !value.isEmpty()).distinct().toList();
    }

    /** The magnet link of a torrent we have: info-hash, name, every tracker once, web seeds. */
    public static MagnetLink of(Metainfo metainfo) {
        return new MagnetLink(metainfo.infoHash(), Optional.of(metainfo.info().name()),
                metainfo.trackers().stream().flatMap(List::stream).toList(), List.of(), metainfo.webSeeds(),
                Optional.empty());
    }

    /** The trackers as announce tiers: one tracker a tier, in the link's order (libtorrent's reading). */
    public List<List<String>> trackerTiers() {
        return trackers.stream().map(List::of).toList();
    }

    /**
     * The {@code so} selection for a torrent of {@code fileCount} files, once the metadata is known;
     * indices past the end are ignored, as libtorrent ignores them.
     */
    public Optional<FileSelection> fileSelection(int fileCount) {
        return selectOnly.map(list -> FileSelection.parseIgnoringExtra(list, fileCount));
    }

    /**
     * Reads a {@code magnet:?} URI. Parameter names are case-insensitive and may carry a numeric
     * suffix ({@code tr.1}); unknown parameters are ignored; values are percent-decoded as UTF-8,
     * {@code +} as a space. Throws with a one-line message naming the problem: not a magnet link, no
     * or a malformed info-hash, two different info-hashes, a v2-only link, a bad percent escape, a
     * malformed peer address or {@code so} list.
     */
    public static MagnetLink parse(String uri) throws InvalidMagnetException {
        Objects.requireNonNull(uri, "uri");
        String link = uri.strip();
        if (!link.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new InvalidMagnetException("not a magnet link (expected magnet:?xt=urn:btih:...): " + quote(link));
        }
        String query = link.substring(SCHEME.length());
        int fragment = query.indexOf('#');
        if (fragment >= 0) query = query.substring(0, fragment);

        InfoHash infoHash = null;
        boolean v2Hash = false;
        String displayName = null;
        Set<String> trackers = new LinkedHashSet<>();
        List<InetSocketAddress> peers = new ArrayList<>();
        Set<String> webSeeds = new LinkedHashSet<>();
        List<String> selectOnly = new ArrayList<>();
        for (String parameter : query.split("&")) {
            int eq = parameter.indexOf('=');
            if (eq <= 0) continue; // nothing to take from "", "name" or "=value"
            String name = withoutNumberSuffix(parameter.substring(0, eq).toLowerCase(Locale.ROOT));
            String raw = parameter.substring(eq + 1);
            switch (name) {
                case "xt" -> {
                    String value = decode(raw, name);
                    if (value.regionMatches(true, 0, BTIH, 0, BTIH.length())) {
                        InfoHash hash = infoHash(value.substring(BTIH.length()));
                        if (infoHash != null && !infoHash.equals(hash)) {
                            throw new InvalidMagnetException("two different info-hashes in one magnet link: "
                                    + infoHash.hex() + " and " + hash.hex());
                        }
                        infoHash = hash;
                    } else if (value.regionMatches(true, 0, BTMH, 0, BTMH.length())) {
                        v2Hash = true; // beside a btih it is ignored: we join the swarm through the v1 hash
                    } // other namespaces (urn:sha1:, urn:ed2k: in multi-network links) are not ours
                }
                case "dn" -> {
                    String value = decode(raw, name);
                    if (displayName == null && !value.isEmpty()) displayName = value;
                }
                case "tr" -> addIfNotEmpty(trackers, decode(raw, name));
                case "ws" -> addIfNotEmpty(webSeeds, decode(raw, name));
                case "x.pe" -> {
                    String value = decode(raw, name);
                    if (!value.isEmpty()) peer(value).ifPresent(peers::add);
                }
                case "so" -> {
                    String value = decode(raw, name);
                    try {
                        FileSelection.checkSyntax(value);
                    } catch (IllegalArgumentException e) {
                        throw new InvalidMagnetException("bad so (files to download): " + e.getMessage());
                    }
                    selectOnly.add(value);
                }
                default -> { } // unknown parameters are ignored, as every client does
            }
        }
        if (infoHash == null) {
            if (v2Hash) throw new InvalidMagnetException("v2 (btmh) magnet links are not supported yet");
            throw new InvalidMagnetException("no info-hash: a magnet link needs xt=urn:btih: with 40 hex digits or 32 base32 characters");
        }
        return new MagnetLink(infoHash, Optional.ofNullable(displayName), List.copyOf(trackers), peers,
                List.copyOf(webSeeds), selectOnly.isEmpty() ? Optional.empty() : Optional.of(String.join(",", selectOnly)));
    }

    /**
     * This link as a URI that {@link #parse} reads back to an equal record: the info-hash in hex, the
     * values percent-encoded (space as {@code %20}), peers written raw ({@code 1.2.3.4:6881},
     * {@code [::1]:6881}) since libtorrent does not decode {@code x.pe}.
     */
    public String toUri() {
        StringBuilder sb = new StringBuilder(SCHEME).append("xt=").append(BTIH).append(infoHash.hex());
        displayName.ifPresent(name -> sb.append("&dn=").append(encode(name)));
        trackers.forEach(tracker -> sb.append("&tr=").append(encode(tracker)));
        webSeeds.forEach(seed -> sb.append("&ws=").append(encode(seed)));
        peers.forEach(peer -> sb.append("&x.pe=").append(peerText(peer)));
        selectOnly.ifPresent(list -> sb.append("&so=").append(encode(list)));
        return sb.toString();
    }

    private static void addIfNotEmpty(Set<String> values, String value) {
        if (!value.isEmpty()) values.add(value);
    }

    /** {@code tr.1} is {@code tr}: a numeric suffix only makes names unique (libtorrent's reading). */
    private static String withoutNumberSuffix(String name) {
        int dot = name.lastIndexOf('.');
        if (dot < 0 || dot == name.length() - 1) return name;
        for (int i = dot + 1; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') return name;
        }
        return name.substring(0, dot);
    }

    private static InfoHash infoHash(String text) throws InvalidMagnetException {
        if (text.length() == 2 * InfoHash.LENGTH) {
            for (int i = 0; i < text.length(); i++) {
                if (!isHexDigit(text.charAt(i))) {
                    throw new InvalidMagnetException("info-hash " + quote(text) + " is not 40 hex digits");
                }
            }
            return InfoHash.fromHex(text);
        }
        if (text.length() == 32) return InfoHash.of(base32(text));
        throw new InvalidMagnetException("info-hash " + quote(text) + " is " + text.length()
                + " characters: expected 40 hex digits or 32 base32 characters");
    }

    /** RFC 4648 base32, either case, no padding: 32 characters are exactly 160 bits. */
    private static byte[] base32(String text) throws InvalidMagnetException {
        byte[] out = new byte[InfoHash.LENGTH];
        long buffer = 0;
        int bits = 0;
        int at = 0;
        for (int i = 0; i < text.length(); i++) {
            int value = BASE32.indexOf(Character.toUpperCase(text.charAt(i)));
            if (value < 0 || text.charAt(i) > 'z') {
                throw new InvalidMagnetException("info-hash " + quote(text) + " is not 32 base32 characters (A-Z, 2-7)");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[at++] = (byte) (buffer >>> bits);
            }
        }
        return out;
    }

    /**
     * An {@code x.pe} value: {@code IPv4:port} or {@code [IPv6]:port}. A host name is well-formed but
     * not taken (empty): resolving it here would block, and libtorrent 2.0.8 drops it too.
     */
    private static Optional<InetSocketAddress> peer(String text) throws InvalidMagnetException {
        int colon = text.lastIndexOf(':');
        if (colon < 0) throw new InvalidMagnetException("x.pe peer " + quote(text) + " has no port (expected IP:port or [IPv6]:port)");
        String host = text.substring(0, colon);
        int port = port(text.substring(colon + 1), text);
        InetAddress address;
        if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
            address = ipv6(host, text);
        } else if (host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
            address = ipv4(host, text);
        } else if (!host.isEmpty() && host.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
            return Optional.empty();
        } else {
            throw new InvalidMagnetException("x.pe peer " + quote(text) + " is not IP:port or [IPv6]:port");
        }
        return Optional.of(new InetSocketAddress(address, port));
    }

    private static int port(String digits, String peer) throws InvalidMagnetException {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(digits) == 0 || Integer.parseInt(digits) > 65535) {
            throw new InvalidMagnetException("x.pe peer " + quote(peer) + " has a bad port (expected 1-65535)");
        }
        return Integer.parseInt(digits);
    }

    private static InetAddress ipv4(String host, String peer) throws InvalidMagnetException {
        String[] parts = host.split("\\.", -1);
        byte[] bytes = new byte[4];
        if (parts.length != 4) throw new InvalidMagnetException("x.pe peer " + quote(peer) + " is not a valid IPv4 address");
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || Integer.parseInt(parts[i]) > 255) {
                throw new InvalidMagnetException("x.pe peer " + quote(peer) + " is not a valid IPv4 address");
            }
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return literal(bytes);
    }

    private static InetAddress ipv6(String bracketed, String peer) throws InvalidMagnetException {
        String literal = bracketed.substring(1, bracketed.length() - 1);
        // Only hex digits, ':' and '.' (an embedded IPv4 tail): with these InetAddress parses a literal
        // and never looks a name up; a zone id ("%eth0") is refused for the same reason.
        if (literal.indexOf(':') < 0 || !literal.chars().allMatch(c -> isHexDigit((char) c) || c == ':' || c == '.')) {
            throw new InvalidMagnetException("x.pe peer " + quote(peer) + " is not a valid IPv6 address");
        }
        try {
            return InetAddress.getByName(bracketed);
        } catch (UnknownHostException e) {
            throw new InvalidMagnetException("x.pe peer " + quote(peer) + " is not a valid IPv6 address");
        }
    }

    /** ASCII only: Character.digit also takes other scripts' digits, which HexFormat refuses. */
    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static InetAddress literal(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    private static String peerText(InetSocketAddress peer) {
        InetAddress address = peer.getAddress();
        String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        return host + ":" + peer.getPort();
    }

    /** Percent-decoding as libtorrent's unescape_string: {@code %XX} bytes as UTF-8, {@code +} a space. */
    private static String decode(String raw, String parameter) throws InvalidMagnetException {
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) return raw;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int plainFrom = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%' && c != '+') continue;
            bytes.writeBytes(raw.substring(plainFrom, i).getBytes(StandardCharsets.UTF_8));
            if (c == '+') {
                bytes.write(' ');
            } else {
                if (i + 2 >= raw.length() || !isHexDigit(raw.charAt(i + 1)) || !isHexDigit(raw.charAt(i + 2))) {
                    throw new InvalidMagnetException("bad percent escape " + quote(raw.substring(i, Math.min(raw.length(), i + 3)))
                            + " in " + parameter + " (expected % and two hex digits)");
                }
                bytes.write(Character.digit(raw.charAt(i + 1), 16) << 4 | Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            }
            plainFrom = i + 1;
        }
        bytes.writeBytes(raw.substring(plainFrom).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Everything but RFC 3986's unreserved characters, as %XX of the UTF-8 bytes. */
    private static String encode(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        HexFormat hex = HexFormat.of().withUpperCase();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '*') {
                sb.append(c);
            } else {
                sb.append('%').append(hex.toHexDigits(b));
            }
        }
        return sb.toString();
    }

    /** Input quoted in a message: at most 60 characters, control characters shown as '?', so it stays one line. */
    private static String quote(String text) {
        String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        StringBuilder sb = new StringBuilder("'");
        shown.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return sb.append('\'').toString();
    }
}
