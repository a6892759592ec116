package io.rollguard.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.rollguard.config.check.HttpCheckSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real local HTTP server whose answers each test chooses. */
class HttpCheckTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        answer("/status", 200, "application/json; charset=utf-8",
                "{\"selected_cameras\": [1, 2], \"count\": 2, \"queue\": {\"depth\": 7, \"name\": \"q\"},"
                        + " \"failed_last_hour\": 3, \"success_rate\": 0.97, \"note\": null}");
        answer("/down", 503, "application/json", "{\"error\": \"starting\"}");
        answer("/html", 200, "text/html", "<html>ok</html>");
        server.createContext("/slow", exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private void answer(String path, int status, String contentType, String body) {
        server.createContext(path, exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    private CheckResult run(String path, List<Integer> status, List<String> keys, Pattern body, String contentType,
            Duration maxLatency, Map<String, String> extract) throws InterruptedException {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        HttpCheckSpec spec = new HttpCheckSpec(url, "GET", Map.of("X-Probe", "rollguard"), "", status, keys, body,
                contentType, maxLatency, true, extract);
        return new HttpCheck(spec, Duration.ofSeconds(5), CLIENT).run();
    }

    @Test
    void passesWhenEveryExpectationHoldsAndReportsTheLatency() throws InterruptedException {
        CheckResult result = run("/status", List.of(200), List.of("selected_cameras", "count", "/queue/depth", "note"),
                Pattern.compile("\"count\": \\d+"), "application/json", Duration.ofSeconds(5), Map.of());

        assertThat(result.ok()).as(result.message()).isTrue();
        assertThat(result.message()).matches("HTTP 200 in \\d+ ms");
        assertThat(result.value()).isPositive().isLessThan(5);
    }

    @Test
    void anyTwoHundredPassesByDefault() throws InterruptedException {
        assertThat(run("/status", List.of(), List.of(), null, null, null, Map.of()).ok()).isTrue();
    }

    @Test
    void namesEveryMissedExpectation() throws InterruptedException {
        CheckResult result = run("/down", List.of(), List.of("count", "/queue/depth"), Pattern.compile("ready"),
                "text/plain", null, Map.of());

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).isEqualTo("HTTP 503 (expected 2xx); content type \"application/json\" "
                + "(expected text/plain); body does not match /ready/; JSON has no count; JSON has no /queue/depth");
    }

    @Test
    void anExplicitStatusListIsHonoured() throws InterruptedException {
        assertThat(run("/down", List.of(503), List.of(), null, null, null, Map.of()).ok()).isTrue();
        assertThat(run("/status", List.of(204, 503), List.of(), null, null, null, Map.of()).message())
                .isEqualTo("HTTP 200 (expected [204, 503])");
    }

    @Test
    void aBodyThatIsNotJsonFailsJsonExpectations() throws InterruptedException {
        assertThat(run("/html", List.of(), List.of("count"), null, null, null, Map.of()).message())
                .isEqualTo("body is not JSON");
    }

    @Test
    void extractsNumbersAndReportsPointersThatAreMissingOrNotNumbers() throws InterruptedException {
        CheckResult result = run("/status", List.of(), List.of(), null, null, null, Map.of(
                "failed_1h", "/failed_last_hour", "success", "/success_rate", "depth", "/queue/depth",
                "gone", "/nope", "name", "/queue/name", "second_camera", "/selected_cameras/1"));

        assertThat(result.ok()).isTrue();
        assertThat(result.fields()).isEqualTo(Map.of("failed_1h", 3.0, "success", 0.97, "depth", 7.0,
                "second_camera", 2.0));
        assertThat(result.message()).contains("gone: /nope missing", "name: /queue/name is not a number");
    }

    @Test
    void aSlowAnswerFailsMaxLatency() throws InterruptedException {
        release.countDown();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/status");
        HttpCheckSpec spec = new HttpCheckSpec(url, "GET", Map.of(), "", List.of(), List.of(), null, null,
                Duration.ofNanos(1), true, Map.of());

        CheckResult result = new HttpCheck(spec, Duration.ofSeconds(5), CLIENT).run();

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).matches("took \\d+ ms \\(max 0 ms\\)");
    }

    @Test
    void noAnswerWithinTheTimeoutFails() throws InterruptedException {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/slow");
        HttpCheckSpec spec = new HttpCheckSpec(url, "GET", Map.of(), "", List.of(), List.of(), null, null, null, true,
                Map.of());

        CheckResult result = new HttpCheck(spec, Duration.ofMillis(300), CLIENT).run();

        assertThat(result.message()).isEqualTo(url + ": no answer within 300 ms");
    }

    @Test
    void aClosedPortFailsWithConnectionRefused() throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port + "/");
        HttpCheckSpec spec = new HttpCheckSpec(url, "GET", Map.of(), "", List.of(), List.of(), null, null, null, true,
                Map.of());

        assertThat(new HttpCheck(spec, Duration.ofSeconds(5), CLIENT).run().message())
                .isEqualTo(url + ": connection refused");
    }

    @Test
    void sendsTheConfiguredMethodHeadersAndBody() throws InterruptedException {
        StringBuilder seen = new StringBuilder();
        server.createContext("/echo", exchange -> {
            seen.append(exchange.getRequestMethod()).append(' ')
                    .append(exchange.getRequestHeaders().getFirst("X-Token")).append(' ')
                    .append(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/echo");
        HttpCheckSpec spec = new HttpCheckSpec(url, "POST", Map.of("X-Token", "t0k"), "{\"ping\":1}", List.of(204),
                List.of(), null, null, null, true, Map.of());

        assertThat(new HttpCheck(spec, Duration.ofSeconds(5), CLIENT).run().ok()).isTrue();
        assertThat(seen.toString()).isEqualTo("POST t0k {\"ping\":1}");
    }
}
