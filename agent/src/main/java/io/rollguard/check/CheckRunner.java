package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Failures;
import io.rollguard.common.Human;
import io.rollguard.config.CheckConfig;
import io.rollguard.config.ConfigDiff;
import io.rollguard.health.CheckStatus;
import io.rollguard.health.Status;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.SystemTimer;
import io.rollguard.time.TimeSource;
import io.rollguard.time.Timer;
import io.rollguard.work.Workers;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs checks on a bounded worker pool, never on the scheduler thread, each cut off at its timeout. A check has at
 * most one run in flight: a check that hangs holds one worker, never more, and cannot delay the others, because the
 * pool has a thread per check (up to {@link #MAX_WORKERS}). Results land in the store and in {@link #statuses()}.
 */
public final class CheckRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CheckRunner.class);

    static final MetricFamily UP = MetricFamily.gauge("rollguard_check_up", "1 if the check's last run passed, 0 if it failed.");
    static final MetricFamily DURATION = MetricFamily.gauge("rollguard_check_duration_seconds",
            "How long the check's last run took.");
    static final MetricFamily VALUE = MetricFamily.gauge("rollguard_check_value",
            "The check's natural number from its last run: latency in seconds, free bytes, a count.");
    static final MetricFamily FIELD = MetricFamily.gauge("rollguard_check_field",
            "A number extracted from the check's answer (extract = { field = \"/json/pointer\" }).");
    static final MetricFamily FAILURES = MetricFamily.counter("rollguard_check_failures_total",
            "Runs of the check that failed.");

    static final int MAX_WORKERS = 16;

    // Replaced whole by reconfigure(), on the scheduler thread; read by the workers and the API.
    private volatile List<ScheduledCheck> checks;
    private final Function<CheckConfig, Check> factory;
    private final SeriesStore store;
    private final TimeSource time;
    private final Workers workers;
    /** The timer this runner made for itself ({@code rollguard check}), closed with it; null when the agent's. */
    private final SystemTimer ownTimer;
    private final boolean logTransitions;
    private volatile Runnable onStatusChange = () -> {};

    /** A check, its configuration and what its runs found so far. */
    private final class ScheduledCheck {
        final CheckConfig config;
        final Check check;
        final LabelSet labels;
        final AtomicBoolean inFlight = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();
        // Set when a reload removed or replaced the check: a run still in flight ends unrecorded.
        volatile boolean retired;
        boolean started;
        long nextDueNanos;
        volatile CheckStatus status;

        ScheduledCheck(CheckConfig config, Check check) {
            this.config = config;
            this.check = check;
            this.labels = LabelSet.of("check", config.name());
            this.status = new CheckStatus(config.name(), config.type(), config.critical(), config.tags(),
                    config.interval(), Status.UNKNOWN, time.now(), "not run yet", Double.NaN, Double.NaN, 0);
        }
    }

    /** The outcome of one run, as {@code rollguard check} reports it. */
    public record Outcome(CheckConfig config, CheckResult result, double durationSeconds) {}

    /** The daemon's runner. @param factory builds each configuration's check: {@code CheckFactory::create} */
    public CheckRunner(List<CheckConfig> configs, Function<CheckConfig, Check> factory, SeriesStore store,
            TimeSource time, Timer timer) {
        this(configs, factory, store, time, timer, null, true);
    }

    /** For {@code rollguard check}: the checklist it prints says what failed, so the runner logs nothing. */
    public static CheckRunner forChecklist(List<CheckConfig> configs, Function<CheckConfig, Check> factory) {
        SystemTimer timer = new SystemTimer("rollguard-check-timer");
        return new CheckRunner(configs, factory, new SeriesStore(), TimeSource.system(), timer, timer, false);
    }

    private CheckRunner(List<CheckConfig> configs, Function<CheckConfig, Check> factory, SeriesStore store,
            TimeSource time, Timer timer, SystemTimer ownTimer, boolean logTransitions) {
        this.ownTimer = ownTimer;
        this.logTransitions = logTransitions;
        this.store = requireNonNull(store, "store");
        this.time = requireNonNull(time, "time");
        this.factory = requireNonNull(factory, "factory");
        List<ScheduledCheck> scheduled = new ArrayList<>();
        for (CheckConfig config : configs) {
            scheduled.add(new ScheduledCheck(config, factory.apply(config)));
        }
        this.checks = List.copyOf(scheduled);
        this.workers = new Workers("rollguard-check", poolSize(checks.size()), timer);
    }

    private static int poolSize(int checks) {
        return Math.max(1, Math.min(checks, MAX_WORKERS));
    }

    /**
     * Takes a reloaded configuration's checks, on the thread that calls {@link #startDue}. A check whose
     * configuration is unchanged keeps its last result and its schedule; a changed one starts afresh (not run yet,
     * due at once); a removed one stops: its series leave the store, and a run in flight is not waited for but
     * ends unrecorded, after which the check is closed.
     */
    public void reconfigure(List<CheckConfig> configs) {
        Map<String, ScheduledCheck> old = new LinkedHashMap<>();
        checks.forEach(scheduled -> old.put(scheduled.config.name(), scheduled));
        List<ScheduledCheck> next = new ArrayList<>();
        for (CheckConfig config : configs) {
            ScheduledCheck previous = old.get(config.name());
            if (previous != null && ConfigDiff.same(previous.config, config)) {
                old.remove(config.name());
                next.add(previous);
            } else {
                next.add(new ScheduledCheck(config, factory.apply(config)));
            }
        }
        Set<String> kept = new HashSet<>();
        configs.forEach(config -> kept.add(config.name()));
        for (ScheduledCheck retired : old.values()) {
            retire(retired);
            if (!kept.contains(retired.config.name())) {
                store.remove("check:" + retired.config.name());
            }
        }
        // A retired check's run in flight holds a worker until it ends: the others must not wait for it.
        long stillRunning = old.values().stream().filter(scheduled -> scheduled.inFlight.get()).count();
        workers.resize(poolSize(next.size() + (int) stillRunning));
        checks = List.copyOf(next);
    }

    private void retire(ScheduledCheck scheduled) {
        scheduled.retired = true;
        // A run in flight closes the check when it ends; see Run.execute.
        if (!scheduled.inFlight.get()) {
            closeCheck(scheduled);
        }
    }

    /** Starts every check whose interval has come round and that has no run in flight. Returns at once. */
    public void startDue(long nowNanos) {
        for (ScheduledCheck scheduled : checks) {
            boolean due = !scheduled.started || nowNanos - scheduled.nextDueNanos >= 0;
            if (due && scheduled.inFlight.compareAndSet(false, true)) {
                scheduled.started = true;
                scheduled.nextDueNanos = nowNanos + scheduled.config.interval().toNanos();
                start(scheduled);
            }
        }
    }

    /** Runs every check once, concurrently, and completes when each has a result: {@code rollguard check}. */
    public CompletableFuture<List<Outcome>> runAllOnce() {
        List<CompletableFuture<Outcome>> runs = new ArrayList<>();
        for (ScheduledCheck scheduled : checks) {
            scheduled.inFlight.set(true);
            runs.add(start(scheduled));
        }
        return CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> runs.stream().map(CompletableFuture::join).toList());
    }

    /** The result of running checks until they pass: whether they all did in time, and the last failures if not. */
    public record Verification(boolean passed, String message) {}

    /**
     * Runs the named checks again and again, {@code pause} apart, until they all pass or {@code within} is over: the
     * "verify the rollback" step of every seed's rollback plan. Never runs on the caller's thread.
     */
    public CompletableFuture<Verification> verify(List<String> names, Duration within, Duration pause) {
        List<ScheduledCheck> selected = checks.stream().filter(c -> names.contains(c.config.name())).toList();
        CompletableFuture<Verification> result = new CompletableFuture<>();
        if (selected.size() != names.size()) {
            result.complete(new Verification(false, "unknown check among " + names));
            return result;
        }
        verifyAttempt(selected, time.nanoTime() + within.toNanos(), pause, within, result);
        return result;
    }

    private void verifyAttempt(List<ScheduledCheck> selected, long deadlineNanos, Duration pause, Duration within,
            CompletableFuture<Verification> result) {
        List<CompletableFuture<Outcome>> runs = new ArrayList<>();
        for (ScheduledCheck scheduled : selected) {
            // A run already in flight is not joined: verification wants a run that starts after the rollback.
            runs.add(start(scheduled, false));
        }
        CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0])).whenComplete((done, error) -> {
            List<String> failures = runs.stream().map(CompletableFuture::join).filter(o -> !o.result().ok())
                    .map(o -> o.config().name() + ": " + o.result().message()).toList();
            if (failures.isEmpty()) {
                result.complete(new Verification(true, "all of " + names(selected) + " pass"));
            } else if (time.nanoTime() + pause.toNanos() > deadlineNanos) {
                result.complete(new Verification(false, "not passing after " + Human.seconds(within.toNanos() / 1e9)
                        + ": " + String.join("; ", failures)));
            } else {
                workers.timer().schedule(pause, () -> verifyAttempt(selected, deadlineNanos, pause, within, result));
            }
        });
    }

    private static String names(List<ScheduledCheck> selected) {
        return String.join(", ", selected.stream().map(s -> s.config.name()).toList());
    }

    /**
     * Called, on the worker that ran the check, whenever a check's status changes: the agent evaluates its rules at
     * once instead of at the next tick, so a breach reaches its action within one check interval.
     */
    public void onStatusChange(Runnable listener) {
        this.onStatusChange = requireNonNull(listener, "listener");
    }

    public List<CheckStatus> statuses() {
        return checks.stream().map(s -> s.status).toList();
    }

    /** Each check that keeps recent lines (the log checks) and those lines, oldest first, in configuration order. */
    public Map<String, List<String>> recentMatches() {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        for (ScheduledCheck scheduled : checks) {
            List<String> recent = scheduled.check.recentMatches();
            if (!recent.isEmpty()) {
                lines.put(scheduled.config.name(), recent);
            }
        }
        return lines;
    }

    private CompletableFuture<Outcome> start(ScheduledCheck scheduled) {
        return start(scheduled, true);
    }

    /** @param ownsInFlight whether the run holds the check's in-flight mark (verification runs go alongside) */
    private CompletableFuture<Outcome> start(ScheduledCheck scheduled, boolean ownsInFlight) {
        Run run = new Run(scheduled, time.nanoTime(), ownsInFlight);
        workers.start(run::execute, scheduled.config.timeout(), run::expire);
        return run.outcome;
    }

    /** One run of one check: whichever comes first, its result or its timeout, settles it. */
    private final class Run {
        private final ScheduledCheck scheduled;
        private final long startedNanos;
        private final boolean ownsInFlight;
        private final AtomicBoolean settled = new AtomicBoolean();
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

        Run(ScheduledCheck scheduled, long startedNanos, boolean ownsInFlight) {
            this.scheduled = scheduled;
            this.startedNanos = startedNanos;
            this.ownsInFlight = ownsInFlight;
        }

        void execute() {
            try {
                CheckResult result;
                try {
                    result = scheduled.check.run();
                } catch (InterruptedException e) {
                    result = CheckResult.failed("interrupted");
                    Thread.currentThread().interrupt();
                } catch (Exception e) { // isolation: a check that cannot run is a failed check, never a dead worker
                    result = CheckResult.failed("could not run: " + Failures.describe(e));
                }
                // The run is over before its result shows: a tick that sees the result may start the next run.
                if (ownsInFlight) {
                    scheduled.inFlight.set(false);
                }
                settle(result);
            } finally {
                if (ownsInFlight) {
                    scheduled.inFlight.set(false);
                }
                if (scheduled.retired) {
                    closeCheck(scheduled);
                }
            }
        }

        /** At the timeout: settles the run as timed out, and says whether its worker is to be interrupted. */
        boolean expire() {
            Duration timeout = scheduled.config.timeout();
            return settle(CheckResult.failed("timed out after " + Human.seconds(timeout.toNanos() / 1e9)));
        }

        private boolean settle(CheckResult result) {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            long now = time.nanoTime();
            double duration = (now - startedNanos) / 1e9;
            record(scheduled, result, duration, now);
            outcome.complete(new Outcome(scheduled.config, result, duration));
            return true;
        }
    }

    private void record(ScheduledCheck scheduled, CheckResult result, double duration, long nowNanos) {
        if (scheduled.retired) {
            return; // a reload replaced or removed it: its result belongs to a configuration no longer in force
        }
        CheckStatus previous = scheduled.status;
        Status status = result.ok() ? Status.UP : Status.DOWN;
        long failures = previous.failures() + (result.ok() ? 0 : 1);
        Instant since = status == previous.status() ? previous.since() : time.now();
        scheduled.status = new CheckStatus(previous.name(), previous.type(), previous.critical(), previous.tags(),
                previous.interval(), status, since, result.message(), result.value(), duration, failures);
        if (logTransitions && status != previous.status()) {
            if (status == Status.DOWN) {
                log.warn("check {} failed: {}", previous.name(), result.message());
            } else if (previous.status() == Status.DOWN) {
                log.info("check {} passes again: {}", previous.name(), result.message());
            }
        }
        SeriesWriter out = new SeriesWriter()
                .put(UP, scheduled.labels, result.ok() ? 1 : 0)
                .put(DURATION, scheduled.labels, duration)
                .put(VALUE, scheduled.labels, result.value())
                .put(FAILURES, scheduled.labels, failures);
        for (Map.Entry<String, Double> field : result.fields().entrySet()) {
            out.put(FIELD, LabelSet.of("check", previous.name(), "field", field.getKey()), field.getValue());
        }
        // Fresh for three intervals plus the time a run may take: a check that stops reporting goes stale.
        Duration staleAfter = scheduled.config.interval().multipliedBy(3).plus(scheduled.config.timeout());
        store.replace("check:" + previous.name(), out, nowNanos, scheduled.config.interval(), staleAfter);
        if (status != previous.status()) {
            onStatusChange.run();
        }
    }


    /**
     * Interrupts runs in flight and stops the pool; bounded, since checks are interruptible and daemon threads. Then
     * closes the checks that hold something open (a followed log file), so a reload does not leak them.
     */
    @Override
    public void close() {
        workers.close(Duration.ofSeconds(2));
        if (ownTimer != null) {
            ownTimer.close();
        }
        for (ScheduledCheck scheduled : checks) {
            closeCheck(scheduled);
        }
    }

    private static void closeCheck(ScheduledCheck scheduled) {
        if (scheduled.check instanceof Closeable && scheduled.closed.compareAndSet(false, true)) {
            try {
                ((Closeable) scheduled.check).close();
            } catch (IOException e) {
                log.warn("check {}: could not close: {}", scheduled.config.name(), e.getMessage());
            }
        }
    }
}
