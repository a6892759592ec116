package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code [deploy]} table.
 *
 * @param watch how long a deployment's watch window stays open when {@code deploy start} does not say
 * @param baselineWindow how much history before a deployment's start its baselines average
 * @param onHealthy the {@code [action.NAME]} run when a deployment becomes healthy; null for none
 * @param watchPath a symbolic link or file whose change starts a deployment; null for none
 * @param scorePass the canary score at or above which a deployment is promoted at its window's end
 * @param scoreMarginal the score at or above which (below {@code scorePass}) its window is extended once
 * @param onFail the {@code [action.NAME]} run when a deployment fails its canary score; null for none
 */
public record DeploySettings(Duration watch, Duration baselineWindow, String onHealthy, Path watchPath,
        long scorePass, long scoreMarginal, String onFail) {
    public static final long DEFAULT_SCORE_PASS = 95;
    public static final long DEFAULT_SCORE_MARGINAL = 75;
    public static final Duration DEFAULT_WATCH = Duration.ofMinutes(30);
    public static final Duration DEFAULT_BASELINE_WINDOW = Duration.ofMinutes(10);
    public static final Duration MIN_BASELINE_WINDOW = Duration.ofSeconds(1);
    public static final Duration MAX_BASELINE_WINDOW = Duration.ofHours(6);
    /** Bounds of a watch window, from the configuration or from a {@code deploy start}. */
    public static final Duration MIN_WATCH = Duration.ofSeconds(1);
    public static final Duration MAX_WATCH = Duration.ofDays(7);
    public static final DeploySettings DEFAULT = new DeploySettings(DEFAULT_WATCH);

    public DeploySettings {
        requireNonNull(watch, "watch");
        requireNonNull(baselineWindow, "baselineWindow");
        if (scoreMarginal < 0 || scoreMarginal > scorePass || scorePass > 100) {
            throw new IllegalArgumentException("0 <= score_marginal <= score_pass <= 100, got " + scoreMarginal + " and "
                    + scorePass);
        }
    }

    public DeploySettings(Duration watch, Duration baselineWindow, String onHealthy, Path watchPath) {
        this(watch, baselineWindow, onHealthy, watchPath, DEFAULT_SCORE_PASS, DEFAULT_SCORE_MARGINAL, null);
    }

    public DeploySettings(Duration watch) {
        this(watch, DEFAULT_BASELINE_WINDOW);
    }

    public DeploySettings(Duration watch, Duration baselineWindow) {
        this(watch, baselineWindow, null, null);
    }
}
