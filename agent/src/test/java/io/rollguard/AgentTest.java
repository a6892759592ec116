package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.health.ComponentHealth;
import io.rollguard.sample.HostSamplers;
import io.rollguard.time.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

class AgentTest {
    @Test
    void samplerTablesDisableSamplersAndSetTheirPeriods(@org.junit.jupiter.api.io.TempDir Path stateDir) throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("test.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                [sample.cpu]
                period = "3s"
                [sample.filesystem]
                enabled = false
                """.formatted(stateDir), Path.of(".")));

        SystemInfo system = new SystemInfo();
        try (Agent agent = new Agent(config, TimeSource.system(), HostSamplers.create(system, config),
                CheckFactory.forHost(system))) {
            agent.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> !agent.health().samplers().isEmpty());

            Map<String, Duration> periods = agent.health().samplers().stream()
                    .collect(Collectors.toMap(ComponentHealth::name, ComponentHealth::period));
            assertThat(periods).containsEntry("cpu", Duration.ofSeconds(3)).containsEntry("memory", Duration.ofSeconds(1))
                    .doesNotContainKey("filesystem");
        }
    }

    @Test
    void theEmbeddedDefaultFallsBackToTheUsersOwnStateDirectory() throws Exception {
        Config embedded = ConfigLoader.loadDefault();
        Config explicit = ConfigLoader.parse(new ConfigSource("/etc/rollguard/rollguard.toml", "", Path.of("/etc")));

        assertThat(Agent.stateDirectory(embedded, dir -> true, null, "/home/ann")).isEqualTo(Path.of("/var/lib/rollguard"));
        assertThat(Agent.stateDirectory(embedded, dir -> false, null, "/home/ann"))
                .isEqualTo(Path.of("/home/ann/.local/state/rollguard"));
        assertThat(Agent.stateDirectory(embedded, dir -> false, "/run/user/1000/state", "/home/ann"))
                .isEqualTo(Path.of("/run/user/1000/state/rollguard"));
        assertThat(Agent.stateDirectory(explicit, dir -> false, null, "/home/ann"))
                .as("a configuration that names a directory gets exactly that one")
                .isEqualTo(Path.of("/var/lib/rollguard"));
    }
}
