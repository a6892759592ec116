package io.rollguard.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.testing.Subprocess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollguard run} through the shipped launcher as systemd starts a {@code Type=notify} unit, and stops it. */
class SystemdNotifyIT {
    private static final Path LAUNCHER = Path.of(System.getProperty("rollguard.launcher", "../scripts/rollguard"));

    @TempDir
    Path dir;

    private Process agent;

    @AfterEach
    void stopAgent() throws InterruptedException {
        if (agent != null && agent.isAlive()) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void runTellsSystemdItIsReadyAliveAndStopping() throws Exception {
        Path config = Files.writeString(dir.resolve("rollguard.toml"), "[agent]\ninterval = \"1s\"\nstate_dir = \""
                + dir.resolve("state") + "\"\n[http]\nlisten = \"127.0.0.1:0\"\n");
        Path log = dir.resolve("agent.log");
        try (FakeNotifySocket systemd = new FakeNotifySocket(dir.resolve("notify").toString())) {
            ProcessBuilder builder = Subprocess.builder(List.of(LAUNCHER.toString(), "run", "--config", config.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("ROLLGUARD_JAR", System.getProperty("rollguard.jar", "target/rollguard.jar"));
            builder.environment().put("NOTIFY_SOCKET", systemd.name());
            builder.environment().put("WATCHDOG_USEC", "30000000");
            builder.environment().remove("WATCHDOG_PID");
            builder.environment().remove("JOURNAL_STREAM");
            agent = builder.start();

            await().atMost(Duration.ofSeconds(30)).until(() -> {
                assertThat(agent.isAlive()).as("agent died: %s", Files.readString(log)).isTrue();
                return systemd.lines().containsAll(List.of("READY=1", "WATCHDOG=1"));
            });
            assertThat(systemd.lines()).anyMatch(line -> line.matches("STATUS=\\d+ checks .*"));

            agent.destroy(); // SIGTERM, as systemctl stop sends it
            assertThat(agent.waitFor(15, TimeUnit.SECONDS)).as("stops within the bound").isTrue();
            assertThat(systemd.lines()).last().isEqualTo("STOPPING=1");
            assertThat(Files.readString(log)).doesNotContain("cannot notify systemd");
        }
    }
}
