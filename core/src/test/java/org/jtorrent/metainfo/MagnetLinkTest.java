package org.jtorrent.metainfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jtorrent.id.InfoHash;
import org.jtorrent.testing.RealPeers;
import org.junit.jupiter.api.Test;

class MagnetLinkTest {
    private static final String HEX = "0123456789abcdef0123456789abcdef01234567";
    private static final String BTIH = "magnet:?xt=urn:btih:" + HEX;

    @Test
    void readsTheInfoHashInHexOrBase32OfEitherCase() throws Exception {
        assertThat(MagnetLink.parse(BTIH).infoHash().hex()).isEqualTo(HEX);
        assertThat(MagnetLink.parse("magnet:?xt=urn:btih:" + HEX.toUpperCase()).infoHash().hex()).isEqualTo(HEX);
        // RFC 4648's alphabet; the same hash libtorrent 2.0.8 reads from these strings
        assertThat(MagnetLink.parse("magnet:?xt=urn:btih:MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U").infoHash().hex())
                .isEqualTo("6162636465666768696a6b6c6d6e6f7071727374");
        assertThat(MagnetLink.parse("magnet:?xt=urn:btih:mfrggzdfmztwq2lknnwg23tpobyxe43u").infoHash().hex())
                .isEqualTo("6162636465666768696a6b6c6d6e6f7071727374");
        // scheme, urn and parameter names are case-insensitive; the xt value may be escaped
        assertThat(MagnetLink.parse("MAGNET:?XT=URN:BTIH:" + HEX).infoHash().hex()).isEqualTo(HEX);
        assertThat(MagnetLink.parse("magnet:?xt=urn%3Abtih%3A" + HEX).infoHash().hex()).isEqualTo(HEX);
        assertThat(MagnetLink.parse("  " + BTIH + "\n").infoHash().hex()).isEqualTo(HEX);
    }

    @Test
    void readsNameTrackersPeersWebSeedsAndSelection() throws Exception {
        MagnetLink m = MagnetLink.parse(BTIH + "&dn=a+b%20c%C3%A9&tr=http%3A%2F%2Fa%2Fannounce&tr=udp://b:1&tr=http://a/announce"
                + "&x.pe=127.0.0.1:6881&x.pe=[::1]:7&x.pe=%5B::2%5D:8&ws=http://w/&so=0,2,4-6&foo=bar&dn=second");
        assertThat(m.displayName()).contains("a b cé");
        assertThat(m.trackers()).containsExactly("http://a/announce", "udp://b:1");
        assertThat(m.trackerTiers()).containsExactly(List.of("http://a/announce"), List.of("udp://b:1"));
        assertThat(m.peers()).containsExactly(new InetSocketAddress("127.0.0.1", 6881),
                new InetSocketAddress(InetAddress.getByName("::1"), 7), new InetSocketAddress(InetAddress.getByName("::2"), 8));
        assertThat(m.webSeeds()).containsExactly("http://w/");
        assertThat(m.selectOnly()).contains("0,2,4-6");
        assertThat(m.fileSelection(5).orElseThrow().files().stream().boxed().toList()).containsExactly(0, 2, 4);
        assertThat(MagnetLink.parse(BTIH).fileSelection(5)).isEmpty();
    }

    @Test
    void numberedParametersCountAsTheirNameAsLibtorrentReadsThem() throws Exception {
        MagnetLink m = MagnetLink.parse("magnet:?xt.1=urn:btih:" + HEX + "&tr.1=udp://c:1&TR.2=udp://d:1&tr.x=udp://e:1&x.pe.1=1.2.3.4:5");
        assertThat(m.trackers()).containsExactly("udp://c:1", "udp://d:1");
        assertThat(m.peers()).containsExactly(new InetSocketAddress("1.2.3.4", 5));
    }

    @Test
    void emptyAndValuelessParametersAreSkipped() throws Exception {
        MagnetLink m = MagnetLink.parse(BTIH + "&&foo&=x&dn=&tr=&dn=z&x.pe=");
        assertThat(m.displayName()).contains("z");
        assertThat(m.trackers()).isEmpty();
        assertThat(m.peers()).isEmpty();
    }

