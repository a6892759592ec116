package io.rollguard.schedule;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Failures;
import io.rollguard.common.Human;
import io.rollguard.health.ComponentHealth;
import io.rollguard.health.Status;
import io.rollguard.sample.Sampler;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import io.rollguard.work.Workers;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private volatile long stuckSinceNanos; // when the run in flight started, for the message while it is stuck
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

    /**
     * Starts a run on {@code workers}, cut off at {@code budget} from now (the tick's sampling budget), and returns
     * it for {@link #finish}; null when the run of an earlier tick is still going: the sampler is stuck, and holds
     * the one worker it has, never more.
     */
    Run start(long nowNanos, Workers workers, Duration budget) {
        ran = true;
        nextDueNanos = nowNanos + period.toNanos();
        if (!inFlight.compareAndSet(false, true)) {
            lastDurationSeconds = (time.nanoTime() - stuckSinceNanos) / 1e9;
            failed("still running since an earlier tick (" + Human.seconds(lastDurationSeconds) + ")");
            return null;
        }
        Run run = new Run(nowNanos, budget);
        try {
            workers.start(run::execute, budget, run::expire);
        } catch (RejectedExecutionException e) {
            inFlight.set(false);
            return null; // stopping
        }
        return run;
    }

    /** Waits for {@code run}, which its worker or its budget settles, and publishes it; on the tick's thread. */
    void finish(Run run) {
        Outcome outcome = run.outcome.join();
        lastDurationSeconds = outcome.durationSeconds();
        if (outcome.series() != null) {
            store.replace(owner(), outcome.series(), run.dueNanos, period, period.multipliedBy(STALE_AFTER_PERIODS));
            succeeded();
        } else {
            failed(outcome.failure());
        }
    }

    /** Whether a run is going on now: between ticks, only a stuck one is. */
    boolean inFlight() {
        return inFlight.get();
    }

    /** The series a run wrote, or why it wrote none. */
    private record Outcome(SeriesWriter series, String failure, double durationSeconds) {}

    /** One run of the sampler: whichever comes first, its end on the worker or its budget, settles it. */
    final class Run {
        private static final int QUEUED = 0;
        private static final int RUNNING = 1;
        private static final int SETTLED = 2;

        private final long dueNanos;
        private final Duration budget;
        private final long queuedNanos = time.nanoTime();
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

        Run(long dueNanos, Duration budget) {
            this.dueNanos = dueNanos;
            this.budget = budget;
        }

        void execute() {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return; // its budget ran out while it waited for the worker
            }
            long started = time.nanoTime();
            stuckSinceNanos = started;
            Outcome result;
            try {
                SeriesWriter out = new SeriesWriter();
                sampler.sample(out);
                result = new Outcome(out, null, (time.nanoTime() - started) / 1e9);
            } catch (Exception e) { // isolation: whatever one sampler throws must not reach the tick or other samplers
                result = new Outcome(null, Failures.describe(e), (time.nanoTime() - started) / 1e9);
            } finally {
                inFlight.set(false);
            }
            if (state.compareAndSet(RUNNING, SETTLED)) {
                outcome.complete(result);
            }
        }

        /** At the budget: settles the run as over budget; true when the worker running it is to be interrupted. */
        boolean expire() {
            int was = state.getAndSet(SETTLED);
            if (was == SETTLED) {
                return false;
            }
            if (was == QUEUED) {
                inFlight.set(false); // it never started: nothing holds a worker
            }
            outcome.complete(new Outcome(null, (was == QUEUED ? "did not start" : "did not finish")
                    + " within the tick's sampling budget of " + Human.seconds(budget.toNanos() / 1e9),
                    (time.nanoTime() - queuedNanos) / 1e9));
            return was == RUNNING;
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
