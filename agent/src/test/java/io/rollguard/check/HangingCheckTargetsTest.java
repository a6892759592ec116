package io.rollguard.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.health.CheckStatus;
import io.rollguard.health.Status;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets that hang: a server that accepts connections and never says a word (to HTTP or to a TLS handshake), and a
 * command that never exits. The daemon's runner gives each its timeout; each run fails, is counted, and holds no
 * worker or process afterwards.
 */
class HangingCheckTargetsTest {
    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private ServerSocket silent;
    private Thread acceptor;
    private CheckRunner runner;

    @BeforeEach
    void startASilentServer() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept()); // kept open, never read, never written
                }
            } catch (IOException e) {
                // closed by the test
            }
        }, "silent-server");
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
        silent.close();
        acceptor.join(TimeUnit.SECONDS.toMillis(10));
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    @Test
    void eachHangingTargetTimesOutIsCountedAndLeavesNothingRunning() throws Exception {
        Path pidFile = dir.resolve("command.pid");
        int port = silent.getLocalPort();
        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", """
                [[check]]
                name = "http"
                type = "http"
                url = "http://127.0.0.1:%d/health"
                timeout = "1s"

                [[check]]
                name = "tls"
                type = "tls"
                host = "127.0.0.1"
                port = %d
                timeout = "1s"

                [[check]]
                name = "command"
                type = "command"
                run = ["/bin/sh", "-c", "echo $$ > '%s'; exec sleep 600"]
                timeout = "1s"
                """.formatted(port, port, pidFile), dir));
        runner = new CheckRunner(config.checks(), new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2)::create,
                store, time, time);

        for (int run = 1; run <= 2; run++) {
            List<CheckRunner.Outcome> outcomes = runner.runAllOnce().get(60, TimeUnit.SECONDS);

            Map<String, String> messages = outcomes.stream()
                    .collect(Collectors.toMap(o -> o.config().name(), o -> o.result().message()));
            // The runner's cut runs on the fake clock, which this test does not step: each check's own timeout,
            // on the real targets, is what ends it, and says so.
            assertThat(messages).as("run %d", run).containsOnly(
                    Map.entry("http", "http://127.0.0.1:" + port + "/health: no answer within 1.0 s"),
                    Map.entry("tls", "127.0.0.1:" + port + ": no answer within 1.0 s"),
                    Map.entry("command", "/bin/sh did not finish within 1.0 s; stopped it"));
            assertThat(outcomes).allSatisfy(o -> assertThat(o.result().ok()).isFalse());
            assertThat(runner.statuses()).extracting(CheckStatus::status).containsOnly(Status.DOWN);
            assertThat(runner.statuses()).extracting(CheckStatus::failures).containsOnly((long) run);
            assertThat(failuresTotal()).containsOnly(Map.entry("http", (double) run), Map.entry("tls", (double) run),
                    Map.entry("command", (double) run));
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            // Stopped by the interrupted worker, just after the runner has answered.
            await().atMost(Duration.ofSeconds(20)).until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                    .orElse(false));
        }
    }

    private Map<String, Double> failuresTotal() {
        return store.fresh(time.nanoTime()).stream()
                .filter(s -> s.key().family().name().equals("rollguard_check_failures_total"))
                .collect(Collectors.toMap(s -> s.key().labels().get("check"), Series::value));
    }
}
