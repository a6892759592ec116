package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome;
import io.rollguard.action.ActionRequest;
import io.rollguard.config.RuleConfig;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.action.RollbackSettings;
import io.rollguard.journal.Event;
import io.rollguard.journal.JournalEvent;
import io.rollguard.journal.JournalEvent.ActionInterrupted;
import io.rollguard.journal.JournalEvent.ActionSkipped;
import io.rollguard.journal.JournalEvent.ActionStarted;
import io.rollguard.journal.JournalEvent.Firing;
import io.rollguard.journal.JournalEvent.RollbackVerification;
import io.rollguard.journal.JournalEvent.RuleChanged;
import io.rollguard.journal.StateStore;
import io.rollguard.rule.EscalationLadders.Ladder;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent does about rule transitions: it puts together the parts that each do one job. Each transition is
 * journaled ({@link TransitionJournal}); a rule that starts firing runs its actions as an escalation ladder
 * ({@link EscalationLadders}); a rollback starts only past the {@link RollbackGuard}, which latches it on disk first;
 * a rollback whose outcome is known becomes an incident ({@link IncidentDrafts}); a failed action or verification runs
 * its {@code on_failure} action. The actions themselves start through the {@link ActionDispatcher}.
 *
 * <p>Transitions and ticks arrive on the scheduler thread; action outcomes on worker threads. The ladders and
 * incidents are guarded by this object's lock; actions never run under it. Lock order: this one, then the guard's,
 * the deployments', the state store's.
 */
public final class Responder implements Consumer<RuleTransition> {
    private static final Logger log = LoggerFactory.getLogger(Responder.class);
    /** How far back in the journal the start looks for an interrupted rollback's firing and start. */
    private static final int INTERRUPTED_LOOKBACK = 1_000;

    static final MetricFamily ROLLED_BACK = MetricFamily.gauge("rollguard_rolled_back",
            "1 while a rule's rollback has run and the rule has not been re-armed.");
    static final MetricFamily SILENCED = MetricFamily.gauge("rollguard_rule_silenced",
            "1 while a person has silenced the rule's rollbacks (rollguard silence): they wait until it ends.");
    static final MetricFamily ROLLBACK_VERIFIED = MetricFamily.gauge("rollguard_rollback_verified",
            "1 if the rule's last rollback passed its verification, 0 if it did not.");
    static final MetricFamily ROLLBACKS = MetricFamily.counter("rollguard_rollbacks_total",
            "Rollbacks started (past the latch, not dry runs) since the agent started, by rule.");
    static final MetricFamily JOURNAL_ERRORS = MetricFamily.counter("rollguard_journal_errors_total",
            "Events or state that could not be written to the state directory.");

    // Replaced whole by a reload; read without the lock by knowsRule().
    private volatile Map<String, RuleConfig> rules;
    private final ActionDispatcher actions;
    private final RollbackGuard guard;
    private final DeploymentContext deployment;
    private final StateStore state;
    private final EventLog events;
    private final TransitionJournal transitions;
    private final EscalationLadders ladders = new EscalationLadders();
    private final IncidentDrafts incidents;
    private final TimeSource time;
    private final String host;
    private final Silences silences;

