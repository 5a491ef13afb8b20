package org.jtorrent.pex;

import java.net.InetSocketAddress;

/**
 * One contact of a {@code ut_pex} message (BEP 11): a peer's listen address and the flags its
 * sender knows of it.
 *
 * @param address an IPv4 or IPv6 address and a port from 1 to 65535
 * @param flags   the BEP 11 bits, 0 to 255 ({@link #PREFERS_ENCRYPTION}, {@link #SEED}...)
 */
public record PexPeer(InetSocketAddress address, int flags) {
    /** It prefers encryption (the {@code e} of its extension handshake, or an encrypted connection). */
    public static final int PREFERS_ENCRYPTION = 0x01;
    /** It is a seed, or upload-only. */
    public static final int SEED = 0x02;
    /** It speaks uTP. */
    public static final int UTP = 0x04;
    /** It advertised {@code ut_holepunch}. */
    public static final int HOLEPUNCH = 0x08;
    /** We dialled it: it is reachable. */
    public static final int REACHABLE = 0x10;

    public PexPeer {
        if (address.isUnresolved() || address.getPort() == 0) {
            throw new IllegalArgumentException("a PEX contact is an IP address and a port: " + address);
        }
        if (flags < 0 || flags > 0xff) throw new IllegalArgumentException("PEX flags are one byte: " + flags);
    }

    public boolean isSeed() {
        return (flags & SEED) != 0;
    }
}
