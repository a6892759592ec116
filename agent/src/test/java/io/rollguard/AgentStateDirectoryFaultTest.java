package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.sample.Sampler;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import io.rollguard.testing.AgentHttp;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A state directory the agent cannot write (tests run as root here, whom permission bits do not stop, so the faults
 * are ones root cannot write through either): the real agent keeps sampling, serving and acting, counts
 * {@code rollguard_journal_errors_total}, says why in {@code /health/detailed}, and writes the journal once it can.
 */
class AgentStateDirectoryFaultTest {
    private static final MetricFamily RUNS = MetricFamily.gauge("rollguard_test_sampler_runs", "Runs of the test sampler.");
    private static final Pattern ERRORS = Pattern.compile("(?m)^rollguard_journal_errors_total (\\S+)$");
    private final AgentHttp http = new AgentHttp(() -> this.agent.httpAddress());

    @TempDir
    Path dir;

    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    /** A way to make the state directory unwritable, and to undo it. */
    interface Fault {
        void apply(Path stateDir) throws IOException;

        void clear(Path stateDir) throws IOException;
    }

    static Stream<Arguments> faults() {
        // state.json is replaced through state.json.tmp: a non-empty directory there cannot be removed or written.
        Fault full = new Fault() {
            @Override
            public void apply(Path stateDir) throws IOException {
                // /dev/full answers every write with ENOSPC: a full disk, for root as for anyone.
                assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full here");
                Files.createSymbolicLink(stateDir.resolve("events.jsonl"), Path.of("/dev/full"));
                Files.createDirectories(stateDir.resolve("state.json.tmp/in-the-way"));
            }

            @Override
            public void clear(Path stateDir) throws IOException {
                Files.delete(stateDir.resolve("events.jsonl"));
                Files.delete(stateDir.resolve("state.json.tmp/in-the-way"));
                Files.delete(stateDir.resolve("state.json.tmp"));
            }
        };
        Fault unwritable = new Fault() {
            @Override
            public void apply(Path stateDir) throws IOException {
                Files.createDirectories(stateDir.resolve("events.jsonl/in-the-way"));
                Files.createDirectories(stateDir.resolve("state.json.tmp/in-the-way"));
            }

            @Override
            public void clear(Path stateDir) throws IOException {
                Files.delete(stateDir.resolve("events.jsonl/in-the-way"));
                Files.delete(stateDir.resolve("events.jsonl"));
                Files.delete(stateDir.resolve("state.json.tmp/in-the-way"));
                Files.delete(stateDir.resolve("state.json.tmp"));
            }
        };
        return Stream.of(
                arguments("the disk is full", full, "No space left on device"),
                arguments("nothing can be written where the files go", unwritable, "Is a directory"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void theAgentKeepsSamplingServingAndActingAndSaysWhy(String name, Fault fault, String cause) throws Exception {
        Path stateDir = Files.createDirectory(dir.resolve("state"));
        fault.apply(stateDir);
        AtomicLong runs = new AtomicLong();
        Sampler counting = new Sampler() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public void sample(SeriesWriter out) {
                out.put(RUNS, LabelSet.EMPTY, runs.incrementAndGet());
            }
        };
        agent = new Agent(config(stateDir), TimeSource.system(), List.of(counting),
                new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start();

        // Acting: the rule fires and its rollback runs although neither the journal nor the latch reaches the disk.
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dir.resolve("ran")));
        await().atMost(Duration.ofSeconds(60)).until(() -> http.body("/api/v1/events?limit=1000")
                .contains("\"kind\":\"action_finished\""));
        assertThat(http.body("/api/v1/rules")).contains("\"latched\":true");

        // Sampling and serving: the sampler goes on, /metrics counts the failed writes.
        long seen = runs.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() >= seen + 2);
        String metrics = http.body("/metrics");
        assertThat(metrics).contains("rollguard_test_sampler_runs ");
        assertThat(journalErrors(metrics)).isGreaterThanOrEqualTo(3); // rule_firing, action_started, the latch, ...

        Map<?, ?> journal = (Map<?, ?>) JSON.std.mapFrom(http.body("/health/detailed")).get("journal");
        assertThat(journal.get("status")).isEqualTo("DOWN");
        assertThat(((Number) journal.get("failures_total")).longValue()).isGreaterThanOrEqualTo(3);
        assertThat((String) journal.get("last_failure")).contains(stateDir.resolve("events.jsonl").toString(), cause)
                .contains("cannot write " + stateDir.resolve("state.json"));
        Map<?, ?> state = (Map<?, ?>) JSON.std.mapFrom(http.body("/health/detailed")).get("state");
        assertThat(state.get("status")).isEqualTo("DOWN");
        assertThat(((List<?>) state.get("problems")).stream().map(p -> String.valueOf(((Map<?, ?>) p).get("reason"))))
                .containsExactly("state_in_reserve", "journal_write_failed"); // the reserve was made at the start
        await().atMost(Duration.ofSeconds(30)).until(() -> http.body("/metrics")
                .contains("rollguard_state_ok{reason=\"state_in_reserve\"} 0.0"));
        assertThat(http.body("/")).contains("<section id=\"state\" class=\"problem\">", "so latches survive a restart");

        // The disk comes back: the next event writes every waiting one, the next state write replaces state.json.
        fault.clear(stateDir);
        assertThat(http.send(HttpRequest.newBuilder(http.uri("/api/v1/rules/api-down/rearm"))
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.isRegularFile(stateDir.resolve("events.jsonl"))
                && Files.readString(stateDir.resolve("events.jsonl")).contains("\"kind\":\"action_finished\""));
        assertThat(Files.readString(stateDir.resolve("events.jsonl")))
                .contains("\"kind\":\"rule_firing\"", "\"kind\":\"action_started\"", "\"kind\":\"rule_rearmed\"");
        assertThat(Files.readString(stateDir.resolve("state.json"))).contains("\"latches\"");
        Map<?, ?> recovered = (Map<?, ?>) JSON.std.mapFrom(http.body("/health/detailed")).get("journal");
        assertThat(recovered.get("status")).isEqualTo("UP");
        assertThat(recovered.get("last_failure")).isNull();
        assertThat(((Map<?, ?>) JSON.std.mapFrom(http.body("/health/detailed")).get("state")).get("status")).isEqualTo("UP");
        await().atMost(Duration.ofSeconds(30)).until(() -> http.body("/metrics").contains("\nrollguard_state_ok 1.0\n"));
    }

    private Config config(Path stateDir) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$ROLLGUARD_RULE\" >> " + dir.resolve("ran") + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [[check]]
                name = "api"
                type = "tcp"
                port = %d
                interval = "1s"
                timeout = "1s"

                [action.rollback]
                run = ["%s"]
                rollback = true

                [[rule]]
                name = "api-down"
                when = 'check_up{check="api"} == 0'
                action = "rollback"
                """.formatted(stateDir, closedPort, script), dir));
    }

    private static double journalErrors(String metrics) {
        Matcher matcher = ERRORS.matcher(metrics);
        assertThat(matcher.find()).as("rollguard_journal_errors_total in %s", metrics).isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
