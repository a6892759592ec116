package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.RuleStatus;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both source types against a real Prometheus on loopback ({@code /usr/bin/prometheus}, skipped without it):
 * Prometheus scrapes the agent, the agent queries Prometheus for the result, and scrapes Prometheus's own
 * {@code /metrics}, a real producer of the text format.
 */
class PrometheusSourceIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    private Process prometheus;
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void theAgentQueriesARealPrometheusAndScrapesItsMetrics() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "no " + PROMETHEUS + ": install the prometheus package");
        int prometheusPort = freePort();
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%1$s"
                [http]
                listen = "127.0.0.1:0"

                [[source]]
                name = "agent_up"
                type = "prometheus"
                url = "http://127.0.0.1:%2$d"
                query = 'up{job="rollguard"}'
                interval = "1s"
                timeout = "1s"

                [[source]]
                name = "prometheus_self"
                type = "scrape"
                url = "http://127.0.0.1:%2$d/metrics"
                metrics = ["prometheus_*", "go_*", "process_*"]
                max_series = 5000
                interval = "1s"
                timeout = "1s"

                [[rule]]
                name = "agent-not-scraped"
                when = 'agent_up == 0'

                [[rule]]
                name = "prometheus-has-no-targets"
                when = 'sum(prometheus_sd_discovered_targets) < 1'
                """.formatted(dir.resolve("state"), prometheusPort), dir));
        agent = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();

        Path prometheusConfig = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: rollguard
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(agent.httpAddress().getPort()));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + prometheusConfig,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();

        // Both rules read source series: inactive means the series are there, with the values expected. Before the
        // first tick the list is empty, and allMatch is true of an empty list: wait for both rules, each evaluated.
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            List<RuleStatus> rules = agent.health().rules();
            return rules.size() == 2 && rules.stream().allMatch(rule -> rule.state() == RuleState.INACTIVE
                    && !rule.instances().isEmpty());
        });
        RuleStatus scraped = agent.health().rules().get(0);
        assertThat(scraped.instances()).singleElement().satisfies(instance -> {
            assertThat(instance.labels().get("job")).isEqualTo("rollguard");
            assertThat(instance.labels().get("instance")).isEqualTo("127.0.0.1:" + agent.httpAddress().getPort());
            assertThat(instance.value()).isEqualTo(1.0);
        });
        // /metrics is what the last tick rendered; the rules may have been evaluated since, as soon as a read landed.
        String metrics = await().atMost(Duration.ofSeconds(60)).until(() -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + "/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body(),
                text -> text.contains("rollguard_source_series{source=\"agent_up\"} 1"));
        assertThat(metrics).contains("rollguard_source_up{source=\"agent_up\"} 1",
                "rollguard_source_up{source=\"prometheus_self\"} 1", "rollguard_source_series{source=\"agent_up\"} 1");
    }
}
