package io.rollguard.schedule;

import static java.util.Objects.requireNonNull;

import io.rollguard.health.ComponentHealth;
import io.rollguard.common.Failures;
import io.rollguard.health.Status;
import io.rollguard.sample.Sampler;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one sampler on its own period and keeps its health. A failing run publishes nothing, so the sampler's
 * series go stale after three periods; the failure is logged when it starts and when it ends, never per tick.
 */
public final class SamplerRunner {
    private static final Logger log = LoggerFactory.getLogger(SamplerRunner.class);

    static final MetricFamily SUCCESS = MetricFamily.gauge("rollguard_sampler_success",
            "1 if the sampler's last run succeeded, 0 if it failed.");
    static final MetricFamily DURATION = MetricFamily.gauge("rollguard_sampler_duration_seconds",
            "How long the sampler's last run took.");
    static final MetricFamily ERRORS = MetricFamily.counter("rollguard_sampler_errors_total",
            "Runs of the sampler that failed.");

    private static final int STALE_AFTER_PERIODS = 3;

    private final Sampler sampler;
    private final Duration period;
    private final long toleranceNanos;
    private final SeriesStore store;
    private final TimeSource time;
    private final LabelSet labels;

    private boolean ran;
    private long nextDueNanos;
    private Status status = Status.UNKNOWN;
    private Instant since;
    private String message = "";
    private long errors;
    private double lastDurationSeconds = Double.NaN;

    /**
     * @param tolerance how early a run may start: half a tick, so that a sampler whose period equals the tick never
     *     skips one because the tick came a millisecond early
     */
    public SamplerRunner(Sampler sampler, Duration period, Duration tolerance, SeriesStore store, TimeSource time) {
        this.sampler = requireNonNull(sampler, "sampler");
        this.period = requireNonNull(period, "period");
        this.toleranceNanos = tolerance.toNanos();
        this.store = requireNonNull(store, "store");
        this.time = requireNonNull(time, "time");
        this.labels = LabelSet.of("sampler", sampler.name());
        this.since = time.now();
    }

    public String name() {
        return sampler.name();
    }

    /** The period it runs at, to tell whether a reload changes it. */
    public Duration period() {
        return period;
    }

    boolean isDue(long nowNanos) {
        return !ran || nowNanos - nextDueNanos >= -toleranceNanos;
    }

    /** Runs the sampler once; never throws. */
    void run(long nowNanos) {
        ran = true;
        nextDueNanos = nowNanos + period.toNanos();
        SeriesWriter out = new SeriesWriter();
        long started = time.nanoTime();
        try {
            sampler.sample(out);
            lastDurationSeconds = (time.nanoTime() - started) / 1e9;
            store.replace(owner(), out, nowNanos, period, period.multipliedBy(STALE_AFTER_PERIODS));
            succeeded();
        } catch (Exception e) { // isolation: whatever one sampler throws must not reach the tick or other samplers
            lastDurationSeconds = (time.nanoTime() - started) / 1e9;
            failed(Failures.describe(e));
        }
    }

    private void succeeded() {
        if (status == Status.DOWN) {
            log.info("sampler {} recovered after {} failed runs", sampler.name(), errors);
        }
        transition(Status.UP, "");
    }

    private void failed(String reason) {
        errors++;
        if (status != Status.DOWN) {
            log.warn("sampler {} failing: {} (its series go stale; logged again when it recovers)",
                    sampler.name(), reason);
        }
        transition(Status.DOWN, reason);
    }

    private void transition(Status next, String reason) {
        if (next != status) {
            since = time.now();
        }
        status = next;
        message = reason;
    }

    void writeSelfMetrics(SeriesWriter out) {
        if (!ran) {
            return;
        }
        out.put(SUCCESS, labels, status == Status.UP ? 1 : 0);
        out.put(DURATION, labels, lastDurationSeconds);
        out.put(ERRORS, labels, errors);
    }

    ComponentHealth health() {
        return new ComponentHealth(sampler.name(), status, since, message, period, lastDurationSeconds, errors);
    }

    String owner() {
        return "sampler:" + sampler.name();
    }
}
