package io.rollguard.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rollguard.action.ActionOutcome.Result;
import io.rollguard.config.action.WebhookActionConfig;
import io.rollguard.time.SystemTimer;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A real HTTP server on 127.0.0.1:0 as the webhook's receiver, and millisecond backoffs. */
class WebhookActionTest {
    private static final Duration BACKOFF = Duration.ofMillis(10);

    private HttpServer server;
    private final ExecutorService serverThreads = Executors.newCachedThreadPool();
    private final SystemTimer timer = new SystemTimer("test-webhook-timer");
    private final ExecutorService clientThreads = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(clientThreads).build();
    /** What the server received, one entry per request. */
    private final List<Received> received = new CopyOnWriteArrayList<>();
    /** Holds back the answers of a server that is told to hang, until the test ends. */
    private final CountDownLatch release = new CountDownLatch(1);

    private record Received(String method, String contentType, String authorization, String body) {}

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(serverThreads);
        server.start();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
        timer.close();
        clientThreads.shutdownNow();
    }

    /** Answers the n-th request (1-based) with the status {@code statuses} gives; 0 hangs until the test ends. */
    private URI answering(IntUnaryOperator statuses, String answer) {
        AtomicInteger count = new AtomicInteger();
        server.createContext("/hook", exchange -> {
            receive(exchange);
            int status = statuses.applyAsInt(count.incrementAndGet());
            if (status == 0) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status = 200;
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    private void receive(HttpExchange exchange) throws IOException {
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Authorization"),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
    }

    private WebhookAction webhook(URI url, Map<String, String> headers, int retries, Duration timeout, boolean dryRun) {
        return new WebhookAction(new WebhookActionConfig("notify", url, timeout, headers, retries, null, dryRun),
                dryRun, client, timer, TimeSource.system(), BACKOFF);
    }

    private ActionOutcome send(WebhookAction webhook) throws Exception {
        return webhook.run(request()).get(30, TimeUnit.SECONDS);
    }

    private static ActionRequest request() {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("rule", "memory-pressure");
        event.put("state", "firing");
        event.put("value", 0.93);
        return new ActionRequest("notify", Map.of("ROLLGUARD_RULE", "memory-pressure"), event);
    }

    @Test
    void theEventArrivesAsAJsonPostWithTheConfiguredHeaders() throws Exception {
        URI url = answering(n -> 204, "");

        ActionOutcome outcome = send(webhook(url, Map.of("Authorization", "Bearer s3cret"), 3, Duration.ofSeconds(5),
                false));

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(outcome.message()).isEqualTo("delivered: HTTP 204");
        assertThat(outcome.exitCode()).isNull();
        assertThat(outcome.output()).isEqualTo("attempt 1: HTTP 204\n");
        assertThat(received).containsExactly(new Received("POST", "application/json", "Bearer s3cret",
                "{\"rule\":\"memory-pressure\",\"state\":\"firing\",\"value\":0.93}"));
    }

    @Test
    void aConfiguredContentTypeReplacesTheDefault() throws Exception {
        URI url = answering(n -> 200, "ok");

        send(webhook(url, Map.of("content-type", "application/vnd.alert+json"), 0, Duration.ofSeconds(5), false));

        assertThat(received).extracting(Received::contentType).containsExactly("application/vnd.alert+json");
    }

    @Test
    void aServerErrorIsRetriedAndALaterSuccessCounts() throws Exception {
        URI url = answering(n -> n == 1 ? 500 : 200, "{\"error\": \"database\n  unavailable\"}");

        ActionOutcome outcome = send(webhook(url, Map.of(), 3, Duration.ofSeconds(5), false));

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(outcome.message()).isEqualTo("delivered: HTTP 200 on attempt 2 of 4");
        assertThat(outcome.output()).isEqualTo(
                "attempt 1: HTTP 500: {\"error\": \"database unavailable\"}\nattempt 2: HTTP 200\n");
        assertThat(received).hasSize(2);
    }

    @Test
    void everyAttemptFailingFailsAfterRetriesPlusOneAttempts() throws Exception {
        URI url = answering(n -> 503, "maintenance");

        ActionOutcome outcome = send(webhook(url, Map.of(), 2, Duration.ofSeconds(5), false));

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.message()).isEqualTo("failed after 3 attempts: HTTP 503: maintenance");
        assertThat(outcome.output()).isEqualTo(
                "attempt 1: HTTP 503: maintenance\nattempt 2: HTTP 503: maintenance\nattempt 3: HTTP 503: maintenance\n");
        assertThat(received).hasSize(3);
    }

    @ParameterizedTest(name = "HTTP {0} retried: {1}")
    @CsvSource({"400, false", "401, false", "404, false", "408, true", "429, true", "500, true", "502, true"})
    void onlyAnswersThatMayChangeAreRetried(int status, boolean retried) throws Exception {
        URI url = answering(n -> status, "");

        ActionOutcome outcome = send(webhook(url, Map.of(), 1, Duration.ofSeconds(5), false));

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(received).hasSize(retried ? 2 : 1);
        assertThat(outcome.message()).isEqualTo(retried ? "failed after 2 attempts: HTTP " + status
                : "failed, not retried (an answer that asking again will not change): HTTP " + status);
    }

    @Test
    void aServerThatNeverAnswersTimesOutOnEveryAttempt() throws Exception {
        URI url = answering(n -> 0, "");

        ActionOutcome outcome = send(webhook(url, Map.of(), 1, Duration.ofMillis(300), false));

        assertThat(outcome.result()).isEqualTo(Result.TIMEOUT);
        assertThat(outcome.message()).isEqualTo("failed after 2 attempts: no answer within 300ms");
        assertThat(outcome.output()).isEqualTo("attempt 1: no answer within 300ms\nattempt 2: no answer within 300ms\n");
    }

    @Test
    void nobodyListeningFailsAfterEveryAttempt() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        ActionOutcome outcome = send(webhook(URI.create("http://127.0.0.1:" + closedPort + "/hook"), Map.of(), 1,
                Duration.ofSeconds(5), false));

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.message()).startsWith("failed after 2 attempts: ConnectException");
    }

    @Test
    void aDryRunSendsNothingAndNamesOnlyTheHost() throws Exception {
        URI url = answering(n -> 200, "");
        URI secret = URI.create(url + "/T000/B000/XXXXXXXX");

        ActionOutcome outcome = send(webhook(secret, Map.of(), 3, Duration.ofSeconds(5), true));

        assertThat(outcome).isEqualTo(new ActionOutcome(Result.DRY_RUN, null, Duration.ZERO, "",
                "would POST the event to http://127.0.0.1:" + url.getPort() + "/..."));
        assertThat(received).isEmpty();
    }

    @ParameterizedTest(name = "after failed attempt {0}: {1} ms")
    @CsvSource({"1, 10", "2, 20", "3, 40", "4, 80", "13, 40960", "14, 60000", "20, 60000"})
    void theBackoffDoublesUpToAMinute(int failedAttempt, long millis) {
        assertThat(webhook(URI.create("http://127.0.0.1/"), Map.of(), 3, Duration.ofSeconds(5), false)
                .backoff(failedAttempt)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void runReturnsAtOnceAndTheRetryWaitsOnTheTimer() throws Exception {
        URI url = answering(n -> n == 1 ? 500 : 200, "");
        WebhookAction slow = new WebhookAction(new WebhookActionConfig("notify", url, Duration.ofSeconds(5), Map.of(),
                1, null, false), false, client, timer, TimeSource.system(), Duration.ofMillis(300));

        CompletableFuture<ActionOutcome> outcome = slow.run(request());

        assertThat(outcome).as("run() returns before the answer, let alone the retry 300 ms later").isNotDone();
        assertThat(outcome.get(30, TimeUnit.SECONDS).result()).isEqualTo(Result.OK);
        assertThat(received).hasSize(2);
    }
}
