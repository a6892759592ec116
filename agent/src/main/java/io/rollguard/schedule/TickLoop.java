package io.rollguard.schedule;

import static java.util.Objects.requireNonNull;

import io.rollguard.check.CheckRunner;
import io.rollguard.deploy.Deployments;
import io.rollguard.health.CheckStatus;
import io.rollguard.health.ComponentHealth;
import io.rollguard.health.Status;
import io.rollguard.metrics.MetricsRenderer;
import io.rollguard.rule.Responder;
import io.rollguard.rule.RuleEngine;
import io.rollguard.rule.RuleStatus;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import io.rollguard.time.Timer;
import io.rollguard.work.Workers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tick: run the samplers that are due, publish the agent's own series, the health snapshot and the rendered
 * {@code /metrics}. Called by the scheduler thread, or by a test with a fake clock.
 */
public final class TickLoop {
    private static final Logger log = LoggerFactory.getLogger(TickLoop.class);
    private static final Duration NEVER_STALE = Duration.ofNanos(Long.MAX_VALUE);

    // Replaced by a reload, on the ticking thread; read by the reload thread to keep the unchanged ones.
    private volatile List<SamplerRunner> samplers;
    private final CheckRunner checks;
    private final RuleEngine rules;
    private final Responder responder;
    private final Deployments deployments;
    private final Duration interval;
    private final SeriesStore store;
    private final MetricsRenderer metrics;
    private final TimeSource time;
    private final AtomicReference<HealthSnapshot> health;
    /** How long the samplers of one tick may take together: half the interval, so that a tick ends within it. */
    private final Duration samplingBudget;
    private final Workers samplerWorkers;
    private boolean tickFailing;
    /** The first tick's time: the origin of the grid every later tick is stamped on. */
    private long gridOrigin;
    /** The grid time of the last tick that ran; evaluations between ticks are stamped with it. */
    private volatile long lastTickNanos;
    private boolean ticked;
    private volatile java.util.function.LongConsumer beforeTick = grid -> { };
    private volatile Runnable afterTick = () -> { };
    private final List<java.util.function.Consumer<SeriesWriter>> selfMetrics =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param interval how often {@link #tick()} is called: the period of the agent's own series
     * @param timer cuts off samplers that outrun the tick's sampling budget
     */
    public TickLoop(List<SamplerRunner> samplers, CheckRunner checks, RuleEngine rules, Responder responder,
            Deployments deployments, Duration interval, SeriesStore store, MetricsRenderer metrics, TimeSource time,
            Timer timer) {
        this.samplers = List.copyOf(samplers);
        this.checks = requireNonNull(checks, "checks");
        this.rules = requireNonNull(rules, "rules");
        this.responder = requireNonNull(responder, "responder");
        this.deployments = requireNonNull(deployments, "deployments");
        this.interval = requireNonNull(interval, "interval");
        this.store = requireNonNull(store, "store");
        this.metrics = requireNonNull(metrics, "metrics");
        this.time = requireNonNull(time, "time");
        this.health = new AtomicReference<>(HealthSnapshot.starting(time.now()));
        this.samplingBudget = interval.dividedBy(2);
        this.samplerWorkers = new Workers("rollguard-sampler", 1, timer);
    }

    /** Never throws: an exception escaping a scheduled task would silently cancel every later tick. */
    public void tick() {
        try {
            long now = gridTime(time.nanoTime());
            if (ticked && now - lastTickNanos <= 0) {
                return; // a tick the scheduler runs to catch up after a stall: this grid time has been evaluated
            }
            ticked = true;
            lastTickNanos = now;
            beforeTick.accept(now);
            checks.startDue(now); // first: they run on their workers while the samplers run on theirs
            sample(now);
            rules.evaluate(now, deployments.tick(now, rules::scorecard), deployments.baselines());
            responder.tick(now);
            responder.publish(store, now, interval);
            deployments.publish(store, now, interval);
            SeriesWriter self = new SeriesWriter();
            samplers.forEach(s -> s.writeSelfMetrics(self));
            selfMetrics.forEach(source -> source.accept(self));
            store.replace("agent:samplers", self, now, interval, NEVER_STALE);
            health.set(buildHealth());
            metrics.render();
            // Inside the try: only a tick that did its work counts as alive (systemd's watchdog pings come from here).
            afterTick.run();
            if (tickFailing) {
                log.info("tick recovered");
                tickFailing = false;
            }
        } catch (RuntimeException e) { // a bug in one tick must not stop the agent; report it once, keep ticking
            if (!tickFailing) {
                log.error("tick failed; the agent keeps ticking and logs again when a tick succeeds", e);
                tickFailing = true;
            }
        }
    }

    /**
     * Evaluates the rules now, between ticks: called on the scheduler thread when a check changed status, so that
     * the breach it reports does not wait for the next tick. Never throws.
     */
    public void evaluateRules() {
        try {
            // Stamped with the last tick's grid time, not the moment a check changed: for = k x interval stays k
            // intervals whatever the jitter, as in Prometheus, which evaluates only on its grid.
            long now = ticked ? lastTickNanos : time.nanoTime();
            rules.evaluate(now, deployments.tick(now, rules::scorecard), deployments.baselines());
            responder.tick(now);
            health.set(buildHealth());
        } catch (RuntimeException e) { // as in tick(): a bug here must not stop the scheduler
            log.error("rule evaluation between ticks failed", e);
        }
    }

    private HealthSnapshot buildHealth() {
        List<ComponentHealth> components = samplers.stream().map(SamplerRunner::health).toList();
        List<CheckStatus> checkStatuses = checks.statuses();
        List<RuleStatus> ruleStatuses = rules.statuses();
        // Samplers inform; health is decided by critical checks failing and critical rules firing: the reasons.
        HealthSnapshot reasons = new HealthSnapshot(Status.UP, time.now(), components, checkStatuses, ruleStatuses);
        boolean down = !reasons.reasons().isEmpty();
        return new HealthSnapshot(down ? Status.DOWN : Status.UP, reasons.at(), components, checkStatuses, ruleStatuses);
    }

    /**
     * The grid point nearest to {@code nanos}: the first tick's time plus a whole number of intervals. A tick that
     * the thread runs a little late (or, stepped by a test, a little early) is stamped with its scheduled time, so
     * rules, {@code for}, samplers' and sources' periods count intervals, not the thread's wake-ups.
     */
    private long gridTime(long nanos) {
        if (!ticked) {
            gridOrigin = nanos;
            return nanos;
        }
        long step = interval.toNanos();
        long offset = nanos - gridOrigin;
        long intervals = Math.floorDiv(offset + step / 2, step);
        return gridOrigin + intervals * step;
    }

    /**
     * Runs the due samplers off this thread, one after the other on one worker, and waits for them: the rules after
     * them read what they wrote. What has not finished within the sampling budget (half the interval) is cut off and
     * counts as a failed run, its series go stale, and the tick goes on: a sampler that hangs (a dead NFS mount under
     * statfs) cannot stop the tick. A stuck one keeps its worker; the pool grows by one for each, so the others go on.
     */
    private void sample(long now) {
        long stuck = samplers.stream().filter(SamplerRunner::inFlight).count();
        samplerWorkers.resize(1 + (int) stuck);
        List<SamplerRunner.Run> runs = new ArrayList<>();
        List<SamplerRunner> started = new ArrayList<>();
        for (SamplerRunner sampler : samplers) {
            if (sampler.isDue(now)) {
                SamplerRunner.Run run = sampler.start(now, samplerWorkers, samplingBudget);
                if (run != null) {
                    runs.add(run);
                    started.add(sampler);
                }
            }
        }
        for (int i = 0; i < runs.size(); i++) {
            started.get(i).finish(runs.get(i));
        }
    }

    /** Stops the samplers' worker; a sampler still running is interrupted. */
    public void close() {
        samplerWorkers.close(Duration.ofSeconds(1));
    }

    /** The samplers now running, for a reload to keep those whose settings are unchanged. */
    public List<SamplerRunner> samplers() {
        return samplers;
    }

    /**
     * Runs {@code next} from the next tick on; called by a reload on the ticking thread. The series of a sampler
     * no longer run leave the store at once.
     */
    public void replaceSamplers(List<SamplerRunner> next) {
        List<String> names = next.stream().map(SamplerRunner::name).toList();
        for (SamplerRunner old : samplers) {
            if (!names.contains(old.name())) {
                store.remove(old.owner());
            }
        }
        samplers = List.copyOf(next);
    }

    public HealthSnapshot health() {
        return health.get();
    }

    /** Adds series of the agent's own (such as its HTTP server's) to every tick; {@code source} must not block. */
    public void addSelfMetrics(java.util.function.Consumer<SeriesWriter> source) {
        selfMetrics.add(requireNonNull(source, "source"));
    }

    /**
     * Runs {@code hook} with the tick's grid time on the ticking thread at the start of each tick (the sources start
     * their due reads there); it must not block.
     */
    public void beforeEachTick(java.util.function.LongConsumer hook) {
        this.beforeTick = requireNonNull(hook, "hook");
    }

    /** Runs {@code hook} on the ticking thread after each tick that succeeded; it must not block. */
    public void afterEachTick(Runnable hook) {
        this.afterTick = requireNonNull(hook, "hook");
    }
}
