package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalEvent.ActionFinished;
import io.rollguard.journal.JournalEvent.Cause;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Where the response path hands actions to their runner, whoever asks (a rule's ladder, a deployment): the configured
 * actions, the agent's {@code dry_run}, one {@code action_finished} for every run however it ended, and the counts
 * behind {@code rollguard_actions_total} and {@code rollguard_action_duration_seconds}. Thread-safe.
 */
public final class ActionDispatcher {
    static final MetricFamily ACTIONS = MetricFamily.counter("rollguard_actions_total",
            "Action runs by result: ok, failed, timeout, dry_run, skipped_busy, skipped_latched, "
                    + "skipped_already_rolled_back, rate_limited.");
    static final MetricFamily ACTION_DURATION = MetricFamily.gauge("rollguard_action_duration_seconds",
            "How long the action's last run took.");

    private final Function<ActionRequest, CompletableFuture<ActionOutcome>> runner;
    private final EventLog events;
    // Replaced whole by a reload.
    private volatile Map<String, ActionConfig> actions;
    private volatile boolean agentDryRun;
    private final Map<List<String>, Long> results = new TreeMap<>((a, b) -> {
        int byAction = a.get(0).compareTo(b.get(0));
        return byAction != 0 ? byAction : a.get(1).compareTo(b.get(1));
    });
    private final Map<String, Double> durations = new TreeMap<>();

    /** @param runner starts an action and completes with its outcome, never on the caller's thread */
    public ActionDispatcher(Map<String, ActionConfig> actions, boolean agentDryRun,
            Function<ActionRequest, CompletableFuture<ActionOutcome>> runner, Journal journal) {
        this.actions = Map.copyOf(actions);
        this.agentDryRun = agentDryRun;
        this.runner = requireNonNull(runner, "runner");
        this.events = new EventLog(journal);
    }

    /** Takes a reload's actions; a run already started finishes with the configuration it started with. */
    public void reconfigure(Map<String, ActionConfig> actions, boolean agentDryRun) {
        this.actions = Map.copyOf(actions);
        this.agentDryRun = agentDryRun;
    }

    Optional<ActionConfig> action(String name) {
        return Optional.ofNullable(actions.get(name));
    }

    /** The actions by name, for a question about several of them at once. */
    Map<String, ActionConfig> actions() {
        return actions;
    }

    /** Whether a run of {@code action} only records what it would do. */
    boolean dryRun(ActionConfig action) {
        return agentDryRun || action.dryRun();
    }

    /**
     * The journal as the response path writes it, shared by the parts that start actions, so that a failing disk is
     * logged once rather than once by each of them.
     */
    EventLog events() {
        return events;
    }

    /** Hands the request to the runner; a run that cannot start completes as failed, so it frees what it holds. */
    CompletableFuture<ActionOutcome> start(ActionRequest request) {
        try {
            return runner.apply(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The outcome of a future {@link #start} returned, whether it completed or failed. */
    static ActionOutcome outcome(ActionOutcome outcome, Throwable error) {
        return error == null ? outcome
                : new ActionOutcome(ActionOutcome.Result.FAILED, null, Duration.ZERO, "", "could not start: " + error);
    }

    /** Journals how the run ended and counts it. */
    void finished(String action, Cause cause, long startedEventId, ActionOutcome outcome) {
        String result = result(outcome);
        double seconds = outcome.duration().toMillis() / 1000.0;
        events.append(new ActionFinished(action, cause, startedEventId, result,
                outcome.exitCode() == null ? null : outcome.exitCode().longValue(), seconds, outcome.message(),
                outcome.output()));
        synchronized (this) {
            results.merge(List.of(action, result), 1L, Long::sum);
            durations.put(action, seconds);
        }
    }

    /** Counts a run that did not happen, such as a rollback the guard refused. */
    synchronized void skipped(String action, String result) {
        results.merge(List.of(action, result), 1L, Long::sum);
    }

    /** The action series: runs by result, and how long the last run took. */
    synchronized void write(SeriesWriter out) {
        results.forEach((key, count) -> out.put(ACTIONS, LabelSet.of("action", key.get(0), "result", key.get(1)),
                count));
        durations.forEach((action, seconds) -> out.put(ACTION_DURATION, LabelSet.of("action", action), seconds));
    }

    static String result(ActionOutcome outcome) {
        return outcome.result().name().toLowerCase(Locale.ROOT);
    }

    static boolean failed(ActionOutcome outcome) {
        return outcome.result() == ActionOutcome.Result.FAILED || outcome.result() == ActionOutcome.Result.TIMEOUT;
    }
}
