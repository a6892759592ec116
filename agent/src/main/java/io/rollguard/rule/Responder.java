package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.RuleConfig;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.action.ExecActionConfig;
import io.rollguard.config.action.WebhookActionConfig;
import io.rollguard.common.Failures;
import io.rollguard.journal.Event;
import io.rollguard.journal.Journal;
import io.rollguard.journal.StateFile;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent does about rule transitions. Each transition is journaled (on disk before anything acts) and logged;
 * a rule that starts firing runs its actions as an escalation ladder: the first at once, each next one only if the
 * rule still fires {@code escalate_after} after the previous ended; a rule that clears stops its ladder.
 *
 * <p>Rollbacks are latched: at most one runs at a time, a rule's rollback runs once until re-armed, and
 * {@code max_per_hour} bounds them all. The latch is written to {@code state.json} before the script starts, so a
 * restart or a crash never runs a rollback twice. After a rollback exits 0 its {@code verify} checks must pass within
 * {@code verify_within}; a failed rollback or verification runs its {@code on_failure} action.
 *
 * <p>Transitions and ticks arrive on the scheduler thread; action outcomes on worker threads. Every piece of mutable
 * state is guarded by this object's lock; actions themselves never run under it.
 */
public final class Responder implements Consumer<RuleTransition> {
    private static final Logger log = LoggerFactory.getLogger(Responder.class);

    static final MetricFamily ACTIONS = MetricFamily.counter("rollguard_actions_total",
            "Action runs by result: ok, failed, timeout, dry_run, skipped_busy, skipped_latched, rate_limited.");
    static final MetricFamily ACTION_DURATION = MetricFamily.gauge("rollguard_action_duration_seconds",
            "How long the action's last run took.");
    static final MetricFamily ROLLED_BACK = MetricFamily.gauge("rollguard_rolled_back",
            "1 while a rule's rollback has run and the rule has not been re-armed.");
    static final MetricFamily ROLLBACK_VERIFIED = MetricFamily.gauge("rollguard_rollback_verified",
            "1 if the rule's last rollback passed its verification, 0 if it did not.");
    static final MetricFamily ROLLBACKS = MetricFamily.counter("rollguard_rollbacks_total",
            "Rollbacks started (past the latch, not dry runs) since the agent started, by rule.");
    static final MetricFamily JOURNAL_ERRORS = MetricFamily.counter("rollguard_journal_errors_total",
            "Events or state that could not be written to the state directory.");

