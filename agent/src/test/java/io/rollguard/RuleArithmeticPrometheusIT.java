package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.RuleStatus;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 end to end: the agent and a real Prometheus ({@code /usr/bin/prometheus}, skipped without it) scrape the
 * same two applications on loopback. One leaves its counter out of two scrapes and comes back reset; the other
 * reports a {@code +Inf} gauge. Both engines must see the same {@code increase} (Prometheus' HTTP API answers for
 * it) and fire the same two alerts.
 *
 * <p>The two scrape at their own instants, and {@code increase} extrapolates from the samples to the window's end, so
 * the two answers are the same growth (35: 0, 10, 20, a gap, 5 after a reset, 15) stretched by each one's own
 * distance from its last sample to its evaluation: at most 1.1 scrape intervals over the samples' span. The test
 * bounds that, and the counter's values are chosen so that no answer short of the whole story reaches the bounds.
 */
class RuleArithmeticPrometheusIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final int ROLLGUARD = 0;
    private static final int PROMETHEUS_SCRAPER = 1;
    /** The counter at each phase of the story; null: left out of the scrape. */
    private static final Double[] COUNTER = {0.0, 10.0, 20.0, null, 5.0, 15.0};
    private static final double GROWTH = 35;

    private final AtomicInteger phase = new AtomicInteger();
    // Scrapes of the counter per phase and scraper: [phase * 2 + scraper].
    private final AtomicIntegerArray scrapes = new AtomicIntegerArray(COUNTER.length * 2);
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer app;
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
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (app != null) {
            app.stop(0);
        }
    }

    @Test
    void aCounterWithAGapAndAnInfiniteGaugeGiveWhatPrometheusGives() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS),
                "no " + PROMETHEUS + " to compare with: install the prometheus package (.ci/run does)");
        startApplications();
        int prometheusPort = freePort();
        startPrometheus(prometheusPort);
        startAgent();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> ready(prometheusPort));

        // Each phase lasts until both have scraped it twice: the gap is two scrapes long for each of them.
        for (int next = 1; next < COUNTER.length; next++) {
            int current = next - 1;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> scrapes.get(current * 2 + ROLLGUARD) >= 2
                            && scrapes.get(current * 2 + PROMETHEUS_SCRAPER) >= 2);
            phase.set(next);
        }
        int last = COUNTER.length - 1;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> scrapes.get(last * 2 + ROLLGUARD) >= 2 && scrapes.get(last * 2 + PROMETHEUS_SCRAPER) >= 2);
        // Samples only add from here on, and the more samples, the less extrapolation: this count bounds it, less one
        // for a scrape the application answered whose sample its scraper had not stored or evaluated yet.
        int samples = Math.min(samplesOfTheCounter(ROLLGUARD), samplesOfTheCounter(PROMETHEUS_SCRAPER)) - 1;

        // Before the last phase the growth is 25 at most (28 extrapolated): above 30 needs the whole story, the reset
        // across the gap included. Firing is what both engines are waited for, each on its own evaluations.
        RuleStatus grew = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> rule("counter-grew"), status -> status.state() == RuleState.FIRING);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> firingAlerts(prometheusPort), alerts -> alerts.contains("CounterGrew"));
        double rollguard = grew.instances().stream().filter(instance -> instance.state() == RuleState.FIRING)
                .findFirst().orElseThrow().value();
        double prometheusAnswer = query(prometheusPort, "increase(x_total[10m])").orElseThrow();

        // The first sample is 0, so neither extrapolates before it (the zero cutoff); after the last one, by less
        // than 1.1 average intervals, of the samples - 1 the span holds.
        double highest = GROWTH * (1 + 1.1 / (samples - 1));
        assertThat(rollguard).as("rollguard's increase").isBetween(GROWTH, highest);
        assertThat(prometheusAnswer).as("Prometheus' increase").isBetween(GROWTH, highest);
        assertThat(Math.abs(rollguard - prometheusAnswer)).as("rollguard %s, Prometheus %s", rollguard,
                prometheusAnswer).isLessThanOrEqualTo(highest - GROWTH);

        RuleStatus hot = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> rule("hot"), status -> status.state() == RuleState.FIRING);
        assertThat(hot.instances()).filteredOn(instance -> instance.state() == RuleState.FIRING)
                .extracting(RuleStatus.Instance::value).containsExactly(Double.POSITIVE_INFINITY);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> firingAlerts(prometheusPort), alerts -> alerts.contains("Hot"));
        assertThat(query(prometheusPort, "temperature_celsius > 100")).contains(Double.POSITIVE_INFINITY);
    }

    private void startApplications() throws IOException {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/counter", exchange -> {
            int now = phase.get();
            scrapes.incrementAndGet(now * 2 + scraper(exchange));
            Double value = COUNTER[now];
            send(exchange, value == null ? "# TYPE up_seconds gauge\nup_seconds 1\n"
                    : "# TYPE x_total counter\nx_total " + value + "\n");
        });
        app.createContext("/inf", exchange -> send(exchange, "# TYPE temperature_celsius gauge\n"
                + "temperature_celsius +Inf\n"));
        app.start();
    }

    private int samplesOfTheCounter(int scraper) {
        int total = 0;
        for (int i = 0; i < COUNTER.length; i++) {
            if (COUNTER[i] != null) {
                total += scrapes.get(i * 2 + scraper);
            }
        }
        return total;
    }

    private static int scraper(HttpExchange exchange) {
        String agentName = exchange.getRequestHeaders().getFirst("User-Agent");
        return agentName != null && agentName.startsWith("Prometheus") ? PROMETHEUS_SCRAPER : ROLLGUARD;
    }

    private static void send(HttpExchange exchange, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private void startPrometheus(int port) throws IOException {
        Path rules = Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: arithmetic
                    interval: 1s
                    rules:
                      - alert: CounterGrew
                        expr: increase(x_total[10m]) > 30
                      - alert: Hot
                        expr: temperature_celsius > 100
                """);
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: ["%1$s"]
                scrape_configs:
                  - job_name: counter
                    metrics_path: /counter
                    static_configs:
                      - targets: ["127.0.0.1:%2$d"]
                  - job_name: inf
                    metrics_path: /inf
                    static_configs:
                      - targets: ["127.0.0.1:%2$d"]
                """.formatted(rules, app.getAddress().getPort()));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    private void startAgent() throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%1$s"
                [http]
                listen = "127.0.0.1:0"

                [[source]]
                name = "counter"
                type = "scrape"
                url = "http://127.0.0.1:%2$d/counter"
                metrics = ["x_total"]
                interval = "1s"
                timeout = "1s"

                [[source]]
                name = "inf"
                type = "scrape"
                url = "http://127.0.0.1:%2$d/inf"
                metrics = ["temperature_celsius"]
                interval = "1s"
                timeout = "1s"

                [[rule]]
                name = "counter-grew"
                when = 'increase(x_total, 10m) > 30'

                [[rule]]
                name = "hot"
                when = 'temperature_celsius > 100'
                """.formatted(dir.resolve("state"), app.getAddress().getPort()), dir));
        agent = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();
    }

    private RuleStatus rule(String name) {
        return agent.health().rules().stream().filter(rule -> rule.rule().name().equals(name)).findFirst()
                .orElseThrow();
    }

    private boolean ready(int port) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String firingAlerts(int port) throws IOException, InterruptedException {
        return get(port, "/api/v1/query?query="
                + URLEncoder.encode("ALERTS{alertstate=\"firing\"}", StandardCharsets.UTF_8));
    }

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");

    /** The value of the first element of an instant query's answer; empty when it has none. */
    private Optional<Double> query(int port, String expression) throws IOException, InterruptedException {
        String answer = get(port, "/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8));
        assertThat(answer).contains("\"status\":\"success\"");
        Matcher matcher = VALUE.matcher(answer);
        if (!matcher.find()) {
            return Optional.empty();
        }
        return Optional.of(switch (matcher.group(1)) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(matcher.group(1));
        });
    }

    private String get(int port, String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
