package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code [agent]} table.
 *
 * @param interval the tick: how often samplers may run and rules are evaluated
 * @param stateDir where the journal and the persisted state live
 * @param dryRun whether every action only records what it would do, whatever its own {@code dry_run} says
 * @param allowInsecurePermissions whether files others could change (configuration, token files, action programs)
 *     are only warned about instead of refused: for development
 */
public record AgentSettings(Duration interval, Path stateDir, LogLevel logLevel, boolean dryRun,
        boolean allowInsecurePermissions) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/rollguard");

    public AgentSettings {
        requireNonNull(interval, "interval");
        requireNonNull(stateDir, "stateDir");
        requireNonNull(logLevel, "logLevel");
    }

    public AgentSettings(Duration interval, Path stateDir, LogLevel logLevel, boolean dryRun) {
        this(interval, stateDir, logLevel, dryRun, false);
    }
}
