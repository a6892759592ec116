package io.rollguard.source;

import io.rollguard.common.BoundedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** One bounded GET: the body is read up to {@link #MAX_BODY_BYTES}, a longer one fails the read. */
final class HttpFetch {
    static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
    /**
     * The client's own timeout only backs up the runner's, which settles the read first and interrupts it: one
     * deadline, one message ("timed out after 5s") whichever way the server is slow.
     */
    private static final Duration BACKSTOP = Duration.ofSeconds(1);

    /** What the server answered. */
    record Answer(int status, String contentType, String body) {}

    private final HttpClient client;

    HttpFetch(HttpClient client) {
        this.client = client;
    }

    /**
     * @param timeout the source's timeout
     * @param tokenFile read now, so a rotated token is picked up; its content is never put in a message
     */
    Answer get(URI uri, String accept, Path tokenFile, Duration timeout)
            throws IOException, InterruptedException, ExpositionException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(timeout.plus(BACKSTOP))
                .header("Accept", accept).header("User-Agent", "rollguard");
        if (tokenFile != null) {
            String token;
            try {
                token = BoundedFiles.readString(tokenFile, BoundedFiles.TOKEN_BYTES, "a token file").strip();
            } catch (BoundedFiles.TooLargeException e) {
                throw new ExpositionException("cannot read bearer_token_file " + tokenFile + ": " + e.getMessage());
            } catch (IOException e) {
                throw new ExpositionException("cannot read bearer_token_file " + tokenFile + ": "
                        + e.getClass().getSimpleName());
            }
            if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new ExpositionException("bearer_token_file " + tokenFile + " does not hold a token");
            }
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> response;
        String authority = uri.getAuthority();
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new ExpositionException("cannot connect to " + authority + ": timed out");
        } catch (HttpTimeoutException e) {
            throw new ExpositionException("no answer from " + authority);
        } catch (ConnectException e) {
            throw new ExpositionException("cannot connect to " + authority + ": " + reason(e, "connection refused"));
        }
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new ExpositionException("the answer is larger than " + (MAX_BODY_BYTES >> 20) + " MiB");
            }
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            return new Answer(response.statusCode(), contentType, new String(body, StandardCharsets.UTF_8));
        }
    }

    /** The first message along the causes: the JDK's client often wraps the socket's reason in a bare exception. */
    private static String reason(Throwable e, String fallback) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
        }
        return fallback;
    }
}
