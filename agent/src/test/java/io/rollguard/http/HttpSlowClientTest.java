package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.config.HostPort;
import io.rollguard.config.HttpSettings;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.FakeTime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and idle clients against the real server on a real socket: the head and body deadlines run on a
 * {@link FakeTime} the test steps, the connection limits evict the oldest idle or trickling connection so a fresh
 * {@code /health} is answered. Clients on 127.0.0.2, 127.0.0.3, ... are other peers (all of 127/8 is loopback).
 */
class HttpSlowClientTest {
    private static final Duration HEAD = Duration.ofSeconds(10);
    private static final Duration BODY = Duration.ofSeconds(20);

    private final FakeTime time = new FakeTime();
    private final CompletableFuture<io.netty.handler.codec.http.FullHttpResponse> never = new CompletableFuture<>();
    private final CompletableFuture<Void> hung = new CompletableFuture<>();
    private final Router router = new Router()
            .get("/health", request -> Responses.json(HttpResponseStatus.OK, Map.of("status", "UP")))
            .add(new Router.Route("/upload", Set.of(HttpMethod.POST),
                    request -> Responses.json(HttpResponseStatus.OK, Map.of())))
            .add(new Router.Route("/hang", Set.of(HttpMethod.GET), new Endpoint() {
                @Override
                public io.netty.handler.codec.http.FullHttpResponse handle(
                        io.netty.handler.codec.http.FullHttpRequest request) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public CompletableFuture<io.netty.handler.codec.http.FullHttpResponse> handleAsync(
                        io.netty.handler.codec.http.FullHttpRequest request, InetSocketAddress remote) {
                    hung.complete(null);
                    return never;
                }
            }));
    private final List<Socket> sockets = new ArrayList<>();
    private HttpServer server;

    private HttpServer start(int maxConnections, int maxPerPeer) throws IOException {
        // An idle timeout far beyond anything the test steps: Netty's own timer is real time.
        server = HttpServer.start(new HttpSettings(new HostPort("127.0.0.1", 0))
                .withLimits(maxConnections, maxPerPeer, Duration.ofHours(1), HEAD, BODY), router, time);
        return server;
    }

