package io.rollguard.config;

import java.time.Duration;
import java.util.List;

/**
 * A {@code [sample.NAME]} table: whether the sampler runs and how often.
 *
 * @param period null when not configured: the sampler's own default applies (every tick for CPU and memory,
 *     10 s for filesystems, ...)
 */
public record SamplerSettings(boolean enabled, Duration period) {
    /** The samplers a {@code [sample.NAME]} table may name, in the order they run: the catalogue's. */
    public static final List<String> NAMES = List.copyOf(MetricCatalogue.SAMPLERS.keySet());

    public static final SamplerSettings DEFAULT = new SamplerSettings(true, null);

    /** The configured period, or {@code fallback} when the file sets none. */
    public Duration periodOr(Duration fallback) {
        return period == null ? fallback : period;
    }
}
