package org.jtorrent.tracker;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jtorrent.id.InfoHash;

/**
 * An HTTP(S) tracker (BEP 3), asked through {@link HttpGet}. Redirects are followed by hand, at most
 * {@link TrackerConfig#maxRedirects()}, so the limit and the error are ours; the reply body is read
 * into memory only up to {@link TrackerConfig#maxReplyBytes()}, and the whole exchange, redirects
 * included, has one deadline.
 */
public final class HttpTrackerClient implements TrackerClient {
    private static final String USER_AGENT = "jtorrent/0.1";

    private final URI uri;
    private final TrackerConfig config;
    private final SelfFilter self;
    private volatile Optional<String> trackerId = Optional.empty();

    HttpTrackerClient(URI uri, TrackerConfig config, SelfFilter self) {
        this.uri = uri;
        this.config = config;
        this.self = self;
    }

    /** Nothing to release: each request has a connection of its own, closed when it is answered. */
    @Override
    public void close() {
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public AnnounceResponse announce(AnnounceRequest request, Duration deadline) throws TrackerException {
        return announce(request, deadline, new Cancellation());
    }

    AnnounceResponse announce(AnnounceRequest request, Duration deadline, Cancellation cancellation) throws TrackerException {
        byte[] body = get(HttpTrackerProtocol.announceUri(uri, request, trackerId), deadline, cancellation);
        AnnounceResponse response = HttpTrackerProtocol.parseAnnounce(uri, body, self);
        if (response.trackerId().isPresent()) trackerId = response.trackerId();
        return response;
    }

    @Override
    public Map<InfoHash, ScrapeStats> scrape(List<InfoHash> hashes, Duration deadline) throws TrackerException {
        return scrape(hashes, deadline, new Cancellation());
    }

    Map<InfoHash, ScrapeStats> scrape(List<InfoHash> hashes, Duration deadline, Cancellation cancellation) throws TrackerException {
        URI scrape = HttpTrackerProtocol.scrapeUri(uri, hashes)
                .orElseThrow(() -> TrackerException.failed(uri, "no scrape URL (the path does not end in 'announce')"));
        return HttpTrackerProtocol.parseScrape(uri, get(scrape, deadline, cancellation));
    }

    private byte[] get(URI target, Duration deadline, Cancellation cancellation) throws TrackerException {
        long end = System.nanoTime() + deadline.toNanos();
        for (int redirects = 0; ; redirects++) {
            HttpGet.Reply reply;
            try {
                reply = HttpGet.fetch(target, USER_AGENT, config.maxReplyBytes(), end, cancellation);
            } catch (IOException e) {
                if (cancellation.isCancelled()) throw TrackerException.abandoned(uri, e);
                throw TrackerException.failed(uri, describe(e, deadline), e);
            }
            int status = reply.status();
            if (status >= 300 && status < 400 && status != 304) {
                if (redirects >= config.maxRedirects()) {
                    throw TrackerException.failed(uri, "more than " + config.maxRedirects() + " redirects");
                }
                String location = reply.location()
                        .orElseThrow(() -> TrackerException.failed(uri, "HTTP " + status + " redirect without a Location"));
                target = resolveRedirect(target, location);
                continue;
            }
            if (status != 200) throw TrackerException.failed(uri, "HTTP " + status);
            return reply.body();
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

    private static String describe(IOException cause, Duration deadline) {
        if (cause instanceof HttpGet.ReplyTooLarge large) return large.getMessage();
        if (cause instanceof SocketTimeoutException) return TrackerException.noReplyWithin(deadline);
        if (cause instanceof ConnectException) return "connection refused";
        String message = cause.getMessage();
        if (cause.getClass() == IOException.class && message != null) return message; // ours, from HttpGet: already plain
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
