package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpServer;
import io.rollguard.check.CheckFactory;
import io.rollguard.cli.Main;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.health.Status;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployments through a real agent on port 0: a deploy-scoped rule rests while no deployment is watched and rolls
 * back once {@code rollguard deploy start} opens a window, with the version in the script's environment; the API's
 * validation, finish and status; the deployment kept across a restart.
 */
class DeploymentEndToEndTest {
    private HttpServer service;
    private Agent agent;

    @TempDir
    Path dir;

    @BeforeEach
    void startService() throws IOException {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/health", exchange -> { // the new version is broken from the start
            exchange.sendResponseHeaders(503, -1);
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
        Path script = dir.resolve("rollback.sh");
        if (!Files.exists(script)) {
            Files.writeString(script, """
                    #!/bin/sh
                    echo "$ROLLGUARD_DEPLOYMENT_ID $ROLLGUARD_DEPLOYMENT_VERSION" >> "%s"
                    """.formatted(dir.resolve("runs.log")));
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

                [[rule]]
                name = "new-version-down"
                when = 'check_up{check="api"} == 0'
                scope = "deploy"
                action = "rollback"

                [[rule]]
                name = "worse-than-before"
                when = 'check_up{check="api"} < baseline(check_up{check="api"})'
                scope = "deploy"
                """.formatted(dir.resolve("state"), service.getAddress().getPort(), script), dir));
        Agent started = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        started.start();
        return started;
    }

    @Test
    void aDeployScopedRuleRollsBackOnlyInsideTheWatchWindow() throws Exception {
        agent = start();
        Path cli = Files.writeString(dir.resolve("cli.toml"), "[http]\nlisten = \"127.0.0.1:"
                + agent.httpAddress().getPort() + "\"\n");

        // Outside a window the failing check fires nothing: the rule rests inactive.
        await().atMost(Duration.ofSeconds(30)).until(() -> !agent.health().checks().isEmpty()
                && agent.health().checks().get(0).status() == Status.DOWN);
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.health().rules().get(0).state() == RuleState.INACTIVE);
        assertThat(kinds()).doesNotContain("rule_firing", "action_started");
        assertThat(JSON.std.mapFrom(get("/api/v1/deployments").body())).containsEntry("current", null)
                .containsEntry("recent", List.of());
        assertThat(cli("deploy", "status", "--config", cli.toString())).isEqualTo("0 no deployment in progress\n");

        String started = cli("deploy", "start", "--config", cli.toString(), "--version", "v42", "--watch", "10m");

        assertThat(started).matches("0 deployment d1-\\d{8}T\\d{6}Z of v42 started; watching for 10m, until .*\n");
        String id = started.split(" ")[2];
        await().atMost(Duration.ofSeconds(60)).until(() -> kinds().contains("action_finished"));
        assertThat(Files.readAllLines(dir.resolve("runs.log"))).containsExactly(id + " v42");
        assertThat(kinds()).containsSubsequence("deployment_started", "rule_firing", "action_started",
                "deployment_rolled_back");
        assertThat(kinds().indexOf("rule_firing")).as("fired only inside the window")
                .isGreaterThan(kinds().indexOf("deployment_started"));
        Map<String, Object> deployments = JSON.std.mapFrom(get("/api/v1/deployments").body());
        assertThat(current(deployments)).containsEntry("id", id).containsEntry("version", "v42")
                .containsEntry("state", "rolled_back").containsEntry("baseline_window", "10m");
        List<?> baselines = (List<?>) current(deployments).get("baselines");
        assertThat(baselines).as("the check was down before the start too").singleElement()
                .isInstanceOfSatisfying(Map.class, baseline -> assertThat(baseline)
                        .containsEntry("selector", "check_up{check=\"api\"}")
                        .containsEntry("labels", Map.of("check", "api"))
                        .containsEntry("value", 0.0));
        assertThat(cli("deploy", "status", "--config", cli.toString())).startsWith("0 current: " + id
                + " v42 rolled_back started ");
        assertThat(cli("deploy", "status", "--config", cli.toString())).containsPattern(
                "\n  baseline check_up\\{check=\"api\"} \\{check=\"api\"} = 0\\.0 \\(\\d+ samples over 10m\\)\n");

        // A restart keeps the deployment.
        agent.close();
        agent = start();
        Files.writeString(cli, "[http]\nlisten = \"127.0.0.1:" + agent.httpAddress().getPort() + "\"\n");
        assertThat(current(JSON.std.mapFrom(get("/api/v1/deployments").body())))
                .containsEntry("id", id).containsEntry("state", "rolled_back").containsEntry("baselines", baselines);

        assertThat(cli("deploy", "finish", "--config", cli.toString()))
                .isEqualTo("0 deployment " + id + " of v42 finished (rolled_back)\n");
        assertThat(cli("deploy", "finish", "--config", cli.toString()))
                .isEqualTo("1 rollguard: no deployment is in progress\n");
        assertThat(kinds()).contains("deployment_finished");
        assertThat(cli("deploy", "status", "--config", cli.toString())).startsWith("0 no deployment in progress\n"
                + "recent:\n  " + id + " v42 rolled_back started ");
    }

    @Test
    void theApiRefusesWhatItCannotStart() throws Exception {
        agent = start();
        Path cli = Files.writeString(dir.resolve("cli.toml"), "[http]\nlisten = \"127.0.0.1:"
                + agent.httpAddress().getPort() + "\"\n");

        assertThat(post("/api/v1/deployments", "not json")).isEqualTo(
                "400 {\"error\":\"expected a JSON object such as {\\\"version\\\": \\\"v42\\\", \\\"watch\\\": \\\"30m\\\"}\"}");
        assertThat(post("/api/v1/deployments", "{\"watch\": \"5m\"}"))
                .isEqualTo("400 {\"error\":\"version must be a non-empty string\"}");
        assertThat(post("/api/v1/deployments", "{\"version\": \"v1\", \"watch\": 5}"))
                .isEqualTo("400 {\"error\":\"watch must be a duration such as \\\"30m\\\"\"}");
        assertThat(post("/api/v1/deployments", "{\"version\": \"v1\", \"wach\": \"5m\"}"))
                .isEqualTo("400 {\"error\":\"unknown field \\\"wach\\\"; expected version and watch\"}");
        assertThat(cli("deploy", "start", "--config", cli.toString(), "--version", "v1", "--watch", "soon"))
                .startsWith("2 rollguard: watch: expected ");
        assertThat(post("/api/v1/deployments/current/finish", "")).isEqualTo(
                "409 {\"error\":\"no deployment is in progress\"}");
        assertThat(kinds()).doesNotContain("deployment_started");

        assertThat(post("/api/v1/deployments", "{\"version\": \"v1\"}")).startsWith("200 {\"deployment\":{\"id\":\"d1-");
        assertThat(current(JSON.std.mapFrom(get("/api/v1/deployments").body())))
                .containsEntry("version", "v1").containsEntry("watch", "30m").containsEntry("state", "watching");
    }

    /** Runs the CLI in-process: its exit code, a space, then what it printed on stdout and stderr. */
    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(out, true), args);
        return code + " " + out;
    }

    private String post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + path);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> current(Map<String, Object> deployments) {
        return (Map<String, Object>) deployments.get("current");
    }

    private List<String> kinds() {
        return agent.events(0, 1000).stream().map(Event::kind).toList();
    }
}
