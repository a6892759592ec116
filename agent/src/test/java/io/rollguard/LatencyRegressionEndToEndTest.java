package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.rollguard.check.CheckFactory;
import io.rollguard.cli.Main;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.journal.Event;
import io.rollguard.rule.RuleState;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' "latency 20% worse than before the deploy", end to end: a real agent on port 0 checks a local service
 * whose latency the test sets. A slowdown while no deployment is watched fires nothing; after
 * {@code rollguard deploy start} (the CLI, over HTTP) has frozen the service's latency as the baseline, a slowdown
 * to several times that baseline fires the rollback, and the script receives the deployment's version.
 */
class LatencyRegressionEndToEndTest {
    /** What the service takes to answer: long enough that a scheduling hiccup is small beside it. */
    private static final long FAST_MS = 100;
    private static final long SLOW_MS = 600;

    private final AtomicLong delayMillis = new AtomicLong(FAST_MS);
    private HttpServer service;
    private Agent agent;

    @TempDir
    Path dir;

    @BeforeEach
    void startService() throws IOException {
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/api/status", exchange -> {
            try {
                Thread.sleep(delayMillis.get()); // the service's own latency, not a test waiting for something
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{\"ok\": true}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        service.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
        service.start();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        service.stop(0);
    }

    @Test
    void aSlowdownRollsBackOnlyAgainstTheBaselineOfAWatchedDeployment() throws Exception {
        Path runs = dir.resolve("runs.log");
        Path script = Files.writeString(dir.resolve("rollback.sh"), """
                #!/bin/sh
                echo "$ROLLGUARD_RULE $ROLLGUARD_DEPLOYMENT_VERSION" >> "%s"
                """.formatted(runs));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                [deploy]
                baseline_window = "3s"

                [[check]]
                name = "api"
                type = "http"
                url = "http://127.0.0.1:%d/api/status"
                interval = "1s"
                timeout = "5s"

                [action.rollback]
                run = ["%s"]
                rollback = true

                # The rule under test: the API's latency, averaged over 3 s, three times what it was before.
                [[rule]]
                name = "latency-regression"
                when = 'avg_over(check_duration_seconds{check="api"}, 3s) > 3 * baseline(check_duration_seconds{check="api"})'
                for = "1s"
                scope = "deploy"
                action = "rollback"

                # Helpers for the test to wait on: the service has been slow, or fast, for 3 s.
                [[rule]]
                name = "was-slow"
                when = 'min_over(check_duration_seconds{check="api"}, 3s) > 0.5'
                severity = "info"

                [[rule]]
                name = "was-fast"
                when = 'max_over(check_duration_seconds{check="api"}, 3s) < 0.4'
                severity = "info"
                """.formatted(dir.resolve("state"), service.getAddress().getPort(), script), dir));
        agent = new Agent(config, TimeSource.system(), List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();

        // Outside a watch window, the slowdown fires nothing: the deploy-scoped rule rests.
        delayMillis.set(SLOW_MS);
        await().atMost(Duration.ofSeconds(60)).until(() -> state("was-slow") == RuleState.FIRING);
        assertThat(state("latency-regression")).isEqualTo(RuleState.INACTIVE);
        assertThat(kinds()).doesNotContain("action_started");

        // Fast again for a whole baseline window, then the deploy script's one line.
        delayMillis.set(FAST_MS);
        await().atMost(Duration.ofSeconds(60)).until(() -> state("was-fast") == RuleState.FIRING);
        Path cliConfig = Files.writeString(dir.resolve("cli.toml"),
                "[http]\nlisten = \"127.0.0.1:" + agent.httpAddress().getPort() + "\"\n");
        assertThat(cli("deploy", "start", "--config", cliConfig.toString(), "--version", "v42", "--watch", "10m"))
                .startsWith("0 deployment d1-");
        assertThat(kinds()).contains("deployment_started");

        // Still fast: the new version is judged against its own baseline and passes.
        assertThat(state("latency-regression")).isIn(RuleState.INACTIVE, RuleState.UNKNOWN);

        // Six times slower than the baseline: the rule fires, the rollback runs once, with the version.
        delayMillis.set(SLOW_MS);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(runs));
        await().atMost(Duration.ofSeconds(30)).until(() -> kinds().contains("action_finished"));
        assertThat(Files.readAllLines(runs)).containsExactly("latency-regression v42");
        assertThat(kinds()).contains("deployment_rolled_back");
    }

    private RuleState state(String rule) {
        return agent.health().rules().stream().filter(r -> r.rule().name().equals(rule)).findFirst().orElseThrow()
                .state();
    }

    private List<String> kinds() {
        return agent.events(0, 1000).stream().map(Event::kind).toList();
    }

    /** Runs the CLI in-process: its exit code, a space, then what it printed. */
    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(out, true), args);
        return code + " " + out;
    }
}
