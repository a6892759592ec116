package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.rollguard.check.CheckFactory;
import io.rollguard.cli.Main;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.Event;
import io.rollguard.rule.RuleState;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's promise, end to end: the agent scrapes an application's own counters and rolls back when its error rate,
 * computed with increase() over the scraped counters, crosses 5%; a source that stops answering turns the rule
 * unknown instead of leaving it on a frozen value.
 */
class SourceEndToEndTest {
    private static final String RULE = "sum(increase(http_requests_total{status=~\"5..\"}, 10s))"
            + " / sum(increase(http_requests_total, 10s)) > 5%";

    /** Each scrape is a second of traffic: 100 successful requests, and {@code errorsPerScrape} failed ones. */
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicInteger errorsPerScrape = new AtomicInteger();
    private final AtomicInteger scrapes = new AtomicInteger();
    private HttpServer app;
    private Agent agent;

    @TempDir
    Path dir;

    @BeforeEach
    void startApplication() throws IOException {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/metrics", exchange -> {
            long total = ok.addAndGet(100);
            long failed = errors.addAndGet(errorsPerScrape.get());
            scrapes.incrementAndGet();
            byte[] body = """
                    # HELP http_requests_total Requests served.
                    # TYPE http_requests_total counter
                    http_requests_total{method="get",status="200"} %d
                    http_requests_total{method="get",status="500"} %d
                    # TYPE process_open_fds gauge
                    process_open_fds 12
                    """.formatted(total, failed).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        app.start();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        app.stop(0);
    }

    private Agent start(String threshold) throws Exception {
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, """
                #!/bin/sh
                echo "$ROLLGUARD_RULE $ROLLGUARD_VALUE" >> "%s"
                """.formatted(dir.resolve("runs.log")));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [[source]]
                name = "app"
                type = "scrape"
                url = "http://127.0.0.1:%d/metrics"
                metrics = ["http_requests_total"]
                interval = "1s"
                timeout = "1s"

                [action.rollback]
                run = ["%s"]
                rollback = true
                timeout = "30s"

                [[rule]]
                name = "error-rate"
                when = '%s'
                for = "2s"
                severity = "critical"
                action = "rollback"
                """.formatted(dir.resolve("state"), app.getAddress().getPort(), script,
                RULE.replace("5%", threshold)), dir));
        Agent started = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        started.start();
        return started;
    }

    private RuleState ruleState() {
        return agent.health().rules().isEmpty() ? null : agent.health().rules().get(0).state();
    }

    @Test
    void moreFiveHundredsInTheScrapedCountersFireTheRollback() throws Exception {
        agent = start("5%");
        // Healthy traffic first: the rule has data, and it is false.
        await().atMost(Duration.ofSeconds(60)).until(() -> ruleState() == RuleState.INACTIVE);
        // /metrics is what the last tick rendered, and a rule may be evaluated between ticks, as soon as a source
        // read lands: wait for the rendering that has the source's series, not for the rule.
        String metrics = await().atMost(Duration.ofSeconds(60)).until(() -> get("/metrics"),
                text -> text.contains("rollguard_source_series{source=\"app\"} 2"));
        assertThat(metrics)
                .contains("rollguard_source_up{source=\"app\"} 1", "rollguard_source_series{source=\"app\"} 2",
                        "rollguard_source_duration_seconds{source=\"app\"} ",
                        "rollguard_source_errors_total{source=\"app\"} 0")
                .as("source series feed rules; /metrics carries only the agent's own families")
                .doesNotContain("http_requests_total", "process_open_fds");

        errorsPerScrape.set(20); // 20 of every 120 requests fail: 16.7%
        await().atMost(Duration.ofSeconds(60)).until(() -> kinds().contains("action_finished"));

        List<String> runs = Files.readAllLines(dir.resolve("runs.log"));
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0)).startsWith("error-rate ");
        double value = Double.parseDouble(runs.get(0).substring("error-rate ".length()));
        assertThat(value).as("the error ratio the rule saw").isGreaterThan(0.05).isLessThanOrEqualTo(20.0 / 120);
        assertThat(kinds()).containsSubsequence("rule_pending", "rule_firing", "action_started", "action_finished");
        assertThat(last("action_finished").fields()).containsEntry("result", "ok");
    }

    @Test
    void aSourceThatStopsAnsweringTurnsTheRuleUnknownAndIsCounted() throws Exception {
        agent = start("50%");
        await().atMost(Duration.ofSeconds(60)).until(() -> ruleState() == RuleState.INACTIVE);

        app.stop(0);

        await().atMost(Duration.ofSeconds(60)).until(() -> ruleState() == RuleState.UNKNOWN);
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/metrics").contains(
                "rollguard_source_up{source=\"app\"} 0"));
        assertThat(get("/metrics")).containsPattern("rollguard_source_errors_total\\{source=\"app\"} [1-9]");
        assertThat(Files.exists(dir.resolve("runs.log"))).isFalse();
    }

    @Test
    void validateReportsABadSourceWithItsPosition() throws IOException {
        Path file = Files.writeString(dir.resolve("rollguard.toml"), """
                [[source]]
                name = "app"
                type = "scrape"
                url = "http://127.0.0.1:8080/metrics"
                metrics = ["http requests"]
                """);
        StringWriter err = new StringWriter();

        int code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "validate",
                "--config", file.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(file + ":5:1: source \"app\".metrics: expected metric names, '*' and '?' "
                + "as wildcards, got \"http requests\"\n1 problem\n");
    }

    private String get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private List<String> kinds() {
        return agent.events(0, 1000).stream().map(Event::kind).toList();
    }

    private Event last(String kind) {
        List<Event> matching = agent.events(0, 1000).stream().filter(e -> e.kind().equals(kind)).toList();
        return matching.get(matching.size() - 1);
    }
}
