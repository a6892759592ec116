package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The {@code [deploy]} table.
 *
 * @param watch how long a deployment's watch window stays open when {@code deploy start} does not say
 */
public record DeploySettings(Duration watch) {
    public static final Duration DEFAULT_WATCH = Duration.ofMinutes(30);
    /** Bounds of a watch window, from the configuration or from a {@code deploy start}. */
    public static final Duration MIN_WATCH = Duration.ofSeconds(1);
    public static final Duration MAX_WATCH = Duration.ofDays(7);
    public static final DeploySettings DEFAULT = new DeploySettings(DEFAULT_WATCH);

    public DeploySettings {
        requireNonNull(watch, "watch");
    }
}