    @Test
    void hostNamePeersAreDroppedNotResolved() throws Exception {
        MagnetLink m = MagnetLink.parse(BTIH + "&x.pe=peer.invalid:6881&x.pe=127.0.0.1:1");
        assertThat(m.peers()).containsExactly(new InetSocketAddress("127.0.0.1", 1));
    }

    @Test
    void aV2HashAloneIsNotSupportedYetAndBesideAV1HashIgnored() throws Exception {
        String btmh = "xt=urn:btmh:1220" + "e0".repeat(32);
        assertThatThrownBy(() -> MagnetLink.parse("magnet:?" + btmh)).isInstanceOf(InvalidMagnetException.class)
                .hasMessage("v2 (btmh) magnet links are not supported yet");
        assertThat(MagnetLink.parse("magnet:?" + btmh + "&xt=urn:btih:" + HEX).infoHash().hex()).isEqualTo(HEX);
        assertThat(MagnetLink.parse(BTIH + "&" + btmh).infoHash().hex()).isEqualTo(HEX);
    }

    @Test
    void theSameHashTwiceIsFineTwoDifferentOnesAreAnError() throws Exception {
        assertThat(MagnetLink.parse(BTIH + "&xt=urn:btih:" + HEX.toUpperCase()).infoHash().hex()).isEqualTo(HEX);
        assertThatThrownBy(() -> MagnetLink.parse(BTIH + "&xt=urn:btih:" + "f".repeat(40)))
                .hasMessage("two different info-hashes in one magnet link: " + HEX + " and " + "f".repeat(40));
    }

    @Test
    void malformedLinksGetOneLineErrorsNamingTheProblem() {
        String[][] cases = {
                {"http://example.com/a.torrent", "not a magnet link (expected magnet:?xt=urn:btih:...): 'http://example.com/a.torrent'"},
                {"magnet:xt=urn:btih:" + HEX, "not a magnet link"},
                {"", "not a magnet link"},
                {"magnet:?", "no info-hash"},
                {"magnet:?dn=x&tr=udp://t:1", "no info-hash"},
                {"magnet:?xt=urn:sha1:" + HEX, "no info-hash"},
                {"magnet:?xt=urn:btih:" + HEX.substring(1), "info-hash '" + HEX.substring(1) + "' is 39 characters: expected 40 hex digits or 32 base32 characters"},
                {"magnet:?xt=urn:btih:", "info-hash '' is 0 characters"},
                {"magnet:?xt=urn:btih:" + "z".repeat(40), "info-hash '" + "z".repeat(40) + "' is not 40 hex digits"},
                {"magnet:?xt=urn:btih:" + "１".repeat(40), "info-hash"},
                {"magnet:?xt=urn:btih:MFRGGZDFMZTWQ2LKNNWG23TPOBYXE431", "info-hash 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE431' is not 32 base32 characters (A-Z, 2-7)"},
                {BTIH + "&dn=a%zz", "bad percent escape '%zz' in dn (expected % and two hex digits)"},
                {BTIH + "&tr=udp://t:1%2", "bad percent escape '%2' in tr"},
                {BTIH + "&ws=%", "bad percent escape '%' in ws"},
                {"magnet:?xt=urn:btih:" + HEX.substring(2) + "%4", "bad percent escape '%4' in xt"},
                {BTIH + "&x.pe=127.0.0.1", "x.pe peer '127.0.0.1' has no port (expected IP:port or [IPv6]:port)"},
                {BTIH + "&x.pe=127.0.0.1:0", "x.pe peer '127.0.0.1:0' has a bad port (expected 1-65535)"},
                {BTIH + "&x.pe=127.0.0.1:65536", "x.pe peer '127.0.0.1:65536' has a bad port"},
                {BTIH + "&x.pe=127.0.0.1:-1", "x.pe peer '127.0.0.1:-1' has a bad port"},
                {BTIH + "&x.pe=127.0.0.1:", "x.pe peer '127.0.0.1:' has a bad port"},
                {BTIH + "&x.pe=256.0.0.1:80", "x.pe peer '256.0.0.1:80' is not a valid IPv4 address"},
                {BTIH + "&x.pe=1.2.3:80", "x.pe peer '1.2.3:80' is not a valid IPv4 address"},
                {BTIH + "&x.pe=::1:80", "x.pe peer '::1:80' is not IP:port or [IPv6]:port"},
                {BTIH + "&x.pe=[::g]:80", "x.pe peer '[::g]:80' is not a valid IPv6 address"},
                {BTIH + "&x.pe=[1:2:3:4:5:6:7:8:9]:80", "x.pe peer '[1:2:3:4:5:6:7:8:9]:80' is not a valid IPv6 address"},
                {BTIH + "&x.pe=[fe80::1%25eth0]:80", "x.pe peer '[fe80::1%eth0]:80' is not a valid IPv6 address"},
                {BTIH + "&x.pe=a_b:80", "x.pe peer 'a_b:80' is not IP:port or [IPv6]:port"},
                {BTIH + "&so=abc", "bad so (files to download): 'abc' is not a file index"},
                {BTIH + "&so=3-1", "bad so (files to download): range 3-1 runs backwards"},
                {BTIH + "&so=9999999999", "bad so (files to download): file index 9999999999 is out of range (more than nine digits)"},
                {BTIH + "&x.pe=%0A%0D:80", "x.pe peer '??:80' is not IP:port"},
                {"magnet:?xt=urn:btih:" + "x".repeat(100), "info-hash '" + "x".repeat(57) + "...' is 100 characters"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> MagnetLink.parse(c[0])).as(c[0]).isInstanceOf(InvalidMagnetException.class)
                    .hasMessageStartingWith(c[1]).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
        }
    }

