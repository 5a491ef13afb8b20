package org.jtorrent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The TCP ports this process listens on, read from Linux's {@code /proc}: the listening sockets of
 * the network namespace ({@code /proc/self/net/tcp}, {@code tcp6}) whose inode is one of this
 * process's open descriptors. It sees every listener, whichever code opened it, so a test can check
 * that a session has exactly one.
 */
public final class ListeningSockets {
    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    public static Set<Integer> ofThisProcess() throws IOException {
        return ofProcess("self");
    }

    /** The TCP ports another process of this user listens on (in this network namespace). */
    public static Set<Integer> ofProcess(long pid) throws IOException {
        return ofProcess(String.valueOf(pid));
    }

    private static Set<Integer> ofProcess(String pid) throws IOException {
        Set<String> inodes = socketInodes(pid);
        Set<Integer> ports = new TreeSet<>();
        for (String table : List.of("/proc/" + pid + "/net/tcp", "/proc/" + pid + "/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) continue;
            List<String> lines = Files.readAllLines(p);
            for (String line : lines.subList(1, lines.size())) { // the first is the header
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                if (f.length < 10 || !f[3].equals(LISTEN) || !inodes.contains(f[9])) continue;
                String local = f[1];
                ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
            }
        }
        return ports;
    }

    /** The inodes of a process's sockets ({@code socket:[N]} links in {@code /proc/PID/fd}). */
    private static Set<String> socketInodes(String pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
            }
        }
        return inodes;
    }
}
