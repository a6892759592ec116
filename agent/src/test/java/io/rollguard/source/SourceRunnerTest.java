package io.rollguard.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rollguard.config.SourceConfig;
import io.rollguard.health.ComponentHealth;
import io.rollguard.health.Status;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesView;
import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner against a real HTTP server on loopback: an application's /metrics, and a fake Prometheus API. */
class SourceRunnerTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Path APP = Path.of("src/test/resources/exposition/app.prom");

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();
    private final AtomicReference<Answer> answer = new AtomicReference<>(new Answer(200, "text/plain", ""));
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private SourceRunner runner;

    record Answer(int status, String contentType, String body) {}

    record Request(String path, String query, String authorization) {}

    @TempDir
    Path dir;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    private void answer(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        requests.add(new Request(uri.getPath(), uri.getRawQuery(),
                exchange.getRequestHeaders().getFirst("Authorization")));
        if (uri.getPath().equals("/hang")) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Answer current = answer.get();
        byte[] body = current.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", current.contentType());
        exchange.sendResponseHeaders(current.status(), body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (runner != null) {
            runner.close();
        }
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private SourceConfig scrape(String name, String path, int maxSeries, String... metrics) {
        return new SourceConfig(name, INTERVAL, Duration.ofSeconds(5), maxSeries, null,
                new SourceConfig.Scrape(url(path), List.of(metrics)));
    }

    private SourceConfig query(String name, String query, Path tokenFile) {
        return new SourceConfig(name, INTERVAL, Duration.ofSeconds(5), 1000, tokenFile,
                new SourceConfig.Query(url("/prom/"), query));
    }

    /** Starts the due sources (the first call builds the runner) and waits until that read has settled. */
    private void readOnce(SourceConfig... configs) {
        if (runner == null) {
            runner = new SourceRunner(List.of(configs), store, time, time);
        }
        long before = runner.settledReads();
        runner.startDue(time.nanoTime());
        await().atMost(Duration.ofSeconds(30)).until(() -> runner.settledReads() > before);
    }

    private ComponentHealth health() {
        return runner.health().get(0);
    }

    private SeriesView view() {
        return store.view(time.nanoTime());
    }

    private double self(String family) {
        List<Series> series = view().latest(family);
        assertThat(series).hasSize(1);
        return series.get(0).value();
    }

    @Test
    void aScrapeKeepsTheAllowedSeriesWithTheirOwnNamesAndLabelsPlusTheSource() throws IOException {
        answer.set(new Answer(200, "text/plain; version=0.0.4; charset=utf-8", Files.readString(APP)));

        readOnce(scrape("backend", "/metrics", 1000, "http_requests_total", "http_request_duration_seconds",
                "queue_*", "colon:*"));

        assertThat(health().status()).isEqualTo(Status.UP);
        List<Series> requests = view().latest("http_requests_total");
        assertThat(requests).extracting(s -> s.key().labels().toMap()).containsExactly(
                Map.of("method", "post", "code", "200", "source", "backend"),
                Map.of("method", "post", "code", "400", "source", "backend"));
        assertThat(requests).extracting(Series::value).containsExactly(1027.0, 3.0);
        assertThat(view().latest("http_request_duration_seconds_bucket")).as("a histogram by its family name")
                .hasSize(3);
        assertThat(view().latest("http_request_duration_seconds_count")).hasSize(1);
        assertThat(view().latest("queue_depth")).extracting(s -> s.key().labels().toMap())
                .as("the application's own source label is kept as exported_source")
                .containsExactly(Map.of("exported_source", "app", "queue", "jobs", "source", "backend"));
        assertThat(view().latest("colon:name:total")).hasSize(1);
        assertThat(view().latest("metric_without_timestamp_and_labels")).as("not allowed").isEmpty();
        assertThat(self("rollguard_source_up")).isEqualTo(1);
        assertThat(self("rollguard_source_series")).isEqualTo(9);
        assertThat(self("rollguard_source_errors_total")).isEqualTo(0);
        assertThat(self("rollguard_source_duration_seconds")).isGreaterThanOrEqualTo(0);
        assertThat(requests().get(0).path()).isEqualTo("/metrics");
    }

    private List<Request> requests() {
        return List.copyOf(requests);
    }

    @Test
    void scrapedCountersGiveIncreaseAcrossAnApplicationRestart() throws Exception {
        store.track("http_requests_total", Duration.ofMinutes(1));
        long[][] scrapes = {{100, 0}, {200, 10}, {20, 2}, {120, 12}}; // ok, 5xx; the application restarts after 2
        for (long[] counts : scrapes) {
            answer.set(new Answer(200, "text/plain", """
                    # TYPE http_requests_total counter
                    http_requests_total{status="200"} %d
                    http_requests_total{status="500"} %d
                    """.formatted(counts[0], counts[1])));
            readOnce(scrape("app", "/metrics", 100, "http_requests_total"));
            time.advance(INTERVAL);
        }

        io.rollguard.rule.expr.Value ratio = new io.rollguard.rule.expr.Evaluator().evaluate(
                io.rollguard.rule.expr.ExpressionParser.parse("sum(increase(http_requests_total{status=~\"5..\"}, 1m))"
                        + " / sum(increase(http_requests_total, 1m))"), view());

        // 5xx: 10 + 2 (after the reset) + 10 = 22; 200s: 100 + 20 (after the reset) + 100 = 220. Over the 3 intervals
        // the samples span, extrapolated as Prometheus does by the interval to the evaluation, and before the first
        // sample by half an interval for the 200s (the 5xx counter starts at 0: not before it): 22 x 4 / 3 over
        // that plus 220 x 4.5 / 3.
        double errors = 22.0 * 4 / 3;
        assertThat(((io.rollguard.rule.expr.Vector) ratio).elements()).singleElement()
                .satisfies(e -> assertThat(e.value()).isCloseTo(errors / (errors + 220.0 * 4.5 / 3),
                        org.assertj.core.data.Offset.offset(1e-9)));
    }

    @Test
    void theAgentsOwnFamiliesAreNeverReadFromASource() {
        answer.set(new Answer(200, "text/plain", "rollguard_check_up{check=\"api\"} 0\nup 1\n"));

        readOnce(scrape("other_agent", "/metrics", 1000, "*"));

        assertThat(view().latest("rollguard_check_up")).isEmpty();
        assertThat(view().latest("up")).hasSize(1);
    }

    @Test
    void moreSeriesThanMaxSeriesFailTheScrapeAndStoreNothing() throws IOException {
        answer.set(new Answer(200, "text/plain", Files.readString(APP)));

        readOnce(scrape("backend", "/metrics", 2, "http_request_duration_seconds"));

        assertThat(health().status()).isEqualTo(Status.DOWN);
        assertThat(health().message()).isEqualTo(
                "5 series match metrics = [http_request_duration_seconds], more than max_series = 2");
        assertThat(view().latest("http_request_duration_seconds_bucket")).isEmpty();
        assertThat(self("rollguard_source_up")).isEqualTo(0);
        assertThat(self("rollguard_source_errors_total")).isEqualTo(1);
        assertThat(self("rollguard_source_series")).isEqualTo(0);
    }

    @Test
    void garbageAnErrorStatusAndAnUnreachableServerAreFailedReadsThatSayWhy() throws IOException {
        answer.set(new Answer(200, "text/plain", "up 1\nthis is not an exposition\n"));
        readOnce(scrape("backend", "/metrics", 1000, "up"));
        assertThat(health().message()).isEqualTo("line 2, column 6: expected a number, NaN, +Inf or -Inf as the "
                + "value, got \"is\"");

        answer.set(new Answer(503, "text/plain", "up 1\n"));
        time.advance(INTERVAL);
        readOnce();
        assertThat(health().message()).isEqualTo("HTTP 503 from " + url("/metrics"));

        answer.set(new Answer(200, "application/json", "{}"));
        time.advance(INTERVAL);
        readOnce();
        assertThat(health().message()).startsWith("expected the Prometheus text format (text/plain), got Content-Type");
        assertThat(health().errors()).isEqualTo(3);
        assertThat(self("rollguard_source_errors_total")).isEqualTo(3);

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        SeriesStore other = new SeriesStore();
        try (SourceRunner unreachable = new SourceRunner(List.of(new SourceConfig("gone", INTERVAL,
                Duration.ofSeconds(5), 10, null, new SourceConfig.Scrape(
                        URI.create("http://127.0.0.1:" + closedPort + "/metrics"), List.of("up")))), other, time, time)) {
            unreachable.startDue(time.nanoTime());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> unreachable.health().get(0).status() == Status.DOWN);
            assertThat(unreachable.health().get(0).message()).startsWith("cannot connect to 127.0.0.1:" + closedPort
                    + ": ");
        }
    }

    @Test
    void aBodyLargerThanTheBoundFailsTheRead() {
        answer.set(new Answer(200, "text/plain", "x 1\n".repeat(HttpFetch.MAX_BODY_BYTES / 4 + 1)));

        readOnce(scrape("big", "/metrics", 1000, "x"));

        assertThat(health().message()).isEqualTo("the answer is larger than 10 MiB");
    }

    @Test
    void aSourceThatStopsAnsweringGoesStaleAfterThreeIntervalsAndItsTimeout() {
        answer.set(new Answer(200, "text/plain", "up 1\n"));
        readOnce(scrape("backend", "/metrics", 1000, "up"));
        assertThat(view().latest("up")).hasSize(1);

        answer.set(new Answer(500, "text/plain", ""));
        time.advance(INTERVAL);
        readOnce();
        assertThat(view().latest("up")).as("one failed read: still fresh").hasSize(1);

        time.advance(INTERVAL.multipliedBy(2).plus(Duration.ofSeconds(5)).plusNanos(1));
        assertThat(view().latest("up")).as("stale: absent, not a frozen value").isEmpty();
        assertThat(self("rollguard_source_up")).as("the source's own state never goes stale").isEqualTo(0);
    }

    @Test
    void aReadThatHangsIsCutOffAtItsTimeoutAndHoldsOnlyItsOwnSlot() {
        SourceConfig hanging = new SourceConfig("slow", INTERVAL, Duration.ofMillis(300), 10, null,
                new SourceConfig.Scrape(url("/hang"), List.of("up")));
        runner = new SourceRunner(List.of(hanging), store, time, time);

        runner.startDue(time.nanoTime());
        time.advance(Duration.ofMillis(300)); // the timeout, on the fake clock: it settles the read on this thread

        assertThat(health().status()).isEqualTo(Status.DOWN);
        assertThat(health().message()).isEqualTo("timed out after 300ms");
        assertThat(self("rollguard_source_errors_total")).isEqualTo(1);
    }

    @Test
    void aSourceHasAtMostOneReadInFlight() {
        SourceConfig hanging = new SourceConfig("slow", Duration.ofSeconds(1), Duration.ofSeconds(30), 10, null,
                new SourceConfig.Scrape(url("/hang"), List.of("up")));
        runner = new SourceRunner(List.of(hanging), store, time, time);

        runner.startDue(time.nanoTime());
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.size() == 1);
        for (int i = 0; i < 5; i++) {
            time.advance(Duration.ofSeconds(1));
            runner.startDue(time.nanoTime());
        }
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> health().status() == Status.UP);

        assertThat(requests).hasSize(1);
        time.advance(Duration.ofSeconds(1));
        runner.startDue(time.nanoTime());
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.size() == 2);
    }

    @Test
    void aPrometheusVectorIsStoredUnderTheSourcesNameWithTheResultsLabels() throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "s3cret\n");
        String vector = """
                {"status":"success","data":{"resultType":"vector","result":[
                  {"metric":{"__name__":"x","job":"api","instance":"a:1"},"value":[1700000000.1,"0.25"]},
                  {"metric":{"job":"api","instance":"b:1"},"value":[1700000000.1,"NaN"]},
                  {"metric":{},"value":[1700000000.1,"3"]}]}}
                """;
        answer.set(new Answer(200, "application/json", vector));

        readOnce(query("fleet_error_ratio", "sum by (job) (rate(x{code=~\"5..\"}[5m])) > 0 & 1", token));

        assertThat(health().status()).isEqualTo(Status.UP);
        assertThat(view().latest("fleet_error_ratio")).extracting(s -> s.key().labels().toMap(), Series::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Map.of("job", "api", "instance", "a:1"), 0.25),
                        org.assertj.core.groups.Tuple.tuple(Map.of(), 3.0));
        Request request = requests().get(0);
        assertThat(request.path()).isEqualTo("/prom/api/v1/query");
        assertThat(request.query()).as("one parameter: the '&' in the query is escaped").startsWith("query=")
                .doesNotContain("&");
        assertThat(java.net.URLDecoder.decode(request.query().substring("query=".length()), StandardCharsets.UTF_8))
                .isEqualTo("sum by (job) (rate(x{code=~\"5..\"}[5m])) > 0 & 1");
        assertThat(request.authorization()).isEqualTo("Bearer s3cret");
        assertThat(self("rollguard_source_series")).isEqualTo(2);

        Files.writeString(token, "rotated");
        time.advance(INTERVAL);
        readOnce();
        assertThat(requests().get(1).authorization()).as("the file is read at every request")
                .isEqualTo("Bearer rotated");
    }

    @Test
    void aPrometheusScalarIsOneSeriesWithoutLabels() {
        answer.set(new Answer(200, "application/json",
                "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"42.5\"]}}"));

        readOnce(query("answer", "42.5", null));

        assertThat(view().latest("answer")).extracting(Series::value).containsExactly(42.5);
        assertThat(view().latest("answer").get(0).key().labels().size()).isZero();
    }

    @Test
    void aPrometheusErrorAMatrixAndGarbageAreFailedReads() {
        answer.set(new Answer(400, "application/json",
                "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error: unexpected\"}"));
        readOnce(query("q", "sum(", null));
        assertThat(health().message()).isEqualTo("Prometheus answered HTTP 400 bad_data: 1:5: parse error: unexpected");

        answer.set(new Answer(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
                + "\"result\":[]}}"));
        time.advance(INTERVAL);
        readOnce();
        assertThat(health().message()).isEqualTo("the query gave a matrix, expected a vector or a scalar (an instant "
                + "query, without a range such as [5m])");

        answer.set(new Answer(502, "text/html", "<html>bad gateway</html>"));
        time.advance(INTERVAL);
        readOnce();
        assertThat(health().message()).isEqualTo("HTTP 502 from 127.0.0.1");

        answer.set(new Answer(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                + "\"result\":[{\"metric\":{},\"value\":[1,2]}]}}"));
        time.advance(INTERVAL);
        readOnce();
        assertThat(health().message()).isEqualTo("not a Prometheus API answer (a value is not [time, \"number\"])");
        assertThat(health().errors()).isEqualTo(4);
        assertThat(view().latest("q")).isEmpty();
    }

    @Test
    void aMissingTokenFileIsAFailedReadThatNamesTheFileNotTheToken() {
        readOnce(query("q", "up", dir.resolve("missing.token")));

        assertThat(health().message()).startsWith("cannot read bearer_token_file " + dir.resolve("missing.token"));
        assertThat(requests).isEmpty();
    }

    @Test
    void aFailureIsLoggedWhenItStartsAndWhenItEndsNeverPerRead() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(SourceRunner.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            for (int i = 0; i < 6; i++) {
                boolean failing = i >= 1 && i < 4;
                answer.set(failing ? new Answer(500, "text/plain", "") : new Answer(200, "text/plain", "up 1\n"));
                readOnce(scrape("backend", "/metrics", 10, "up"));
                time.advance(INTERVAL);
            }
        } finally {
            logger.detachAppender(lines);
        }

        assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .containsExactly(
                "source backend failing: HTTP 500 from " + url("/metrics")
                        + " (its series go stale; logged again when it recovers)",
                "source backend recovered after 3 failed reads");
    }
}
