package org.jtorrent.tracker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 GET over a connection of its own, all we ask of HTTP: a tracker is asked once every
 * half hour or so, and a reply is a few kilobytes of bencode. No proxy, cookies or compression;
 * {@code https} through the JDK's TLS with host name verification; redirects are the caller's.
 *
 * <p>Why not {@code java.net.http.HttpClient}: it loads about a thousand classes and starts a
 * selector thread, which on the loopback benchmarks put a third of a second between starting a
 * download and knowing its first peer (docs/performance.md).
 *
 * <p>Everything is bounded: the whole exchange, from the name lookup to the last byte, by one
 * deadline (each read waits at most what is left of it, and a watchdog closes the socket when it
 * passes, so that a TLS handshake fed a byte at a time ends too), the header block by {@link #MAX_HEADER_BYTES} and the body by the caller's cap,
 * whether the reply declares its length, sends chunks or just closes the connection.
 */
final class HttpGet {
    static final int MAX_HEADER_BYTES = 16 * 1024;

    /** A reply: its status, its {@code Location} header if any, and its body (empty for a redirect). */
    record Reply(int status, Optional<String> location, byte[] body) {
    }

    /** The reply was refused for its size; its message is the user-facing one. */
    static final class ReplyTooLarge extends IOException {
        ReplyTooLarge(long max) {
            super("reply larger than " + max + " bytes, refused");
        }
    }

    private HttpGet() {
    }

    /**
     * Fetches {@code target}, an {@code http} or {@code https} URI, before {@code deadlineNanos}
     * ({@link System#nanoTime()}): past it, whatever step is still blocked (name lookup, connect, TLS
     * handshake, a read) fails with a {@link SocketTimeoutException}.
     */
    static Reply fetch(URI target, String userAgent, int maxBody, long deadlineNanos) throws IOException {
        return fetch(target, userAgent, maxBody, deadlineNanos, new Cancellation());
    }

    /** As above; {@code cancellation} can abandon the request from another thread (it then fails with an IOException). */
    static Reply fetch(URI target, String userAgent, int maxBody, long deadlineNanos, Cancellation cancellation)
            throws IOException {
        boolean tls = "https".equalsIgnoreCase(target.getScheme());
        String host = target.getHost();
        if (host == null) throw new IOException("no host in " + target);
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host; // IPv6 literal
        int port = target.getPort() != -1 ? target.getPort() : tls ? 443 : 80;
        InetSocketAddress address = new InetSocketAddress(HostLookup.resolve(bareHost, deadlineNanos, cancellation), port);
        Socket socket = new Socket(Proxy.NO_PROXY);
        // Socket timeouts bound each read, not the sum of them: a TLS handshake fed a byte at a time
        // would outlive any deadline. The watchdog closes the socket at the deadline, whatever blocks.
        Watchdog watchdog = Watchdog.arm(socket, deadlineNanos);
        cancellation.register(socket);
        try {
            socket.connect(address, millisLeft(deadlineNanos));
            socket.setSoTimeout(millisLeft(deadlineNanos));
            Socket stream = tls ? startTls(socket, bareHost, port) : socket;
            OutputStream out = stream.getOutputStream();
            out.write(request(target, host, userAgent).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readReply(new BufferedInputStream(new DeadlineInput(stream, deadlineNanos), 8192), maxBody);
        } catch (IOException e) {
            if (watchdog.fired()) throw new SocketTimeoutException("deadline passed");
            throw e;
        } finally {
            watchdog.disarm();
            cancellation.unregister(socket);
            socket.close(); // the plain socket: closing it ends a TLS layer on top as well
        }
    }

    private static Socket startTls(Socket plain, String host, int port) throws IOException {
        SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, host, port, true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        return ssl;
    }

    static String request(URI target, String host, String userAgent) {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        String query = target.getRawQuery() == null ? "" : "?" + target.getRawQuery();
        String hostHeader = target.getPort() == -1 ? host : host + ":" + target.getPort();
        return "GET " + path + query + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: " + userAgent + "\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n";
    }

    /** Reads a status line, headers and body from {@code in}: the parsing half, separate for tests. */
    static Reply readReply(InputStream in, int maxBody) throws IOException {
        Header header;
        do {
            header = Header.read(in);
        } while (header.status >= 100 && header.status < 200); // "100 Continue" and friends: the real reply follows
        Optional<String> location = header.value("location");
        if (header.status >= 300 && header.status < 400 || header.status == 204) {
            return new Reply(header.status, location, new byte[0]); // the body, if any, is not ours to read
        }
        byte[] body;
        if (header.value("transfer-encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked")).orElse(false)) {
            body = readChunked(in, maxBody);
        } else if (header.value("content-length").isPresent()) {
            long length = parseLength(header.value("content-length").get());
            if (length > maxBody) throw new ReplyTooLarge(maxBody);
            body = in.readNBytes((int) length);
            if (body.length < length) throw new IOException("connection closed after " + body.length + " of " + length + " bytes");
        } else {
            body = readCapped(in, maxBody); // HTTP/1.0 style: the body ends with the connection
        }
        return new Reply(header.status, location, body);
    }

    private static byte[] readChunked(InputStream in, int maxBody) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in, MAX_HEADER_BYTES);
            int semicolon = sizeLine.indexOf(';'); // chunk extensions: ignored
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + TrackerException.oneLine(hex));
            }
            if (size < 0) throw new IOException("bad chunk size: " + TrackerException.oneLine(hex));
            if (size == 0) break;
            if (size > maxBody - body.size()) throw new ReplyTooLarge(maxBody); // not body.size() + size: that overflows
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length < size) throw new IOException("connection closed inside a chunk");
            body.write(chunk);
            line(in, 2); // the CRLF after the chunk
        }
        for (int trailers = 0; !line(in, MAX_HEADER_BYTES).isEmpty(); trailers++) {
            if (trailers > 100) throw new IOException("too many trailer lines");
        }
        return body.toByteArray();
    }

    private static byte[] readCapped(InputStream in, int maxBody) throws IOException {
        byte[] body = in.readNBytes(maxBody);
        if (body.length == maxBody && in.read() != -1) throw new ReplyTooLarge(maxBody);
        return body;
    }

    private static long parseLength(String value) throws IOException {
        try {
            long length = Long.parseLong(value.strip());
            if (length < 0) throw new NumberFormatException();
            return length;
        } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length: " + TrackerException.oneLine(value));
        }
    }

    /** A status line and its headers. */
    private record Header(int status, Map<String, String> fields) {
        Optional<String> value(String lowerCaseName) {
            return Optional.ofNullable(fields.get(lowerCaseName));
        }

        static Header read(InputStream in) throws IOException {
            int budget = MAX_HEADER_BYTES;
            String statusLine = line(in, budget);
            budget -= statusLine.length() + 2;
            // "HTTP/1.1 200 OK": a version, a three-digit code, an optional reason.
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
                throw new IOException("not an HTTP reply: " + TrackerException.oneLine(statusLine));
            }
            int status;
            try {
                status = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP reply: " + TrackerException.oneLine(statusLine));
            }
            Map<String, String> fields = new HashMap<>();
            for (String field; !(field = line(in, budget)).isEmpty(); ) {
                budget -= field.length() + 2;
                int colon = field.indexOf(':');
                if (colon <= 0) continue; // not a header line: ignore it, as browsers do
                fields.putIfAbsent(field.substring(0, colon).strip().toLowerCase(Locale.ROOT), field.substring(colon + 1).strip());
            }
            return new Header(status, fields);
        }
    }

    /** One line without its CRLF (a bare LF is accepted too); fails past {@code max} bytes or at the end of the stream. */
    private static String line(InputStream in, int max) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b == -1) throw new IOException("connection closed mid-reply");
            if (line.length() >= max) throw new IOException("HTTP header block longer than " + MAX_HEADER_BYTES + " bytes");
            line.append((char) b);
        }
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') line.setLength(end - 1);
        return line.toString();
    }

    private static int millisLeft(long deadlineNanos) throws SocketTimeoutException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) throw new SocketTimeoutException("deadline passed");
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    /** Closes a socket when its deadline passes, unless disarmed first. */
    private static final class Watchdog implements Runnable {
        private final Socket socket;
        private final long deadlineNanos;
        private volatile boolean fired;
        private Thread thread;

        private Watchdog(Socket socket, long deadlineNanos) {
            this.socket = socket;
            this.deadlineNanos = deadlineNanos;
        }

        static Watchdog arm(Socket socket, long deadlineNanos) {
            Watchdog w = new Watchdog(socket, deadlineNanos);
            w.thread = Thread.ofVirtual().name("tracker-deadline").start(w);
            return w;
        }

        @Override
        public void run() {
            for (long left; (left = deadlineNanos - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(left);
                if (Thread.currentThread().isInterrupted()) return; // disarmed: the request is over
            }
            fired = true;
            try {
                socket.close();
            } catch (IOException e) {
                // closing to wake the request: nothing to report
            }
        }

        boolean fired() {
            return fired;
        }

        void disarm() {
            thread.interrupt();
        }
    }

    /** The socket's input, each read waiting at most until the deadline. */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadlineNanos;

        DeadlineInput(Socket socket, long deadlineNanos) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout(millisLeft(deadlineNanos));
            return in.read(b, off, len);
        }
    }
}
