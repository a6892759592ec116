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
}
