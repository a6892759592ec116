package io.rollguard.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Real HTTP to an agent a test started on port 0. Every request is bounded (30 s), so an answer that never comes
 * fails the test instead of hanging the suite.
 */
public final class AgentHttp {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final Supplier<InetSocketAddress> address;

    /** @param address where the agent listens now: read at each request, so a test may restart its agent */
    public AgentHttp(Supplier<InetSocketAddress> address) {
        this.address = address;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + address.get().getPort() + path);
    }

    /** The body of {@code GET path}, whatever its status. */
    public String body(String path) throws IOException, InterruptedException {
        return get(path).body();
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)));
    }

    /** {@code POST path} without a body. */
    public HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }
}
