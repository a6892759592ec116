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
}
