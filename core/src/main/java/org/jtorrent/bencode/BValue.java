package org.jtorrent.bencode;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A view of one value inside a {@link BDocument}. Views are cheap to create and hold no copies;
 * {@link #rawBytes()} gives back the exact bytes the value was decoded from.
 */
public sealed interface BValue permits BDict, BList, BString, BInt {

    BDocument document();

    /** Token index of this value in its document. */
    int index();

    /** The exact input bytes of this value (for {@code info}: what the info-hash is taken over). */
    default ByteBuffer raw() {
        return document().slice(document().start(index()), document().endOf(index()));
    }

    /** A copy of {@link #raw()}. */
    default byte[] rawBytes() {
        BDocument doc = document();
        return Arrays.copyOfRange(doc.input(), doc.start(index()), doc.endOf(index()));
    }

    /** Offset of the value's first byte in the input array (for error messages). */
    default int offset() {
        return document().start(index());
    }

    /** A short name of the kind of value, for error messages. */
    String kind();
}
