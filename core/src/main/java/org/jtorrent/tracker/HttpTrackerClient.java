package org.jtorrent.tracker;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import org.jtorrent.id.InfoHash;

/**
 * An HTTP(S) tracker (BEP 3). Redirects are followed by hand, at most {@link TrackerConfig#maxRedirects()},
 * so the limit and the error are ours; the reply body is read into memory only up to
 * {@link TrackerConfig#maxReplyBytes()}, and the whole exchange has one deadline.
 */
public final class HttpTrackerClient implements TrackerClient {
    /** One client for all trackers: it owns a selector thread and a connection pool. No proxy, ever. */
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();

    private final URI uri;
    private final TrackerConfig config;
    private final SelfFilter self;
    private volatile Optional<String> trackerId = Optional.empty();

    HttpTrackerClient(URI uri, TrackerConfig config, SelfFilter self) {
        this.uri = uri;
        this.config = config;
        this.self = self;
    }

    /** Nothing to release: connections belong to the shared HTTP client's pool. */
    @Override
    public void close() {
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public AnnounceResponse announce(AnnounceRequest request, Duration deadline) throws TrackerException {
        byte[] body = get(HttpTrackerProtocol.announceUri(uri, request, trackerId), deadline);
        AnnounceResponse response = HttpTrackerProtocol.parseAnnounce(uri, body, self);
        if (response.trackerId().isPresent()) trackerId = response.trackerId();
        return response;
    }

    @Override
    public Map<InfoHash, ScrapeStats> scrape(List<InfoHash> hashes, Duration deadline) throws TrackerException {
        URI scrape = HttpTrackerProtocol.scrapeUri(uri, hashes)
                .orElseThrow(() -> TrackerException.failed(uri, "no scrape URL (the path does not end in 'announce')"));
        return HttpTrackerProtocol.parseScrape(uri, get(scrape, deadline));
    }

    private byte[] get(URI target, Duration deadline) throws TrackerException {
        long end = System.nanoTime() + deadline.toNanos();
        for (int redirects = 0; ; redirects++) {
            long left = end - System.nanoTime();
            if (left <= 0) throw TrackerException.failed(uri, TrackerException.noReplyWithin(deadline));
            HttpRequest request = HttpRequest.newBuilder(target).GET()
                    .timeout(Duration.ofNanos(left))
                    .header("User-Agent", "jtorrent/0.0.1")
                    .build();
            CompletableFuture<HttpResponse<byte[]>> future =
                    HTTP.sendAsync(request, info -> new CappedBody(config.maxReplyBytes(), info));
            HttpResponse<byte[]> response;
            try {
                response = future.get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw TrackerException.failed(uri, TrackerException.noReplyWithin(deadline));
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw TrackerException.failed(uri, "interrupted");
            } catch (ExecutionException e) {
                throw TrackerException.failed(uri, describe(e.getCause(), deadline), e.getCause());
            }
            int status = response.statusCode();
            if (status >= 300 && status < 400 && status != 304) {
                if (redirects >= config.maxRedirects()) {
                    throw TrackerException.failed(uri, "more than " + config.maxRedirects() + " redirects");
                }
                String location = response.headers().firstValue("Location")
                        .orElseThrow(() -> TrackerException.failed(uri, "HTTP " + status + " redirect without a Location"));
                target = resolveRedirect(target, location);
                continue;
            }
            if (status != 200) throw TrackerException.failed(uri, "HTTP " + status);
            return response.body();
        }
    }

    private URI resolveRedirect(URI from, String location) throws TrackerException {
        URI next;
        try {
            next = from.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw TrackerException.failed(uri, "bad redirect Location: " + location);
        }
        String scheme = next.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw TrackerException.failed(uri, "redirect to a non-HTTP URL: " + location);
        }
        return next;
    }

    private String describe(Throwable cause, Duration deadline) {
        if (cause instanceof ReplyTooLarge large) return large.getMessage();
        if (cause instanceof HttpTimeoutException) { // HttpConnectTimeoutException included
            return TrackerException.noReplyWithin(deadline);
        }
        if (cause instanceof ConnectException) return "connection refused";
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** The reply was refused for its size; its message is the user-facing one. */
    static final class ReplyTooLarge extends IOException {
        ReplyTooLarge(long max) {
            super("reply larger than " + max + " bytes, refused");
        }
    }

    /**
     * Collects a body up to a cap and fails as soon as it is passed (by Content-Length or by counting),
     * cancelling the transfer: a hostile tracker cannot make us buffer more than the cap.
     */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final HttpResponse.ResponseInfo info;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final List<ByteBuffer> parts = new ArrayList<>();
        private long size;
        private Flow.Subscription subscription;

        CappedBody(int max, HttpResponse.ResponseInfo info) {
            this.max = max;
            this.info = info;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > max) {
                s.cancel();
                result.completeExceptionally(new ReplyTooLarge(max));
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) return;
            for (ByteBuffer b : items) {
                size += b.remaining();
                if (size > max) {
                    subscription.cancel();
                    parts.clear();
                    result.completeExceptionally(new ReplyTooLarge(max));
                    return;
                }
                parts.add(b);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            if (result.isDone()) return;
            byte[] all = new byte[(int) size];
            int at = 0;
            for (ByteBuffer b : parts) {
                int n = b.remaining();
                b.get(all, at, n);
                at += n;
            }
            result.complete(all);
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
    }
}
