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
import io.rollguard.health.CheckStatus;
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
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An incident end to end: the real agent on port 0, a service that starts failing inside a deployment's watch
 * window, a real rollback script whose output lands in the incident, a log check whose lines do too, a webhook that
 * links to it, and the API and CLI that show it.
 */
class IncidentEndToEndTest {
    private final AtomicInteger status = new AtomicInteger(200);
    private final List<String> webhooks = new CopyOnWriteArrayList<>();
    private HttpServer service;
    private Agent agent;
    private Path configFile;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        service.createContext("/hook", exchange -> {
            webhooks.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        service.start();
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, """
                #!/bin/sh
                echo "switching $ROLLGUARD_DEPLOYMENT_VERSION back to the previous release"
                echo "rollback complete"
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("app.log"), "INFO started\n");
        configFile = Files.writeString(dir.resolve("rollguard.toml"), """
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

                [[check]]
                name = "app-log"
                type = "log"
                path = "%s"
                pattern = "ERROR"
                max_matches = 1000
                interval = "1s"

                [action.rollback]
                run = ["%s"]
                rollback = true
                timeout = "30s"

                [action.page]
                type = "webhook"
                url = "http://127.0.0.1:%d/hook"
                retries = 0

                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                for = "2s"
                severity = "critical"
                action = ["rollback", "page"]
                escalate_after = "0s"
                """.formatted(dir.resolve("state"), service.getAddress().getPort(), dir.resolve("app.log"), script,
                service.getAddress().getPort()));
        Config config = ConfigLoader.parse(new ConfigSource(configFile.toString(), Files.readString(configFile), dir));
        agent = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();
    }

    @AfterEach
    void stop() {
        agent.close();
        service.stop(0);
    }

    @Test
    void aRollbackLeavesAnIncidentThatTheApiAndTheCliShow() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> up("api") && up("app-log"));
        HttpResponse<String> started = send(HttpRequest.newBuilder(uri("/api/v1/deployments"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"version\": \"v42\"}")).build());
        assertThat(started.statusCode()).isEqualTo(200);
        Files.writeString(dir.resolve("app.log"), "ERROR db pool exhausted\nINFO retry\nERROR request failed\n",
                StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(30)).until(() -> value("app-log") == 2.0);

        status.set(503);

        await().atMost(Duration.ofSeconds(60)).until(() -> !webhooks.isEmpty());
        Map<String, Object> list = JSON.std.mapFrom(get("/api/v1/incidents").body());
        List<?> incidents = (List<?>) list.get("incidents");
        assertThat(incidents).hasSize(1);
        Map<?, ?> summary = (Map<?, ?>) incidents.get(0);
        String id = String.valueOf(summary.get("id"));
        assertThat(summary.get("rule")).isEqualTo("api-down");
        assertThat(summary.get("outcome")).isEqualTo("ok");
        assertThat(summary.get("deployment_version")).isEqualTo("v42");

        Map<?, ?> page = JSON.std.mapFrom(webhooks.get(0));
        assertThat(page.get("incident")).isEqualTo(Map.of("id", id, "path", "/api/v1/incidents/" + id));

        HttpResponse<String> json = get("/api/v1/incidents/" + id);
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.headers().firstValue("content-type")).hasValue("application/json");
        Map<String, Object> incident = JSON.std.mapFrom(json.body());
        assertThat(((Map<?, ?>) incident.get("rollback")).get("output"))
                .isEqualTo("switching v42 back to the previous release\nrollback complete\n");
        assertThat(incident.get("log_lines")).isEqualTo(Map.of("app-log",
                List.of("ERROR db pool exhausted", "ERROR request failed")));
        assertThat(((Map<?, ?>) incident.get("breach")).get("condition")).isEqualTo("check_up{check=\"api\"} == 0");
        assertThat(incident.get("timeline").toString()).contains("kind=deployment_started", "kind=rule_pending",
                "kind=rule_firing", "kind=action_started", "kind=deployment_rolled_back", "kind=action_finished");

        HttpResponse<String> markdown = send(HttpRequest.newBuilder(uri("/api/v1/incidents/" + id))
                .header("Accept", "text/markdown").build());
        assertThat(markdown.headers().firstValue("content-type")).hasValue("text/markdown; charset=utf-8");
        assertThat(markdown.body()).startsWith("# Incident " + id + ": api-down on ")
                .contains("## Timeline", "ERROR db pool exhausted", "rollback complete");
        assertThat(get("/api/v1/incidents/" + id + "?format=md").body()).isEqualTo(markdown.body());
        assertThat(get("/api/v1/incidents/20200101T000000Z-1").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/incidents/..%2Fstate.json").statusCode()).isEqualTo(404);

        // The CLI reads the files: it works with the agent down.
        agent.close();
        StringWriter out = new StringWriter();
        assertThat(Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "incident",
                "list", "--config", configFile.toString())).isZero();
        assertThat(out.toString()).startsWith(id + " ").contains(" ok rule=api-down deployment=d1-", " (v42)");
        StringWriter listed = new StringWriter();
        assertThat(Main.execute(new PrintWriter(listed, true), new PrintWriter(new StringWriter(), true), "incident",
                "list", "--json", "--config", configFile.toString())).isZero();
        assertThat(JSON.std.mapFrom(listed.toString().strip())).isEqualTo(summary);
        StringWriter shown = new StringWriter();
        assertThat(Main.execute(new PrintWriter(shown, true), new PrintWriter(new StringWriter(), true), "incident",
                "show", id, "--config", configFile.toString())).isZero();
        assertThat(shown.toString()).isEqualTo(markdown.body());
        StringWriter asJson = new StringWriter();
        assertThat(Main.execute(new PrintWriter(asJson, true), new PrintWriter(new StringWriter(), true), "incident",
                "show", id, "--json", "--config", configFile.toString())).isZero();
        assertThat(JSON.std.mapFrom(asJson.toString())).isEqualTo(incident);
        StringWriter err = new StringWriter();
        assertThat(Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "incident",
                "show", "20200101T000000Z-1", "--config", configFile.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no incident 20200101T000000Z-1");
    }

    private boolean up(String check) {
        return agent.health().checks().stream().anyMatch(c -> c.name().equals(check) && c.status().name().equals("UP"));
    }

    private double value(String check) {
        return agent.health().checks().stream().filter(c -> c.name().equals(check)).mapToDouble(CheckStatus::value)
                .findFirst().orElse(Double.NaN);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + path);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
