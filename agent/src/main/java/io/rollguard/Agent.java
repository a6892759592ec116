package io.rollguard;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.action.ActionRunner;
import io.rollguard.check.CheckFactory;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigDiff;
import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigProblem;
import io.rollguard.config.ReloadResult;
import io.rollguard.deploy.Deployments;
import io.rollguard.journal.EventJournal;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalEvent;
import io.rollguard.journal.JournalLimits;
import io.rollguard.journal.StateFile;
import io.rollguard.journal.StateHealth;
import io.rollguard.journal.StateStore;
import io.rollguard.rule.AlertInbox;
import io.rollguard.rule.ActionDispatcher;
import io.rollguard.rule.DeploymentActions;
import io.rollguard.rule.LatchingRollbackGuard;
import io.rollguard.rule.Responder;
import io.rollguard.rule.RollbackGuard;
import io.rollguard.rule.RuleEngine;
import io.rollguard.rule.RuleState;
import io.rollguard.rule.Silences;
import io.rollguard.config.HostPort;
import io.rollguard.config.MetricCatalogue;
import io.rollguard.config.SamplerSettings;
import io.rollguard.schedule.HealthSnapshot;
import io.rollguard.health.Status;
import io.rollguard.http.AgentInfo;
import io.rollguard.http.AgentState;
import io.rollguard.http.AccessPolicy;
import io.rollguard.http.AlertmanagerEndpoint;
import io.rollguard.http.ApiEndpoints;
import io.rollguard.http.DeploymentEndpoints;
import io.rollguard.http.DetailedHealthEndpoint;
import io.rollguard.http.HealthEndpoint;
import io.rollguard.http.HealthGroupEndpoint;
import io.rollguard.http.ReloadEndpoint;
import io.rollguard.http.HttpServer;
import io.rollguard.http.IncidentEndpoints;
import io.rollguard.incident.Incidents;
import io.rollguard.journal.IncidentFiles;
import io.rollguard.http.MetricsEndpoint;
import io.rollguard.http.Router;
import io.rollguard.http.StatusPageEndpoint;
import io.rollguard.process.ProgramLauncher;
import io.rollguard.metrics.AgentMeters;
import io.rollguard.metrics.MetricsRenderer;
import io.rollguard.sample.Sampler;
import io.rollguard.common.DaemonThreads;
import io.rollguard.common.Quantities;
import io.rollguard.schedule.SamplerRunner;
import io.rollguard.source.SourceRunner;
import io.rollguard.schedule.TickLoop;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.systemd.SystemdNotifier;
import io.rollguard.time.SystemTimer;
import io.rollguard.time.TimeSource;
import io.rollguard.time.Timer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part from the {@link Config}, starts them, and stops them in reverse order.
 * It owns every thread the agent runs. Nothing is global; two agents can run side by side in one JVM (tests do).
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    static final MetricFamily BUILD_INFO =
            MetricFamily.info("rollguard_build_info", "The version of the running agent; always 1.");
    private static final Duration NEVER_STALE = Duration.ofNanos(Long.MAX_VALUE);
    static final MetricFamily RELOAD_SUCCESSFUL = MetricFamily.gauge("rollguard_config_last_reload_successful",
            "1 if the last configuration reload succeeded (or none was tried since the start), 0 if it failed.");
    static final MetricFamily RELOAD_SUCCESS_TIME = MetricFamily.gauge(
            "rollguard_config_last_reload_success_timestamp_seconds",
            "Unix time of the last successful configuration load: the start, or the last reload that succeeded.");
    /** How long a reload waits for the scheduler thread to take the new configuration. */
    static final Duration SWAP_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long a reload may read and validate the file. Any file within the bounds takes well under a second; past
     * this, the running configuration stays and the reload has failed, even if the read never ends.
     */
    static final Duration READ_DEADLINE = Duration.ofSeconds(30);

    /** The configuration the agent started with: what {@code [http] listen} and the state directory still are. */
    private final Config config;
    /** The configuration in force: the start's, or the last one a reload applied. Written by the reload thread. */
    private volatile Config current;
    private final Function<Config, List<Sampler>> samplerFactory;
    private final ExecutorService reloads;
    private volatile Consumer<Config> onReloaded = applied -> { };
    /** How a reload reads the file: {@link ConfigLoader#load(Path)}, or a test's. */
    private volatile ConfigRead configRead = ConfigLoader::load;
    /** A read that passed its deadline and has not ended; no other read starts while it runs. Reload thread only. */
    private Thread overdueRead;
    private volatile boolean lastReloadSuccessful = true;
    private volatile Instant lastReloadSuccess;
    private volatile Set<String> healthTags;
    private final TimeSource time;
    private final Timer timer;
    /** The timer the agent made, closed with it; null when the time source is the timer. */
    private final SystemTimer ownTimer;
    private final SeriesStore store = new SeriesStore();
    private final MetricsRenderer metrics;
    private final AgentMeters meters;
    private final CheckRunner checks;
    private final SourceRunner sources;
    private final Path stateDir;
    private final Journal journal;
    private final ActionRunner actions;
    private final Responder responder;
    private final StateStore state;
    private final Deployments deployments;
    private final AlertInbox alerts;
    private final IncidentFiles incidentFiles;
    /** Reads incident files for the API: one thread, a short queue, so that the event loop never reads a file. */
    private final java.util.concurrent.ThreadPoolExecutor incidentReads;
    private final RuleEngine rules;
    private final TickLoop tickLoop;
    private final AgentInfo info;
    private final String host;
    private final SystemdNotifier notifier;

    private volatile ScheduledExecutorService scheduler;
    private HttpServer http;

    public Agent(Config config, TimeSource time, List<Sampler> samplers, CheckFactory checkFactory) {
        this(config, time, samplers, checkFactory, SystemdNotifier.disabled());
    }

    /**
     * An agent whose samplers are fixed: a reload changes their periods, never their own settings
     * ({@code [[process]]}, {@code [sample.filesystem]}).
     *
     * @param notifier tells systemd when the agent is ready, alive, reloading and stopping
     */
    public Agent(Config config, TimeSource time, List<Sampler> samplers, CheckFactory checkFactory,
            SystemdNotifier notifier) {
        this(config, time, fixed -> samplers, checkFactory, notifier);
    }

    /**
     * @param samplers the host samplers for a configuration: called at the start, and again by a reload that
     *     changes the samplers' settings or the {@code [[process]]} entries
     * @param notifier tells systemd when the agent is ready, alive, reloading and stopping
     */
    public Agent(Config config, TimeSource time, Function<Config, List<Sampler>> samplers,
            CheckFactory checkFactory, SystemdNotifier notifier) {
        this.notifier = requireNonNull(notifier, "notifier");
        this.config = requireNonNull(config, "config");
        this.current = config;
        this.samplerFactory = requireNonNull(samplers, "samplers");
        this.time = requireNonNull(time, "time");
        this.lastReloadSuccess = time.now();
        this.healthTags = tags(config);
        String version = Version.current();
        this.info = new AgentInfo(version, config.source(), time.now());
        config.warnings().forEach(warning -> log.warn("{}", warning));
        this.host = hostName();
        // Written once: its period is as long as its freshness.
        store.replace("agent:build", new SeriesWriter().put(BUILD_INFO, LabelSet.of("version", version), 1),
                time.nanoTime(), NEVER_STALE, NEVER_STALE);
        publishReloadMetrics();
        this.metrics = new MetricsRenderer(store, time);
        this.meters = new AgentMeters(metrics.registry(), Path.of("/proc/self/status"));
        Duration tick = config.agent().interval();
        List<SamplerRunner> runners = samplerRunners(config, samplerFactory.apply(config), List.of(), true);
        // One timer for every timeout, retry and deadline of the checks and sources. A time source that is a timer
        // itself (a test's fake clock) drives them, so a test steps timeouts instead of waiting for them.
        this.ownTimer = time instanceof Timer ? null : new SystemTimer("rollguard-timer");
        this.timer = ownTimer == null ? (Timer) time : ownTimer;
        this.checks = new CheckRunner(config.checks(), checkFactory::create, store, time, timer);
        this.sources = new SourceRunner(config.sources(), store, time, timer);
        this.stateDir = stateDirectory(config);
        this.state = new StateStore(new StateFile(stateDir));
        this.journal = openJournal(stateDir, time, state.highestEventId());
        this.actions = new ActionRunner(config.actions(), config.agent().dryRun(),
                config.agent().allowInsecurePermissions(), time, timer, programs());
        ActionDispatcher dispatcher = new ActionDispatcher(config.actions(), config.agent().dryRun(), this::runAction,
                journal);
        RollbackGuard guard = new LatchingRollbackGuard(state, checks::verify, journal, time);
        this.deployments = new Deployments(config.deploy(), state, guard, new DeploymentActions(dispatcher, host),
                journal, time, store, Deployments.baselineSelectors(config.rules()));
        this.incidentFiles = new IncidentFiles(stateDir);
        this.responder = new Responder(config.rules(), dispatcher, guard, deployments,
                new Incidents(incidentFiles, journal, checks::recentMatches, time), state, time, host,
                new Silences(state, journal, time));
        this.incidentReads = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(16), DaemonThreads.named("rollguard-incidents"));
        this.alerts = new AlertInbox(config.rules(), config.alertmanager().rules());
        this.rules = new RuleEngine(config.rules(), store, responder, time, tick, config.deploy().baselineWindow(),
                alerts, StatusPageEndpoint.WINDOW);
        this.tickLoop = new TickLoop(runners, checks, rules, responder, deployments, tick, store, metrics, time,
                timer);
        checks.onStatusChange(this::evaluateRulesSoon);
        // At the start of each tick, with its grid time: startDue only hands due reads to the sources' own workers.
        tickLoop.beforeEachTick(sources::startDue);
        tickLoop.addSelfMetrics(out -> {
            StateHealth.of(state, journal).write(out);
            out.put(StateHealth.JOURNAL_DROPPED, journal.dropped());
        });
        this.reloads = Executors.newSingleThreadExecutor(DaemonThreads.named("rollguard-reload"));
    }

    /** The host's launcher; without setsid, said once here, at the start, since it weakens every action. */
    private static ProgramLauncher programs() {
        ProgramLauncher launcher = ProgramLauncher.forHost();
        if (launcher.setsid().isEmpty()) {
            log.warn("setsid (util-linux) not found: programs run in the agent's process group, so a script that "
                    + "signals its group (kill 0) stops the agent, and a timeout stops only their process tree");
        }
        return launcher;
    }

    private static Set<String> tags(Config config) {
        return config.checks().stream().flatMap(c -> c.tags().stream())
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The runners for {@code next}'s samplers. A running sampler is kept, with its state and health, when its period
     * is unchanged and, unless {@code inputsChanged}, so are the settings it was built from.
     *
     * @param running the runners ticking now; empty at the start
     * @param inputsChanged whether {@code [[process]]} or {@code [sample.filesystem]} changed: those samplers are
     *     built anew from {@code samplers}
     */
    private List<SamplerRunner> samplerRunners(Config next, List<Sampler> samplers, List<SamplerRunner> running,
            boolean inputsChanged) {
        Duration tick = config.agent().interval(); // the tick cannot change without a restart
        List<SamplerRunner> runners = new ArrayList<>();
        for (Sampler sampler : samplers) {
            SamplerSettings settings = next.sampler(sampler.name());
            if (!settings.enabled()) {
                continue;
            }
            Duration period = settings.periodOr(sampler.defaultPeriod(tick));
            SamplerRunner same = running.stream().filter(r -> r.name().equals(sampler.name())
                    && r.period().equals(period)).findFirst().orElse(null);
            boolean rebuilt = inputsChanged && (sampler.name().equals(MetricCatalogue.FILESYSTEM)
                    || sampler.name().equals(MetricCatalogue.PROCESSES));
            runners.add(same != null && !rebuilt ? same
                    : new SamplerRunner(sampler, period, tick.dividedBy(2), store, time));
        }
        return runners;
    }

    private void publishReloadMetrics() {
        SeriesWriter out = new SeriesWriter()
                .put(RELOAD_SUCCESSFUL, LabelSet.EMPTY, lastReloadSuccessful ? 1 : 0)
                .put(RELOAD_SUCCESS_TIME, LabelSet.EMPTY, lastReloadSuccess.toEpochMilli() / 1000.0);
        store.replace("agent:config", out, time.nanoTime(), NEVER_STALE, NEVER_STALE);
        ScheduledExecutorService running = scheduler;
        if (running != null) {
            try {
                // /metrics serves what the last tick rendered: a scraper right after a reload sees its outcome.
                running.execute(metrics::render);
            } catch (RejectedExecutionException e) {
                // stopping: nobody scrapes any more
            }
        }
    }

    /** Reads a configuration file, as {@link ConfigLoader#load(Path)} does. */
    @FunctionalInterface
    interface ConfigRead {
        Config read(Path file) throws ConfigException;
    }

    /** Reads the file with {@code read} from now on: a test's read that never ends. */
    void readConfigWith(ConfigRead read) {
        this.configRead = requireNonNull(read, "read");
    }

    /** Called on the reload thread with each configuration a reload applied: {@code run} sets the log level. */
    public void onReloaded(Consumer<Config> listener) {
        this.onReloaded = requireNonNull(listener, "listener");
    }

    /**
     * Reloads on the agent's reload thread and returns at once: what SIGHUP and {@code POST /-/reload} call.
     * Reloads queue one behind the other; none runs while another does.
     */
    public CompletableFuture<ReloadResult> reloadAsync() {
        try {
            return CompletableFuture.supplyAsync(this::reload, reloads);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(new ReloadResult(ReloadResult.Outcome.FAILED, current.source(),
                    "the agent is stopping", ConfigDiff.none(), List.of()));
        }
    }

    /**
     * Reads the configuration file again (the one the agent started from) and applies it; the embedded default
     * reloads to itself. Blocks until done: call it from {@link #reloadAsync()}'s thread or a test's.
     */
    public ReloadResult reload() {
        String source = current.source();
        notifier.reloading(time.nanoTime());
        try {
            if (source.equals(ConfigLoader.DEFAULT_NAME)) {
                // Nothing to read again: the embedded default is what it was. A success, so a script can rely on it.
                return applied(current, ConfigDiff.none(), source, List.of(),
                        "the embedded default configuration does not change");
            }
            Config next;
            try {
                next = read(Path.of(source));
            } catch (ConfigException e) {
                return invalid(source, e.problems());
            } catch (ReadFailure e) {
                return failed(source, e.getMessage());
            }
            return apply(next);
        } finally {
            notifier.reloaded();
        }
    }

    /** Why a reload's read of its file ended without a configuration or its problems. */
    private static final class ReadFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ReadFailure(String message) {
            super(message);
        }
    }

    /**
     * Reads {@code file} on a thread of its own, waiting up to {@link #READ_DEADLINE} on the agent's timer.
     *
     * @throws ReadFailure if the read passed the deadline, an earlier overdue one still runs, or it broke
     */
    private Config read(Path file) throws ConfigException, ReadFailure {
        if (overdueRead != null && overdueRead.isAlive()) {
            throw new ReadFailure("the read of an earlier reload, overdue since, has not finished");
        }
        overdueRead = null;
        CompletableFuture<Config> read = new CompletableFuture<>();
        ConfigRead reader = configRead;
        Thread thread = DaemonThreads.named("rollguard-config-read").newThread(() -> {
            try {
                read.complete(reader.read(file));
            } catch (Throwable e) { // whatever breaks the read fails the reload, never the reload thread
                read.completeExceptionally(e);
            }
        });
        Timer.Scheduled deadline;
        try {
            deadline = timer.schedule(READ_DEADLINE, () -> read.completeExceptionally(new ReadFailure(
                    "reading it took longer than " + Quantities.formatDuration(READ_DEADLINE))));
        } catch (RejectedExecutionException e) {
            throw new ReadFailure("the agent is stopping");
        }
        thread.start();
        try {
            return read.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConfigException problems) {
                throw problems;
            }
            if (e.getCause() instanceof ReadFailure overdue) {
                overdueRead = thread;
                thread.interrupt();
                throw overdue;
            }
            log.error("reading {} failed", file, e.getCause()); // a bug: its stack trace is for the developers
            throw new ReadFailure("reading it failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReadFailure("interrupted while reading it");
        } finally {
            deadline.cancel();
        }
    }

    /**
     * Applies {@code next}, already validated: checks, rules, actions, samplers and deployment settings change on the
     * scheduler thread in one task, so that no tick sees half of it. Keys that only a restart applies
     * ({@code [http] listen}, {@code [agent] state_dir}, {@code interval}) keep their running value, with a warning.
     */
    ReloadResult apply(Config next) {
        Config running = current;
        ConfigDiff diff = ConfigDiff.between(running, config, next);
        boolean inputsChanged = diff.otherChanges().contains("process")
                || diff.otherChanges().contains("sample.filesystem");
        List<SamplerRunner> runners = null;
        if (inputsChanged || diff.otherChanges().contains("sample")) {
            // Built here, not on the scheduler thread: a sampler's construction may read the host.
            runners = samplerRunners(next, samplerFactory.apply(next), tickLoop.samplers(), inputsChanged);
        }
        List<SamplerRunner> newRunners = runners;
        List<String> droppedLatches = new ArrayList<>();
        Runnable swap = () -> {
            checks.reconfigure(next.checks());
            alerts.reconfigure(next.rules(), next.alertmanager().rules());
            rules.reconfigure(next.rules(), next.deploy().baselineWindow());
            actions.reconfigure(next.actions(), next.agent().dryRun(), next.agent().allowInsecurePermissions());
            droppedLatches.addAll(responder.reconfigure(next.rules(), next.actions(), next.agent().dryRun()));
            deployments.reconfigure(next.deploy(), Deployments.baselineSelectors(next.rules()));
            if (newRunners != null) {
                tickLoop.replaceSamplers(newRunners);
            }
            healthTags = tags(next);
            if (http != null) {
                // Tokens apply from the next request on; TLS, limits and the address need a restart.
                http.useAccess(AccessPolicy.of(next.http()));
            }
            tickLoop.evaluateRules(); // the health snapshot and the rules' states follow at once
        };
        Optional<String> failure = onScheduler(swap);
        if (failure.isPresent()) {
            return failed(next.source(), failure.get());
        }
        current = next;
        next.warnings().forEach(warning -> log.warn("{}", warning));
        return applied(next, diff, next.source(), droppedLatches, diff.summary());
    }

    private ReloadResult applied(Config next, ConfigDiff diff, String source, List<String> droppedLatches,
            String summary) {
        lastReloadSuccessful = true;
        lastReloadSuccess = time.now();
        publishReloadMetrics();
        log.info("reloaded {}: {}", source, summary);
        for (String key : diff.restartNeeded()) {
            log.warn("{} changed in {}: it needs a restart to take effect; the running value stays", key, source);
        }
        journal(new JournalEvent.ConfigReloaded(source, summary, diff.toMap(), diff.restartNeeded(), droppedLatches));
        onReloaded.accept(next);
        return new ReloadResult(ReloadResult.Outcome.RELOADED, source, summary, diff, List.of());
    }

    private ReloadResult failed(String source, String why) {
        lastReloadSuccessful = false;
        publishReloadMetrics();
        log.error("reload of {} failed: {}; the running configuration stays", source, why);
        journal(new JournalEvent.ConfigReloadFailed(source, why, List.of(why)));
        return new ReloadResult(ReloadResult.Outcome.FAILED, source, why, ConfigDiff.none(), List.of());
    }

    private ReloadResult invalid(String source, List<ConfigProblem> problems) {
        lastReloadSuccessful = false;
        publishReloadMetrics();
        String message = "reload of " + source + " failed with " + (problems.size() == 1 ? "1 problem"
                : problems.size() + " problems") + "; the running configuration stays";
        log.error(message);
        problems.forEach(problem -> log.error("  {}", problem));
        journal(new JournalEvent.ConfigReloadFailed(source, message,
                problems.stream().map(ConfigProblem::toString).toList()));
        return new ReloadResult(ReloadResult.Outcome.INVALID, source, message, ConfigDiff.none(), problems);
    }

    /**
     * Runs {@code task} on the scheduler thread and waits for it, up to {@link #SWAP_TIMEOUT}; before the start, here.
     * Empty when it ran; why not otherwise.
     */
    private Optional<String> onScheduler(Runnable task) {
        ScheduledExecutorService running = scheduler;
        if (running == null) {
            task.run();
            return Optional.empty();
        }
        Future<?> done;
        try {
            done = running.submit(task);
        } catch (RejectedExecutionException e) {
            return Optional.of("the agent is stopping");
        }
        try {
            try {
                done.get(SWAP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (done.cancel(false)) {
                    return Optional.of("the scheduler thread did not take the configuration within "
                            + io.rollguard.common.Quantities.formatDuration(SWAP_TIMEOUT));
                }
                done.get(); // it has started: it finishes, and what it applied is in force
            }
            return Optional.empty();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return Optional.of("applying it failed: " + (cause instanceof Exception
                    ? io.rollguard.common.Failures.describe((Exception) cause) : String.valueOf(cause)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while applying it");
        }
    }

    private void journal(JournalEvent event) {
        try {
            journal.append(event);
        } catch (IOException e) {
            log.error("journal: {}; {} is not recorded", e.getMessage(), event.kind());
        }
    }

    /** A check changed status: evaluate the rules on the scheduler thread now rather than at the next tick. */
    private void evaluateRulesSoon() {
        ScheduledExecutorService running = scheduler;
        if (running != null && !running.isShutdown()) {
            try {
                running.execute(tickLoop::evaluateRules);
            } catch (RejectedExecutionException e) {
                // stopping: there is nothing left to evaluate for
            }
        }
    }

    /**
     * The configured state directory. For the embedded default only: systemd's {@code $STATE_DIRECTORY} when set
     * (the unit's {@code StateDirectory=}; the first of several), else {@code /var/lib/rollguard} when this user can
     * create it, else the user's own ({@code $XDG_STATE_HOME/rollguard}), so that trying the agent out needs no root.
     * A configuration that names a directory gets exactly that one.
     */
    static Path stateDirectory(Config config, java.util.function.Predicate<Path> usable, Map<String, String> env,
            String home) {
        Path configured = config.agent().stateDir();
        if (!config.source().equals(ConfigLoader.DEFAULT_NAME)) {
            return configured;
        }
        String systemd = env.getOrDefault("STATE_DIRECTORY", "");
        if (!systemd.isBlank()) {
            return Path.of(systemd.split(":")[0]);
        }
        if (usable.test(configured)) {
            return configured;
        }
        String xdgStateHome = env.get("XDG_STATE_HOME");
        Path personal = (xdgStateHome == null || xdgStateHome.isBlank() ? Path.of(home, ".local", "state")
                : Path.of(xdgStateHome)).resolve("rollguard");
        log.info("state directory {} is not writable by this user; using {}", configured, personal);
        return personal;
    }

    /** The state directory the agent runs with for {@code config}: what {@code rollguard incident} reads. */
    public static Path stateDirectory(Config config) {
        return stateDirectory(config, Agent::usable, System.getenv(), System.getProperty("user.home"));
    }

    private static boolean usable(Path directory) {
        Path existing = directory;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && Files.isWritable(existing);
    }

    /** The journal in the state directory; in memory only, loudly, when the directory cannot be used at all. */
    private static Journal openJournal(Path stateDir, TimeSource time, long usedIds) {
        try {
            EventJournal journal = EventJournal.open(stateDir, JournalLimits.DEFAULTS, time, usedIds);
            journal.loadWarnings().forEach(warning -> log.warn("journal: {}", warning));
            return journal;
        } catch (IOException e) {
            String why = "cannot use the state directory " + stateDir + ": " + e.getMessage();
            log.error("{}; events are kept in memory only and latches do not survive a restart", why);
            return Journal.inMemory(JournalLimits.DEFAULTS, time, why, usedIds);
        }
    }

    /** The kernel's host name, read from /proc: no DNS lookup that could stall start-up. */
    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }

    /**
     * Binds the HTTP server and starts ticking: the first tick runs at once on the scheduler thread.
     *
     * @throws IOException when the HTTP address cannot be bound
     */
    public void start() throws IOException {
        start(true);
    }

    /**
     * Binds the HTTP server; with {@code tickOnSchedule}, ticks every interval from now on. Without it only
     * {@link #tick()} ticks: the seam a wiring test steps with a fake clock.
     *
     * @throws IOException when the HTTP address cannot be bound
     */
    void start(boolean tickOnSchedule) throws IOException {
        // Before the first tick: a rollback the last run never saw end is journaled, and its incident recorded, once.
        responder.reportInterrupted();
        scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("rollguard-tick"));
        Router router = new Router()
                .get("/", new StatusPageEndpoint(host, info, tickLoop::health, this::state, journal::latest, store, time,
                        config.agent().interval()))
                .get("/health", new HealthEndpoint(tickLoop::health))
                .get("/health/detailed", new DetailedHealthEndpoint(tickLoop::health, info, this::state))
                .get("/metrics", new MetricsEndpoint(metrics::latest));
        new HealthGroupEndpoint(tickLoop::health, () -> healthTags).routes(router);
        new ReloadEndpoint(this::reloadAsync).routes(router);
        new ApiEndpoints(tickLoop::health, this::state, (after, limit) -> journal.since(after, limit),
                journal::latest, responder, scheduler).routes(router);
        new DeploymentEndpoints(deployments, scheduler).routes(router);
        new IncidentEndpoints(incidentFiles, incidentReads).routes(router);
        new AlertmanagerEndpoint(alerts, tickLoop::evaluateRules, scheduler).routes(router);
        http = HttpServer.start(config.http(), router, timer);
        tickLoop.addSelfMetrics(http::writeMetrics);
        // The configured host, not the socket's: Java reports a dual-stack 0.0.0.0 as 0:0:0:0:0:0:0:0.
        log.info("listening on {}://{}{}", http.scheme(),
                new HostPort(config.http().listen().host(), http.address().getPort()),
                config.http().mutatingToken().isPresent() ? "" : "; POST requests are accepted from loopback only "
                        + "(no [http] token_file)");

        Duration tick = config.agent().interval();
        notifier.watchdogInterval().filter(ping -> tick.compareTo(ping.multipliedBy(2)) >= 0).ifPresent(ping ->
                log.warn("[agent] interval {} is not shorter than WatchdogSec={}: systemd will restart the agent",
                        io.rollguard.common.Quantities.formatDuration(tick),
                        io.rollguard.common.Quantities.formatDuration(ping.multipliedBy(2))));
        // Set before the first tick, after the bind: READY=1 follows the first tick, with HTTP already serving.
        tickLoop.afterEachTick(() -> notifier.ticked(time.nanoTime(), statusLine()));
        if (tickOnSchedule) {
            scheduler.scheduleAtFixedRate(() -> meters.timeTick(tickLoop::tick), 0, tick.toNanos(),
                    TimeUnit.NANOSECONDS);
            log.info("ticking every {}", io.rollguard.common.Quantities.formatDuration(tick));
        }
    }

    /**
     * Runs one tick on the scheduler thread and waits for it: what the schedule does every interval, for a test
     * that steps a fake clock. Before {@link #start}, on the calling thread.
     */
    void tick() throws InterruptedException, ExecutionException {
        ScheduledExecutorService running = scheduler;
        if (running == null) {
            meters.timeTick(tickLoop::tick);
            return;
        }
        running.submit(() -> meters.timeTick(tickLoop::tick)).get();
    }

    /**
     * The checks' statuses as their runs land, not as the last tick's health snapshot saw them: for a test that steps
     * the clock and waits for the runs a tick started.
     */
    java.util.List<io.rollguard.health.CheckStatus> checkStatuses() {
        return checks.statuses();
    }

    /** Runs an action for the responder, and times it in {@code rollguard_action_seconds{action,result}}. */
    private CompletableFuture<ActionOutcome> runAction(ActionRequest request) {
        return actions.run(request).whenComplete((outcome, error) -> {
            if (outcome != null) {
                meters.actionFinished(request.action(), outcome.result().name().toLowerCase(java.util.Locale.ROOT),
                        outcome.duration());
            }
        });
    }

    /** The address the HTTP server bound; port 0 in the configuration resolves to a real port. */
    public InetSocketAddress httpAddress() {
        if (http == null) {
            throw new IllegalStateException("the agent has not started");
        }
        return http.address();
    }

    public HealthSnapshot health() {
        return tickLoop.health();
    }

    /** For {@code systemctl status}: "12 checks (1 failing), 5 rules (0 firing), 0 latched". */
    private String statusLine() {
        HealthSnapshot health = tickLoop.health();
        long failing = health.checks().stream().filter(c -> c.status() == Status.DOWN).count();
        long firing = health.rules().stream().filter(r -> r.state() == RuleState.FIRING).count();
        return "%d checks (%d failing), %d rules (%d firing), %d latched".formatted(health.checks().size(), failing,
                health.rules().size(), firing, responder.latches().size());
    }

    /**
     * What the HTTP handlers show besides the health snapshot. Called on the event loop: every part is read without
     * a lock held across I/O (the guard's published latches, the state store's and journal's volatile failures, the
     * deployments' lock, never held across a write).
     */
    private AgentState state() {
        // One count and one reason for the whole state directory: the journal's writes and state.json's.
        String lastFailure = Stream.of(journal.lastFailure(), state.writeFailure(), state.inReserve())
                .flatMap(Optional::stream).reduce((a, b) -> a + "; " + b).orElse(null);
        return new AgentState(responder.latches(), journal.failures() + state.writeFailures(), lastFailure,
                deployments.currentDeployment().orElse(null), StateHealth.of(state, journal), current.agent().dryRun(),
                responder.silences().silences());
    }

    /** Journaled events with an id above {@code afterId}, oldest first, as {@code /api/v1/events} serves them. */
    public List<io.rollguard.journal.Event> events(long afterId, int limit) {
        return journal.since(afterId, limit);
    }

    /** Stops ticking, then the checks, then serving; bounded to a few seconds whatever a component does. */
    @Override
    public void close() {
        notifier.stopping();
        reloads.shutdownNow();
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("a tick did not finish within 5s; stopping without it");
                    scheduler.shutdownNow();
                }
            } catch (InterruptedException e) {
                scheduler.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        tickLoop.close();
        checks.close();
        sources.close();
        actions.close();
        if (ownTimer != null) {
            ownTimer.close();
        }
        meters.close();
        incidentReads.shutdownNow();
        try {
            journal.close();
        } catch (IOException e) {
            log.warn("journal: {}", e.getMessage());
        }
        if (http != null) {
            http.close();
        }
    }
}
