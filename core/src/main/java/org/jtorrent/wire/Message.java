package org.jtorrent.wire;

/**
 * Every message of the peer wire protocol after the handshake: BEP 3, the Fast extension (BEP 6)
 * and the extension protocol (BEP 10). Values only; {@link MessageCodec} turns them into bytes and
 * back, and the connection logic lives in {@code org.jtorrent.peer}.
 */
public sealed interface Message {

    /** A zero-length frame: keeps an idle connection open. */
    record KeepAlive() implements Message {
    }

    record Choke() implements Message {
    }

    record Unchoke() implements Message {
    }

    record Interested() implements Message {
    }

    record NotInterested() implements Message {
    }

    record Have(int piece) implements Message {
    }

    /** The pieces the sender has, high bit of the first byte = piece 0; spare bits are zero. */
    record Bitfield(byte[] bits) implements Message {
    }

    record Request(int piece, int begin, int length) implements Message {
        public BlockRef block() {
            return new BlockRef(piece, begin, length);
        }
    }

    /** A block of data; {@code data} is owned by the receiver once decoded. */
    record Piece(int piece, int begin, byte[] data) implements Message {
        public BlockRef block() {
            return new BlockRef(piece, begin, data.length);
        }
    }

    record Cancel(int piece, int begin, int length) implements Message {
        public BlockRef block() {
            return new BlockRef(piece, begin, length);
        }
    }

    /** BEP 5: the sender's DHT port. */
    record Port(int port) implements Message {
    }

    /** BEP 6: instead of a bitfield, "I have every piece". */
    record HaveAll() implements Message {
    }

    /** BEP 6: instead of a bitfield, "I have no piece". */
    record HaveNone() implements Message {
    }

    /** BEP 6: the sender will not serve this request. */
    record RejectRequest(int piece, int begin, int length) implements Message {
        public BlockRef block() {
            return new BlockRef(piece, begin, length);
        }
    }

    /** BEP 6: the receiver may request this piece even while choked. */
    record AllowedFast(int piece) implements Message {
    }

    /** BEP 6: a hint that this piece is cheap for the sender to serve. */
    record SuggestPiece(int piece) implements Message {
    }

    /**
     * BEP 10: an extended message. {@code id} 0 is the extension handshake (see
     * {@link ExtensionHandshake}); other ids are the ones we advertised in our {@code m} dictionary.
     */
    record Extended(int id, byte[] payload) implements Message {
    }

    /** A message id we do not know: skipped, as BEP 3 asks for forward compatibility. */
    record Unknown(int id, int length) implements Message {
    }
}
