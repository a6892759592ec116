package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.ProcessSelector.CommandLinePattern;
import io.rollguard.config.ProcessSelector.PidFile;
import io.rollguard.config.ProcessSelector.SystemdUnit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProcessSettingsTest {
    private static final Path BASE = Path.of("/etc/rollguard");

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

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void reportsEveryProblemWithItsPosition(String file, List<String> expected) throws IOException {
        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(new ConfigSource(file, resource("/testdata/" + file), BASE)));

        assertThat(error).as("%s should not load", file).isNotNull();
        assertThat(error.problems()).map(ConfigProblem::toString).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                arguments("process-duplicate-name.bad.toml", List.of(
                        "process-duplicate-name.bad.toml:6:1: process[2].name: \"backend\" is already the name of"
                                + " process[1]")),
                arguments("process-no-selector.bad.toml", List.of(
                        "process-no-selector.bad.toml:4:1: process[1]: expected exactly one of match, pidfile or unit"
                                + " to select its processes")),
                arguments("process-several-selectors.bad.toml", List.of(
                        "process-several-selectors.bad.toml:4:1: process[1].pidfile: conflicts with match: give"
                                + " exactly one of match, pidfile or unit",
                        "process-several-selectors.bad.toml:5:1: process[1].unit: conflicts with match: give exactly"
                                + " one of match, pidfile or unit")),
                arguments("process-bad-regex.bad.toml", List.of(
                        "process-bad-regex.bad.toml:3:1: process[1].match: invalid regular expression at character 20:"
                                + " Unclosed group")),
                arguments("process-bad-name.bad.toml", List.of(
                        "process-bad-name.bad.toml:2:1: process[1].name: expected lower-case letters, digits, \"_\""
                                + " and \"-\" such as \"backend\", got \"Back End\"",
                        "process-bad-name.bad.toml:5:1: process[2]: missing required key \"name\"")),
                arguments("process-bad-unit.bad.toml", List.of(
                        "process-bad-unit.bad.toml:3:1: process[1].unit: expected a systemd unit name such as"
                                + " \"backend.service\", got \"../../etc\"",
                        "process-bad-unit.bad.toml:7:1: process[2].unit: expected a string in quotes, got the integer"
                                + " 42")),
                arguments("process-misspelt-key.bad.toml", List.of(
                        "process-misspelt-key.bad.toml:1:1: process[1]: expected exactly one of match, pidfile or unit"
                                + " to select its processes",
                        "process-misspelt-key.bad.toml:3:1: process[1].pid_file: unknown key (did you mean"
                                + " \"pidfile\"?); known keys in [process[1]]: name, match, pidfile, unit")),
                arguments("process-not-an-array.bad.toml", List.of(
                        "process-not-an-array.bad.toml:1:1: process: expected tables ([[process]]), got a table")));
    }

    private static Config parse(String text) throws ConfigException {
        return ConfigLoader.parse(new ConfigSource("rollguard.toml", text, BASE));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ProcessSettingsTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
