package org.jtorrent.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * An HTTP tracker on loopback that answers each request with raw bytes a test scripts, so that a
 * reply can be anything a hostile server may send (a chunk size of 2^63-1, an interval of 2^63-1),
 * which the JDK's HttpServer would not write. Each connection carries one request.
 */
public final class ScriptedHttpTracker implements AutoCloseable {
    /** The raw reply to the n-th request (from 0) with this request target; null: never answer. */
    public interface Script extends BiFunction<Integer, String, byte[]> {
    }

    private final ServerSocket listener;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private ScriptedHttpTracker(ServerSocket listener) {
        this.listener = listener;
    }

    public static ScriptedHttpTracker start(Script script) throws IOException {
        ScriptedHttpTracker t = new ScriptedHttpTracker(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread.ofVirtual().name("scripted-tracker").start(() -> t.serve(script));
        return t;
    }

    /** A complete HTTP reply with a Content-Length. */
    public static byte[] reply(String bencode) {
        return reply(bencode.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static byte[] reply(byte[] body) {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/announce");
    }

    /** The request targets seen so far ("/announce?info_hash=..."), in order of arrival. */
    public List<String> requests() {
        return requests;
    }

    /** The requests whose query carries {@code event=NAME}. */
    public long count(String event) {
        return requests.stream().filter(r -> r.contains("&event=" + event)).count();
    }

    private void serve(Script script) {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            open.add(s);
            Thread.ofVirtual().start(() -> answer(s, script));
        }
    }

    private void answer(Socket s, Script script) {
        try {
            String target = readRequestTarget(s.getInputStream());
            int n;
            synchronized (requests) {
                n = requests.size();
                requests.add(target);
            }
            byte[] reply = script.apply(n, target);
            if (reply == null) return; // hold the connection open, silent, until close()
            s.getOutputStream().write(reply);
            s.close();
        } catch (IOException e) {
            // the client hung up: nothing to answer
        }
    }

    private static String readRequestTarget(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; matched < 4 && (b = in.read()) != -1 && head.size() < 64 * 1024; ) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String requestLine = head.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
        String[] parts = requestLine.split(" ");
        return parts.length > 1 ? parts[1] : requestLine;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) s.close();
    }
}
