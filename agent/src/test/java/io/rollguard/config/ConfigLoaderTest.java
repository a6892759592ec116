package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
    private static final Path TESTDATA = Path.of("src/test/resources/testdata");

    @Test
    void embeddedDefaultIsValidAndUsesTheDocumentedDefaults() throws ConfigException {
        Config config = ConfigLoader.loadDefault();

        assertThat(config.source()).isEqualTo("default.toml (embedded)");
        assertThat(config.agent().interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.agent().stateDir()).isEqualTo(Path.of("/var/lib/rollguard"));
        assertThat(config.agent().logLevel()).isEqualTo(LogLevel.INFO);
        assertThat(config.http().listen()).isEqualTo(new HostPort("0.0.0.0", 9730));
        assertThat(config.rules()).as("host rules in notify-only mode").extracting(RuleConfig::name)
                .containsExactly("memory-pressure", "filesystem-almost-full");
        assertThat(config.rules()).allSatisfy(rule -> assertThat(rule.actions()).isEmpty());
    }

    @Test
    void emptyFileMeansEveryDefault() throws ConfigException {
        Config config = ConfigLoader.parse(new ConfigSource("empty.toml", "", Path.of("/etc/rollguard")));

        assertThat(config.agent()).isEqualTo(new AgentSettings(
                AgentSettings.DEFAULT_INTERVAL, AgentSettings.DEFAULT_STATE_DIR, LogLevel.INFO, false));
        assertThat(config.http()).isEqualTo(new HttpSettings(HttpSettings.DEFAULT_LISTEN));
        assertThat(config.sampler("cpu")).isEqualTo(SamplerSettings.DEFAULT);
    }

    @Test
    void readsEveryKeyOfAFullFile() throws ConfigException {
        Config config = ConfigLoader.load(TESTDATA.resolve("full.good.toml"));

        assertThat(config.agent().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.agent().stateDir())
                .as("a relative state_dir resolves against the file's directory")
                .isEqualTo(TESTDATA.toAbsolutePath().resolve("state"));
        assertThat(config.agent().logLevel()).isEqualTo(LogLevel.DEBUG);
        assertThat(config.http().listen()).isEqualTo(new HostPort("127.0.0.1", 0));
        assertThat(config.sampler("cpu")).isEqualTo(new SamplerSettings(true, Duration.ofSeconds(2)));
        assertThat(config.sampler("filesystem")).isEqualTo(new SamplerSettings(false, Duration.ofMinutes(1)));
        assertThat(config.sampler("memory").periodOr(Duration.ofSeconds(9))).isEqualTo(Duration.ofSeconds(9));
        assertThat(config.deploy().watch()).isEqualTo(Duration.ofMinutes(45));
        assertThat(config.deploy().baselineWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.deploy().onHealthy()).isEqualTo("cleanup");
        assertThat(config.deploy().watchPath()).as("a relative watch_path resolves against the file's directory")
                .isEqualTo(TESTDATA.toAbsolutePath().resolve("app/current"));
        assertThat(DeploySettings.DEFAULT.onHealthy()).isNull();
        assertThat(DeploySettings.DEFAULT.watchPath()).isNull();
        assertThat(DeploySettings.DEFAULT.baselineWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(ConfigLoader.loadDefault().deploy()).isEqualTo(DeploySettings.DEFAULT);
    }

    static Stream<String> badFiles() throws IOException {
        try (Stream<Path> files = Files.list(TESTDATA)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".bad.toml")).sorted()
                    .collect(Collectors.toList()).stream();
        }
    }

    /** Each bad file's problems, exactly as {@code rollguard validate} prints them, pinned in a golden .out file. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void reportsEveryProblemOfABadFileWithItsPosition(String file) throws IOException {
        String text = Files.readString(TESTDATA.resolve(file), StandardCharsets.UTF_8);
        Path golden = TESTDATA.resolve(file.replace(".toml", ".out"));

        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(new ConfigSource(file, text, Path.of("/etc/rollguard"))));

        assertThat(error).as("%s must be rejected", file).isNotNull();
        String actual = error.problems().stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
        assertThat(golden).as("golden file for %s; actual:%n%s", file, actual).exists();
        assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8).strip());
    }

    @Test
    void aMissingFileIsAProblemNotAnException(@TempDir Path dir) {
        Path missing = dir.resolve("nope.toml");

        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).problems())
                .isEqualTo(List.of(new ConfigProblem(missing.toString(), 0, 0, "cannot read configuration: no such file")));
    }

    @Test
    void aDirectoryIsAProblemNotAnException(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigLoader.load(dir))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir + ": cannot read configuration: is a directory, expected a file");
    }

    @Test
    void binaryGarbageIsAProblemNotAnException(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("garbage.toml");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": cannot read configuration: not valid UTF-8 text");
    }
}
