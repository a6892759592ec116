package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.metrics.ExpositionFormat;
import io.rollguard.sample.HostSamplers;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import oshi.SystemInfo;

/** The real agent, real host samplers, on an ephemeral port, spoken to over real HTTP. */
class AgentIntegrationTest {
    @org.junit.jupiter.api.io.TempDir
    static Path stateDir;
    private static Agent agent;
    private static URI base;
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                [[rule]]
                name = "no-such-mount"
                when = 'filesystem_used_ratio{mount="/no/such/mount"} > 90%%'
                """.formatted(stateDir), Path.of(".")));
        SystemInfo system = new SystemInfo();
        agent = new Agent(config, TimeSource.system(), HostSamplers.create(system, config), CheckFactory.forHost(system));
        agent.start();
        base = URI.create("http://127.0.0.1:" + agent.httpAddress().getPort());
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/metrics").body().contains("rollguard_memory_used_ratio"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void healthAnswersUpAsJson() throws Exception {
        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void detailedHealthDescribesTheAgentAndEachSampler() throws Exception {
        HttpResponse<String> response = get("/health/detailed");

        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> body = JSON.std.mapFrom(response.body());
        assertThat(body).containsEntry("status", "UP").containsEntry("config", "test.toml")
                .containsEntry("version", Version.current())
                .containsKeys("started_at", "as_of", "uptime_seconds", "rules", "rolled_back", "journal")
                .containsEntry("deployment", null);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> samplers = (List<Map<String, Object>>) body.get("samplers");
        assertThat(samplers).extracting(s -> s.get("name")).contains("cpu", "memory", "filesystem");
        assertThat(samplers).allSatisfy(s -> {
            assertThat(s).containsKeys("status", "since", "message", "period_seconds", "last_duration_seconds", "errors_total");
            assertThat(s.get("status")).isEqualTo("UP");
        });
    }

    @Test
    void metricsIsValidPrometheusTextWithTheHostSeries() throws Exception {
        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        List<ExpositionFormat.Sample> samples = ExpositionFormat.parse(response.body());
        Set<String> names = samples.stream().map(ExpositionFormat.Sample::name).collect(Collectors.toSet());
        assertThat(names).contains("rollguard_build_info", "rollguard_cpu_cores", "rollguard_cpu_usage_ratio",
                "rollguard_memory_total_bytes", "rollguard_memory_available_bytes", "rollguard_memory_used_ratio",
                "rollguard_filesystem_size_bytes", "rollguard_filesystem_free_bytes",
                "rollguard_filesystem_used_ratio", "rollguard_sampler_success", "rollguard_sampler_duration_seconds",
                "rollguard_sampler_errors_total");
        assertThat(names).as("the host's and the checks' series, and the agent's own JVM and process meters")
                .allMatch(n -> n.startsWith("rollguard_") || n.startsWith("jvm_") || n.startsWith("process_")
                        || n.startsWith("system_"));
        assertThat(names).contains("process_resident_memory_bytes", "process_cpu_usage", "jvm_memory_used_bytes",
                "rollguard_tick_seconds_count");
        assertThat(samples).filteredOn(s -> s.name().endsWith("_ratio"))
                .allSatisfy(s -> assertThat(s.value()).isBetween(0.0, 1.0));
        assertThat(samples).filteredOn(s -> s.name().equals("rollguard_build_info"))
                .extracting(ExpositionFormat.Sample::labels).containsExactly("{version=\"" + Version.current() + "\"}");
    }

    /**
     * A selector that matches nothing (a mount that is not there) keeps its rule unknown: after three ticks the rule
     * says which selector, wherever its state is shown, and /metrics counts the series it matched.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aRuleWhoseSelectorMatchesNothingSaysSo() throws Exception {
        String reason = "no series match `filesystem_used_ratio{mount=\"/no/such/mount\"}`";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, Object> health = JSON.std.mapFrom(get("/health/detailed").body());
            Map<String, Object> rule = ((List<Map<String, Object>>) health.get("rules")).get(0);
            assertThat(rule).containsEntry("name", "no-such-mount").containsEntry("state", "unknown")
                    .containsEntry("series", 0).containsEntry("problem", reason);
            assertThat((List<Map<String, Object>>) rule.get("instances")).extracting(i -> i.get("reason"))
                    .containsExactly(reason);
        });
        Map<String, Object> api = JSON.std.mapFrom(get("/api/v1/rules").body());
        assertThat((List<Map<String, Object>>) api.get("rules")).singleElement()
                .satisfies(rule -> assertThat(rule).containsEntry("problem", reason));
        // /metrics is the last tick's rendering, which may predate the evaluation seen above.
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/metrics").body()
                .contains("rollguard_rule_series{rule=\"no-such-mount\"} 0"));
        assertThat(get("/").body()).contains("no series match `filesystem_used_ratio{mount=");
    }

    @Test
    void metricsIsGzippedWhenTheScraperAsks() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
                new java.io.ByteArrayInputStream(response.body()))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text).contains("rollguard_build_info{version=");
            assertThat(response.body().length).isLessThan(text.length() / 3);
        }
    }

    @Test
    void metricsSpeaksOpenMetricsWhenAsked() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.headers().firstValue("content-type"))
                .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(response.body()).endsWith("# EOF\n");
    }

    @Test
    void unknownPathsAnswerJson404() throws Exception {
        HttpResponse<String> response = get("/nope?x=1");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":\"no such endpoint: /nope\"}");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST", "PUT", "DELETE"})
    void wrongMethodsAnswerJson405WithAllow(String method) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/health"))
                .method(method, HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(response.body()).isEqualTo("{\"error\":\"" + method + " is not allowed on /health; allowed: GET, HEAD\"}");
    }

    @Test
    void headAnswersHeadersWithoutABody() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValueAsLong("content-length")).isPresent();
    }

    @Test
    void oneConnectionServesManyRequests() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answers = readUntil(socket.getInputStream(), 2, "{\"status\":\"UP\"}");

            assertThat(answers.split("HTTP/1.1 200 OK", -1)).hasSize(3);
        }
    }

    @Test
    void oversizedHeadersAnswer431AndClose() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            assertThat(answer).startsWith("HTTP/1.1 431 Request Header Fields Too Large")
                    .contains("connection: close").endsWith("{\"error\":\"request headers too large\"}");
        }
    }

    @Test
    void garbageAnswers400AndTheServerKeepsServing() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
            socket.getOutputStream().write("\u0001\u0002 not http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400 Bad Request");
        }
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    private static String readUntil(InputStream in, int occurrences, String marker) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (text.toString().split(java.util.regex.Pattern.quote(marker), -1).length <= occurrences) {
            int read = in.read(buffer);
            if (read < 0) {
                break;
            }
            text.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
        }
        return text.toString();
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
