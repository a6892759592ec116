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
    // The one place the host samplers are named: each sampler's name() returns its constant, a [sample.NAME] table
    // must name one of them, rollguard_sampler_*{sampler} carries it, and MetricCatalogue lists what each writes.
    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String FILESYSTEM = "filesystem";
    public static final String DISK = "disk";
    public static final String NETWORK = "network";
    public static final String SHM = "shm";
    public static final String PORTS = "ports";
    public static final String PROCESSES = "processes";

    /** The samplers a {@code [sample.NAME]} table may name, in the order they run: the catalogue's. */
    public static final List<String> NAMES = List.copyOf(MetricCatalogue.SAMPLERS.keySet());

    public static final SamplerSettings DEFAULT = new SamplerSettings(true, null);

    /** The configured period, or {@code fallback} when the file sets none. */
    public Duration periodOr(Duration fallback) {
        return period == null ? fallback : period;
    }
}
