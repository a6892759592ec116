package io.rollguard.config.process;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * How a {@code [[process]]} entry finds its processes: exactly one of a command-line pattern, a pidfile or a
 * systemd unit.
 */
public sealed interface ProcessSelector {
    <R> R accept(Visitor<R> visitor);

    /** One method per kind of selector, so that a new kind breaks every visitor at compile time. */
    interface Visitor<R> {
        R commandLine(CommandLinePattern selector);

        R pidFile(PidFile selector);

        R systemdUnit(SystemdUnit selector);
    }

    /**
     * {@code match}: every process whose command line, arguments joined by spaces as {@code ps aux} shows them,
     * contains a match of the pattern ({@link java.util.regex.Matcher#find()}, like {@code grep}).
     */
    record CommandLinePattern(Pattern pattern) implements ProcessSelector {
        public CommandLinePattern {
            requireNonNull(pattern, "pattern");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.commandLine(this);
        }

        // Pattern has identity equality; two configurations with the same regex must compare equal.
        @Override
        public boolean equals(Object other) {
            return other instanceof CommandLinePattern
                    && pattern.pattern().equals(((CommandLinePattern) other).pattern.pattern())
                    && pattern.flags() == ((CommandLinePattern) other).pattern.flags();
        }

        @Override
        public int hashCode() {
            return pattern.pattern().hashCode();
        }
    }

    /** {@code pidfile}: the one process whose pid the file holds, if it is running. */
    record PidFile(Path path) implements ProcessSelector {
        public PidFile {
            requireNonNull(path, "path");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.pidFile(this);
        }
    }

    /** {@code unit}: every process in the cgroup of a systemd unit, such as {@code backend.service}. */
    record SystemdUnit(String unit) implements ProcessSelector {
        public SystemdUnit {
            requireNonNull(unit, "unit");
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.systemdUnit(this);
        }
    }
}
