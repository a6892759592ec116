package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.process.ProcessSelector.CommandLinePattern;
import io.rollguard.config.process.ProcessSelector.PidFile;
import io.rollguard.config.process.ProcessSelector.SystemdUnit;
import io.rollguard.config.process.ProcessSelector;
import io.rollguard.config.process.ProcessSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProcessSettingsTest {
    private static final Path BASE = Path.of("/etc/rollguard");
    private static final Path TESTDATA = Path.of("src/test/resources/testdata");

    @Test
    void readsOneEntryPerSelectorKind() throws ConfigException {
        Config config = parse("""
                [[process]]
                name = "backend"
                match = "python.*src/main.py"

                [[process]]
                name = "frontend"
                pidfile = "run/frontend.pid"

                [[process]]
                name = "imaging_pipeline-2"
                unit = "dsa110-pipeline.service"
                """);

        assertThat(config.processes()).containsExactly(
                new ProcessSettings("backend", new CommandLinePattern(Pattern.compile("python.*src/main.py"))),
                new ProcessSettings("frontend", new PidFile(Path.of("/etc/rollguard/run/frontend.pid"))),
                new ProcessSettings("imaging_pipeline-2", new SystemdUnit("dsa110-pipeline.service")));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("unitNames")
    void unitWithoutTypeMeansTheService(String given, String unit) throws ConfigException {
        Config config = parse("[[process]]\nname = \"x\"\nunit = \"" + given + "\"\n");

        assertThat(config.processes()).containsExactly(new ProcessSettings("x", new SystemdUnit(unit)));
    }

    static Stream<Arguments> unitNames() {
        return Stream.of(
                arguments("backend", "backend.service"),
                arguments("backend.service", "backend.service"),
                arguments("worker@2.service", "worker@2.service"),
                arguments("session-4.scope", "session-4.scope"),
                arguments("v.track", "v.track.service"));
    }

    @Test
    void noEntryIsNoProcess() throws ConfigException {
        assertThat(parse("").processes()).isEmpty();
        assertThat(ConfigLoader.loadDefault().processes()).isEmpty();
    }

    @Test
    void theProcessSamplerHasASampleTable() throws ConfigException {
        Config config = parse("""
                [sample.processes]
                enabled = false
                """);

        assertThat(config.sampler("processes").enabled()).isFalse();
    }

    private static Config parse(String text) throws ConfigException {
        return ConfigLoader.parse(new ConfigSource("rollguard.toml", text, BASE));
    }
}
