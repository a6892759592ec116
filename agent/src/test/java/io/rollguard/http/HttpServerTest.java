package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.config.HostPort;
import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpServerTest {
    private final Router router = new Router().get("/x", request -> Responses.json(HttpResponseStatus.OK, Map.of()));

    @Test
    void aNewAccessPolicyAppliesFromTheNextRequest() throws Exception {
        Router posts = new Router().add(new Router.Route("/y", java.util.Set.of(io.netty.handler.codec.http.HttpMethod.POST),
                request -> Responses.json(HttpResponseStatus.OK, Map.of())));
        try (HttpServer server = HttpServer.start(new HostPort("127.0.0.1", 0), posts, new FakeTime())) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpRequest post = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + server.address().getPort() + "/y"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
            assertThat(client.send(post, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("no token: loopback may").isEqualTo(200);

            server.useAccess(new AccessPolicy(new io.rollguard.config.Secret("new-token"), null, true));

            assertThat(client.send(post, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(401);
        }
    }

    @Test
    void aTakenAddressIsReportedInOneSentence() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            HostPort listen = new HostPort("127.0.0.1", taken.getLocalPort());

            assertThatThrownBy(() -> HttpServer.start(listen, router, new FakeTime()))
                    .isInstanceOf(IOException.class)
                    .hasMessage("cannot listen on " + listen + ": Address already in use");
        }
    }

    @Test
    void portZeroResolvesToARealPort() throws IOException {
        try (HttpServer server = HttpServer.start(new HostPort("127.0.0.1", 0), router, new FakeTime())) {
            assertThat(server.address().getPort()).isPositive();
        }
    }
}
