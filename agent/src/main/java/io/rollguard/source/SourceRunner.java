package io.rollguard.source;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Failures;
import io.rollguard.common.Quantities;
import io.rollguard.config.SourceConfig;
import io.rollguard.health.ComponentHealth;
import io.rollguard.health.Status;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import io.rollguard.time.Timer;
import io.rollguard.work.Workers;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code [[source]]}s on a bounded worker pool, never on the scheduler thread, each cut off at its timeout,
 * with at most one read in flight per source (as {@link io.rollguard.check.CheckRunner} runs checks). A read that
 * succeeds replaces the source's series in the store; one that fails stores nothing, so the series go stale after
 * three intervals plus the timeout and rules over them turn unknown. Failures are counted, and logged when a source
 * starts failing and when it recovers, never per read.
 */
public final class SourceRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceRunner.class);

    static final MetricFamily UP = MetricFamily.gauge("rollguard_source_up",
            "1 if the source's last read succeeded, 0 if it failed.");
    static final MetricFamily DURATION = MetricFamily.gauge("rollguard_source_duration_seconds",
            "How long the source's last read took.");
    static final MetricFamily ERRORS = MetricFamily.counter("rollguard_source_errors_total",
            "Reads of the source that failed: unreachable, timed out, or an answer that could not be used.");
    static final MetricFamily SERIES = MetricFamily.gauge("rollguard_source_series",
            "How many series the source's last read stored; 0 when it failed.");

    static final int MAX_WORKERS = 8;
    private static final Duration NEVER_STALE = Duration.ofNanos(Long.MAX_VALUE);

    private final List<Scheduled> sources;
    private final SeriesStore store;
    private final TimeSource time;
    private final Workers workers;
    private final AtomicLong settledReads = new AtomicLong();

    /** One source, its reader and what its reads found so far; the results are written by its worker. */
    private static final class Scheduled {
        final SourceConfig config;
        final SourceReader reader;
        final LabelSet labels;
        final AtomicBoolean inFlight = new AtomicBoolean();
        boolean started; // scheduler thread only
        long nextDueNanos; // scheduler thread only
        // Written under the Scheduled's lock by whichever settles a read, read by health().
        Status status = Status.UNKNOWN;
        Instant since;
        String message = "not read yet";
        long errors;
        double lastDurationSeconds = Double.NaN;

        Scheduled(SourceConfig config, SourceReader reader, Instant now) {
            this.config = config;
            this.reader = reader;
            this.labels = LabelSet.of("source", config.name());
            this.since = now;
        }
    }

    /** The daemon's runner: sources read over HTTP. */
    public SourceRunner(List<SourceConfig> configs, SeriesStore store, TimeSource time, Timer timer) {
        this(configs, readers(configs), store, time, timer);
    }

    /** @param readers builds each source's reader (tests give their own) */
    SourceRunner(List<SourceConfig> configs, Function<SourceConfig, SourceReader> readers, SeriesStore store,
            TimeSource time, Timer timer) {
        this.store = requireNonNull(store, "store");
        this.time = requireNonNull(time, "time");
        List<Scheduled> scheduled = new ArrayList<>();
        for (SourceConfig config : configs) {
            scheduled.add(new Scheduled(config, readers.apply(config), time.now()));
        }
        this.sources = List.copyOf(scheduled);
        this.workers = new Workers("rollguard-source", Math.min(sources.size(), MAX_WORKERS), timer);
    }

    private static Function<SourceConfig, SourceReader> readers(List<SourceConfig> configs) {
        if (configs.isEmpty()) {
            return config -> null; // no client, and so no selector thread, for an agent without sources
        }
        // One client for every source: it pools connections; each request carries its source's timeout.
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpFetch http = new HttpFetch(client);
        return config -> config.spec() instanceof SourceConfig.Scrape ? new ScrapeReader(config, http)
                : new QueryReader(config, http);
    }

    /** Starts every source whose interval has come round and that has no read in flight. Returns at once. */
    public void startDue(long nowNanos) {
        for (Scheduled source : sources) {
            boolean due = !source.started || nowNanos - source.nextDueNanos >= 0;
            if (due && source.inFlight.compareAndSet(false, true)) {
                source.started = true;
                source.nextDueNanos = nowNanos + source.config.interval().toNanos();
                try {
                    start(source);
                } catch (RejectedExecutionException e) {
                    source.inFlight.set(false); // closing
                }
            }
        }
    }

    private void start(Scheduled source) {
        Read read = new Read(source, time.nanoTime());
        workers.start(read::execute, source.config.timeout(), read::expire);
    }

    /** One read of one source: whichever comes first, its result or its timeout, settles it. */
    private final class Read {
        private final Scheduled source;
        private final long startedNanos;
        private final AtomicBoolean settled = new AtomicBoolean();

        Read(Scheduled source, long startedNanos) {
            this.source = source;
            this.startedNanos = startedNanos;
        }

        void execute() {
            try {
                SeriesWriter out = new SeriesWriter();
                source.reader.read(out);
                settle(out, null);
            } catch (InterruptedException e) {
                settle(null, "interrupted");
                Thread.currentThread().interrupt();
            } catch (ExpositionException e) {
                settle(null, e.getMessage());
            } catch (Exception e) { // isolation: a source that cannot be read is a failed read, never a dead worker
                settle(null, Failures.describe(e));
            } finally {
                source.inFlight.set(false);
            }
        }

        /** At the timeout: settles the read as failed, and says whether its worker is to be interrupted. */
        boolean expire() {
            return settle(null, "timed out after " + Quantities.formatDuration(source.config.timeout()));
        }

        /** @param out the series read, or null when the read failed for {@code reason} */
        private boolean settle(SeriesWriter out, String reason) {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            long now = time.nanoTime();
            record(source, out, reason, (now - startedNanos) / 1e9, now);
            return true;
        }
    }

    private void record(Scheduled source, SeriesWriter out, String reason, double duration, long nowNanos) {
        SourceConfig config = source.config;
        int series = 0;
        if (out != null) {
            series = out.values().size();
            Duration staleAfter = config.interval().multipliedBy(3).plus(config.timeout());
            store.replace(owner(source), out, nowNanos, config.interval(), staleAfter);
        }
        SeriesWriter self = new SeriesWriter();
        synchronized (source) {
            Status previous = source.status;
            Status next = out != null ? Status.UP : Status.DOWN;
            if (next == Status.DOWN) {
                source.errors++;
                if (previous != Status.DOWN) {
                    log.warn("source {} failing: {} (its series go stale; logged again when it recovers)",
                            config.name(), reason);
                }
            } else if (previous == Status.DOWN) {
                log.info("source {} recovered after {} failed reads", config.name(), source.errors);
            }
            if (next != previous) {
                source.since = time.now();
            }
            source.status = next;
            source.message = out != null ? series + " series" : reason;
            source.lastDurationSeconds = duration;
            self.put(UP, source.labels, next == Status.UP ? 1 : 0)
                    .put(DURATION, source.labels, duration)
                    .put(ERRORS, source.labels, source.errors)
                    .put(SERIES, source.labels, series);
            // Under the lock: a late result and the timeout cannot publish their counts out of order.
            store.replace("agent:source:" + config.name(), self, nowNanos, config.interval(), NEVER_STALE);
        }
        settledReads.incrementAndGet();
    }

    /** How many reads have settled, succeeded or failed, since the start: for tests that wait for one. */
    long settledReads() {
        return settledReads.get();
    }

    private static String owner(Scheduled source) {
        return "source:" + source.config.name();
    }

    /** Each source's state, for {@code /health/detailed} and tests: UP, DOWN (with why) or UNKNOWN before a read. */
    public List<ComponentHealth> health() {
        List<ComponentHealth> health = new ArrayList<>();
        for (Scheduled source : sources) {
            synchronized (source) {
                health.add(new ComponentHealth(source.config.name(), source.status, source.since, source.message,
                        source.config.interval(), source.lastDurationSeconds, source.errors));
            }
        }
        return health;
    }


    /** Interrupts reads in flight and stops the pool; bounded, since reads are interruptible and daemon threads. */
    @Override
    public void close() {
        workers.close(Duration.ofSeconds(2));
    }
}