    private static final Duration VERIFY_PAUSE = Duration.ofSeconds(5);
    private static final Duration HOUR = Duration.ofHours(1);
    private static final int MAX_INCIDENT_IDS = 64;
    private static final java.time.format.DateTimeFormatter INCIDENT_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC);

    // Replaced whole by a reload; read without the lock by knowsRule().
    private volatile Map<String, RuleConfig> rules;
    private Map<String, ActionConfig> actions;
    private final Function<ActionRequest, CompletableFuture<ActionOutcome>> runner;
    private final CheckRunner checks;
    private final Journal journal;
    private final StateFile stateFile;
    private final TimeSource time;
    private final String host;
    private boolean agentDryRun;

    private final Map<String, Latch> latches = new TreeMap<>();
    private final Deque<Instant> rollbackStarts = new ArrayDeque<>();
    private final Map<String, Ladder> ladders = new LinkedHashMap<>();
    private final Map<String, Long> results = new TreeMap<>();
    private final Map<String, Double> durations = new TreeMap<>();
    private final Map<String, Boolean> verified = new TreeMap<>();
    private final Map<String, Long> rollbacks = new TreeMap<>();
    /** The keys of state.json that others own (the deployments): written back with every save, so none is lost. */
    private final Map<String, Object> sections = new TreeMap<>();
    private DeploymentContext deployment = DeploymentContext.NONE;
    private IncidentRecorder incidents = IncidentRecorder.NONE;
    /** The incident of each firing (by its event id) whose rollback started: what its other actions link to. */
    private final Map<Long, String> incidentIds = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > MAX_INCIDENT_IDS;
        }
    };
    private boolean rollbackRunning;
    private String stateUnreadable;
    private boolean journalFailing;
    private long stateWriteFailures;
    private String stateWriteFailure;

    /** A rule's rollback has run: it will not run again for that rule until re-armed. */
    public record Latch(String rule, String action, Instant at, long eventId) {}

    /** A firing rule and label set working through its actions. */
    private static final class Ladder {
        // Replaced by a reload that keeps the rule's state: the ladder goes on with the rule's new actions.
        RuleTransition firing;
        final long firedEventId;
        int next;
        boolean running;
        long lastEndedNanos;
        final Map<String, Long> lastStartedNanos = new HashMap<>();

        /** Set on the ladder of an {@code on_failure} action: what failed, for the person it notifies. */
        String failure;

        Ladder(RuleTransition firing, long firedEventId) {
            this.firing = firing;
            this.firedEventId = firedEventId;
        }
    }

    /**
     * @param runner starts an action and completes with its outcome, never on the caller's thread
     * @param checks runs a rollback's {@code verify} checks
     * @param stateFile where latches persist; its content is read now
     */
    public Responder(List<RuleConfig> ruleConfigs, Map<String, ActionConfig> actions,
            Function<ActionRequest, CompletableFuture<ActionOutcome>> runner, CheckRunner checks, Journal journal,
            StateFile stateFile, TimeSource time, String host, boolean agentDryRun) {
        this.rules = byName(ruleConfigs);
        this.actions = Map.copyOf(actions);
        this.runner = requireNonNull(runner, "runner");
        this.checks = requireNonNull(checks, "checks");
        this.journal = requireNonNull(journal, "journal");
        this.stateFile = requireNonNull(stateFile, "stateFile");
        this.time = requireNonNull(time, "time");
        this.host = requireNonNull(host, "host");
        this.agentDryRun = agentDryRun;
        loadState();
    }

    private static Map<String, RuleConfig> byName(List<RuleConfig> ruleConfigs) {
        Map<String, RuleConfig> byName = new HashMap<>();
        ruleConfigs.forEach(r -> byName.put(r.name(), r));
        return Map.copyOf(byName);
    }

    /**
     * Takes a reloaded configuration's rules and actions, after the rule engine took its rules (so that a removed or
     * restarted rule has already ended its ladder). A firing rule that kept its state goes on up its new ladder; an
     * action already running finishes with the configuration it started with. Latches of rules that still exist
     * stay; those of removed rules are dropped, since nothing could re-arm them by name.
     *
     * @return the rules whose latch was dropped
     */
    public synchronized List<String> reconfigure(List<RuleConfig> ruleConfigs, Map<String, ActionConfig> actions,
            boolean agentDryRun) {
        this.rules = byName(ruleConfigs);
        this.actions = Map.copyOf(actions);
        this.agentDryRun = agentDryRun;
        for (Iterator<Ladder> it = ladders.values().iterator(); it.hasNext();) {
            Ladder ladder = it.next();
            RuleConfig now = rules.get(ladder.firing.rule().name());
            if (now == null) {
                it.remove(); // the engine reported its end already; this is only for a ladder it did not know
            } else {
                ladder.firing = ladder.firing.withRule(now);
            }
        }
        List<String> dropped = new ArrayList<>();
        for (Iterator<String> it = latches.keySet().iterator(); it.hasNext();) {
            String rule = it.next();
            if (!rules.containsKey(rule)) {
                it.remove();
                verified.remove(rule);
                dropped.add(rule);
            }
        }
        if (!dropped.isEmpty()) {
            saveState();
            log.info("dropped the latches of removed rules: {}", String.join(", ", dropped));
        }
        return dropped;
    }

    @Override
    public synchronized void accept(RuleTransition transition) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("rule", transition.rule().name());
        fields.put("labels", transition.labels().toMap());
        fields.put("from", transition.from().label());
        fields.put("to", transition.to().label());
        fields.put("reason", transition.reason());
        fields.put("value", finite(transition.value()));
        fields.put("threshold", finite(transition.threshold()));
        fields.put("window_seconds", transition.basis().window().toMillis() / 1000.0);
        fields.put("samples", transition.basis().samples());
        fields.put("condition", transition.rule().when());
        fields.put("severity", transition.rule().severity().name().toLowerCase(Locale.ROOT));
        Event event = journal("rule_" + transition.to().label(), fields);
        String line = "rule {} {} -> {}: {}" + (Double.isNaN(transition.value()) ? ""
                : " (value " + number(transition.value()) + ", threshold " + number(transition.threshold()) + ")");
        if (transition.to() == RuleState.FIRING) {
            log.warn(line, transition.subject(), transition.from().label(), transition.to().label(), transition.reason());
        } else {
            log.info(line, transition.subject(), transition.from().label(), transition.to().label(), transition.reason());
        }
        String key = transition.subject();
        if (transition.to() == RuleState.FIRING) {
            Ladder ladder = new Ladder(transition, event.id());
            ladders.put(key, ladder);
            startNextStep(ladder);
        } else if (transition.from() == RuleState.FIRING) {
            ladders.remove(key); // a step still running finishes; nothing after it starts
        }
    }

    /** Escalation and reminders: called once per tick on the scheduler thread. */
    public synchronized void tick(long nowNanos) {
        for (Ladder ladder : ladders.values()) {
            List<String> steps = ladder.firing.rule().actions();
            if (!ladder.running && ladder.next > 0 && ladder.next < steps.size()
                    && nowNanos - ladder.lastEndedNanos >= ladder.firing.rule().escalateAfter().toNanos()) {
                startNextStep(ladder);
            }
            for (int i = 0; i < Math.min(ladder.next, steps.size()); i++) {
                ActionConfig action = actions.get(steps.get(i));
                if (action instanceof WebhookActionConfig && ((WebhookActionConfig) action).repeatInterval() != null) {
                    Long last = ladder.lastStartedNanos.get(action.name());
                    if (last != null && nowNanos - last >= ((WebhookActionConfig) action).repeatInterval().toNanos()) {
                        run(ladder, action, true, null);
                    }
                }
            }
        }
    }

    private void startNextStep(Ladder ladder) {
        List<String> steps = ladder.firing.rule().actions();
        if (ladder.next >= steps.size()) {
            return;
        }
        ActionConfig action = actions.get(steps.get(ladder.next));
        ladder.next++;
        run(ladder, action, false, null);
    }

    /**
     * Starts one action for a firing ladder; rollbacks only past the latch, the exclusivity and the hourly bound.
     *
     * @param onFailureOf the action whose failure this one answers; null for a step of the ladder or a reminder
     */
    private void run(Ladder ladder, ActionConfig action, boolean reminder, String onFailureOf) {
        RuleConfig rule = ladder.firing.rule();
        boolean dryRun = agentDryRun || action.dryRun();
        if (action.rollback() && !dryRun) {
            Optional<String> refusal = rollbackRefusal(rule, (ExecActionConfig) action);
            if (refusal.isPresent()) {
                skipped(ladder, action, refusal.get());
                return;
            }
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("rule", rule.name());
        fields.put("labels", ladder.firing.labels().toMap());
        fields.put("action", action.name());
        fields.put("type", action.type());
        fields.put("rollback", action.rollback());
        fields.put("dry_run", dryRun);
        fields.put("fired_event_id", ladder.firedEventId);
        fields.put("reminder", reminder);
        if (onFailureOf != null) {
            fields.put("on_failure_of", onFailureOf);
        }
        if (action.rollback() && !dryRun) {
            // The latch reaches the disk before the script starts: a crash from here on never runs it twice.
            latches.put(rule.name(), new Latch(rule.name(), action.name(), time.now(), ladder.firedEventId));
            rollbackStarts.addLast(time.now());
            rollbacks.merge(rule.name(), 1L, Long::sum);
            rollbackRunning = true;
            saveState();
        }
        Event started = journal("action_started", fields);
        Draft draft = null;
        if (action.rollback() && !dryRun) {
            deployment.rollbackStarted(rule.name(), action.name());
            String incidentId = INCIDENT_TIME.format(time.now()) + "-" + ladder.firedEventId;
            incidentIds.put(ladder.firedEventId, incidentId);
            draft = new Draft(incidentId, started.id(), time.now(), deployment.details());
        }
        if (!reminder) {
            ladder.running = true; // a reminder runs beside the ladder: it neither holds it nor lets it move on
        }
        ladder.lastStartedNanos.put(action.name(), time.nanoTime());
        CompletableFuture<ActionOutcome> run;
        try {
            run = runner.apply(new ActionRequest(action.name(), environment(ladder, started), eventBody(ladder)));
        } catch (RuntimeException e) { // a run that cannot start ends like one that failed, or it holds its slot
            run = CompletableFuture.failedFuture(e);
        }
        Draft rollback = draft;
        run.whenComplete((outcome, error) -> finished(ladder, action, started,
                error == null ? outcome : failedToStart(error), reminder, rollback));
    }

    private Optional<String> rollbackRefusal(RuleConfig rule, ExecActionConfig action) {
        if (stateUnreadable != null) {
            return Optional.of("skipped_latched: the state file cannot be read, so whether this rollback already ran "
                    + "is unknown (" + stateUnreadable + "); fix or remove it, then re-arm");
        }
        Latch latch = latches.get(rule.name());
        if (latch != null) {
            return Optional.of("skipped_latched: " + latch.action() + " already ran for " + rule.name() + " at "
                    + latch.at() + " (event " + latch.eventId() + "); re-arm with: rollguard rearm " + rule.name());
        }
        if (rollbackRunning) {
            return Optional.of("skipped_busy: another rollback is running");
        }
        Instant hourAgo = time.now().minus(HOUR);
        rollbackStarts.removeIf(start -> start.isBefore(hourAgo));
        if (rollbackStarts.size() >= action.maxPerHour()) {
            return Optional.of("rate_limited: " + rollbackStarts.size() + " rollbacks in the last hour (max_per_hour = "
                    + action.maxPerHour() + ")");
        }
        return Optional.empty();
    }

    private void skipped(Ladder ladder, ActionConfig action, String reason) {
        String result = reason.substring(0, reason.indexOf(':'));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("rule", ladder.firing.rule().name());
        fields.put("labels", ladder.firing.labels().toMap());
        fields.put("action", action.name());
        fields.put("result", result);
        fields.put("message", reason.substring(reason.indexOf(':') + 2));
        journal("action_skipped", fields);
        log.warn("action {} for {} not run: {}", action.name(), ladder.firing.subject(), fields.get("message"));
        count(action.name(), result);
        ladder.lastEndedNanos = time.nanoTime();
    }

    /** A rollback that started, waiting for its outcome to become an incident record. */
    private record Draft(String incidentId, long startedEventId, Instant startedAt, Map<String, Object> deployment) {}

    /**
     * @param draft the incident of a rollback that ran (not a dry run); null for any other action
     */
    private void finished(Ladder ladder, ActionConfig action, Event started, ActionOutcome outcome, boolean reminder,
            Draft draft) {
        synchronized (this) {
            String result = outcome.result().name().toLowerCase(Locale.ROOT);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rule", ladder.firing.rule().name());
            fields.put("labels", ladder.firing.labels().toMap());
            fields.put("action", action.name());
            fields.put("started_event_id", started.id());
            fields.put("result", result);
            fields.put("exit_code", outcome.exitCode());
            fields.put("duration_seconds", outcome.duration().toMillis() / 1000.0);
            fields.put("message", outcome.message());
            fields.put("output", outcome.output());
            journal("action_finished", fields);
            count(action.name(), result);
            durations.put(action.name(), outcome.duration().toMillis() / 1000.0);
            if (!reminder) {
                ladder.running = false;
                ladder.lastEndedNanos = time.nanoTime();
            }
            boolean rollback = action.rollback() && outcome.result() != ActionOutcome.Result.DRY_RUN;
            boolean verifying = outcome.result() == ActionOutcome.Result.OK && rollback
                    && !((ExecActionConfig) action).verify().isEmpty();
            if (rollback && !verifying) {
                rollbackRunning = false;
            }
            if (draft != null && !verifying) {
                recordIncident(ladder, (ExecActionConfig) action, draft, outcome, null);
            }
            if (verifying) {
                // Still one rollback at a time: the slot is released once its verification has an answer.
                verify(ladder, (ExecActionConfig) action, draft, outcome);
            } else if (failed(outcome) && action instanceof ExecActionConfig) {
                onFailure(ladder, (ExecActionConfig) action, "it " + result + ": " + outcome.message());
            }
        }
    }

    private void verify(Ladder ladder, ExecActionConfig action, Draft draft, ActionOutcome outcome) {
        checks.verify(action.verify(), action.verifyWithin(), VERIFY_PAUSE).whenComplete((verification, error) -> {
            synchronized (this) {
                rollbackRunning = false;
                boolean passed = error == null && verification.passed();
                String message = error != null ? "verification could not run: " + error : verification.message();
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("rule", ladder.firing.rule().name());
                fields.put("action", action.name());
                fields.put("checks", action.verify());
                fields.put("message", message);
                journal(passed ? "rollback_verified" : "rollback_verification_failed", fields);
                verified.put(ladder.firing.rule().name(), passed);
                if (draft != null) {
                    recordIncident(ladder, action, draft, outcome, new RollbackRecord.Verification(passed, message));
                }
                if (passed) {
                    log.info("rollback {} for {} verified: {}", action.name(), ladder.firing.subject(), message);
                } else {
                    log.error("rollback {} for {} did not verify: {}", action.name(), ladder.firing.subject(), message);
                    onFailure(ladder, action, "its verification failed: " + message);
                }
            }
        });
    }

    /** Hands the rollback to the incident recorder; a failure there never disturbs the responder. */
    private void recordIncident(Ladder ladder, ExecActionConfig action, Draft draft, ActionOutcome outcome,
            RollbackRecord.Verification verification) {
        RollbackRecord record = new RollbackRecord(draft.incidentId(), ladder.firing, ladder.firedEventId,
                action.name(), draft.startedEventId(), draft.startedAt(), draft.deployment(), outcome, action.verify(),
                verification, host);
        try {
            incidents.record(record);
        } catch (RuntimeException e) { // an incident is a report: losing it must not stop on_failure from running
            log.error("incident {} not recorded: {}", draft.incidentId(), Failures.describe(e));
        }
    }

    private void onFailure(Ladder ladder, ExecActionConfig action, String why) {
        if (action.onFailure() == null) {
            return;
        }
        ActionConfig fallback = actions.get(action.onFailure());
        if (fallback == null) {
            log.warn("{} {}; its on_failure action {} was removed by a reload", action.name(), why, action.onFailure());
            return;
        }
        log.warn("running {} because {} {}", fallback.name(), action.name(), why);
        // On a ladder of its own: it neither holds nor moves the rule's ladder.
        Ladder own = new Ladder(ladder.firing, ladder.firedEventId);
        own.failure = action.name() + " " + why;
        run(own, fallback, false, action.name());
    }

    /** Clears the latch of {@code rule}, or every latch when null; returns the rules re-armed. */
    public synchronized List<String> rearm(String rule) {
        List<String> rearmed = new ArrayList<>();
        for (Iterator<String> it = latches.keySet().iterator(); it.hasNext();) {
            String latched = it.next();
            if (rule == null || latched.equals(rule)) {
                it.remove();
                rearmed.add(latched);
            }
        }
        if (rule == null && stateUnreadable != null) {
            stateUnreadable = null; // a person decided: the damaged state no longer blocks rollbacks
            rearmed.add("(state file)");
        }
        if (!rearmed.isEmpty()) {
            rearmed.forEach(verified::remove);
            saveState();
            journal("rule_rearmed", Map.of("rules", rearmed));
            log.info("re-armed {}", String.join(", ", rearmed));
        }
        return rearmed;
    }

    /** Where rollbacks whose outcome is known are written down; {@link IncidentRecorder#NONE} until then. */
    public synchronized void attach(IncidentRecorder incidents) {
        this.incidents = requireNonNull(incidents, "incidents");
    }

    /**
     * Runs {@code action} for a deployment rather than a rule ({@code [deploy] on_healthy}): journaled as
     * {@code action_started} and {@code action_finished} with {@code trigger} and the deployment, counted like any
     * run. The program sees {@code ROLLGUARD_DEPLOYMENT_ID}, {@code ROLLGUARD_DEPLOYMENT_VERSION},
     * {@code ROLLGUARD_EVENT_ID} (the deployment's event) and {@code ROLLGUARD_HOST}. Returns at once.
     *
     * @param trigger why it runs, such as {@code on_healthy}
     * @param eventId the journal id of the deployment event that triggered it
     */
    public synchronized void runForDeployment(String actionName, String trigger, long eventId,
            DeploymentContext.DeployedVersion deployed) {
        ActionConfig action = actions.get(actionName);
        if (action == null) { // the configuration names only defined actions; this is a programming error
            throw new IllegalArgumentException("no action named " + actionName);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("action", action.name());
        fields.put("type", action.type());
        fields.put("rollback", false);
        fields.put("dry_run", agentDryRun || action.dryRun());
        fields.put("trigger", trigger);
        fields.put("trigger_event_id", eventId);
        fields.put("deployment_id", deployed.id());
        fields.put("deployment_version", deployed.version());
        Event started = journal("action_started", fields);
        log.info("running {} ({}) for deployment {} of {}", action.name(), trigger, deployed.id(), deployed.version());
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("ROLLGUARD_EVENT_ID", String.valueOf(eventId));
        environment.put("ROLLGUARD_ACTION_EVENT_ID", String.valueOf(started.id()));
        environment.put("ROLLGUARD_HOST", host);
        environment.put("ROLLGUARD_DEPLOYMENT_ID", deployed.id());
        environment.put("ROLLGUARD_DEPLOYMENT_VERSION", deployed.version());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event_id", eventId);
        body.put("state", trigger.equals("on_healthy") ? "deployment_healthy" : trigger);
        body.put("trigger", trigger);
        body.put("deployment_id", deployed.id());
        body.put("deployment_version", deployed.version());
        body.put("host", host);
        CompletableFuture<ActionOutcome> run;
        try {
            run = runner.apply(new ActionRequest(action.name(), environment, body));
        } catch (RuntimeException e) {
            run = CompletableFuture.failedFuture(e);
        }
        run.whenComplete((outcome, error) -> deploymentActionFinished(action, trigger, deployed, started,
                error == null ? outcome : failedToStart(error)));
    }

    private synchronized void deploymentActionFinished(ActionConfig action, String trigger,
            DeploymentContext.DeployedVersion deployed, Event started, ActionOutcome outcome) {
        String result = outcome.result().name().toLowerCase(Locale.ROOT);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("action", action.name());
        fields.put("trigger", trigger);
        fields.put("deployment_id", deployed.id());
        fields.put("started_event_id", started.id());
        fields.put("result", result);
        fields.put("exit_code", outcome.exitCode());
        fields.put("duration_seconds", outcome.duration().toMillis() / 1000.0);
        fields.put("message", outcome.message());
        fields.put("output", outcome.output());
        journal("action_finished", fields);
        count(action.name(), result);
        durations.put(action.name(), outcome.duration().toMillis() / 1000.0);
        if (failed(outcome)) {
            log.warn("{} ({}) for deployment {}: {}", action.name(), trigger, deployed.id(), outcome.message());
        } else {
            log.info("{} ({}) for deployment {}: {}", action.name(), trigger, deployed.id(), result);
        }
    }

    /** Where actions learn their deployment and rollbacks are reported; {@link DeploymentContext#NONE} until then. */
    public synchronized void attach(DeploymentContext deployment) {
        this.deployment = requireNonNull(deployment, "deployment");
    }

    /**
     * The value {@code key} had in state.json when the agent started (or as last saved), for a component that keeps
     * its own part of the state there; the responder owns the file and writes it whole, so no writer clobbers another.
     */
    public synchronized Optional<Object> savedSection(String key) {
        return Optional.ofNullable(sections.get(key));
    }

    /** Replaces {@code key} of state.json with what {@code value} gives (plain JSON), taken under this lock so that
     * concurrent saves cannot write an older value last, and writes the file. */
    public synchronized void saveSection(String key, java.util.function.Supplier<Object> value) {
        if (key.equals("latches") || key.equals("rollback_starts")) {
            throw new IllegalArgumentException(key + " belongs to the responder");
        }
        sections.put(key, requireNonNull(value.get(), "value"));
        if (stateUnreadable != null) {
            // Overwriting the damaged file would drop the latches it may hold: keep it until a person re-arms.
            log.warn("state {} kept in memory only: the state file cannot be read and is left as it is", key);
            return;
        }
        saveState();
    }

    /** Writes of state.json that failed since the agent started. */
    public synchronized long stateWriteFailures() {
        return stateWriteFailures;
    }

    /** Why the last write of state.json failed; empty once a later write succeeds. */
    public synchronized Optional<String> stateWriteFailure() {
        return Optional.ofNullable(stateWriteFailure);
    }

    public synchronized List<Latch> latches() {
        return List.copyOf(latches.values());
    }

    public boolean knowsRule(String rule) {
        return rules.containsKey(rule);
    }

    /** The responder's own series: rollbacks latched and verified, action results, journal errors. */
    public synchronized void publish(SeriesStore store, long nowNanos, Duration interval) {
        SeriesWriter out = new SeriesWriter();
        for (RuleConfig rule : rules.values()) {
            if (mayRollBack(rule)) {
                LabelSet labels = LabelSet.of("rule", rule.name());
                out.put(ROLLED_BACK, labels, latches.containsKey(rule.name()) ? 1 : 0);
                out.put(ROLLBACKS, labels, rollbacks.getOrDefault(rule.name(), 0L));
            }
        }
        verified.forEach((rule, passed) -> out.put(ROLLBACK_VERIFIED, LabelSet.of("rule", rule), passed ? 1 : 0));
        results.forEach((key, count) -> {
            String[] parts = key.split("\u0000");
            out.put(ACTIONS, LabelSet.of("action", parts[0], "result", parts[1]), count);
        });
        durations.forEach((action, seconds) -> out.put(ACTION_DURATION, LabelSet.of("action", action), seconds));
        out.put(JOURNAL_ERRORS, journal.failures() + stateWriteFailures);
        store.replace("actions", out, nowNanos, interval, interval.multipliedBy(3));
    }

    /** Whether a rollback can run for the rule: a step of its ladder, or an on_failure action down from one. */
    private boolean mayRollBack(RuleConfig rule) {
        for (String step : rule.actions()) {
            ActionConfig action = actions.get(step);
            // The configuration rejects on_failure cycles; the bound only keeps a bad map from looping for ever.
            for (int hops = 0; action != null && hops <= actions.size(); hops++) {
                if (action.rollback()) {
                    return true;
                }
                String next = action instanceof ExecActionConfig ? ((ExecActionConfig) action).onFailure() : null;
                action = next == null ? null : actions.get(next);
            }
        }
        return false;
    }

    private Map<String, String> environment(Ladder ladder, Event started) {
        RuleTransition firing = ladder.firing;
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("ROLLGUARD_RULE", firing.rule().name());
        environment.put("ROLLGUARD_SEVERITY", firing.rule().severity().name().toLowerCase(Locale.ROOT));
        environment.put("ROLLGUARD_VALUE", Double.isNaN(firing.value()) ? "" : number(firing.value()));
        environment.put("ROLLGUARD_CONDITION", firing.rule().when());
        environment.put("ROLLGUARD_LABELS", firing.labels().size() == 0 ? "" : firing.labels().toString());
        environment.put("ROLLGUARD_FIRED_AT", firing.at().toString());
        environment.put("ROLLGUARD_EVENT_ID", String.valueOf(ladder.firedEventId));
        environment.put("ROLLGUARD_ACTION_EVENT_ID", String.valueOf(started.id()));
        environment.put("ROLLGUARD_HOST", host);
        DeploymentContext.DeployedVersion current = deployment.current();
        environment.put("ROLLGUARD_DEPLOYMENT_ID", current.id());
        environment.put("ROLLGUARD_DEPLOYMENT_VERSION", current.version());
        return environment;
    }

    private Map<String, Object> eventBody(Ladder ladder) {
        RuleTransition firing = ladder.firing;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event_id", ladder.firedEventId);
        body.put("rule", firing.rule().name());
        body.put("severity", firing.rule().severity().name().toLowerCase(Locale.ROOT));
        // An on_failure action (a page, typically) must say that the remedy failed, not repeat the breach.
        body.put("state", ladder.failure == null ? "firing" : "action_failed");
        if (ladder.failure != null) {
            body.put("failure", ladder.failure);
        }
        body.put("labels", firing.labels().toMap());
        body.put("value", finite(firing.value()));
        body.put("threshold", finite(firing.threshold()));
        body.put("condition", firing.rule().when());
        body.put("reason", firing.reason());
        body.put("window_seconds", firing.basis().window().toMillis() / 1000.0);
        body.put("samples", firing.basis().samples());
        body.put("fired_at", firing.at().toString());
        body.put("description", firing.rule().description());
        body.put("host", host);
        DeploymentContext.DeployedVersion current = deployment.current();
        body.put("deployment_id", current.exists() ? current.id() : null);
        body.put("deployment_version", current.exists() ? current.version() : null);
        String incident = incidentIds.get(ladder.firedEventId);
        if (incident != null) {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("id", incident);
            link.put("path", IncidentRecorder.path(incident));
            body.put("incident", link);
        }
        return body;
    }

    private Event journal(String kind, Map<String, Object> fields) {
        try {
            Event event = journal.append(kind, fields);
            if (journalFailing) {
                log.info("the journal writes to disk again");
                journalFailing = false;
            }
            return event;
        } catch (IOException e) {
            if (!journalFailing) {
                log.error("journal: {}; events are kept in memory until it can write again", e.getMessage());
                journalFailing = true;
            }
            List<Event> latest = journal.latest(1);
            return latest.isEmpty() ? new Event(0, time.now(), kind, Map.of()) : latest.get(0);
        }
    }

    private void loadState() {
        try {
            Map<String, Object> state = stateFile.read();
            Object saved = state.getOrDefault("latches", Map.of());
            Object starts = state.getOrDefault("rollback_starts", List.of());
            if (!(saved instanceof Map) || !(starts instanceof List)) {
                // Valid JSON of another shape (another version's, or edited by hand) hides latches as well as garbage.
                throw new IOException(stateFile.path() + ": expected \"latches\" to be an object and "
                        + "\"rollback_starts\" a list");
            }
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) saved).entrySet()) {
                Map<?, ?> latch = (Map<?, ?>) entry.getValue();
                latches.put(String.valueOf(entry.getKey()), new Latch(String.valueOf(entry.getKey()),
                        String.valueOf(latch.get("action")), Instant.parse(String.valueOf(latch.get("at"))),
                        ((Number) latch.get("event_id")).longValue()));
            }
            ((List<?>) starts).forEach(s -> rollbackStarts.addLast(Instant.parse(String.valueOf(s))));
            state.forEach((key, value) -> {
                if (!key.equals("latches") && !key.equals("rollback_starts")) {
                    sections.put(key, value);
                }
            });
            if (!latches.isEmpty()) {
                log.info("rollbacks latched from before the restart: {}", String.join(", ", latches.keySet()));
            }
        } catch (IOException | RuntimeException e) { // a damaged state must never re-arm a rollback by accident
            stateUnreadable = Failures.describe(e);
            log.error("cannot read the state file {}: {}; no rollback runs until it is fixed or `rollguard rearm`",
                    stateFile.path(), stateUnreadable);
        }
    }

    private void saveState() {
        Map<String, Object> saved = new LinkedHashMap<>();
        for (Latch latch : latches.values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("action", latch.action());
            entry.put("at", latch.at().toString());
            entry.put("event_id", latch.eventId());
            saved.put(latch.rule(), entry);
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("latches", saved);
        state.put("rollback_starts", rollbackStarts.stream().map(Instant::toString).toList());
        state.putAll(sections);
        try {
            stateFile.write(state);
            if (stateWriteFailure != null) {
                log.info("the state file {} is written again", stateFile.path());
                stateWriteFailure = null;
            }
        } catch (IOException e) {
            stateWriteFailures++;
            if (stateWriteFailure == null) {
                log.error("{}; the latch holds in memory only", e.getMessage());
            }
            stateWriteFailure = e.getMessage();
        }
    }

    private void count(String action, String result) {
        results.merge(action + "\u0000" + result, 1L, Long::sum);
    }

    private static boolean failed(ActionOutcome outcome) {
        return outcome.result() == ActionOutcome.Result.FAILED || outcome.result() == ActionOutcome.Result.TIMEOUT;
    }

    private static ActionOutcome failedToStart(Throwable error) {
        return new ActionOutcome(ActionOutcome.Result.FAILED, null, Duration.ZERO, "",
                "could not start: " + error);
    }

    private static Object finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.4g", value);
    }
}