    /**
     * @param deployment which deployment actions run under, and whom to tell that a rollback started;
     *     {@link DeploymentContext#NONE} without deployments
     * @param incidents where rollbacks whose outcome is known are written down
     * @param state the state store, for the journal errors this reports
     * @param silences the rules whose rollbacks a person paused: they wait, held, until their silence ends
     */
    public Responder(List<RuleConfig> ruleConfigs, ActionDispatcher actions, RollbackGuard guard,
            DeploymentContext deployment, IncidentRecorder incidents, StateStore state, TimeSource time,
            String host, Silences silences) {
        this.rules = byName(ruleConfigs);
        this.actions = requireNonNull(actions, "actions");
        this.guard = requireNonNull(guard, "guard");
        this.deployment = requireNonNull(deployment, "deployment");
        this.state = requireNonNull(state, "state");
        this.events = actions.events();
        this.transitions = new TransitionJournal(events);
        this.host = requireNonNull(host, "host");
        this.incidents = new IncidentDrafts(incidents, host);
        this.time = requireNonNull(time, "time");
        this.silences = requireNonNull(silences, "silences");
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
    public synchronized List<String> reconfigure(List<RuleConfig> ruleConfigs, Map<String, ActionConfig> actionConfigs,
            boolean agentDryRun) {
        this.rules = byName(ruleConfigs);
        actions.reconfigure(actionConfigs, agentDryRun);
        ladders.reconfigure(rules);
        return guard.forget(rules::containsKey);
    }

    /**
     * Journals ({@code action_interrupted}) and records as an incident, once, each rollback that was running when the
     * agent last stopped: it never saw them end. Their latches hold, so none runs again. Call at the start, before
     * the first tick.
     */
    public synchronized void reportInterrupted() {
        List<RollbackGuard.Latch> interrupted = guard.takeInterrupted();
        if (interrupted.isEmpty()) {
            return;
        }
        List<Event> recent = events.latest(INTERRUPTED_LOOKBACK);
        for (RollbackGuard.Latch latch : interrupted) {
            Event started = null;
            Event fired = null;
            for (Event event : recent) {
                if (event.id() == latch.eventId() && event.kind().equals("rule_firing")) {
                    fired = event;
                } else if (event.kind().equals("action_started") && latch.action().equals(event.fields().get("action"))
                        && Long.valueOf(latch.eventId()).equals(event.fields().get("fired_event_id"))) {
                    started = event;
                }
            }
            long startedId = started == null ? 0 : started.id();
            RuleConfig rule = rules.get(latch.rule());
            Map<String, String> labels = Map.of();
            String incident = null;
            String message = "the agent stopped (killed, crashed or the host went down) while " + latch.action()
                    + " ran: whether it completed is unknown, and it may still be running; its latch holds, so it "
                    + "does not run again: check the application, then re-arm with: rollguard rearm " + latch.rule();
            if (fired != null) {
                RuleChanged change = (RuleChanged) JournalEvent.read(fired);
                labels = change.labels();
                if (rule != null) {
                    RuleTransition firing = new RuleTransition(rule, LabelSet.of(labels), RuleState.PENDING,
                            RuleState.FIRING, change.reason(), nanIfNull(change.value()),
                            nanIfNull(change.threshold()), new Basis(Duration.ofMillis(
                            Math.round(change.windowSeconds() * 1000)), (int) change.samples()), fired.time(), 0);
                    IncidentDrafts.Draft draft = incidents.open(firing, latch.eventId(), latch.action(), startedId,
                            latch.at(), null);
                    incidents.record(draft, ActionOutcome.of(ActionOutcome.Result.INTERRUPTED, Duration.ZERO,
                            message), List.of(), null);
                    incident = draft.incidentId();
                }
            }
            events.append(new ActionInterrupted(latch.rule(), labels, latch.action(), latch.eventId(), startedId,
                    latch.at().toString(), incident, message));
            log.error("rollback {} for {} was interrupted: {}", latch.action(), latch.rule(), message);
        }
    }

    private static double nanIfNull(Double value) {
        return value == null ? Double.NaN : value;
    }

    @Override
    public synchronized void accept(RuleTransition transition) {
        long eventId = transitions.record(transition);
        if (transition.to() == RuleState.FIRING) {
            startNextStep(ladders.fired(transition, eventId));
        } else if (transition.from() == RuleState.FIRING) {
            ladders.stopped(transition.subject());
        }
    }

    /** Escalation and reminders: called once per tick on the scheduler thread. */
    public synchronized void tick(long nowNanos) {
        silences.expire();
        for (Ladder ladder : ladders.active()) {
            if (ladder.escalationDue(nowNanos)) {
                startNextStep(ladder);
            }
            for (ActionConfig reminder : ladder.remindersDue(nowNanos, name -> actions.action(name).orElse(null))) {
                run(ladder, reminder, true, null);
            }
        }
    }

    private void startNextStep(Ladder ladder) {
        ladder.takeNext().ifPresent(step -> run(ladder, actions.action(step).orElseThrow(
                () -> new IllegalStateException("no action named " + step)), false, null));
    }

    /**
     * Starts one action for a firing ladder; a rollback only past the guard.
     *
     * @param onFailureOf the action whose failure this one answers; null for a step of the ladder or a reminder
     */
    private void run(Ladder ladder, ActionConfig action, boolean reminder, String onFailureOf) {
        RuleTransition firing = ladder.firing();
        String rule = firing.rule().name();
        boolean dryRun = actions.dryRun(action);
        // A dry run of a rollback is no rollback: it is neither latched nor bounded.
        Optional<RollbackSettings> rollback = dryRun ? Optional.empty() : action.rollbackSettings();
        DeploymentContext.DeployedVersion current = deployment.current();
        if (rollback.isPresent()) {
            Optional<Silences.Silence> silence = silences.silencing(rule);
            if (silence.isPresent()) {
                silenced(ladder, action, silence.get());
                return;
            }
            Optional<RollbackGuard.Refusal> refusal = guard.refusal(rule, action.name(), rollback.get(), current.id());
            if (refusal.isPresent()) {
                skipped(ladder, action, refusal.get());
                return;
            }
            // The latch reaches the disk before the script starts: a crash from here on never runs it twice.
            Optional<String> unpersisted = guard.started(rule, action.name(), current.id(), ladder.firedEventId());
            if (unpersisted.isPresent()) {
                if (rollback.get().onUnpersisted() == RollbackSettings.OnUnpersisted.HOLD) {
                    guard.withdrawn(rule);
                    held(ladder, action, unpersisted.get());
                    return;
                }
                log.error("rollback {} for {} runs with its latch in memory only ({}); on_unpersisted = \"act\": "
                        + "a crash before the disk takes it may run it again", action.name(), firing.subject(),
                        unpersisted.get());
            }
            ladder.released();
        }
        long started = events.append(new ActionStarted(action.name(), action.type(), action.rollback(), dryRun,
                new Firing(rule, firing.labels().toMap(), ladder.firedEventId(), reminder, onFailureOf)));
        IncidentDrafts.Draft draft = null;
        if (rollback.isPresent()) {
            deployment.rollbackStarted(rule, action.name());
            // Opened at the latch's time, so that the latch names its incident (the status page links it).
            Instant startedAt = guard.latches().stream().filter(latch -> latch.rule().equals(rule)).findFirst()
                    .map(RollbackGuard.Latch::at).orElseGet(time::now);
            draft = incidents.open(firing, ladder.firedEventId(), action.name(), started, startedAt,
                    deployment.details());
        }
        ladder.started(action.name(), reminder, time.nanoTime());
        IncidentDrafts.Draft opened = draft;
        actions.start(new ActionRequest(action.name(), environment(ladder, started), eventBody(ladder)))
                .whenComplete((outcome, error) -> finished(ladder, action, rollback, started,
                        ActionDispatcher.outcome(outcome, error), reminder, opened));
    }

    /**
     * A rollback with {@code on_unpersisted = "hold"} whose latch cannot be written: not run, tried again at the next
     * tick. Journaled and logged once per hold, not at every try.
     */
    private void held(Ladder ladder, ActionConfig action, String why) {
        if (ladder.hold("held_unpersisted")) {
            RuleTransition firing = ladder.firing();
            String message = "its latch cannot be written (" + why + "); on_unpersisted = \"hold\": tried again at "
                    + "every tick until the disk takes it";
            events.append(new ActionSkipped(firing.rule().name(), firing.labels().toMap(), action.name(),
                    "held_unpersisted", message));
            log.error("rollback {} for {} held: {}", action.name(), firing.subject(), message);
            actions.skipped(action.name(), "held_unpersisted");
        }
    }

    /**
     * A rollback of a silenced rule: not run, tried again at every tick, so that it runs once the silence ends if the
     * rule still fires. Journaled ({@code action_skipped}, {@code skipped_silenced}) and logged once per hold.
     */
    private void silenced(Ladder ladder, ActionConfig action, Silences.Silence silence) {
        if (ladder.hold("skipped_silenced")) {
            RuleTransition firing = ladder.firing();
            String message = (silence.all() ? "every rule's rollbacks are" : firing.rule().name() + " is")
                    + " silenced " + silence.describe() + "; it runs then if the rule still fires; lift the silence "
                    + "with: rollguard silence --lift " + (silence.all() ? "--all" : firing.rule().name());
            events.append(new ActionSkipped(firing.rule().name(), firing.labels().toMap(), action.name(),
                    "skipped_silenced", message));
            log.warn("rollback {} for {} waits: {}", action.name(), firing.subject(), message);
            actions.skipped(action.name(), "skipped_silenced");
        }
    }

    private void skipped(Ladder ladder, ActionConfig action, RollbackGuard.Refusal refusal) {
        RuleTransition firing = ladder.firing();
        events.append(new ActionSkipped(firing.rule().name(), firing.labels().toMap(), action.name(),
                refusal.result(), refusal.message()));
        log.warn("action {} for {} not run: {}", action.name(), firing.subject(), refusal.message());
        actions.skipped(action.name(), refusal.result());
        ladder.skipped(time.nanoTime());
    }

    /**
     * @param rollback the settings of a rollback that ran (past the guard, not a dry run); empty for any other action
     * @param draft the incident of that rollback; null for any other action
     */
    private synchronized void finished(Ladder ladder, ActionConfig action, Optional<RollbackSettings> rollback,
            long started, ActionOutcome outcome, boolean reminder, IncidentDrafts.Draft draft) {
        RuleTransition firing = ladder.firing();
        actions.finished(action.name(), new Firing(firing.rule().name(), firing.labels().toMap(), 0, reminder, null),
                started, outcome);
        ladder.ended(reminder, time.nanoTime());
        boolean verifying = rollback.isPresent() && outcome.result() == ActionOutcome.Result.OK
                && !rollback.get().verify().isEmpty();
        if (rollback.isPresent() && !verifying) {
            guard.ended(firing.rule().name(), Optional.empty());
        }
        if (draft != null && !verifying) {
            incidents.record(draft, outcome, rollback.get().verify(), null);
        }
        if (verifying) {
            // Still one rollback at a time: the guard's slot is released once the verification has an answer.
            verify(ladder, action, rollback.get(), draft, outcome);
        } else if (ActionDispatcher.failed(outcome)) {
            onFailure(ladder, action, "it " + ActionDispatcher.result(outcome) + ": " + outcome.message());
        }
    }

    private void verify(Ladder ladder, ActionConfig action, RollbackSettings rollback, IncidentDrafts.Draft draft,
            ActionOutcome outcome) {
        guard.verify(rollback).whenComplete((verification, error) -> {
            synchronized (this) {
                String rule = ladder.firing().rule().name();
                boolean passed = error == null && verification.passed();
                String message = error != null ? "verification could not run: " + error : verification.message();
                guard.ended(rule, Optional.of(passed));
                events.append(new RollbackVerification(passed, rule, action.name(), rollback.verify(), message));
                if (draft != null) {
                    incidents.record(draft, outcome, rollback.verify(), new RollbackRecord.Verification(passed, message));
                }
                if (passed) {
                    log.info("rollback {} for {} verified: {}", action.name(), ladder.firing().subject(), message);
                } else {
                    log.error("rollback {} for {} did not verify: {}", action.name(), ladder.firing().subject(),
                            message);
                    onFailure(ladder, action, "its verification failed: " + message);
                }
            }
        });
    }

    private void onFailure(Ladder ladder, ActionConfig action, String why) {
        Optional<String> name = action.fallback();
        if (name.isEmpty()) {
            return;
        }
        Optional<ActionConfig> fallback = actions.action(name.get());
        if (fallback.isEmpty()) {
            log.warn("{} {}; its on_failure action {} was removed by a reload", action.name(), why, name.get());
            return;
        }
        log.warn("running {} because {} {}", fallback.get().name(), action.name(), why);
        run(ladder.onFailure(action.name() + " " + why), fallback.get(), false, action.name());
    }

    /** Clears the latch of {@code rule}, or every latch when null; returns the rules re-armed. */
    public List<String> rearm(String rule) {
        return guard.rearm(rule);
    }

    public List<RollbackGuard.Latch> latches() {
        return guard.latches();
    }

    public Silences silences() {
        return silences;
    }

    public boolean knowsRule(String rule) {
        return rules.containsKey(rule);
    }

    /** The responder's own series: rollbacks latched and verified, action results, journal errors. */
    public synchronized void publish(SeriesStore store, long nowNanos, Duration interval) {
        SeriesWriter out = new SeriesWriter();
        Map<String, Long> rollbacks = guard.rollbacksStarted();
        for (RuleConfig rule : rules.values()) {
            if (mayRollBack(rule)) {
                LabelSet labels = LabelSet.of("rule", rule.name());
                out.put(ROLLED_BACK, labels, guard.latched(rule.name()) ? 1 : 0);
                out.put(SILENCED, labels, silences.silencing(rule.name()).isPresent() ? 1 : 0);
                out.put(ROLLBACKS, labels, rollbacks.getOrDefault(rule.name(), 0L));
            }
        }
        guard.verified().forEach((rule, passed) -> out.put(ROLLBACK_VERIFIED, LabelSet.of("rule", rule),
                passed ? 1 : 0));
        actions.write(out);
        out.put(JOURNAL_ERRORS, events.failures() + state.writeFailures());
        store.replace("actions", out, nowNanos, interval, interval.multipliedBy(3));
    }

    /** Whether a rollback can run for the rule: a step of its ladder, or an on_failure action down from one. */
    private boolean mayRollBack(RuleConfig rule) {
        Map<String, ActionConfig> configured = actions.actions();
        for (String step : rule.actions()) {
            ActionConfig action = configured.get(step);
            // The configuration rejects on_failure cycles; the bound only keeps a bad map from looping for ever.
            for (int hops = 0; action != null && hops <= configured.size(); hops++) {
                if (action.rollback()) {
                    return true;
                }
                action = action.fallback().map(configured::get).orElse(null);
            }
        }
        return false;
    }

    private Map<String, String> environment(Ladder ladder, long startedEventId) {
        RuleTransition firing = ladder.firing();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("ROLLGUARD_RULE", firing.rule().name());
        environment.put("ROLLGUARD_SEVERITY", TransitionJournal.severity(firing.rule()));
        environment.put("ROLLGUARD_VALUE", Double.isNaN(firing.value()) ? "" : TransitionJournal.number(firing.value()));
        environment.put("ROLLGUARD_CONDITION", firing.rule().when());
        environment.put("ROLLGUARD_LABELS", firing.labels().size() == 0 ? "" : firing.labels().toString());
        environment.put("ROLLGUARD_FIRED_AT", firing.at().toString());
        environment.put("ROLLGUARD_EVENT_ID", String.valueOf(ladder.firedEventId()));
        environment.put("ROLLGUARD_ACTION_EVENT_ID", String.valueOf(startedEventId));
        environment.put("ROLLGUARD_HOST", host);
        DeploymentContext.DeployedVersion current = deployment.current();
        environment.put("ROLLGUARD_DEPLOYMENT_ID", current.id());
        environment.put("ROLLGUARD_DEPLOYMENT_VERSION", current.version());
        return environment;
    }

    private Map<String, Object> eventBody(Ladder ladder) {
        RuleTransition firing = ladder.firing();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event_id", ladder.firedEventId());
        body.put("rule", firing.rule().name());
        body.put("severity", TransitionJournal.severity(firing.rule()));
        // An on_failure action (a page, typically) must say that the remedy failed, not repeat the breach.
        body.put("state", ladder.failure() == null ? "firing" : "action_failed");
        if (ladder.failure() != null) {
            body.put("failure", ladder.failure());
        }
        body.put("labels", firing.labels().toMap());
        body.put("value", TransitionJournal.finite(firing.value()));
        body.put("threshold", TransitionJournal.finite(firing.threshold()));
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
        incidents.link(ladder.firedEventId()).ifPresent(incident -> {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("id", incident);
            link.put("path", IncidentRecorder.path(incident));
            body.put("incident", link);
        });
        return body;
    }
}
