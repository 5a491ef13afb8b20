package org.jtorrent.wire;

import java.io.IOException;

/** The peer broke the protocol: the only safe answer is to close the connection. */
public final class ProtocolException extends IOException {
    public ProtocolException(String message) {
        super(message);
    }
}
