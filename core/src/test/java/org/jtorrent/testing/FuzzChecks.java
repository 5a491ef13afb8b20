package org.jtorrent.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the fuzz targets assert besides "only the documented exception": how much one parse may
 * allocate for its input, and that nothing (a file descriptor, a thread) outlives it. The checks
 * throw {@link AssertionError}, which Jazzer reports as a finding like any other exception.
 */
public final class FuzzChecks {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FuzzChecks() {
    }

    /** Work whose allocation is measured; it may throw the parser's documented exception. */
    @FunctionalInterface
    public interface Parse<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code parse} and fails if this thread allocated more than {@code limit} bytes meanwhile
     * (heap only: what the JVM counts for the thread, exact to the byte, whether the parse returns
     * or throws). A parse that allocates out of proportion to its input is how a small message
     * becomes an out-of-memory error.
     *
     * <p>The first run of a code path also pays for loading classes and linking call sites (a
     * string concatenation's first use costs hundreds of kilobytes), so a parse over the limit is
     * measured once more, and only a second excess fails: {@code parse} must be repeatable.
     */
    public static <T, E extends Exception> T boundedAllocation(long limit, String what, Parse<T, E> parse) throws E {
        long allowed = limit * HOOK_ALLOCATION_FACTOR;
        try {
            return measured(allowed, what, parse);
        } catch (AllocationExceeded first) {
            return measured(allowed, what, parse);
        }
    }

    /**
     * While fuzzing, Jazzer's comparison hooks (on {@code String.equals}, {@code Map.get} and the
     * like) allocate on the parsing thread too: a parse comparing many strings measured 5 to 7 times
     * its real allocation (docs/fuzzing.md). So the limits stretch by this factor when fuzzing, and
     * are exact in regression mode, where there are no such hooks.
     */
    private static final long HOOK_ALLOCATION_FACTOR =
            System.getenv("JAZZER_FUZZ") == null || System.getenv("JAZZER_FUZZ").isEmpty() ? 1 : 8;

    private static final class AllocationExceeded extends AssertionError {
        AllocationExceeded(String message) {
            super(message);
        }
    }

    private static <T, E extends Exception> T measured(long limit, String what, Parse<T, E> parse) throws E {
        long before = allocatedBytes();
        Throwable failure = null;
        try {
            return parse.run();
        } catch (Exception | Error e) {
            failure = e;
            throw e;
        } finally {
            long used = allocatedBytes() - before;
            if (used > limit) {
                AssertionError error = new AllocationExceeded(what + " allocated " + used + " bytes, more than the "
                        + limit + " its input allows");
                if (failure != null) error.addSuppressed(failure);
                throw error;
            }
        }
    }

    /** Bytes this thread has allocated on the heap since it started. */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** What a piece of work may leave behind: open file descriptors and live threads, taken before and after. */
    public record Resources(int openFiles, Set<Thread> threads) {
        public static Resources now() {
            Set<Thread> live = new HashSet<>(Thread.getAllStackTraces().keySet());
            live.removeIf(t -> !t.isAlive());
            return new Resources(openFileDescriptors(), live);
        }

        /** Fails if more descriptors are open than before, or a thread started since is still alive. */
        public void assertNothingLeftSince(Resources before, String what) {
            if (openFiles > before.openFiles) {
                throw new AssertionError(what + " left " + (openFiles - before.openFiles) + " file descriptors open");
            }
            Set<Thread> added = new HashSet<>(threads);
            added.removeAll(before.threads);
            added.removeIf(t -> !t.isAlive());
            if (!added.isEmpty()) throw new AssertionError(what + " left threads running: " + added);
        }
    }

    /** The number of entries in /proc/self/fd (the listing itself opens one, the same each time). */
    public static int openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
    }
}
