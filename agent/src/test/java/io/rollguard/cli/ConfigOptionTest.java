package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigOptionTest {
    @TempDir
    Path dir;

    @Test
    void theFileNamedWins() throws IOException, ConfigException {
        ConfigOption option = new ConfigOption();
        option.file = Files.writeString(dir.resolve("mine.toml"), "");
        Path system = Files.writeString(dir.resolve("system.toml"), "");

        assertThat(option.load(system).source()).isEqualTo(option.file.toString());
    }

    @Test
    void withoutOneTheSystemFileIsReadWhenPresent() throws IOException, ConfigException {
        Path system = Files.writeString(dir.resolve("rollguard.toml"), "");

        assertThat(new ConfigOption().load(system).source()).isEqualTo(system.toString());
    }

    @Test
    void withNeitherTheEmbeddedDefaultIsUsed() throws ConfigException {
        assertThat(new ConfigOption().load(dir.resolve("absent.toml")).source()).isEqualTo("default.toml (embedded)");
    }
}
