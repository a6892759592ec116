package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The text of a configuration and where it came from.
 *
 * @param name how problems name it: the path as the user gave it, or "default.toml (embedded)"
 * @param baseDirectory relative paths inside the file resolve against it
 */
public record ConfigSource(String name, String text, Path baseDirectory) {
    public ConfigSource {
        requireNonNull(name, "name");
        requireNonNull(text, "text");
        requireNonNull(baseDirectory, "baseDirectory");
    }
}
