package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpServer;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.health.CheckStatus;
import io.rollguard.journal.Event;
import io.rollguard.testing.AgentHttp;
import io.rollguard.time.FakeTime;
import io.rollguard.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canary judgement end to end: the real agent on port 0, its HTTP check timing a real endpoint that sleeps a noisy
 * while per request, {@code regressed(...)} judging the latencies after {@code deploy start} against those frozen
 * before it, a real rollback script, and the incident record with the statistics. The agent's clock is stepped one
 * tick at a time (the endpoint's latency is real: it is what the check measures).
 */
class CanaryEndToEndTest {
    private final FakeTime time = new FakeTime();
    private final AgentHttp http = new AgentHttp(() -> this.agent.httpAddress());
    /** The endpoint's latency: this many milliseconds, plus up to as many again at random. */
    private final AtomicInteger latencyMillis = new AtomicInteger(10);
    private final SplittableRandom random = new SplittableRandom(20);
    private HttpServer service;
    private Agent agent;

    @TempDir
    Path dir;

    @BeforeEach
    void startService() throws Exception {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/api", exchange -> {
            int base = latencyMillis.get();
            int jitter;
            synchronized (random) {
                jitter = random.nextInt(base + 1);
            }
            try {
                Thread.sleep(base + jitter); // the endpoint's own latency, which the check measures
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        service.start();
    }

    /**
     * The agent, with {@code ruleAction} in the rule's table and {@code onFail} as {@code [deploy] on_fail}; 30
     * ticks of the old version's latencies, then {@code deploy start}.
     */
    private void start(String ruleAction, String onFail) throws Exception {
        start("regressed(check_value{check=\"api\"}, by = 50%)", ruleAction, onFail, "");
    }

    /** As above, the rule's condition {@code when}, {@code tables} added to the configuration. */
    private void start(String when, String ruleAction, String onFail, String tables) throws Exception {
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, """
                #!/bin/sh
                echo "back from $ROLLGUARD_DEPLOYMENT_VERSION"
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        agent = new Agent(ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                [deploy]
                watch = "28s"
                baseline_window = "1m"
                %s

                [[check]]
                name = "api"
                type = "http"
                url = "http://127.0.0.1:%d/api"
                interval = "1s"
                timeout = "5s"

                [action.rollback]
                run = ["%s"]
                rollback = true

                %s

                [[rule]]
                name = "api-slower"
                when = '%s'
                scope = "deploy"
                %s
                """.formatted(dir.resolve("state"), onFail, service.getAddress().getPort(), script, tables, when,
                ruleAction), dir)),
                time, List.of(),
                new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start(false);
        for (int i = 0; i < 24; i++) {
            step(); // the old version's latencies: the baseline
        }
        assertThat(http.send(HttpRequest.newBuilder(http.uri("/api/v1/deployments"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"version\": \"v2\"}"))).statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        service.stop(0);
    }

    @Test
    void aRealSlowDownRollsBackWithTheStatisticsInTheIncident() throws Exception {
        start("action = \"rollback\"", "");
        latencyMillis.set(40); // 40-80 ms where it was 10-20
        for (int i = 0; i < 35 && !kinds().contains("action_finished"); i++) {
            step();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("action_finished"));

        Map<?, ?> summary = (Map<?, ?>) ((List<?>) JSON.std.mapFrom(http.body("/api/v1/incidents"))
                .get("incidents")).get(0);
        assertThat(summary.get("rule")).isEqualTo("api-slower");
        assertThat(summary.get("deployment_version")).isEqualTo("v2");
        Map<String, Object> incident = JSON.std.mapFrom(http.body("/api/v1/incidents/" + summary.get("id")));
        Map<?, ?> statistics = (Map<?, ?>) ((Map<?, ?>) incident.get("breach")).get("statistics");
        assertThat(statistics.get("test")).isEqualTo("mann-whitney-u");
        assertThat(statistics.get("worse")).isEqualTo("higher");
        assertThat(statistics.get("by")).isEqualTo("50%");
        assertThat(((Number) statistics.get("p")).doubleValue()).isLessThan(0.001);
        assertThat(((Number) statistics.get("effect")).doubleValue()).isGreaterThan(0.5);
        assertThat(((Number) statistics.get("baseline_samples")).intValue()).isBetween(20, 31);
        assertThat(((Number) statistics.get("current_samples")).intValue()).isGreaterThanOrEqualTo(20);
        List<?> interval = (List<?>) statistics.get("shift_interval");
        assertThat(((Number) interval.get(0)).doubleValue()).isGreaterThan(0)
                .isLessThan(((Number) statistics.get("shift")).doubleValue());
        assertThat(String.valueOf(statistics.get("baseline_sparkline"))).hasSize(16);
        assertThat(String.valueOf(statistics.get("current_sparkline"))).hasSize(16);
        String markdown = http.send(HttpRequest.newBuilder(http.uri("/api/v1/incidents/" + summary.get("id")))
                .header("Accept", "text/markdown")).body();
        assertThat(markdown).contains("### Statistics", "One-sided Mann-Whitney U test (higher is worse) at 99.9%"
                + " confidence, by = 50%", "| distribution | `");
        Map<?, ?> deployment = (Map<?, ?>) JSON.std.mapFrom(http.body("/api/v1/deployments")).get("current");
        assertThat(deployment.get("state")).isEqualTo("rolled_back");
        Map<?, ?> score = (Map<?, ?>) ((Map<?, ?>) incident.get("deployment")).get("score");
        assertThat(score.get("score")).as("the score the deployment rolled back at").isEqualTo(0);
        assertThat(((Map<?, ?>) ((List<?>) score.get("rules")).get(0)).get("classification")).isEqualTo("high");
        assertThat(((Map<?, ?>) deployment.get("score")).get("score")).isEqualTo(0);
    }

    @Test
    void aNoisyButUnchangedEndpointIsPromotedWithItsScore() throws Exception {
        start("", "");
        for (int i = 0; i < 22; i++) {
            step(); // the same 10-20 ms
        }
        assertThat(http.body("/metrics")).contains("\nrollguard_deployment_score 100.0\n");
        Path cli = Files.writeString(dir.resolve("cli.toml"), "[http]\nlisten = \"127.0.0.1:"
                + agent.httpAddress().getPort() + "\"\n");
        StringWriter status = new StringWriter();
        assertThat(Main.execute(new PrintWriter(status, true), new PrintWriter(new StringWriter(), true), "status",
                "--config", cli.toString())).isZero();
        assertThat(status.toString()).contains("  canary score 100 (pass 95, marginal 75): 1 pass\n");
        for (int i = 0; i < 8; i++) {
            step(); // to the end of the 28 s watch window
        }

        Map<?, ?> deployment = (Map<?, ?>) JSON.std.mapFrom(http.body("/api/v1/deployments")).get("current");
        assertThat(deployment.get("state")).isEqualTo("healthy");
        assertThat(((Map<?, ?>) deployment.get("score")).get("score")).isEqualTo(100);
        assertThat(String.valueOf(deployment.get("reason"))).endsWith("canary score 100 (1 pass), pass 95");
        assertThat(kinds()).contains("deployment_healthy").doesNotContain("rule_firing", "action_started");
        Map<?, ?> rule = (Map<?, ?>) ((List<?>) JSON.std.mapFrom(http.body("/api/v1/rules")).get("rules")).get(0);
        assertThat(rule.get("name")).isEqualTo("api-slower");
    }

    @Test
    void aSlowDownThatNoRuleRollsBackFailsTheScoreAndOnFailRollsBack() throws Exception {
        start("", "on_fail = \"rollback\"");
        latencyMillis.set(40);
        for (int i = 0; i < 30; i++) {
            step(); // the rule fires, with no action of its own; the window's end judges the score
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("action_finished"));

        Map<?, ?> deployment = (Map<?, ?>) JSON.std.mapFrom(http.body("/api/v1/deployments")).get("current");
        assertThat(deployment.get("state")).isEqualTo("failed");
        assertThat(String.valueOf(deployment.get("reason"))).startsWith("canary score 0 (1 high), below the marginal 75");
        assertThat(kinds()).containsSubsequence("deployment_started", "rule_firing", "deployment_failed",
                "action_started", "action_finished").doesNotContain("deployment_healthy");
        Event started = agent.events(0, 1000).stream().filter(e -> e.kind().equals("action_started")).findFirst()
                .orElseThrow();
        assertThat(started.fields()).containsEntry("trigger", "on_fail").containsEntry("action", "rollback");
        assertThat(http.body("/")).contains("Canary score <b>0</b>", ">fail</span>");
        Path cli = Files.writeString(dir.resolve("cli.toml"), "[http]\nlisten = \"127.0.0.1:"
                + agent.httpAddress().getPort() + "\"\n");
        StringWriter status = new StringWriter();
        Main.execute(new PrintWriter(status, true), new PrintWriter(new StringWriter(), true), "status", "--config",
                cli.toString());
        assertThat(status.toString()).contains("  canary score 0 (pass 95, marginal 75): 1 high\n")
                .containsPattern("\n    high: api-slower\\{check=\"api\"\\} \\+\\d+\\.\\d% \\(by 50%, p=\\S+\\)\n");
    }

    @Test
    void aRuleOverTheScoreRollsBackThroughTheGuardWithTheScorecardInTheIncident() throws Exception {
        start("regressed(check_value{check=\"api\"}, by = 50%)", "", "", """
                [[rule]]
                name = "canary"
                when = 'deployment_score < 75'
                scope = "deploy"
                action = "rollback"
                """);
        latencyMillis.set(40);
        for (int i = 0; i < 35 && !kinds().contains("action_finished"); i++) {
            step();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("action_finished"));

        Map<?, ?> summary = (Map<?, ?>) ((List<?>) JSON.std.mapFrom(http.body("/api/v1/incidents"))
                .get("incidents")).get(0);
        assertThat(summary.get("rule")).isEqualTo("canary");
        Map<String, Object> incident = JSON.std.mapFrom(http.body("/api/v1/incidents/" + summary.get("id")));
        assertThat(((Map<?, ?>) incident.get("breach")).get("value")).isEqualTo(0.0);
        Map<?, ?> score = (Map<?, ?>) ((Map<?, ?>) incident.get("deployment")).get("score");
        assertThat(score.get("score")).isEqualTo(0);
        Map<?, ?> metric = (Map<?, ?>) ((List<?>) score.get("rules")).get(0);
        assertThat(metric.get("rule")).isEqualTo("api-slower");
        assertThat(metric.get("classification")).isEqualTo("high");
        assertThat(metric.keySet()).extracting(String::valueOf).contains("u", "p", "shift", "shift_interval",
                "baseline_samples", "current_samples",
                "baseline_sparkline", "current_sparkline");
        Map<?, ?> deployment = (Map<?, ?>) JSON.std.mapFrom(http.body("/api/v1/deployments")).get("current");
        assertThat(deployment.get("state")).isEqualTo("rolled_back");
        assertThat(http.send(HttpRequest.newBuilder(http.uri("/api/v1/incidents/" + summary.get("id")))
                .header("Accept", "text/markdown")).body())
                .contains("- **canary score**: 0 (pass 95, marginal 75): api-slower{check=\"api\"} high\n");
    }

    @Test
    void aHostSlowerThanTheFleetOfTheOldVersionRollsBack() throws Exception {
        // The fleet's other hosts, as a Prometheus query over the old version would return them: 10-20 ms each.
        service.createContext("/api/v1/query", exchange -> {
            StringBuilder result = new StringBuilder();
            for (int host = 1; host <= 3; host++) {
                double latency;
                synchronized (random) {
                    latency = (10 + random.nextInt(11)) / 1000.0;
                }
                result.append(result.length() == 0 ? "" : ",").append("{\"metric\":{\"instance\":\"web-")
                        .append(host).append("\"},\"value\":[1767225600,\"").append(latency).append("\"]}");
            }
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + result
                    + "]}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        start("regressed(check_value{check=\"api\"}, by = 50%, window = 1m, against = fleet_latency)",
                "action = \"rollback\"", "", """
                [[source]]
                name = "fleet_latency"
                type = "prometheus"
                url = "http://127.0.0.1:%d"
                query = 'avg by (instance) (rate(http_request_duration_seconds_sum{version="v1"}[1m]))'
                interval = "1s"
                timeout = "1s"
                """.formatted(service.getAddress().getPort()));
        latencyMillis.set(40); // this host, the new version: 40-80 ms
        for (int i = 0; i < 35 && !kinds().contains("action_finished"); i++) {
            step();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("action_finished"));

        Map<?, ?> summary = (Map<?, ?>) ((List<?>) JSON.std.mapFrom(http.body("/api/v1/incidents"))
                .get("incidents")).get(0);
        Map<?, ?> statistics = (Map<?, ?>) ((Map<?, ?>) JSON.std.mapFrom(http.body("/api/v1/incidents/"
                + summary.get("id"))).get("breach")).get("statistics");
        assertThat(statistics.get("against")).isEqualTo("fleet_latency");
        assertThat(((Number) statistics.get("baseline_samples")).intValue()).as("three hosts a read")
                .isGreaterThanOrEqualTo(20);
        assertThat(((Number) statistics.get("effect")).doubleValue()).isGreaterThan(0.5);
        assertThat(http.send(HttpRequest.newBuilder(http.uri("/api/v1/incidents/" + summary.get("id")))
                .header("Accept", "text/markdown")).body()).contains("| | `fleet_latency` | this series |");
    }

    /** One tick of the agent's clock, and the check's run that it starts, landed. */
    private void step() throws Exception {
        double before = latency();
        time.advance(Duration.ofSeconds(1));
        agent.tick();
        // Each run's latency is another real duration: a new value is a new run.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(() -> Double.compare(latency(), before) != 0);
    }

    /** The check's last value, the endpoint's latency; NaN before its first run. */
    private double latency() {
        List<CheckStatus> checks = agent.checkStatuses();
        return checks.isEmpty() ? Double.NaN : checks.get(0).value();
    }

    private List<String> kinds() throws IOException {
        return agent.events(0, 1000).stream().map(Event::kind).toList();
    }
}
