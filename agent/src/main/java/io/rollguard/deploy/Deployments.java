package io.rollguard.deploy;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.DeploySettings;
import io.rollguard.common.Quantities;
import io.rollguard.config.RuleConfig;
import io.rollguard.deploy.Deployment.State;
import io.rollguard.common.Failures;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalEvent.DeploymentChange;
import io.rollguard.journal.JournalEvent.DeploymentChanged;
import io.rollguard.journal.StateSection;
import io.rollguard.journal.StateStore;
import io.rollguard.rule.DeploymentActions;
import io.rollguard.rule.DeploymentContext;
import io.rollguard.rule.RollbackGuard;
import io.rollguard.rule.Scorecard;
import io.rollguard.rule.expr.Baselines;
import io.rollguard.rule.expr.ExpressionPrinter;
import io.rollguard.rule.expr.HistoryWindows;
import io.rollguard.rule.expr.Selector;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment lifecycle: {@code deploy start} re-arms latched rollbacks and opens a watch window, in which rules
 * with {@code scope = "deploy"} evaluate; the window's end without a rollback makes the deployment healthy, a
 * rollback inside it rolled back. The window runs on the monotonic clock; its wall-clock end is persisted in
 * state.json's {@code deployments} section so that a restarted agent resumes it with the time left.
 *
 * <p>Lock order: the responder's lock, then this one, then the state store's (whose writes ask this object for its
 * section). Nothing here calls into the responder or the guard while holding this lock, since the responder calls
 * {@link #current()} and {@link #rollbackStarted} under its own.
 */
public final class Deployments implements DeploymentContext {
    private static final Logger log = LoggerFactory.getLogger(Deployments.class);
    static final int RECENT = 20;
    static final int MAX_VERSION_LENGTH = 200;
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    static final MetricFamily INFO = MetricFamily.info("rollguard_deployment_info",
            "The current deployment: its id, version and state; always 1, absent without a deployment.");
    static final MetricFamily WATCHING = MetricFamily.gauge("rollguard_deployment_watching",
            "1 while the current deployment's watch window is open (scope = deploy rules evaluate), else 0.");
    static final MetricFamily STARTED = MetricFamily.gauge("rollguard_deployment_started_timestamp_seconds",
            "Unix time the current deployment started.");

    private final StateStore state;
    private final RollbackGuard guard;
    private final DeploymentActions actions;
    private final Journal journal;
    private final TimeSource time;
    // Replaced by a reload; read by start(), which runs on the scheduler thread as reloads do.
    private volatile Duration defaultWatch;
    private volatile Duration baselineWindow;
    private final SeriesStore store;
    private volatile List<Selector> baselineSelectors;
    private volatile String onHealthy;
    private volatile String onFail;
    private volatile long scorePass;
    private volatile long scoreMarginal;
    /**
     * The canary score of the rule engine's last evaluation (as of the last transition of a scored rule): what the
     * current deployment shows while it watches, and keeps when a rule rolls it back.
     */
    private volatile Supplier<Scorecard> scores = () -> Scorecard.NONE;
    private volatile WatchedPath watched;

    /** The version watch_path named when last looked at (also before a restart); null before the first look. */
    private String watchedVersion;
    /** Why watch_path names no version, as last logged: logged once, not every tick. */
    private String watchProblem;

    private Deployment current;
    private long windowEndNanos;
    private final Deque<Deployment> recent = new ArrayDeque<>(); // newest first
    private long sequence;

    /** Reads what state.json kept of the deployments: a deployment watching before a restart resumes its window. */
    public Deployments(DeploySettings settings, StateStore state, RollbackGuard guard, DeploymentActions actions,
            Journal journal, TimeSource time) {
        this(settings, state, guard, actions, journal, time, new SeriesStore(), List.of());
    }

    /**
     * @param state where the deployments persist, in their own section
     * @param guard what a start re-arms
     * @param actions where {@code on_healthy} runs
     * @param store where baselines are captured from, at each start
     * @param baselineSelectors what the rules' {@code baseline(...)} read, each selector once
     */
    public Deployments(DeploySettings settings, StateStore state, RollbackGuard guard, DeploymentActions actions,
            Journal journal, TimeSource time, SeriesStore store, List<Selector> baselineSelectors) {
        this.defaultWatch = requireNonNull(settings, "settings").watch();
        this.baselineWindow = settings.baselineWindow();
        this.store = requireNonNull(store, "store");
        this.baselineSelectors = List.copyOf(baselineSelectors);
        this.state = requireNonNull(state, "state");
        this.guard = requireNonNull(guard, "guard");
        this.actions = requireNonNull(actions, "actions");
        this.journal = requireNonNull(journal, "journal");
        this.time = requireNonNull(time, "time");
        this.onHealthy = settings.onHealthy();
        this.onFail = settings.onFail();
        this.scorePass = settings.scorePass();
        this.scoreMarginal = settings.scoreMarginal();
        this.watched = settings.watchPath() == null ? null : new WatchedPath(settings.watchPath());
        state.saved(StateSection.DEPLOYMENTS).ifPresent(this::load);
    }

    /**
     * Takes a reloaded configuration's {@code [deploy]} settings and the selectors its rules' {@code baseline(...)}
     * read. The current deployment keeps the baselines it captured at its start: a selector new to the rules has no
     * baseline until the next deployment. {@code on_healthy} applies to the next window that ends healthy. A new
     * {@code watch_path} is first looked at as at a start: what it names then is the deployed version, not a change.
     * Called on the scheduler thread, which is the one that ticks.
     */
    public void reconfigure(DeploySettings settings, List<Selector> baselineSelectors) {
        this.defaultWatch = settings.watch();
        this.baselineWindow = settings.baselineWindow();
        this.baselineSelectors = List.copyOf(baselineSelectors);
        this.onHealthy = settings.onHealthy();
        this.onFail = settings.onFail();
        this.scorePass = settings.scorePass();
        this.scoreMarginal = settings.scoreMarginal();
        java.nio.file.Path path = settings.watchPath();
        WatchedPath before = watched;
        if (path == null ? before != null : before == null || !before.path().equals(path)) {
            watched = path == null ? null : new WatchedPath(path);
            watchProblem = null;
            synchronized (this) {
                watchedVersion = null;
            }
        }
    }

    private synchronized void load(Object saved) {
        try {
            Map<?, ?> state = (Map<?, ?>) saved;
            sequence = ((Number) state.get("sequence")).longValue();
            for (Object entry : (List<?>) state.get("recent")) {
                recent.addLast(Deployment.fromMap((Map<?, ?>) entry));
            }
            Object savedCurrent = state.get("current");
            current = savedCurrent == null ? null : Deployment.fromMap((Map<?, ?>) savedCurrent);
            Object savedWatch = state.get("watch_path");
            // Only what the same path named counts: a configuration that now watches another path starts afresh.
            if (watched != null && savedWatch instanceof Map
                    && watched.path().toString().equals(((Map<?, ?>) savedWatch).get("path"))) {
                Object version = ((Map<?, ?>) savedWatch).get("version");
                watchedVersion = version == null ? null : String.valueOf(version);
            }
        } catch (RuntimeException e) { // a damaged record of past deployments must not stop the agent
            log.error("the deployments in the state file cannot be read ({}); starting without them",
                    Failures.describe(e));
            current = null;
            recent.clear();
            return;
        }
        if (current != null && current.state() == State.WATCHING) {
            Duration left = Duration.between(time.now(), current.watchEndsAt());
            left = left.isNegative() ? Duration.ZERO : left;
            windowEndNanos = time.nanoTime() + left.toNanos();
            log.info("deployment {} ({}) resumes its watch window: {} left", current.id(), current.version(),
                    Quantities.formatDuration(left));
        }
    }

    /**
     * Starts a deployment of {@code version}: re-arms every latched rollback, then opens a watch window of
     * {@code watch} (the configured default when null). A deployment still current is finished first.
     *
     * @throws IllegalArgumentException when the version or the watch is not acceptable
     */
    public Deployment start(String version, Duration watch) {
        validate(version, watch);
        Duration window = watch == null ? defaultWatch : watch;
        guard.rearm(null); // a new version deserves its own rollback; it journals what it re-armed
        scores = () -> Scorecard.NONE; // the last score was the previous version's: the next tick brings this one's
        // Before the new version has had a chance to change anything: the history up to now is the old version's.
        CapturedBaselines baselines = CapturedBaselines.capture(store.view(time.nanoTime()), baselineSelectors,
                baselineWindow);
        Deployment superseded;
        Deployment started;
        synchronized (this) {
            superseded = current != null && current.state() == State.WATCHING
                    ? current.ended(State.FINISHED, time.now(), "superseded by a new deployment") : current;
            if (superseded != null) {
                remember(superseded);
            }
            Instant now = time.now();
            sequence++;
            started = new Deployment("d" + sequence + "-" + ID_TIME.format(now), version, now, window,
                    now.plus(window), State.WATCHING, null, "", baselines);
            current = started;
            windowEndNanos = time.nanoTime() + window.toNanos();
        }
        if (superseded != null && superseded.reason().startsWith("superseded")) {
            journal(DeploymentChange.FINISHED, superseded);
        }
        journal(DeploymentChange.STARTED, started);
        log.info("deployment {} of {} started; watching for {}", started.id(), version,
                Quantities.formatDuration(window));
        if (!baselines.missing().isEmpty()) {
            log.warn("deployment {}: no history within {} before the start for {}; these baselines have no data",
                    started.id(), Quantities.formatDuration(baselineWindow), String.join(", ", baselines.missing()));
        }
        persist();
        return started;
    }

    /** Ends the current deployment: a window still open closes as {@code finished}; empty when there is none. */
    public Optional<Deployment> finish() {
        Deployment finished;
        synchronized (this) {
            if (current == null) {
                return Optional.empty();
            }
            finished = current.state() == State.WATCHING
                    ? current.ended(State.FINISHED, time.now(), "finished before its watch window ended") : current;
            remember(finished);
            current = null;
        }
        journal(DeploymentChange.FINISHED, finished);
        log.info("deployment {} of {} finished ({})", finished.id(), finished.version(), finished.state().label());
        persist();
        return Optional.of(finished);
    }

    /** As {@link #tick(long, Supplier)} without a canary score. */
    public boolean tick(long nowNanos) {
        return tick(nowNanos, Scorecard.NONE);
    }

    /** As {@link #tick(long, Supplier)} with a fixed canary score. */
    public boolean tick(long nowNanos, Scorecard scorecard) {
        return tick(nowNanos, () -> scorecard);
    }

    /**
     * Called each tick on the scheduler thread: a window that ran its course without a rollback is judged by the
     * canary score of the last evaluation ({@code scorecards}, the rule engine's, read again whenever a rule rolls the
     * deployment back, so that it keeps the score it rolled back at). Without a score, or with one at or above
     * {@code score_pass}, the deployment is healthy (promoted); at or above {@code score_marginal} its window is
     * extended once by its length (held); below that, or marginal again after the hold, it failed, and
     * {@code on_fail} runs. Returns whether a watch window is open, which is what deploy-scoped rules need.
     */
    public boolean tick(long nowNanos, Supplier<Scorecard> scorecards) {
        if (watched != null) {
            observeWatchPath();
        }
        scores = requireNonNull(scorecards, "scorecards");
        Scorecard scorecard = scorecards.get();
        Deployment healthy = null;
        Deployment held = null;
        Deployment failed = null;
        boolean open;
        synchronized (this) {
            if (current != null && current.state() == State.WATCHING && nowNanos - windowEndNanos >= 0) {
                double score = scorecard.score();
                Map<String, Object> judged = Double.isNaN(score) ? null : scorecard.toMap(scorePass, scoreMarginal);
                if (Double.isNaN(score) || score >= scorePass) {
                    current = current.ended(State.HEALTHY, time.now(), Double.isNaN(score)
                            ? "no rollback within its watch window"
                            : "no rollback within its watch window; canary score " + scorecard.describe()
                                    + ", pass " + scorePass, judged);
                    healthy = current;
                } else if (score >= scoreMarginal && !current.held()) {
                    windowEndNanos = nowNanos + current.watch().toNanos();
                    current = current.heldUntil(time.now().plus(current.watch()));
                    held = current;
                } else {
                    current = current.ended(State.FAILED, time.now(), "canary score " + scorecard.describe()
                            + (score >= scoreMarginal ? ", still marginal after its hold" : ", below the marginal "
                                    + scoreMarginal) + "; pass " + scorePass, judged);
                    failed = current;
                }
            }
            open = windowOpen(nowNanos);
        }
        if (held != null) {
            journal(DeploymentChange.HELD, held, scorecard.toMap(scorePass, scoreMarginal));
            log.warn("deployment {} of {}: canary score {} is marginal (pass {}, marginal {}); watching {} more",
                    held.id(), held.version(), scorecard.describe(), scorePass, scoreMarginal,
                    Quantities.formatDuration(held.watch()));
            persist();
        }
        if (failed != null) {
            long eventId = journal(DeploymentChange.FAILED, failed);
            log.warn("deployment {} of {} failed: {}", failed.id(), failed.version(), failed.reason());
            persist(); // before the action starts: a restart after this point never runs on_fail again
            if (onFail != null) {
                actions.run(onFail, "on_fail", eventId,
                        new DeploymentContext.DeployedVersion(failed.id(), failed.version()));
            }
        }
        if (healthy != null) {
            long eventId = journal(DeploymentChange.HEALTHY, healthy);
            log.info("deployment {} of {} is healthy: no rollback in {}", healthy.id(), healthy.version(),
                    Quantities.formatDuration(healthy.watch()));
            // Persisted before the action starts: a restart after this point never runs on_healthy again.
            persist();
            if (onHealthy != null) {
                actions.run(onHealthy, "on_healthy", eventId,
                        new DeploymentContext.DeployedVersion(healthy.id(), healthy.version()));
            }
        }
        return open;
    }

    /**
     * Starts a deployment when watch_path names another version than it did. The first look (with nothing saved from
     * before a restart) only notes the version that is deployed already; a version saved before a restart is
     * compared with, so a switch while the agent was down starts a deployment at its first tick.
     */
    private void observeWatchPath() {
        WatchedPath.Observation seen = watched.observe();
        if (seen.version() == null) {
            if (!seen.problem().equals(watchProblem)) {
                log.warn("[deploy] watch_path {} {}; no deployment starts from it until it names a version",
                        watched.path(), seen.problem());
                watchProblem = seen.problem();
            }
            return;
        }
        if (watchProblem != null) {
            log.info("[deploy] watch_path {} names a version again: {}", watched.path(), seen.version());
            watchProblem = null;
        }
        String version = seen.version();
        String previous;
        synchronized (this) {
            previous = watchedVersion;
            watchedVersion = version;
        }
        if (version.equals(previous)) {
            return;
        }
        if (previous == null) {
            log.info("[deploy] watch_path {} names {}: the deployed version; a change starts a deployment",
                    watched.path(), version);
            persist();
            return;
        }
        try {
            validate(version, null);
        } catch (IllegalArgumentException e) {
            log.warn("[deploy] watch_path {} changed, but not to a usable version: {}", watched.path(), e.getMessage());
            persist();
            return;
        }
        log.info("[deploy] watch_path {} changed from {} to {}: starting a deployment", watched.path(), previous,
                version);
        start(version, null);
    }

    /**
     * Whether rules with {@code scope = "deploy"} evaluate: until the window's end, also after a rollback inside
     * it, so the firing rule keeps its escalation ladder; a finished deployment closes it.
     */
    private boolean windowOpen(long nowNanos) {
        return current != null && nowNanos - windowEndNanos < 0
                && (current.state() == State.WATCHING || current.state() == State.ROLLED_BACK);
    }

    @Override
    public synchronized DeploymentContext.DeployedVersion current() {
        return current == null ? DeploymentContext.DeployedVersion.NONE
                : new DeploymentContext.DeployedVersion(current.id(), current.version());
    }

    @Override
    public synchronized Map<String, Object> details() {
        return current == null ? null : live(current).toMap();
    }

    @Override
    public void rollbackStarted(String rule, String action) {
        Deployment rolledBack = null;
        synchronized (this) {
            if (current != null && current.state() == State.WATCHING) {
                // The canary score it rolled back at stays with it, as a judged one would (and in its incident).
                Scorecard score = scores.get();
                current = current.ended(State.ROLLED_BACK, time.now(),
                        action + " ran for rule " + rule + " inside the watch window",
                        Double.isNaN(score.score()) ? null : score.toMap(scorePass, scoreMarginal));
                rolledBack = current;
            }
        }
        if (rolledBack != null) {
            journal(DeploymentChange.ROLLED_BACK, rolledBack);
            log.warn("deployment {} of {} rolled back: {}", rolledBack.id(), rolledBack.version(), rolledBack.reason());
            persist(); // under the responder's lock: the state store's comes after it
        }
    }

    /** The current deployment (null when none) and the recent ones, newest first, as the API shows them. */
    public synchronized Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("current", current == null ? null : live(current).toMap());
        map.put("recent", recent.stream().map(Deployment::toMap).toList());
        return map;
    }

    /**
     * What {@code baseline(...)} and {@code regressed(...)} read: the current deployment's frozen values and samples,
     * and when it started; none without a deployment.
     */
    public synchronized Baselines baselines() {
        if (current == null) {
            return Baselines.NONE;
        }
        // From the wall clock, so that it holds after a restart too, and for a deployment no longer watching.
        long age = Duration.between(current.startedAt(), time.now()).toNanos();
        return current.baselines().startedAt(time.nanoTime() - Math.max(0, age));
    }

    /** The deployment's own series: what is deployed, since when, and whether its watch window is open. */
    public void publish(SeriesStore into, long nowNanos, Duration interval) {
        SeriesWriter out = new SeriesWriter();
        synchronized (this) {
            out.put(WATCHING, windowOpen(nowNanos) ? 1 : 0);
            if (current != null) {
                out.put(INFO, LabelSet.of("id", current.id(), "version", current.version(), "state",
                        current.state().label()), 1);
                out.put(STARTED, current.startedAt().toEpochMilli() / 1000.0);
            }
        }
        into.replace("deployments", out, nowNanos, interval, interval.multipliedBy(3));
    }

    /** The current deployment; a watching one with the canary score it would be judged by now. */
    public synchronized Optional<Deployment> currentDeployment() {
        return Optional.ofNullable(current).map(this::live);
    }

    public synchronized List<Deployment> recent() {
        return new ArrayList<>(recent);
    }

    /** The selectors the rules' {@code baseline(...)} read, each text once: what a start captures. */
    public static List<Selector> baselineSelectors(List<RuleConfig> rules) {
        Map<String, Selector> selectors = new LinkedHashMap<>();
        for (RuleConfig rule : rules) {
            if (rule.fromAlertmanager()) {
                continue;
            }
            for (Selector selector : HistoryWindows.baselineSelectors(rule.condition())) {
                selectors.putIfAbsent(ExpressionPrinter.print(selector), selector);
            }
        }
        return List.copyOf(selectors.values());
    }

    /** Checks what a client gave; the message is fit to show it. */
    public static void validate(String version, Duration watch) {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("version must be a non-empty string");
        }
        if (version.length() > MAX_VERSION_LENGTH || version.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("version must be at most " + MAX_VERSION_LENGTH
                    + " characters, without control characters");
        }
        if (watch != null && (watch.compareTo(DeploySettings.MIN_WATCH) < 0
                || watch.compareTo(DeploySettings.MAX_WATCH) > 0)) {
            throw new IllegalArgumentException("watch must be between "
                    + Quantities.formatDuration(DeploySettings.MIN_WATCH) + " and "
                    + Quantities.formatDuration(DeploySettings.MAX_WATCH) + ", got \""
                    + Quantities.formatDuration(watch) + "\"");
        }
    }

    private void remember(Deployment deployment) {
        recent.addFirst(deployment.withoutSamples());
        while (recent.size() > RECENT) {
            recent.removeLast();
        }
    }

    /**
     * A watching deployment with the canary score of the last evaluation, which its window's end will judge it by:
     * how the API, {@code rollguard status} and the status page show it. Any other as it is.
     */
    private Deployment live(Deployment deployment) {
        Scorecard score = scores.get();
        if (deployment.state() != State.WATCHING || Double.isNaN(score.score())) {
            return deployment;
        }
        return deployment.withScore(score.toMap(scorePass, scoreMarginal));
    }

    /** What the deployments keep in state.json. */
    synchronized Map<String, Object> stateMap() {
        Map<String, Object> map = toMap();
        map.put("current", current == null ? null : current.toMap(true));
        map.put("sequence", sequence);
        if (watched != null && watchedVersion != null) {
            Map<String, Object> watch = new LinkedHashMap<>();
            watch.put("path", watched.path().toString());
            watch.put("version", watchedVersion);
            map.put("watch_path", watch);
        }
        return map;
    }

    private void persist() {
        state.write(StateSection.DEPLOYMENTS, this::stateMap);
    }

    /** Journals the event; returns its id, 0 when it could not be written. */
    private long journal(DeploymentChange change, Deployment deployment) {
        return journal(change, deployment, deployment.score());
    }

    /** Journals the event with {@code score} as the deployment's canary score (a held one has none of its own). */
    private long journal(DeploymentChange change, Deployment deployment, Map<String, Object> score) {
        Map<String, Object> rendered = deployment.toMap();
        rendered.put("score", score);
        DeploymentChanged event = DeploymentChanged.of(change, rendered);
        try {
            return journal.append(event).id();
        } catch (IOException e) {
            log.error("journal: {}; {} of deployment {} is kept in memory only", e.getMessage(), event.kind(),
                    deployment.id());
            return 0;
        }
    }
}
