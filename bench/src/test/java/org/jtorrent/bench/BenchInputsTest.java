package org.jtorrent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import bt.bencoding.serializers.BEParser;
import com.turn.ttorrent.bcodec.BDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.jtorrent.bencode.BDict;
import org.jtorrent.bencode.BList;
import org.jtorrent.bencode.BString;
import org.jtorrent.bencode.Bencode;
import org.junit.jupiter.api.Test;

/** The generated inputs have the shape the benchmarks claim, and all three Java decoders read them alike. */
class BenchInputsTest {

    @Test
    void trackerReplyListsDictionaryPeers() throws Exception {
        byte[] reply = BenchInputs.trackerReply(100);
        BList peers = (BList) ((BDict) Bencode.decode(reply).root()).get("peers").orElseThrow();
        assertThat(peers.size()).isEqualTo(100);
        BDict first = (BDict) peers.iterator().next();
        assertThat(((BString) first.get("peer id").orElseThrow()).length()).isEqualTo(20);
        assertThat(first.containsKey("ip")).isTrue();
        assertThat(first.containsKey("port")).isTrue();

        assertThat(((List<?>) new BEParser(reply).readMap().getValue().get("peers").getValue())).hasSize(100);
        assertThat(BDecoder.bdecode(ByteBuffer.wrap(reply)).getMap().get("peers").getList()).hasSize(100);
    }

    @Test
    void torrentHasNestedFilesAndTwentyBytesPerPiece() throws Exception {
        byte[] torrent = BenchInputs.bigTorrent(1000, 50);
        BDict info = (BDict) ((BDict) Bencode.decode(torrent).root()).get("info").orElseThrow();
        assertThat(((BList) info.get("files").orElseThrow()).size()).isEqualTo(50);
        assertThat(((BString) info.get("pieces").orElseThrow()).length()).isEqualTo(1000 * 20);

        Map<String, ?> btInfo = (Map<String, ?>) new BEParser(torrent).readMap().getValue().get("info").getValue();
        assertThat(btInfo).containsKeys("files", "name", "piece length", "pieces");
        assertThat(BDecoder.bdecode(ByteBuffer.wrap(torrent)).getMap().get("info").getMap().get("files").getList()).hasSize(50);
    }

    @Test
    void generationIsDeterministic() {
        assertThat(BenchInputs.trackerReply(50)).isEqualTo(BenchInputs.trackerReply(50));
        assertThat(BenchInputs.bigTorrent(100, 10)).isEqualTo(BenchInputs.bigTorrent(100, 10));
    }
}
