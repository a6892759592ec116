package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;

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
    void filesAllowedOnlyByAllowInsecurePermissionsAreLoggedAtStart(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("rollguard.toml"), """
                [agent]
                allow_insecure_permissions = true
                state_dir = "state"
                """);
        java.nio.file.Files.setPosixFilePermissions(file,
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Agent.class);
        logged.start();
        logger.addAppender(logged);
        try (Agent agent = new Agent(ConfigLoader.load(file), TimeSource.system(), java.util.List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 0, () -> 0))) {
            assertThat(logged.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .contains("would refuse to load config file " + file + ": it is writable by its group and "
                            + "others; fix with: chmod go-w " + file + " (allowed by [agent] allow_insecure_permissions)");
        } finally {
            logger.detachAppender(logged);
        }
    }

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
        try (Agent agent = new Agent(config, new io.rollguard.time.FakeTime(), HostSamplers.create(system, config),
                CheckFactory.forHost(system))) {
            agent.start(false);
            agent.tick();

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

        assertThat(Agent.stateDirectory(embedded, dir -> true, Map.of(), "/home/ann"))
                .isEqualTo(Path.of("/var/lib/rollguard"));
        assertThat(Agent.stateDirectory(embedded, dir -> false, Map.of(), "/home/ann"))
                .isEqualTo(Path.of("/home/ann/.local/state/rollguard"));
        assertThat(Agent.stateDirectory(embedded, dir -> false, Map.of("XDG_STATE_HOME", "/run/user/1000/state"),
                "/home/ann")).isEqualTo(Path.of("/run/user/1000/state/rollguard"));
        assertThat(Agent.stateDirectory(embedded, dir -> true, Map.of("STATE_DIRECTORY", "/srv/state:/srv/other"),
                "/home/ann")).as("systemd's StateDirectory= wins, the first of several")
                .isEqualTo(Path.of("/srv/state"));
        assertThat(Agent.stateDirectory(explicit, dir -> false, Map.of("STATE_DIRECTORY", "/srv/state"), "/home/ann"))
                .as("a configuration that names a directory gets exactly that one")
                .isEqualTo(Path.of("/var/lib/rollguard"));
    }

    /**
     * Rules are evaluated on the tick's grid time, as Prometheus evaluates on its own grid: {@code for = 15s} at a
     * 5 s interval fires at the 4th evaluation whether the thread woke late or early. Stamped with the time the
     * thread woke, the 4th tick below (a millisecond early) held 14.999 s and fired only at the 5th.
     */
    @Test
    void forCountsGridIntervalsWhateverTheTicksJitter(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Config config = ConfigLoader.parse(new ConfigSource("grid.toml", """
                [agent]
                interval = "5s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"
                [[rule]]
                name = "always"
                when = "build_info == 1"
                for = "15s"
                """.formatted(dir.resolve("state")), dir));
        io.rollguard.time.FakeTime time = new io.rollguard.time.FakeTime();
        try (Agent agent = new Agent(config, time, java.util.List.of(),
                new CheckFactory(java.time.Clock.systemUTC(), () -> 0, () -> 0))) {
            agent.start(false);
            java.util.List<Duration> wakeUps = java.util.List.of(Duration.ZERO, Duration.ofMillis(5_003),
                    Duration.ofMillis(4_998), Duration.ofMillis(4_998));
            java.util.List<io.rollguard.rule.RuleState> states = new java.util.ArrayList<>();
            for (Duration wakeUp : wakeUps) {
                time.advance(wakeUp);
                agent.tick();
                states.add(agent.health().rules().get(0).state());
            }
            assertThat(states).containsExactly(io.rollguard.rule.RuleState.PENDING,
                    io.rollguard.rule.RuleState.PENDING, io.rollguard.rule.RuleState.PENDING,
                    io.rollguard.rule.RuleState.FIRING);
        }
    }
}