    @Test
    void aHugeSoRangeCostsNothingUntilTheFileCountIsKnown() throws Exception {
        MagnetLink m = MagnetLink.parse(BTIH + "&so=1,0-999999999");
        assertThat(m.fileSelection(3).orElseThrow().files().stream().boxed().toList()).containsExactly(0, 1, 2);
        assertThat(MagnetLink.parse(BTIH + "&so=7").fileSelection(3).orElseThrow().files().isEmpty()).isTrue();
        assertThat(MagnetLink.parse(BTIH + "&so=1&so=4").selectOnly()).contains("1,4");
    }

    @Test
    void readsWhatLibtorrentsMakeMagnetUriWrites() throws Exception {
        // python3 -c 'import libtorrent as lt; print(lt.make_magnet_uri(lt.torrent_info(".../sintel.torrent")))', libtorrent 2.0.8
        String sintel = "magnet:?xt=urn:btih:08ada5a7a6183aae1e09d831df6748d566095a10&dn=Sintel"
                + "&tr=udp%3a%2f%2ftracker.leechers-paradise.org%3a6969&tr=udp%3a%2f%2ftracker.coppersurfer.tk%3a6969"
                + "&tr=udp%3a%2f%2ftracker.opentrackr.org%3a1337&tr=udp%3a%2f%2fexplodie.org%3a6969"
                + "&tr=udp%3a%2f%2ftracker.empire-js.us%3a1337&tr=wss%3a%2f%2ftracker.btorrent.xyz"
                + "&tr=wss%3a%2f%2ftracker.openwebtorrent.com&tr=wss%3a%2f%2ftracker.fastcast.nz&ws=https%3a%2f%2fwebtorrent.io%2ftorrents%2f";
        Metainfo torrent = Metainfo.load(RealPeers.corpus().resolve("realworld/anacrolix__torrent/sintel.torrent"));
        assertThat(MagnetLink.parse(sintel)).isEqualTo(MagnetLink.of(torrent));
        assertThat(MagnetLink.parse(torrent.magnetLink())).isEqualTo(MagnetLink.of(torrent));

        // a hybrid torrent: libtorrent writes both hashes
        String hybrid = "magnet:?xt=urn:btih:c4b7a178451f4f1a5154ffe1e780b168d6482e98"
                + "&xt=urn:btmh:1220e07f234e9d32eda230d13b7d28bfc07ddd324aa2653c51ed966e9dbadaaa8fa9"
                + "&dn=ubuntu-20.04.3-desktop-amd64.iso&tr=http%3a%2f%2fexample.com%2fannounce";
        assertThat(MagnetLink.parse(hybrid).infoHash().hex()).isEqualTo("c4b7a178451f4f1a5154ffe1e780b168d6482e98");

        // add_torrent_params with a name, trackers, peers and a web seed
        String params = "magnet:?xt=urn:btih:000102030405060708090a0b0c0d0e0f10111213&dn=a%20b%2bc%2f%c3%a9"
                + "&tr=udp%3a%2f%2f127.0.0.1%3a6969%2fannounce&tr=http%3a%2f%2fx%2fa%3fb%3d1%26c&ws=http%3a%2f%2fw%2f"
                + "&x.pe=127.0.0.1:6881&x.pe=[::1]:7";
        MagnetLink m = MagnetLink.parse(params);
        assertThat(m.displayName()).contains("a b+c/é");
        assertThat(m.trackers()).containsExactly("udp://127.0.0.1:6969/announce", "http://x/a?b=1&c");
        assertThat(m.peers()).containsExactly(new InetSocketAddress("127.0.0.1", 6881), new InetSocketAddress(InetAddress.getByName("::1"), 7));
        assertThat(MagnetLink.parse(m.toUri())).isEqualTo(m);
    }

