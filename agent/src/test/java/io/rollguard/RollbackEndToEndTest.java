package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.check.CheckFactory;
import io.rollguard.cli.Main;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.Event;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's promise, end to end: a service that starts failing its health check fires a rule, whose rollback
 * script runs once and only once, with the breach in its environment, and stays latched across a restart.
 */
class RollbackEndToEndTest {
    private final AtomicInteger status = new AtomicInteger(200);
    private HttpServer service;
    private Agent agent;

    @TempDir
    Path dir;

    @BeforeEach
    void startService() throws IOException {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        service.start();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        service.stop(0);
    }

    private Agent start() throws Exception {
        return start("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                for = "2s"
                severity = "critical"
                action = "rollback"
                """, 3);
    }

    private Agent start(String rules, int maxPerHour) throws Exception {
        Path script = dir.resolve("rollback.sh");
        if (!Files.exists(script)) {
            Files.writeString(script, """
                    #!/bin/sh
                    echo "rolling back $ROLLGUARD_RULE ($ROLLGUARD_SEVERITY) event $ROLLGUARD_EVENT_ID value $ROLLGUARD_VALUE"
                    echo "$ROLLGUARD_RULE $ROLLGUARD_CONDITION" >> "%s"
                    cat > "%s"
                    """.formatted(dir.resolve("runs.log"), dir.resolve("stdin.json")));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        }
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [[check]]
                name = "api"
                type = "http"
                url = "http://127.0.0.1:%d/health"
                interval = "1s"
                timeout = "2s"

                [action.rollback]
                run = ["%s"]
                rollback = true
                timeout = "30s"
                max_per_hour = %d

                """.formatted(dir.resolve("state"), service.getAddress().getPort(), script, maxPerHour) + rules, dir));
        Agent started = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        started.start();
        return started;
    }

    @Test
    void aFailingServiceIsRolledBackOnceAndTheLatchSurvivesARestart() throws Exception {
        agent = start();
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("rule_inactive") || checkedOnce());

        status.set(503);

        await().atMost(Duration.ofSeconds(60)).until(() -> kinds().contains("action_finished"));
        assertThat(Files.readAllLines(dir.resolve("runs.log")))
                .containsExactly("api-down check_up{check=\"api\"} == 0");
        assertThat(Files.readString(dir.resolve("stdin.json"))).contains("\"rule\":\"api-down\"", "\"state\":\"firing\"");
        Event finished = last("action_finished");
        assertThat(finished.fields()).containsEntry("result", "ok").containsEntry("exit_code", 0L);
        assertThat((String) finished.fields().get("output")).startsWith("rolling back api-down (critical) event ");
        Event firing = last("rule_firing");
        assertThat(firing.fields()).containsEntry("value", 0.0).containsEntry("threshold", 0.0);
        assertThat((String) firing.fields().get("reason")).matches("held \\d+s of for=2s");
        assertThat(kinds()).containsSubsequence("rule_pending", "rule_firing", "action_started", "action_finished");
        assertThat(agent.health().status().name()).isEqualTo("DOWN");

        // The service stays broken across a restart of the agent: the latch holds, the script does not run again.
        agent.close();
        agent = start();
        await().atMost(Duration.ofSeconds(60)).until(() -> kinds().contains("action_skipped"));
        assertThat(last("action_skipped").fields()).containsEntry("result", "skipped_latched");
        assertThat(Files.readAllLines(dir.resolve("runs.log"))).hasSize(1);

        // What an operator sees and does: the API says it is latched; `rollguard rearm` lets it run again.
        Map<String, Object> rules = JSON.std.mapFrom(get("/api/v1/rules").body());
        assertThat(rules.toString()).contains("latched=true", "name=api-down", "state=firing");
        Path cli = Files.writeString(dir.resolve("cli.toml"), "[http]\nlisten = \"127.0.0.1:"
                + agent.httpAddress().getPort() + "\"\n");
        StringWriter out = new StringWriter();
        assertThat(Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "rearm",
                "--config", cli.toString(), "api-down")).isEqualTo(0);
        assertThat(out.toString()).isEqualTo("re-armed api-down\napi-down still fires: its rollback runs again only "
                + "once it clears and fires anew\n");
        assertThat(kinds()).contains("rule_rearmed");
        StringWriter events = new StringWriter();
        assertThat(Main.execute(new PrintWriter(events, true), new PrintWriter(new StringWriter(), true), "events",
                "--config", cli.toString())).isEqualTo(0);
        assertThat(events.toString()).contains(" rule_firing rule=api-down{check=\"api\"}: held ",
                " action_finished rule=api-down{check=\"api\"} action=rollback result=ok", " rule_rearmed rules=api-down");
        assertThat(get("/api/v1/events?since=0&limit=2").body()).startsWith("{\"events\":[{\"id\":1,");
        assertThat(get("/api/v1/events?limit=0").statusCode()).isEqualTo(400);

        // Re-armed, the next breach rolls back again: the service recovers, then breaks once more.
        status.set(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> kinds().contains("rule_inactive"));
        status.set(503);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readAllLines(dir.resolve("runs.log")).size() == 2);
    }

    @Test
    void twoRulesThatShareARollbackRollADeploymentBackOnceAndTheSecondDoesNotCountAgainstMaxPerHour()
            throws Exception {
        // max_per_hour = 2: if the second rule's rollback ran (or counted), the next deployment's could not.
        agent = start("""
                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                for = "2s"
                severity = "critical"
                action = "rollback"

                [[rule]]
                name = "api-unavailable"
                when = 'check_up{check="api"} < 1'
                for = "4s"
                action = "rollback"
                """, 2);
        await().atMost(Duration.ofSeconds(30)).until(this::checkedOnce);
        assertThat(post("/api/v1/deployments", "{\"version\": \"v42\"}")).startsWith("200 ");

        status.set(503);

        await().atMost(Duration.ofSeconds(60)).until(() -> skippedAlreadyRolledBack().size() == 1);
        assertThat(Files.readAllLines(dir.resolve("runs.log"))).containsExactly("api-down check_up{check=\"api\"} == 0");
        assertThat(skippedAlreadyRolledBack().get(0).fields()).containsEntry("rule", "api-unavailable")
                .containsEntry("action", "rollback");
        assertThat((String) skippedAlreadyRolledBack().get(0).fields().get("message"))
                .startsWith("rollback already rolled back deployment d1-").contains(" for rule api-down at ");

        // The next deployment re-arms both; the second rollback within the hour is allowed, as the skip did not count.
        status.set(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> kinds().stream()
                .filter("rule_inactive"::equals).count() >= 2);
        assertThat(post("/api/v1/deployments", "{\"version\": \"v43\"}")).startsWith("200 ");
        status.set(503);
        await().atMost(Duration.ofSeconds(60)).until(() -> skippedAlreadyRolledBack().size() == 2);
        assertThat(Files.readAllLines(dir.resolve("runs.log"))).hasSize(2);
        assertThat(events().stream().filter(e -> e.kind().equals("action_skipped"))
                .map(e -> e.fields().get("result"))).containsOnly("skipped_already_rolled_back");
    }

    private List<Event> skippedAlreadyRolledBack() throws IOException {
        return events().stream().filter(e -> e.kind().equals("action_skipped")
                && "skipped_already_rolled_back".equals(e.fields().get("result"))).toList();
    }

    private String post(String path, String body) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + agent.httpAddress().getPort() + path)).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private java.net.http.HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private boolean checkedOnce() {
        return !agent.health().checks().isEmpty() && agent.health().checks().get(0).status().name().equals("UP");
    }

    private List<String> kinds() throws IOException {
        return events().stream().map(Event::kind).toList();
    }

    private Event last(String kind) throws IOException {
        List<Event> matching = events().stream().filter(e -> e.kind().equals(kind)).toList();
        return matching.get(matching.size() - 1);
    }

    private List<Event> events() throws IOException {
        return agent.events(0, 1000);
    }
}
