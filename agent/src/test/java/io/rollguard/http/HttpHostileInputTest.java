package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.Agent;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.time.TimeSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a hostile client can throw at the real agent over real sockets: oversized headers and bodies, half-sent
 * requests, a flood of idle connections, wrong methods, missing and wrong tokens, path traversal, malformed JSON.
 * Raw sockets, not an HTTP client, so that exactly the bytes under test reach the server.
 */
class HttpHostileInputTest {
    private static final String TOKEN = "hostile-test-token-0123456789";

    @TempDir
    static Path dir;
    private static Agent agent;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        port = startAgent("""
                [http]
                listen = "127.0.0.1:0"
                token_file = "token"
                idle_timeout = "1s"
                """, "main").httpAddress().getPort();
    }

    /** A real agent with no samplers or checks: only its HTTP server is under test. */
    private static Agent startAgent(String http, String name) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        Path token = Files.writeString(home.resolve("token"), TOKEN + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path config = Files.writeString(home.resolve("rollguard.toml"), """
                [agent]
                interval = "1s"
                state_dir = "%s"
                """.formatted(home.resolve("state")) + http);
        Agent started = new Agent(ConfigLoader.load(config), TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 0, () -> 0));
        started.start();
        if (name.equals("main")) {
            agent = started;
        }
        return started;
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000); // a bound for a broken server, not a timing assertion
        return socket;
    }

    private static RawAnswer exchange(String request) throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return RawAnswer.read(socket.getInputStream());
        }
    }

    private static String post(String path, String authorization, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: agent\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Content-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\nConnection: close\r\n\r\n" + body;
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n";
    }

    @Test
    void headersOver8KiBAre431() throws IOException {
        RawAnswer answer = exchange("GET /health HTTP/1.1\r\nHost: agent\r\nX-Padding: " + "a".repeat(9 * 1024)
                + "\r\n\r\n");

        assertThat(answer.status()).isEqualTo(431);
        assertThat(answer.json()).containsKey("error");
    }

    @Test
    void aBodyOver64KiBIs413BeforeItIsSent() throws IOException {
        // Only the headers: the server must answer from Content-Length alone, without reading 70 KB first.
        RawAnswer answer = exchange("POST /api/v1/deployments HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n");

        assertThat(answer.status()).isEqualTo(413);
    }

    @Test
    void aHalfSentRequestIsClosedAfterTheIdleTimeout() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("POST /api/v1/rearm HTTP/1.1\r\nHost: ag".getBytes(StandardCharsets.US_ASCII));

            assertThat(socket.getInputStream().read()).as("closed by the server, without an answer").isEqualTo(-1);
        }
    }

    @Test
    void aKeptAliveConnectionStaysUsableBetweenRequests() throws IOException {
        try (Socket socket = connect()) {
            for (int i = 0; i < 3; i++) {
                socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: agent\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(RawAnswer.read(socket.getInputStream()).status()).isIn(200, 503);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DELETE /health", "PUT /metrics", "POST /health/detailed", "PATCH /api/v1/rules"})
    void wrongMethodsAre405WithAllow(String requestLine) throws IOException {
        RawAnswer answer = exchange(requestLine + " HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.headers()).containsKey("allow");
        assertThat(answer.json()).containsKey("error");
    }

    @ParameterizedTest(name = "Authorization: {0}")
    @ValueSource(strings = {"", "Bearer", "Bearer wrong-token", "Basic " + TOKEN, "Bearer " + TOKEN + "x",
            "Bearer hostile-test-token-012345678"})
    void aMissingOrWrongTokenIs401EvenFromLoopback(String authorization) throws IOException {
        for (String path : List.of("/api/v1/rearm", "/api/v1/deployments", "/api/v1/deployments/current/finish",
                "/api/v1/rules/anything/rearm")) {
            RawAnswer answer = exchange(post(path, authorization.isEmpty() ? null : authorization, "{}"));

            assertThat(answer.status()).as(path).isEqualTo(401);
            assertThat(answer.headers()).containsEntry("www-authenticate", "Bearer realm=\"rollguard\"");
            assertThat((String) answer.json().get("error")).doesNotContain(TOKEN);
        }
    }

    @Test
    void theRightTokenIsAccepted() throws IOException {
        RawAnswer answer = exchange(post("/api/v1/rearm", "Bearer " + TOKEN, ""));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).containsEntry("rearmed", List.of());
        assertThat(exchange(post("/api/v1/rearm", "bearer " + TOKEN, "")).status())
                .as("the scheme is case-insensitive").isEqualTo(200);
    }

    @Test
    void readsNeedNoTokenWithoutReadTokenFile() throws IOException {
        assertThat(exchange(get("/metrics")).status()).isEqualTo(200);
        assertThat(exchange(get("/api/v1/rules")).status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET /../../../../etc/passwd", "GET /health/../../etc/passwd",
            "GET /%2e%2e/%2e%2e/etc/passwd", "GET /metrics/..%2f..%2fetc%2fpasswd", "GET /%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "GET //etc/passwd", "GET /api/v1/../../etc/passwd", "POST /api/v1/rules/..%2f..%2fetc%2fpasswd/rearm",
            "POST /api/v1/rules/%2e%2e/rearm", "POST /api/v1/rules/../../../etc/passwd/rearm",
            "GET /health%00/etc/passwd"})
    void pathTraversalIsANotFoundNeverAFile(String requestLine) throws IOException {
        RawAnswer answer = exchange(requestLine + " HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.headers()).containsEntry("content-type", "application/json");
        assertThat(answer.body()).doesNotContain("root:");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"{not json", "[]", "\"v42\"", "{\"version\": 42}", "{\"version\": \"v1\", \"watch\": 5}",
            "{\"version\": \"v1\", \"extra\": true}", "{\"version\": \"v1\"", "\u0000\u0001\u0002", "null"})
    void malformedJsonBodiesAre400WithAJsonError(String body) throws IOException {
        RawAnswer answer = exchange(post("/api/v1/deployments", "Bearer " + TOKEN, body));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.headers()).containsEntry("content-type", "application/json");
        assertThat(answer.json().get("error")).isInstanceOf(String.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP/9.9", "HTTP/2.0", "HTTP/0.9"})
    void anUnknownHttpVersionIs505(String version) throws IOException {
        RawAnswer answer = exchange("GET /health " + version + "\r\nHost: agent\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(505);
        assertThat(answer.json()).containsKey("error");
    }

    @Test
    void aProtocolOtherThanHttpIs400() throws IOException {
        assertThat(exchange("GET /health FOO/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n").status())
                .isEqualTo(400);
    }

    @Test
    void garbageInsteadOfARequestIs400() throws IOException {
        RawAnswer answer = exchange("\u0001\u0002 not http at all\r\n\r\n");

        assertThat(answer.status()).isEqualTo(400);
    }

    /**
     * 300 idle connections from this host against max_connections_per_peer = 32: each beyond the 32nd closes the
     * oldest, which is counted; a fresh /health is answered, and so is a request on the newest connection.
     */
    @Test
    void idleConnectionsBeyondThePerPeerCapCloseTheOldestAndAFreshHealthIsAnswered() throws Exception {
        try (Agent limited = startAgent("""
                [http]
                listen = "127.0.0.1:0"
                """, "limited")) {
            int limitedPort = limited.httpAddress().getPort();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    Socket socket = new Socket("127.0.0.1", limitedPort);
                    socket.setSoTimeout(30_000);
                    sockets.add(socket);
                }
                Socket last = sockets.get(sockets.size() - 1);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    last.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: agent\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    RawAnswer metrics = RawAnswer.read(last.getInputStream());
                    assertThat(metrics.status()).isEqualTo(200);
                    assertThat(value(metrics.body(),
                            "rollguard_http_connections_evicted_total\\{reason=\"max_connections_per_peer\"}"))
                            .isEqualTo(268);
                    assertThat(value(metrics.body(), "rollguard_http_connections")).isEqualTo(32);
                    assertThat(value(metrics.body(), "rollguard_http_connections_refused_total")).isZero();
                });
                assertThat(readOrReset(sockets.get(0).getInputStream())).as("the oldest was closed").isEqualTo(-1);

                assertThat(exchangeWith(limitedPort, get("/health")).status()).isIn(200, 503);
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    private static RawAnswer exchangeWith(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return RawAnswer.read(socket.getInputStream());
        }
    }

    private static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException e) {
            return -1; // "Connection reset": closed by the server as well
        }
    }

    private static double value(String metrics, String family) {
        Matcher matcher = Pattern.compile("(?m)^" + family + " (\\S+)$").matcher(metrics);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : Double.NaN;
    }
}