    @AfterEach
    void stop() throws IOException {
        never.complete(Responses.json(HttpResponseStatus.OK, Map.of()));
        for (Socket socket : sockets) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket connect(String from) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(server.address());
        socket.setSoTimeout(30_000); // a bound for a broken server, not a timing assertion
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** The status of the next answer on {@code socket}, after reading it whole. */
    private static int status(Socket socket) throws IOException {
        return RawAnswer.read(socket.getInputStream()).status();
    }

    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketException e) {
            return true; // "Connection reset": closed as well
        }
    }

    private static int health(Socket socket) throws IOException {
        send(socket, "GET /health HTTP/1.1\r\nHost: agent\r\n\r\n");
        return status(socket);
    }

    private double metric(String name, String... labels) {
        SeriesWriter out = new SeriesWriter();
        server.writeMetrics(out);
        Double value = out.values().get(new SeriesKey(out.values().keySet().stream()
                .filter(key -> key.family().name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name)).family(), LabelSet.of(labels)));
        return value == null ? Double.NaN : value;
    }

    private void awaitOpen(int connections) {
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("rollguard_http_connections") == connections);
    }

    private void awaitDeadline(Duration remaining) {
        await().atMost(Duration.ofSeconds(30)).until(() -> time.pending().contains(remaining));
    }

    @Test
    void aTricklingHeadIsAnswered408AtTheHeadDeadlineHoweverOftenBytesArrive() throws IOException {
        start(16, 16);
        Socket slow = connect("127.0.0.1");
        send(slow, "G");
        awaitDeadline(HEAD);

        String rest = "ET /health HTTP/1.1\r\nHost: ag";
        for (char c : rest.toCharArray()) { // a byte every 300 ms: never idle, never done
            send(slow, String.valueOf(c));
            time.advance(Duration.ofMillis(300));
        }
        time.advance(HEAD.minus(Duration.ofMillis(300L * rest.length())));

        assertThat(status(slow)).isEqualTo(408);
        assertThat(closedByServer(slow)).isTrue();
    }

    @Test
    void aTricklingTlsHandshakeIsClosedAtTheHeadDeadline(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        List<String> openssl = List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days",
                "2", "-subj", "/CN=agent.example");
        boolean made;
        try {
            Process process = new ProcessBuilder(openssl).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            made = process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            made = false;
        }
        assumeTrue(made, "openssl could not make a certificate (is it installed?): the TLS case needs one");
        server = HttpServer.start(new HttpSettings(new HostPort("127.0.0.1", 0), null, null, null, true,
                new HttpSettings.TlsFiles(cert, key), 16, 16, Duration.ofHours(1), HEAD, BODY), router, time);
        Socket slow = connect("127.0.0.1");
        send(slow, "\u0016\u0003"); // the start of a TLS record header: a handshake that goes no further
        awaitDeadline(HEAD);

        time.advance(HEAD);

        try { // at most a TLS alert, then the end
            assertThat(slow.getInputStream().readAllBytes()).hasSizeLessThan(64);
        } catch (SocketException e) {
            // reset: closed as well
        }
    }

    @Test
    void theHeadDeadlineStartsAgainWithEachRequestOnAKeptAliveConnection() throws IOException {
        start(16, 16);
        Socket client = connect("127.0.0.1");
        send(client, "GET /health HTTP/1.1\r\nHost: agent\r\n");
        awaitDeadline(HEAD);
        time.advance(HEAD.minusSeconds(1));
        send(client, "\r\n");
        assertThat(status(client)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> time.pending().isEmpty());

        time.advance(HEAD.multipliedBy(3)); // idle between requests is the idle timeout's business, not the head's

        assertThat(health(client)).isEqualTo(200);
    }

    @Test
    void aTricklingBodyIsAnswered408AtTheBodyDeadline() throws IOException {
        start(16, 16);
        Socket slow = connect("127.0.0.1");
        send(slow, "POST /upload HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\nContent-Length: 100"
                + "\r\n\r\n{");
        awaitDeadline(BODY);
        assertThat(time.pending()).as("the head's deadline ended with the head").containsExactly(BODY);

        for (int i = 0; i < 19; i++) {
            send(slow, " ");
            time.advance(Duration.ofSeconds(1));
        }
        time.advance(Duration.ofSeconds(1));

        assertThat(status(slow)).isEqualTo(408);
        assertThat(closedByServer(slow)).isTrue();
    }

    @Test
    void aPeerAtItsCapLosesItsOldestIdleConnectionLoopbackToo() throws IOException {
        start(16, 2);
        Socket oldest = connect("127.0.0.1");
        Socket other = connect("127.0.0.1");
        Socket elsewhere = connect("127.0.0.2");
        awaitOpen(3);
        assertThat(health(oldest)).isEqualTo(200);
        assertThat(health(other)).isEqualTo(200);

        Socket fresh = connect("127.0.0.1");

        assertThat(health(fresh)).isEqualTo(200);
        assertThat(closedByServer(oldest)).isTrue();
        assertThat(health(other)).isEqualTo(200);
        assertThat(health(elsewhere)).as("another address has slots of its own").isEqualTo(200);
        assertThat(metric("rollguard_http_connections_evicted_total", "reason", "max_connections_per_peer"))
                .isEqualTo(1);
        assertThat(metric("rollguard_http_connections")).isEqualTo(3);
    }

    @Test
    void whenAllSlotsAreTakenTheOldestIdleOrTricklingConnectionMakesRoomForAFreshHealth() throws IOException {
        start(3, 16);
        Socket trickling = connect("127.0.0.2");
        Socket idle = connect("127.0.0.3");
        Socket used = connect("127.0.0.4");
        send(trickling, "GET /hea");
        awaitDeadline(HEAD); // its request started after the other two connected: idle is now the oldest
        assertThat(health(used)).isEqualTo(200);

        Socket loadBalancer = connect("127.0.0.1");
        assertThat(health(loadBalancer)).isEqualTo(200);
        assertThat(closedByServer(idle)).isTrue();

        Socket systemd = connect("127.0.0.1");
        assertThat(health(systemd)).isEqualTo(200);
        assertThat(closedByServer(trickling)).isTrue();
        assertThat(health(used)).isEqualTo(200);
        assertThat(metric("rollguard_http_connections_evicted_total", "reason", "max_connections")).isEqualTo(2);
        assertThat(metric("rollguard_http_connections_refused_total")).isZero();
    }

    @Test
    void aConnectionWaitingForItsAnswerIsNeverEvicted() throws IOException {
        start(1, 16);
        Socket waiting = connect("127.0.0.2");
        send(waiting, "GET /hang HTTP/1.1\r\nHost: agent\r\n\r\n");
        await().atMost(Duration.ofSeconds(30)).until(hung::isDone);

        Socket refused = connect("127.0.0.1");

        assertThat(closedByServer(refused)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> metric("rollguard_http_connections_refused_total") == 1);
        never.complete(Responses.json(HttpResponseStatus.OK, Map.of()));
        assertThat(status(waiting)).isEqualTo(200);
    }
}
