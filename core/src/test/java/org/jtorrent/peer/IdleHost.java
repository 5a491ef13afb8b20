package org.jtorrent.peer;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import org.jtorrent.id.InfoHash;
import org.jtorrent.id.PeerId;
import org.jtorrent.metainfo.PieceLayout;
import org.jtorrent.wire.BlockRef;

/** A torrent that has nothing and wants nothing, for tests where only the handshake or the extension traffic matters. */
record IdleHost(InfoHash infoHash, PieceLayout layout, List<PeerExtension> extensions) implements PeerHost {
    private static final PeerId ID = PeerId.random();

    IdleHost(InfoHash infoHash, PieceLayout layout) {
        this(infoHash, layout, List.of());
    }

    @Override public PeerId localId() { return ID; }
    @Override public int listenPort() { return 0; }
    @Override public BitSet have() { return new BitSet(); }
    @Override public boolean wants(BitSet peerHas) { return false; }
    @Override public List<BlockRef> pick(PeerConnection from, BitSet candidates, int max) { return List.of(); }
    @Override public boolean owns(PeerConnection from, BlockRef block) { return false; }
    @Override public void returned(PeerConnection from, List<BlockRef> blocks) { }
    @Override public void received(PeerConnection from, BlockRef block, ByteBuffer buffer, int offset) { }
    @Override public byte[] read(BlockRef block) { return null; }
    @Override public void peerHas(int piece) { }
    @Override public void peerHas(BitSet pieces) { }
    @Override public void closed(PeerConnection connection, BitSet peerHad, Throwable why) { }
    @Override public void interestChanged(PeerConnection connection) { }
}
