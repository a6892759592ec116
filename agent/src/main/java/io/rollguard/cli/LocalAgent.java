package io.rollguard.cli;

import io.rollguard.config.Config;
import io.rollguard.config.HostPort;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The running agent of this host, reached over its HTTP API at the address its configuration gives. */
final class LocalAgent {
    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    LocalAgent(Config config) {
        HostPort listen = config.http().listen();
        // An agent listening on every interface is reached on loopback, where the mutating endpoints accept it.
        String host = listen.host().equals("0.0.0.0") ? "127.0.0.1" : listen.host().equals("::") ? "::1" : listen.host();
        this.base = URI.create("http://" + new HostPort(host, listen.port()));
    }

    URI base() {
        return base;
    }

    /** GET or POST {@code path}; a refused connection is reported in words. */
    HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    /** POST {@code json} to {@code path}. */
    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        HttpRequest request = builder.timeout(Duration.ofSeconds(30)).build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("no agent answers at " + base + " (is `rollguard run` running with this configuration?)");
        }
    }
}
