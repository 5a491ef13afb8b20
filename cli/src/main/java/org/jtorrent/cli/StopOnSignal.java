package org.jtorrent.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Closes a running service on Ctrl-C or SIGTERM. The JVM then runs shutdown hooks, not the main
 * thread's finally blocks, so without this a download or tracker would stop without telling its
 * trackers or peers, or writing its resume data.
 */
final class StopOnSignal {
    interface Service {
        void close() throws Exception;
    }

    private final Thread hook;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private StopOnSignal(String command, Service service) {
        hook = new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("jtorrent " + command + ": while stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "jtorrent-" + command + "-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static StopOnSignal install(String command, Service service) {
        return new StopOnSignal(command, service);
    }

    /** Blocks until a signal has stopped the service: for commands that run until stopped. */
    void awaitSignal() throws InterruptedException {
        stopped.await();
    }

    /** The command finished by itself: its own close will do. */
    void uninstall() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
    }
}
