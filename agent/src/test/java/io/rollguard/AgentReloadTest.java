package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.check.CheckFactory;
import io.rollguard.cli.Main;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.config.ReloadResult;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;

/**
 * The real agent reloading a real file over real HTTP: what changes, what stays, and a broken file that changes
 * nothing.
 */
class AgentReloadTest {
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private Path file;
    private ServerSocket service;
    private Agent agent;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        service = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        file = dir.resolve("rollguard.toml");
        Files.writeString(file, config("""
                [[check]]
                name = "service"
                type = "tcp"
                port = %d
                interval = "1s"
                tags = ["ready"]

                [[rule]]
                name = "service-down"
                when = 'check_up{check="service"} == 0'
                for = "1m"
                """.formatted(service.getLocalPort())));
        Config config = ConfigLoader.load(file);
        agent = new Agent(config, TimeSource.system(), List.of(), CheckFactory.forHost(new SystemInfo()));
        agent.start();
        base = URI.create("http://127.0.0.1:" + agent.httpAddress().getPort());
        await().atMost(Duration.ofSeconds(20)).until(() -> checks().equals(Map.of("service", "UP")));
    }

    @AfterEach
    void stop() throws IOException {
        agent.close();
        service.close();
    }

    @Test
    void aReloadChangesChecksAndRulesAndKeepsWhatDidNotChange() throws Exception {
        java.time.Instant startedAt = java.time.Instant.now().minusSeconds(1);
        Files.writeString(file, config("""
                [[check]]
                name = "service"
                type = "tcp"
                port = %d
                interval = "1s"
                tags = ["ready"]

                [[check]]
                name = "second"
                type = "tcp"
                port = %d
                interval = "1s"
                tags = ["spare"]

                [[rule]]
                name = "service-down"
                when = 'check_up{check="service"} == 0'
                for = "2m"

                [[rule]]
                name = "second-down"
                when = 'check_up{check="second"} == 0'
                """.formatted(service.getLocalPort(), service.getLocalPort())));

        HttpResponse<String> response = post("/-/reload");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Object> body = JSON.std.mapFrom(response.body());
        assertThat(body).containsEntry("status", "reloaded").containsEntry("config", file.toString())
                .containsEntry("summary", "1 check added, 1 rule added, 1 rule changed")
                .containsEntry("restart_needed", List.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> checks().equals(Map.of("service", "UP",
                "second", "UP")));
        assertThat(rules()).containsExactly(Map.entry("service-down", 120.0), Map.entry("second-down", 0.0));
        assertThat(get("/health/spare").statusCode()).as("a new tag's endpoint").isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/metrics").body()
                .contains("rollguard_check_up{check=\"second\"} 1"));
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("rollguard_config_last_reload_successful 1", "rollguard_check_up{check=\"second\"} 1");
        java.util.regex.Matcher stamp = java.util.regex.Pattern.compile(
                "^rollguard_config_last_reload_success_timestamp_seconds (\\S+)$", java.util.regex.Pattern.MULTILINE)
                .matcher(metrics);
        assertThat(stamp.find()).isTrue();
        assertThat(Double.parseDouble(stamp.group(1))).isGreaterThanOrEqualTo(startedAt.toEpochMilli() / 1000.0);
        assertThat(eventKinds()).contains("config_reloaded");

        Files.writeString(file, config(""));
        assertThat(post("/-/reload").statusCode()).isEqualTo(200);
        assertThat(checks()).as("removed at once").isEmpty();
        assertThat(get("/health/ready").statusCode()).as("no check has the tag any more").isEqualTo(404);
        await().atMost(Duration.ofSeconds(20)).until(() -> !get("/metrics").body().contains("rollguard_check_up"));
    }

    @Test
    void aBrokenFileIsRefusedWithItsPositionedProblemsAndTheRunningConfigurationStays() throws Exception {
        String before = get("/api/v1/rules").body();
        Files.writeString(file, config("""
                [[check]]
                name = "service"
                type = "tcp"
                portt = 80

                [[rule]]
                name = "service-down"
                when = 'check_up{check="service"} =='
                """));

        HttpResponse<String> response = post("/-/reload");

        assertThat(response.statusCode()).isEqualTo(400);
        Map<String, Object> body = JSON.std.mapFrom(response.body());
        assertThat((String) body.get("error")).isEqualTo("reload of " + file + " failed with 3 problems; the running "
                + "configuration stays");
        assertThat(body.get("problems")).asList().hasSize(3).allSatisfy(problem ->
                assertThat((String) problem).matches(java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+: .+"));
        assertThat(body.get("problems")).asList().anySatisfy(problem ->
                assertThat((String) problem).contains("check \"service\".portt: unknown key (did you mean \"port\"?)"));
        assertThat(checks()).isEqualTo(Map.of("service", "UP"));
        assertThat(get("/api/v1/rules").body()).isEqualTo(before);
        assertThat(get("/metrics").body()).contains("rollguard_config_last_reload_successful 0");
        assertThat(eventKinds()).contains("config_reload_failed").doesNotContain("config_reloaded");

        Files.writeString(file, config("""
                [[check]]
                name = "service"
                type = "tcp"
                port = %d
                interval = "1s"
                """.formatted(service.getLocalPort())));
        assertThat(agent.reloadAsync().get(30, TimeUnit.SECONDS).reloaded()).as("the SIGHUP entry").isTrue();
        assertThat(get("/metrics").body()).contains("rollguard_config_last_reload_successful 1");
    }

    @Test
    void whatOnlyARestartAppliesKeepsItsRunningValueAndTheRestIsApplied() throws Exception {
        int port = agent.httpAddress().getPort();
        Files.writeString(file, config("").replace("127.0.0.1:0", "127.0.0.1:1").replace("\"1s\"", "\"2s\""));

        HttpResponse<String> response = post("/-/reload");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.std.mapFrom(response.body())).containsEntry("restart_needed",
                List.of("http.listen", "agent.interval"));
        assertThat(agent.httpAddress().getPort()).isEqualTo(port);
        assertThat(checks()).as("the checks went all the same").isEmpty();
    }

    @Test
    void theReloadCommandAsksTheRunningAgentAndSaysWhatChanged() throws Exception {
        // The command finds the agent at the address the file names: here the port the agent bound instead of 0,
        // which the agent reports as a change that needs a restart.
        Files.writeString(file, Files.readString(file).replace("127.0.0.1:0", "127.0.0.1:" + agent.httpAddress().getPort())
                .replace("for = \"1m\"", "for = \"5m\""));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();

        int exit = Main.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "reload",
                "--config", file.toString());

        assertThat(exit).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).isEqualTo("reloaded " + file + ": 1 rule changed\n");
        assertThat(err.toString()).isEqualTo("rollguard: http.listen changed: it needs a restart to take effect\n");
        assertThat(rules()).containsExactly(Map.entry("service-down", 300.0));
    }

    @Test
    void theReloadCommandTellsTheAgentOfAFileThatDoesNotParseSoThatItRecordsTheFailure() throws Exception {
        Files.writeString(file, Files.readString(file).replace("127.0.0.1:0", "127.0.0.1:" + agent.httpAddress().getPort())
                + "\n[[check]\nname = \"broken\"\n");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();

        int exit = Main.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "reload",
                "--config", file.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).startsWith("rollguard: reload of " + file + " failed with ").contains("TOML syntax");
        assertThat(eventKinds()).contains("config_reload_failed");
        await().atMost(Duration.ofSeconds(30)).until(() -> client.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body().contains("rollguard_config_last_reload_successful 0"));
        assertThat(checks()).as("the running configuration stays").containsEntry("service", "UP");
    }

    @Test
    void samplerSettingsApplyAtOnceAndAnUnchangedSamplerIsNotRebuilt() throws Exception {
        Files.writeString(file, config(""));
        java.util.concurrent.atomic.AtomicInteger builds = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> processes = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.function.Function<Config, List<io.rollguard.sample.Sampler>> factory = next -> {
            builds.incrementAndGet();
            processes.add(next.processes().stream().map(p -> p.name()).toList().toString());
            return List.of(sampler("memory"), sampler("processes"), sampler("cpu"));
        };
        java.util.List<Config> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Agent other = new Agent(ConfigLoader.load(file), TimeSource.system(), factory,
                CheckFactory.forHost(new SystemInfo()), io.rollguard.systemd.SystemdNotifier.disabled())) {
            other.onReloaded(applied::add);
            other.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> samplers(other).size() == 3);

            Files.writeString(file, config("""
                    [sample.cpu]
                    enabled = false
                    [sample.memory]
                    period = "7s"
                    [[process]]
                    name = "backend"
                    match = "java"
                    """));
            ReloadResult result = other.reloadAsync().get(30, TimeUnit.SECONDS);

            assertThat(result.message()).isEqualTo("sample changed, process changed");
            assertThat(samplers(other)).containsExactly(Map.entry("memory", 7.0), Map.entry("processes", 1.0));
            assertThat(builds.get()).isEqualTo(2);
            assertThat(processes).containsExactly("[]", "[backend]");
            assertThat(applied).hasSize(1);
            assertThat(applied.get(0).processes()).hasSize(1);

            Files.writeString(file, Files.readString(file) + "[[rule]]\nname = \"r\"\nwhen = \"memory_used_ratio > 2\"\n");
            other.reloadAsync().get(30, TimeUnit.SECONDS);
            assertThat(builds.get()).as("samplers untouched by a reload of rules only").isEqualTo(2);
        }
    }

    private static io.rollguard.sample.Sampler sampler(String name) {
        return new io.rollguard.sample.Sampler() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void sample(io.rollguard.store.SeriesWriter out) {
            }
        };
    }

    /** Each sampler's name and period in seconds, from /health/detailed. */
    private static Map<String, Double> samplers(Agent agent) {
        Map<String, Double> samplers = new java.util.LinkedHashMap<>();
        agent.health().samplers().forEach(c -> samplers.put(c.name(), c.period().toMillis() / 1000.0));
        return samplers;
    }

    @Test
    void theCurrentDeploymentGoesOnAcrossAReload() throws Exception {
        HttpResponse<String> started = client.send(HttpRequest.newBuilder(base.resolve("/api/v1/deployments"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"version\": \"v42\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);

        Files.writeString(file, Files.readString(file).replace("for = \"1m\"", "for = \"2m\""));
        assertThat(post("/-/reload").statusCode()).isEqualTo(200);

        Map<?, ?> current = (Map<?, ?>) JSON.std.mapFrom(get("/api/v1/deployments").body()).get("current");
        assertThat(current.get("version")).isEqualTo("v42");
        assertThat(current.get("state")).isEqualTo("watching");
    }

    @Test
    void aReloadReadsTheTokenFileAgainAndTheNextRequestNeedsTheNewToken() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "first-token\n");
        Files.writeString(file, config("").replace("listen = \"127.0.0.1:0\"",
                "listen = \"127.0.0.1:0\"\ntoken_file = \"" + token + "\""));
        assertThat(post("/-/reload").statusCode()).as("no token yet: loopback may").isEqualTo(200);

        assertThat(post("/-/reload").statusCode()).isEqualTo(401);
        assertThat(post("/-/reload", "first-token").statusCode()).isEqualTo(200);

        Files.writeString(token, "second-token\n");
        HttpResponse<String> rotated = post("/-/reload", "first-token");
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.body()).doesNotContain("token\"").doesNotContain("second-token");
        assertThat(post("/-/reload", "first-token").statusCode()).isEqualTo(401);
        assertThat(post("/-/reload", "second-token").statusCode()).isEqualTo(200);
    }

    @Test
    void theEmbeddedDefaultReloadsToItself() throws Exception {
        Config embedded = ConfigLoader.parse(new ConfigSource(ConfigLoader.DEFAULT_NAME,
                config(""), dir));
        try (Agent other = new Agent(embedded, TimeSource.system(), List.of(), CheckFactory.forHost(new SystemInfo()))) {
            ReloadResult result = other.reload();

            assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.RELOADED);
            assertThat(result.message()).isEqualTo("the embedded default configuration does not change");
            assertThat(result.changes().isEmpty()).isTrue();
        }
    }

    private String config(String rest) {
        return """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                """.formatted(dir.resolve("state")) + rest;
    }

    /** Each check's name and status, in the order the API lists them. */
    private Map<String, String> checks() throws Exception {
        Map<String, String> checks = new java.util.LinkedHashMap<>();
        for (Object check : (List<?>) JSON.std.mapFrom(get("/api/v1/checks").body()).get("checks")) {
            Map<?, ?> map = (Map<?, ?>) check;
            checks.put((String) map.get("name"), (String) map.get("status"));
        }
        return checks;
    }

    /** Each rule's name and its {@code for}, in seconds. */
    private Map<String, Double> rules() throws Exception {
        Map<String, Double> rules = new java.util.LinkedHashMap<>();
        for (Object rule : (List<?>) JSON.std.mapFrom(get("/api/v1/rules").body()).get("rules")) {
            Map<?, ?> map = (Map<?, ?>) rule;
            rules.put((String) map.get("name"), ((Number) map.get("for_seconds")).doubleValue());
        }
        return rules;
    }

    private List<String> eventKinds() throws Exception {
        return ((List<?>) JSON.std.mapFrom(get("/api/v1/events").body()).get("events")).stream()
                .map(event -> (String) ((Map<?, ?>) event).get("kind")).toList();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String token) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
