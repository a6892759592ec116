package io.rollguard.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.Agent;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.sample.HostSamplers;
import io.rollguard.time.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;

/** A real agent under a fake systemd: what {@code Type=notify} and {@code WatchdogSec=} rely on. */
class AgentSystemdNotifyTest {
    @Test
    void aRunningAgentSaysReadyPingsTheWatchdogReportsStatusAndSaysStopping(@TempDir Path dir) throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                """.formatted(dir.resolve("state")), Path.of(".")));
        SystemInfo system = new SystemInfo();
        long pid = ProcessHandle.current().pid();

        try (FakeNotifySocket systemd = new FakeNotifySocket(dir.resolve("notify").toString())) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.name(),
                    "WATCHDOG_USEC", "3000000", "WATCHDOG_PID", Long.toString(pid)), pid);
            Agent agent = new Agent(config, TimeSource.system(), HostSamplers.create(system, config),
                    CheckFactory.forHost(system), notifier);
            try (agent) {
                agent.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> systemd.lines().stream()
                        .filter("WATCHDOG=1"::equals).count() >= 2);

                assertThat(systemd.lines()).first().isEqualTo("READY=1");
                assertThat(systemd.lines()).filteredOn(line -> line.startsWith("STATUS="))
                        .first().asString().matches("STATUS=\\d+ checks \\(\\d+ failing\\), \\d+ rules \\(\\d+ firing\\), "
                                + "\\d+ latched");
                assertThat(systemd.lines()).filteredOn("READY=1"::equals).as("ready once").hasSize(1);
            }
            assertThat(systemd.lines()).last().isEqualTo("STOPPING=1");
        }
    }

    @Test
    void aReloadSaysReloadingThenReadyWhetherTheFileIsGoodOrBroken(@TempDir Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("rollguard.toml"), """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                """.formatted(dir.resolve("state")));
        Config config = ConfigLoader.load(file);

        try (FakeNotifySocket systemd = new FakeNotifySocket(dir.resolve("notify").toString())) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.name()),
                    ProcessHandle.current().pid());
            try (Agent agent = new Agent(config, TimeSource.system(), java.util.List.of(),
                    CheckFactory.forHost(new SystemInfo()), notifier)) {
                agent.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> systemd.lines().contains("READY=1"));
                long before = System.nanoTime() / 1000;

                assertThat(agent.reloadAsync().get(30, java.util.concurrent.TimeUnit.SECONDS).reloaded()).isTrue();
                java.nio.file.Files.writeString(file, "[agent]\nintervall = \"1s\"\n");
                assertThat(agent.reloadAsync().get(30, java.util.concurrent.TimeUnit.SECONDS).reloaded()).isFalse();

                java.util.List<String> lines = systemd.lines().stream()
                        .filter(line -> line.startsWith("RELOADING=") || line.startsWith("READY=")
                                || line.startsWith("MONOTONIC_USEC="))
                        .toList();
                assertThat(lines).hasSize(7);
                assertThat(lines.get(0)).isEqualTo("READY=1");
                for (int reload = 0; reload < 2; reload++) {
                    assertThat(lines.get(1 + 3 * reload)).isEqualTo("RELOADING=1");
                    assertThat(lines.get(2 + 3 * reload)).startsWith("MONOTONIC_USEC=");
                    assertThat(Long.parseLong(lines.get(2 + 3 * reload).substring("MONOTONIC_USEC=".length())))
                            .as("CLOCK_MONOTONIC, as System.nanoTime reads it").isGreaterThanOrEqualTo(before);
                    assertThat(lines.get(3 + 3 * reload)).isEqualTo("READY=1");
                }
            }
        }
    }
}
