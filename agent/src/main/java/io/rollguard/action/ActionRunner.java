package io.rollguard.action;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome.Result;
import io.rollguard.common.DaemonThreads;
import io.rollguard.common.Failures;
import io.rollguard.config.ConfigDiff;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.action.ExecActionConfig;
import io.rollguard.config.action.WebhookActionConfig;
import io.rollguard.process.ProgramLauncher;
import io.rollguard.time.TimeSource;
import io.rollguard.time.Timer;
import io.rollguard.work.Workers;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs actions for the rule engine, which decides when; this class decides nothing but how. Every run happens on a
 * bounded worker pool, never on the caller's thread (the scheduler's), and ends as an {@link ActionOutcome}: the
 * future returned never completes exceptionally.
 *
 * <p>Runs of one action never overlap. A request for an action that is already running waits for it to end and
 * then runs, in the order requests came; when {@link #MAX_WAITING} are already waiting it is not run and ends at
 * once as {@link Result#SKIPPED_BUSY}. Waiting rather than refusing keeps every notification (two rules that fire in
 * the same tick both reach the webhook) and never runs one script twice at the same time; whether a rollback may
 * run at all is the rule engine's decision, made before it asks.
 *
 * <p>{@link #close()} ends waiting requests unrun, stops the programs that are running (their process trees get
 * SIGTERM, then SIGKILL after 5 s) and cancels pending webhook retries, within a bounded time.
 */
public final class ActionRunner implements AutoCloseable {
    /** How many requests may wait for a busy action; more are skipped. */
    public static final int MAX_WAITING = 16;
    private static final int MAX_WORKERS = 16;
    /** How long close() waits for stopping programs: their grace period, and a little for the kernel. */
    private static final Duration CLOSE_WAIT = ExecAction.KILL_GRACE.plusSeconds(2);

    // Replaced whole by reconfigure(); a slot replaced finishes what it runs and what waits for it.
    private volatile Map<String, Slot> slots = Map.of();
    private final Workers workers;
    private final ExecutorService pipes;
    private final Timer timer;
    private final TimeSource time;
    private final ProgramLauncher launcher;
    private HttpClient client; // created with the first webhook, guarded by this
    private final List<Slot> retired = new ArrayList<>(); // replaced slots, until close(); guarded by this
    private volatile boolean closed;

    /** One action, its run in progress and the requests waiting for it. Guarded by its own lock. */
    private static final class Slot {
        final Action action;
        final ActionConfig config; // null for a test's own actions
        final boolean dryRun;
        final boolean allowInsecure;
        boolean running;
        CompletableFuture<ActionOutcome> current;
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

        Slot(Action action, ActionConfig config, boolean dryRun, boolean allowInsecure) {
            this.action = action;
            this.config = config;
            this.dryRun = dryRun;
            this.allowInsecure = allowInsecure;
        }
    }

    private record Waiting(ActionRequest request, CompletableFuture<ActionOutcome> outcome) {}

    /**
     * The daemon's runner: one action per {@code [action.NAME]}.
     *
     * @param agentDryRun {@code [agent] dry_run}: every action only says what it would do
     */
    public ActionRunner(Map<String, ActionConfig> configs, boolean agentDryRun, TimeSource time, Timer timer) {
        this(configs, agentDryRun, false, time, timer, ProgramLauncher.forHost());
    }

    /**
     * @param agentDryRun {@code [agent] dry_run}: every action only says what it would do
     * @param allowInsecurePermissions {@code [agent] allow_insecure_permissions}: a program others could change
     *     runs after a warning instead of being refused
     * @param launcher starts programs in sessions of their own and stops them by process group
     */
    public ActionRunner(Map<String, ActionConfig> configs, boolean agentDryRun, boolean allowInsecurePermissions,
            TimeSource time, Timer timer, ProgramLauncher launcher) {
        this(configs.size(), time, timer, launcher);
        reconfigure(configs, agentDryRun, allowInsecurePermissions);
    }

    /** For tests: actions of their own making, by name. */
    ActionRunner(Map<String, Action> actions, TimeSource time, Timer timer) {
        this(actions.size(), time, timer, ProgramLauncher.forHost());
        Map<String, Slot> own = new LinkedHashMap<>();
        actions.forEach((name, action) -> own.put(name, new Slot(action, null, false, false)));
        slots = Collections.unmodifiableMap(own);
    }

    /**
     * Takes a reloaded configuration's actions. An action whose configuration (and dry-run) is unchanged keeps its
     * slot; a changed or removed one is replaced, but what it is running, and the requests already waiting for it,
     * finish with the configuration they were started with. New requests go to the new configuration at once.
     */
    public void reconfigure(Map<String, ActionConfig> configs, boolean agentDryRun) {
        reconfigure(configs, agentDryRun, false);
    }

    /** @param allowInsecurePermissions {@code [agent] allow_insecure_permissions}, as the constructor takes it */
    public synchronized void reconfigure(Map<String, ActionConfig> configs, boolean agentDryRun,
            boolean allowInsecurePermissions) {
        Map<String, Slot> old = slots;
        Map<String, Slot> next = new LinkedHashMap<>();
        for (ActionConfig config : configs.values()) {
            boolean dryRun = agentDryRun || config.dryRun();
            Slot previous = old.get(config.name());
            if (previous != null && previous.dryRun == dryRun && previous.allowInsecure == allowInsecurePermissions
                    && ConfigDiff.same(previous.config, config)) {
                next.put(config.name(), previous);
            } else {
                next.put(config.name(), new Slot(build(config, dryRun, allowInsecurePermissions), config, dryRun,
                        allowInsecurePermissions));
            }
        }
        retired.removeIf(ActionRunner::idle); // nothing left to finish: close() need not see them
        old.values().stream().filter(slot -> !next.containsValue(slot) && !idle(slot)).forEach(retired::add);
        // A replaced slot still running holds a worker until it ends: its successor must not wait for that.
        workers.resize(Math.min(next.size() + retired.size(), MAX_WORKERS));
        slots = Collections.unmodifiableMap(next);
    }

    private static boolean idle(Slot slot) {
        synchronized (slot) {
            return !slot.running && slot.waiting.isEmpty();
        }
    }

    private Action build(ActionConfig config, boolean dryRun, boolean allowInsecurePermissions) {
        return config.accept(new ActionConfig.Visitor<Action>() {
            @Override
            public Action exec(ExecActionConfig exec) {
                return new ExecAction(exec, dryRun, allowInsecurePermissions, pipes, time, timer, ExecAction.KILL_GRACE,
                        launcher);
            }

            @Override
            public Action webhook(WebhookActionConfig webhook) {
                return new WebhookAction(webhook, dryRun, webhookClient(), timer, time, WebhookAction.BACKOFF);
            }
        });
    }

    /** Only with a webhook to send: the client starts a selector thread of its own. */
    private HttpClient webhookClient() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(pipes) // short tasks: its answers, handed on at once to a worker
                    .build();
        }
        return client;
    }

    /** @param timer the agent's: webhook retries and deadlines wait on it, never on a worker */
    private ActionRunner(int actions, TimeSource time, Timer timer, ProgramLauncher launcher) {
        this.time = requireNonNull(time, "time");
        this.launcher = requireNonNull(launcher, "launcher");
        this.timer = requireNonNull(timer, "timer");
        // A thread per action at most: a program that runs to its timeout holds its worker and no other action's.
        // A program bounds its own run (its timeout stops its process tree), so the workers give it no timeout.
        this.workers = new Workers("rollguard-action", Math.min(actions, MAX_WORKERS), timer);
        // Unbounded, and the threads are short-lived: a pipe held by a process left in the background blocks its
        // reader for as long as that process lives, and must not take a thread that another run needs.
        this.pipes = Executors.newCachedThreadPool(DaemonThreads.numbered("rollguard-action-pipe"));
    }

    /**
     * Runs {@code request.action()} once, now or after the run in progress, on a worker. Returns at once. The
     * future completes on one of the runner's workers: what depends on it and is slow belongs on another executor.
     *
     * @throws IllegalArgumentException when no action has that name: the configuration guarantees it does
     */
    public CompletableFuture<ActionOutcome> run(ActionRequest request) {
        Slot slot = slots.get(request.action());
        if (slot == null) {
            throw new IllegalArgumentException("no action named \"" + request.action() + "\"; known: " + slots.keySet());
        }
        CompletableFuture<ActionOutcome> outcome = new CompletableFuture<>();
        synchronized (slot) {
            if (closed) {
                return CompletableFuture.completedFuture(notRun(Result.FAILED, "not run: the agent is stopping"));
            }
            if (slot.running) {
                if (slot.waiting.size() >= MAX_WAITING) {
                    return CompletableFuture.completedFuture(notRun(Result.SKIPPED_BUSY, "not run: "
                            + request.action() + " is running and " + MAX_WAITING + " more runs are waiting"));
                }
                slot.waiting.add(new Waiting(request, outcome));
                return outcome;
            }
            slot.running = true;
            slot.current = outcome;
        }
        start(slot, request, outcome);
        return outcome;
    }

    private void start(Slot slot, ActionRequest request, CompletableFuture<ActionOutcome> outcome) {
        long started = time.nanoTime();
        try {
            workers.execute(() -> {
                CompletableFuture<ActionOutcome> run;
                try {
                    run = slot.action.run(request);
                } catch (Exception e) { // isolation: an action that cannot run is a failed run, never a dead worker
                    run = CompletableFuture.completedFuture(ActionOutcome.of(Result.FAILED, elapsed(started),
                            "could not run: " + Failures.describe(e)));
                }
                run.whenComplete((result, error) -> settle(slot, outcome, result != null ? result
                        : ActionOutcome.of(Result.FAILED, elapsed(started), "could not run: " + error)));
            });
        } catch (RejectedExecutionException e) {
            finish(slot, outcome, notRun(Result.FAILED, "not run: the agent is stopping"));
        }
    }

    /**
     * Finishes a run on a worker: a webhook's answer arrives on the HTTP client's thread, which the caller's callbacks must
     * not hold. While the runner closes, the workers take no more tasks and the run is finished where it ended.
     */
    private void settle(Slot slot, CompletableFuture<ActionOutcome> outcome, ActionOutcome result) {
        try {
            workers.execute(() -> finish(slot, outcome, result));
        } catch (RejectedExecutionException e) {
            finish(slot, outcome, result);
        }
    }

    /** Settles a run and starts the next waiting request, if any. */
    private void finish(Slot slot, CompletableFuture<ActionOutcome> outcome, ActionOutcome result) {
        outcome.complete(result);
        Waiting next;
        synchronized (slot) {
            next = closed ? null : slot.waiting.poll();
            slot.running = next != null;
            slot.current = next == null ? null : next.outcome();
        }
        if (next != null) {
            start(slot, next.request(), next.outcome());
        }
    }

    private Duration elapsed(long started) {
        return Duration.ofNanos(time.nanoTime() - started);
    }

    private static ActionOutcome notRun(Result result, String message) {
        return ActionOutcome.of(result, Duration.ZERO, message);
    }

    /**
     * Ends waiting requests unrun, stops running programs (SIGTERM to their trees, SIGKILL after the grace period)
     * and pending webhook retries. Returns within about {@link #CLOSE_WAIT}; every future handed out is complete.
     */
    @Override
    public void close() {
        closed = true;
        List<CompletableFuture<ActionOutcome>> unrun = new ArrayList<>();
        List<CompletableFuture<ActionOutcome>> current = new ArrayList<>();
        List<Slot> every = new ArrayList<>(slots.values());
        synchronized (this) {
            every.addAll(retired);
        }
        for (Slot slot : every) {
            synchronized (slot) {
                slot.waiting.forEach(waiting -> unrun.add(waiting.outcome()));
                slot.waiting.clear();
                if (slot.current != null) {
                    current.add(slot.current);
                }
            }
        }
        unrun.forEach(outcome -> outcome.complete(notRun(Result.FAILED, "not run: the agent is stopping")));
        workers.close(CLOSE_WAIT); // interrupts the workers waiting for programs: each stops its process tree
        pipes.shutdownNow();
        // A webhook whose retry was waiting on the timer has nobody left to settle it.
        current.forEach(outcome -> outcome.complete(notRun(Result.FAILED, "stopped: the agent is stopping")));
    }

}
