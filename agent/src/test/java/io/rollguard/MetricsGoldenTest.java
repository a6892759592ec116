package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.sample.FixtureSamplers;
import io.rollguard.time.FakeTime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole {@code /metrics} of an agent whose samplers read the fixture tree, served over real HTTP after two
 * ticks on a fake clock, against {@code src/test/resources/golden/metrics.txt} (node_exporter's e2e-output.txt):
 * a renamed family, a new label or a changed help text shows up here as a diff to review. The agent's own JVM,
 * process and tick meters are measured, so only their presence is checked. After a deliberate
 * change, rewrite the file with
 * {@code mvn -pl agent test -Dtest=MetricsGoldenTest -Drollguard.update-goldens=true} and commit the diff.
 */
class MetricsGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/metrics.txt");

    @TempDir
    Path dir;

    @Test
    void metricsMatchTheGoldenFile() throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("golden.toml", """
                [agent]
                interval = "5s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                """.formatted(dir.resolve("state")), dir));
        FakeTime time = new FakeTime();
        String metrics;
        try (Agent agent = new Agent(config, time, FixtureSamplers.all(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 0, () -> 0))) {
            agent.start(false);
            agent.tick();
            time.advance(Duration.ofSeconds(5));
            agent.tick();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + agent.httpAddress().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            metrics = response.body().replace("version=\"" + Version.current() + "\"", "version=\"VERSION\"");
        }
        // The agent's own JVM, process and tick meters are measured, not read from the fixtures: present, but left
        // out of the golden file.
        assertThat(families(metrics, true)).contains("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
                "jvm_threads_live_threads", "process_cpu_usage", "process_resident_memory_bytes",
                "process_files_open_files", "process_uptime_seconds", "rollguard_tick_seconds",
                "process_cpu_seconds_total");
        // Micrometer's own names for these break Prometheus' naming rules (promtool check metrics refuses them).
        assertThat(families(metrics, true)).doesNotContain("process_cpu_time_ns_total", "system_cpu_count");
        if (io.rollguard.testing.Subprocess.onPath("promtool")) {
            // Prometheus' own linter over the whole output, [[process]], checks and sources included.
            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            try (var in = promtool.getOutputStream()) {
                in.write(metrics.getBytes(StandardCharsets.UTF_8));
            }
            String linted = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor()).as("promtool check metrics: %s", linted).isZero();
        }
        metrics = withoutMeasuredFamilies(metrics);
        if (Boolean.getBoolean("rollguard.update-goldens")) {
            Files.writeString(GOLDEN, metrics, StandardCharsets.UTF_8);
        }
        assertThat(metrics).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }

    private static boolean measured(String family) {
        return family.startsWith("jvm_") || family.startsWith("process_") || family.startsWith("system_")
                || family.startsWith("rollguard_tick_");
    }

    /** The families named by {@code # TYPE} lines, the measured ones only or the others. */
    private static java.util.List<String> families(String metrics, boolean measured) {
        return metrics.lines().filter(line -> line.startsWith("# TYPE ")).map(line -> line.split(" ")[2])
                .filter(family -> measured(family) == measured).toList();
    }

    /** The text without the measured families: their HELP, TYPE and sample lines. */
    private static String withoutMeasuredFamilies(String metrics) {
        StringBuilder kept = new StringBuilder();
        boolean keep = true;
        for (String line : metrics.split("\n", -1)) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                keep = !measured(line.split(" ")[2]);
            }
            if (keep && !line.isEmpty()) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }
}
