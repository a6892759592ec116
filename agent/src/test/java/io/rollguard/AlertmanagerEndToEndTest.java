package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.Event;
import io.rollguard.time.TimeSource;
import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's rollback, end to end on one agent: Alertmanager's webhook posts a firing alert for a rule that
 * Alertmanager drives; the rule fires and its real rollback script runs once; the same alert again runs nothing
 * more; the alert resolved clears the rule. Alerts for no rule are answered, malformed payloads refused.
 */
class AlertmanagerEndToEndTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private void start() throws Exception {
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, """
                #!/bin/sh
                echo "$ROLLGUARD_RULE|$ROLLGUARD_CONDITION|$ROLLGUARD_LABELS" >> "%s"
                """.formatted(dir.resolve("runs.log")));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1h"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [action.rollback]
                run = ["%s"]
                rollback = true
                timeout = "30s"

                [[rule]]
                name = "fleet-rollback"
                source = "alertmanager"
                severity = "critical"
                action = "rollback"

                [[rule]]
                name = "by-name"
                source = "alertmanager"

                [alertmanager]
                rules = { "HostsBreach" = "by-name" }
                """.formatted(dir.resolve("state"), script), dir));
        // An hour's tick: whatever happens here happens because of the webhook, not of a tick.
        agent = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();
    }

    /** /metrics once the first tick has rendered it: start() returns before that tick has run. */
    private String firstTickMetrics() {
        return await().atMost(Duration.ofSeconds(30)).until(() -> get("/metrics").body(),
                body -> body.contains("rollguard_deployment_watching "));
    }

    @Test
    void aFiringAlertRollsBackOnceARepeatedOneDoesNothingMoreAndItsResolutionClearsTheRule() throws Exception {
        start();

        HttpResponse<String> first = post(payload("firing", "FleetErrorRate", "fleet-rollback"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(JSON.std.mapFrom(first.body())).isEqualTo(Map.of("accepted", 1, "ignored", List.of()));
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("action_finished"));
        assertThat(Files.readAllLines(dir.resolve("runs.log"))).containsExactly(
                "fleet-rollback|alertmanager|{alertname=\"FleetErrorRate\",service=\"web\",severity=\"critical\"}");
        Event firing = last("rule_firing");
        assertThat(firing.fields()).containsEntry("rule", "fleet-rollback")
                .containsEntry("labels", Map.of("alertname", "FleetErrorRate", "service", "web", "severity", "critical"))
                .containsEntry("reason", "alert FleetErrorRate firing, for=0s");
        assertThat(last("action_finished").fields()).containsEntry("result", "ok");
        assertThat(agent.health().status().name()).isEqualTo("DOWN");

        // Alertmanager repeats the firing alert every group_interval / repeat_interval: nothing happens again.
        HttpResponse<String> again = post(payload("firing", "FleetErrorRate", "fleet-rollback"));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo("{\"accepted\":1,\"ignored\":[]}");
        assertThat(kinds().stream().filter(k -> k.equals("rule_firing")).count()).isEqualTo(1);
        assertThat(kinds().stream().filter(k -> k.equals("action_started")).count()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("runs.log"))).hasSize(1);

        HttpResponse<String> resolved = post(payload("resolved", "FleetErrorRate", "fleet-rollback"));
        assertThat(resolved.statusCode()).isEqualTo(200);
        assertThat(last("rule_inactive").fields()).containsEntry("rule", "fleet-rollback")
                .containsEntry("reason", "alert FleetErrorRate resolved");
        Map<String, Object> rules = JSON.std.mapFrom(get("/api/v1/rules").body());
        assertThat(rules.toString()).contains("name=fleet-rollback, state=inactive", "latched=true");
        assertThat(agent.health().status().name()).isEqualTo("UP");

        // Firing again while latched: the rule fires, the rollback does not run twice.
        post(payload("firing", "FleetErrorRate", "fleet-rollback"));
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("action_skipped"));
        assertThat(last("action_skipped").fields()).containsEntry("result", "skipped_latched");
        assertThat(Files.readAllLines(dir.resolve("runs.log"))).hasSize(1);
    }

    @Test
    void anAlertMappedByNameDrivesItsRuleAndAlertsForNoRuleAreAnsweredNotRefused() throws Exception {
        start();

        HttpResponse<String> answer = post("""
                {"version": "4", "status": "firing", "receiver": "rollguard", "groupKey": "{}:{}",
                 "alerts": [
                  {"status": "firing", "labels": {"alertname": "HostsBreach", "service": "api"}},
                  {"status": "firing", "labels": {"alertname": "Unmapped"}},
                  {"status": "firing", "labels": {"alertname": "Named", "rollguard_rule": "no-such-rule"}}]}
                """);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.std.mapFrom(answer.body())).isEqualTo(Map.of("accepted", 1, "ignored", List.of(
                Map.of("alert", "Unmapped", "why",
                        "no rollguard_rule label, and alertname \"Unmapped\" is not mapped in [alertmanager] rules"),
                Map.of("alert", "Named", "why", "no rule named \"no-such-rule\""))));
        assertThat(last("rule_firing").fields()).containsEntry("rule", "by-name")
                .containsEntry("labels", Map.of("alertname", "HostsBreach", "service", "api"));
        assertThat(Files.exists(dir.resolve("runs.log"))).isFalse();
    }

    @Test
    void aMalformedPayloadIsRefusedWithAJsonErrorAndOnlyPostIsAnswered() throws Exception {
        start();

        HttpResponse<String> notJson = post("{\"alerts\": [");
        HttpResponse<String> oldVersion = post("{\"version\": \"3\", \"alerts\": []}");
        HttpResponse<String> getting = get("/api/v1/alertmanager");

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.std.mapFrom(notJson.body()).get("error").toString())
                .startsWith("expected Alertmanager's webhook payload");
        assertThat(oldVersion.statusCode()).isEqualTo(400);
        assertThat(oldVersion.body()).contains("got \\\"3\\\"");
        assertThat(getting.statusCode()).isEqualTo(405);
        assertThat(kinds()).doesNotContain("rule_firing");
    }

    @Test
    void aDeploymentIsExportedWhileItIsCurrent() throws Exception {
        start();
        HttpResponse<String> started = client.send(HttpRequest.newBuilder(uri("/api/v1/deployments"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"version\": \"v42\", \"watch\": \"10m\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).isEqualTo(200);
        String id = ((Map<?, ?>) JSON.std.mapFrom(started.body()).get("deployment")).get("id").toString();

        // /metrics is what the last tick rendered, and the tick is an hour: the first one, at start, saw no deployment.
        String before = firstTickMetrics();
        assertThat(before).contains("rollguard_deployment_watching 0").doesNotContain("rollguard_deployment_info{");

        agent.close();
        start(); // a restarted agent resumes the deployment's window, and its first tick exports it
        String metrics = firstTickMetrics();
        assertThat(metrics).contains("rollguard_deployment_info{id=\"" + id + "\",state=\"watching\",version=\"v42\"} 1")
                .contains("rollguard_deployment_watching 1")
                .contains("rollguard_rollbacks_total{rule=\"fleet-rollback\"} 0");
        double startedAt = metrics.lines().filter(l -> l.startsWith("rollguard_deployment_started_timestamp_seconds "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElseThrow();
        assertThat(startedAt).isBetween(java.time.Instant.now().getEpochSecond() - 600.0,
                java.time.Instant.now().getEpochSecond() + 1.0);
    }

    private static String payload(String status, String alertname, String rule) {
        return """
                {"version": "4", "groupKey": "{}:{alertname=\\"%2$s\\"}", "truncatedAlerts": 0, "status": "%1$s",
                 "receiver": "rollguard", "groupLabels": {"alertname": "%2$s"}, "commonLabels": {},
                 "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
                 "alerts": [{"status": "%1$s",
                   "labels": {"alertname": "%2$s", "rollguard_rule": "%3$s", "service": "web", "severity": "critical"},
                   "annotations": {"summary": "25%% of the web hosts breach"},
                   "startsAt": "2026-11-22T23:40:15Z", "endsAt": "0001-01-01T00:00:00Z",
                   "generatorURL": "http://prometheus:9090/graph", "fingerprint": "5f0b8bb0d6a1f1c2"}]}
                """.formatted(status, alertname, rule);
    }

    private HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri("/api/v1/alertmanager"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + path);
    }

    private List<String> kinds() {
        return agent.events(0, 1000).stream().map(Event::kind).toList();
    }

    private Event last(String kind) {
        List<Event> matching = agent.events(0, 1000).stream().filter(e -> e.kind().equals(kind)).toList();
        assertThat(matching).as("events of kind %s", kind).isNotEmpty();
        return matching.get(matching.size() - 1);
    }
}
