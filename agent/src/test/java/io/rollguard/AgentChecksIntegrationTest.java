package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpServer;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real agent running checks against a real local service whose health the test controls. */
class AgentChecksIntegrationTest {
    private static final HttpClient client = HttpClient.newHttpClient();
    private final AtomicInteger status = new AtomicInteger(200);
    @org.junit.jupiter.api.io.TempDir
    Path stateDir;
    private HttpServer service;
    private Agent agent;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/api/status", exchange -> {
            byte[] body = "{\"count\": 2, \"failed_last_hour\": 4}".getBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        service.start();
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [[check]]
                name = "api"
                type = "http"
                url = "http://127.0.0.1:%d/api/status"
                expect_json_keys = ["count"]
                extract = { failed_1h = "/failed_last_hour" }
                interval = "1s"
                critical = true
                tags = ["ready"]

                [[check]]
                name = "tmp"
                type = "path"
                path = "/tmp"
                expect = ["dir"]
                interval = "1s"
                tags = ["live"]
                """.formatted(stateDir, service.getAddress().getPort()), Path.of(".")));
        agent = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();
        base = URI.create("http://127.0.0.1:" + agent.httpAddress().getPort());
    }

    @AfterEach
    void stop() {
        agent.close();
        service.stop(0);
    }

    @Test
    void aFailingCriticalCheckTurnsHealthDownAndItsGroupToo() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/metrics").body()
                .contains("rollguard_check_field{check=\"api\",field=\"failed_1h\"} 4.0"));
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);

        status.set(503);

        await().atMost(Duration.ofSeconds(20)).until(() -> get("/health").statusCode() == 503);
        assertThat(get("/health").body()).isEqualTo("{\"status\":\"DOWN\"}");
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
        assertThat(get("/health/live").statusCode()).as("another group's question").isEqualTo(200);
        assertThat(get("/health/nope").statusCode()).isEqualTo(404);
        // /metrics is rendered at the tick; health answered as soon as the check failed.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> get("/metrics").body().contains("rollguard_check_up{check=\"api\"} 0.0"));

        Map<String, Object> detailed = JSON.std.mapFrom(get("/health/detailed").body());
        assertThat(detailed.get("status")).isEqualTo("DOWN");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checks = (List<Map<String, Object>>) detailed.get("checks");
        assertThat(checks).extracting(c -> c.get("name") + " " + c.get("status") + " " + c.get("message"))
                .containsExactly("api DOWN HTTP 503 (expected 2xx)", "tmp UP /tmp is a directory");
        assertThat(checks.get(0)).containsEntry("type", "http").containsEntry("critical", true)
                .containsEntry("tags", List.of("ready")).containsKeys("since", "value", "interval_seconds",
                        "last_duration_seconds", "failures_total");

        status.set(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> get("/health").statusCode() == 200);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
