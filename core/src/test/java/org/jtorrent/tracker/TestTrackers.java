package org.jtorrent.tracker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Real servers on loopback that misbehave in one specific way each, for the client to face. They
 * speak real HTTP and UDP; only their answers are wrong.
 */
final class TestTrackers {
    private TestTrackers() {
    }

    /** How a test server is stopped. */
    interface Stopper {
        void stop() throws IOException;
    }

    /** A running server: its announce URL, how to stop it, and the requests it saw. */
    record Running(URI uri, Stopper stopper, List<String> queries) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            stopper.stop();
        }
    }

    /** Answers every HTTP request with this status and body; records each raw query. */
    static Running http(int status, byte[] body) throws IOException {
        return http(exchange -> new Reply(status, body, null));
    }

    record Reply(int status, byte[] body, String location) {
    }

    static Running http(Function<HttpExchange, Reply> handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        List<String> queries = new CopyOnWriteArrayList<>();
        server.createContext("/", exchange -> {
            try (exchange) {
                queries.add(exchange.getRequestURI().getRawPath() + "?" + exchange.getRequestURI().getRawQuery());
                Reply r = handler.apply(exchange);
                if (r.location() != null) exchange.getResponseHeaders().set("Location", r.location());
                // length 0 = chunked: the client cannot know the size up front and must count
                exchange.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(r.body());
                }
            }
        });
        server.start();
        return new Running(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/announce"),
                () -> server.stop(0), queries);
    }

    /** Sends a body of this many bytes without a Content-Length (chunked). */
    static Running httpChunked(int size) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 0);
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'x');
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int sent = 0; sent < size; sent += chunk.length) out.write(chunk, 0, Math.min(chunk.length, size - sent));
                } catch (IOException e) {
                    // the client hung up once it had seen enough: expected
                }
            }
        });
        server.start();
        return new Running(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/announce"),
                () -> server.stop(0), List.of());
    }

    /** Accepts TCP connections and never says a word. */
    static Running silentTcp() throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> held = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            while (!listener.isClosed()) {
                try {
                    held.add(listener.accept());
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new Running(URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/announce"), () -> {
            listener.close();
            for (Socket s : held) s.close();
        }, List.of());
    }

    /** A port where nothing listens (TCP: connection refused; UDP: ICMP port unreachable). */
    static int closedPort() throws IOException {
        try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = udp.getLocalPort();
            try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return tcp.getLocalPort();
            } catch (IOException e) {
                return port; // the TCP port was taken: still a closed UDP port, and refused TCP is unlikely either way
            }
        }
    }

    /** A UDP tracker whose answer to each request datagram is computed by {@code reply} (null: stay silent). */
    static Running udp(Function<byte[], byte[]> reply) throws IOException {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        List<String> seen = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[2048];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    byte[] request = Arrays.copyOf(p.getData(), p.getLength());
                    seen.add("udp " + request.length);
                    byte[] out = reply.apply(request);
                    if (out != null) socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                } catch (IOException e) {
                    if (socket.isClosed()) return;
                }
            }
        });
        return new Running(URI.create("udp://127.0.0.1:" + socket.getLocalPort()), socket::close, seen);
    }

    static int transactionId(byte[] request) {
        return java.nio.ByteBuffer.wrap(request).getInt(12);
    }
}
