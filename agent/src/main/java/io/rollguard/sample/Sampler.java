package io.rollguard.sample;

import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.time.Duration;

/**
 * Reads one aspect of the host and writes what it saw as series. A sampler keeps no view of other samplers and
 * need not guard itself: the scheduler times every run, isolates a failure (the sampler's series go stale, nothing
 * else is affected) and reports it once.
 */
public interface Sampler {
    /** The short name used in {@code rollguard_sampler_*{sampler="..."}} and in logs, such as {@code cpu}. */
    String name();

    /** Reads the host once and writes every series of this sampler into {@code out}. */
    void sample(SeriesWriter out) throws IOException;

    /** How often it runs by default, given the agent's tick: every tick unless reading is costly or slow to change. */
    default Duration defaultPeriod(Duration tick) {
        return tick;
    }
}
