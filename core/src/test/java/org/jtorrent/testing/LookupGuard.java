package org.jtorrent.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.stream.Stream;

/**
 * The tests' host name resolver (registered in META-INF/services): the JDK's own, except on a
 * thread inside {@link #forbidLookups}, where any lookup fails the test. Parsers of what peers and
 * trackers send must never resolve a name (a slow resolver would hold the thread for seconds per
 * name); address literals are parsed by the JDK without reaching a resolver, so only a real lookup
 * trips this.
 */
public final class LookupGuard extends InetAddressResolverProvider {
    private static final ThreadLocal<String> FORBIDDEN = new ThreadLocal<>();

    /** Runs {@code work}; a host name lookup on this thread meanwhile throws an {@link AssertionError}. */
    public static <T, E extends Exception> T forbidLookups(String what, FuzzChecks.Parse<T, E> work) throws E {
        String outer = FORBIDDEN.get();
        FORBIDDEN.set(what);
        try {
            return work.run();
        } finally {
            FORBIDDEN.set(outer);
        }
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                refuse("the host name " + host);
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                refuse("the name of an address");
                return builtin.lookupByAddress(addr);
            }
        };
    }

    private static void refuse(String what) {
        String parser = FORBIDDEN.get();
        if (parser != null) throw new AssertionError(parser + " looked up " + what + ": untrusted input must never cause a lookup");
    }

    @Override
    public String name() {
        return "jtorrent tests: no lookups inside parsers";
    }
}