    @Test
    void toUriWritesPeersRawAsLibtorrentReadsThem() throws Exception {
        MagnetLink m = new MagnetLink(InfoHash.fromHex(HEX), Optional.of("a b"), List.of("http://t/a?x=1"),
                List.of(new InetSocketAddress("127.0.0.1", 6881), new InetSocketAddress(InetAddress.getByName("::1"), 7)),
                List.of(), Optional.of("0,2"));
        assertThat(m.toUri()).isEqualTo(BTIH + "&dn=a%20b&tr=http%3A%2F%2Ft%2Fa%3Fx%3D1&x.pe=127.0.0.1:6881&x.pe=[0:0:0:0:0:0:0:1]:7&so=0%2C2");
    }

    @Property(tries = 300)
    void toUriParsesBackToTheSameLink(@ForAll("links") MagnetLink link) throws Exception {
        assertThat(MagnetLink.parse(link.toUri())).isEqualTo(link);
    }

    @Property(tries = 1000)
    void anyStringParsesOrFailsWithAnInvalidMagnet(@ForAll("magnetish") String input) {
        try {
            MagnetLink m = MagnetLink.parse(input);
            assertThat(MagnetLink.parse(m.toUri())).isEqualTo(m);
        } catch (InvalidMagnetException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n", "\r");
        }
    }

    @Provide
    Arbitrary<String> magnetish() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.of("xt=urn:btih:", "xt=urn:btmh:", HEX, "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U", "&", "=", "%", "%4",
                        "%C3%A9", "+", "dn=", "tr=", "tr.1=", "x.pe=", "ws=", "so=", "[", "]", ":", "::1", "127.0.0.1", "6881",
                        "65536", ",", "-", "0", "9999999999", "#"));
        return Combinators.combine(Arbitraries.of("magnet:?", "MAGNET:?", "magnet:", ""),
                piece.list().ofMaxSize(12)).as((head, tail) -> head + String.join("", tail));
    }

    @Provide
    Arbitrary<MagnetLink> links() {
        Arbitrary<InfoHash> hash = Arbitraries.bytes().array(byte[].class).ofSize(20).map(InfoHash::of);
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(20)
                .filter(s -> s.chars().noneMatch(c -> Character.isSurrogate((char) c)));
        Arbitrary<InetSocketAddress> peer = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofSize(4), Arbitraries.bytes().array(byte[].class).ofSize(16)),
                Arbitraries.integers().between(1, 65535)).as((address, port) -> {
                    try {
                        return new InetSocketAddress(InetAddress.getByAddress(address), port);
                    } catch (java.net.UnknownHostException e) {
                        throw new AssertionError(e);
                    }
                });
        Arbitrary<String> selection = Arbitraries.of("0", "0,2,4-6", "1-3,7", "12");
        return Combinators.combine(hash, text.optional(), text.list().ofMaxSize(4), peer.list().ofMaxSize(3),
                text.list().ofMaxSize(2), selection.optional())
                .as(MagnetLink::new);
    }
}
