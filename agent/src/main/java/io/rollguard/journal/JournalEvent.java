package io.rollguard.journal;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the agent journals, one record per kind of event: the journal's schema. Each record knows its {@link #kind()}
 * and renders its {@link #fields()} in the order they have on disk, so {@code events.jsonl} reads as it always has;
 * {@link #read(Event)} turns a journaled event back into its record. A new kind is one record here: the compiler
 * finds every {@link Visitor} that must learn it.
 *
 * <p>Fields hold JSON values only: a label set is a {@code Map<String, String>}, a number that may be missing (a
 * rule's value without data, a webhook's exit code) is null, and a deployment is the object
 * {@code Deployment.toMap()} renders.
 */
public sealed interface JournalEvent {
    /** The event's {@code kind} on disk, such as {@code rule_firing}. */
    String kind();

    /** The event's fields in their order on disk, without {@code id}, {@code time} and {@code kind}. */
    Map<String, Object> fields();

    <R> R accept(Visitor<R> visitor);

    /** One method per record. */
    interface Visitor<R> {
        R ruleChanged(RuleChanged event);

        R actionStarted(ActionStarted event);

        R actionFinished(ActionFinished event);

        R actionSkipped(ActionSkipped event);

        R actionInterrupted(ActionInterrupted event);

        R rollbackVerification(RollbackVerification event);

        R rulesRearmed(RulesRearmed event);

        R deploymentChanged(DeploymentChanged event);

        R configReloaded(ConfigReloaded event);

        R configReloadFailed(ConfigReloadFailed event);

        R silenceStarted(SilenceStarted event);

        R silenceEnded(SilenceEnded event);
    }

    /**
     * The record of a journaled event.
     *
     * @throws IllegalArgumentException for a kind no record knows, or a field missing or of the wrong type
     */
    static JournalEvent read(Event event) {
        EventFields in = new EventFields(event);
        String kind = event.kind();
        if (kind.startsWith("rule_") && RuleChanged.STATES.contains(kind.substring("rule_".length()))) {
            return new RuleChanged(in.string("rule"), in.labels("labels"), in.string("from"), in.string("to"),
                    in.string("reason"), in.numberOrNull("value"), in.numberOrNull("threshold"),
                    in.number("window_seconds"), in.integer("samples"), in.string("condition"),
                    in.string("severity"));
        }
        if (kind.startsWith("deployment_")) {
            return DeploymentChanged.read(kind, in, event.fields());
        }
        return switch (kind) {
            case "action_started" -> ActionStarted.read(in);
            case "action_finished" -> ActionFinished.read(in);
            case "action_skipped" -> new ActionSkipped(in.string("rule"), in.labels("labels"), in.string("action"),
                    in.string("result"), in.string("message"));
            case "rollback_verified", "rollback_verification_failed" -> new RollbackVerification(
                    kind.equals("rollback_verified"), in.string("rule"), in.string("action"), in.strings("checks"),
                    in.string("message"));
            case "action_interrupted" -> new ActionInterrupted(in.string("rule"), in.labels("labels"),
                    in.string("action"), in.integer("fired_event_id"), in.integer("started_event_id"),
                    in.string("started_at"), event.fields().get("incident") instanceof String id ? id : null,
                    in.string("message"));
            case "rule_rearmed" -> new RulesRearmed(in.strings("rules"));
            case "silence_started" -> new SilenceStarted(in.strings("rules"), in.string("until"), in.string("comment"));
            case "silence_ended" -> new SilenceEnded(in.strings("rules"), in.string("how"), in.string("until"));
            case "config_reloaded" -> new ConfigReloaded(in.string("config"), in.string("summary"),
                    in.object("changes"), in.strings("restart_needed"), in.strings("latches_dropped"));
            case "config_reload_failed" -> new ConfigReloadFailed(in.string("config"), in.string("message"),
                    in.strings("problems"));
            default -> throw new IllegalArgumentException("event " + event.id() + ": unknown kind " + kind);
        };
    }

    /**
     * A rule changed state for one label set ({@code rule_pending}, {@code rule_firing}, {@code rule_inactive},
     * {@code rule_unknown}), with its decision record.
     *
     * @param value the condition's value; null without data (or when it is not finite)
     * @param threshold what it was compared with; null when there was none
     */
    record RuleChanged(String rule, Map<String, String> labels, String from, String to, String reason, Double value,
            Double threshold, double windowSeconds, long samples, String condition, String severity)
            implements JournalEvent {
        static final List<String> STATES = List.of("inactive", "pending", "firing", "unknown");

        public RuleChanged {
            requireNonNull(rule, "rule");
            labels = copy(labels);
            requireNonNull(from, "from");
            if (!STATES.contains(to)) {
                throw new IllegalArgumentException("a rule's state is one of " + STATES + ", got " + to);
            }
            requireNonNull(reason, "reason");
            requireNonNull(condition, "condition");
            requireNonNull(severity, "severity");
        }

        @Override
        public String kind() {
            return "rule_" + to;
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rule", rule);
            fields.put("labels", labels);
            fields.put("from", from);
            fields.put("to", to);
            fields.put("reason", reason);
            fields.put("value", value);
            fields.put("threshold", threshold);
            fields.put("window_seconds", windowSeconds);
            fields.put("samples", samples);
            fields.put("condition", condition);
            fields.put("severity", severity);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.ruleChanged(this);
        }
    }

    /** What an action ran for: a rule's firing, or a deployment ({@code [deploy] on_healthy}). */
    sealed interface Cause {
        <R> R accept(CauseVisitor<R> visitor);
    }

    /** One method per cause. */
    interface CauseVisitor<R> {
        R firing(Firing firing);

        R deployment(ForDeployment deployment);
    }

    /**
     * A firing rule and label set, as the action events name it.
     *
     * @param firedEventId the id of its {@code rule_firing}
     * @param reminder whether the run is a webhook's {@code repeat_interval} reminder
     * @param onFailureOf the action whose failure this run answers; null for a step of the ladder or a reminder
     */
    record Firing(String rule, Map<String, String> labels, long firedEventId, boolean reminder, String onFailureOf)
            implements Cause {
        public Firing {
            requireNonNull(rule, "rule");
            labels = copy(labels);
        }

        @Override
        public <R> R accept(CauseVisitor<R> visitor) {
            return visitor.firing(this);
        }
    }

    /**
     * A deployment the action ran for.
     *
     * @param trigger why, such as {@code on_healthy}
     * @param triggerEventId the id of the deployment's event that triggered it
     */
    record ForDeployment(String trigger, long triggerEventId, String deploymentId, String deploymentVersion)
            implements Cause {
        public ForDeployment {
            requireNonNull(trigger, "trigger");
            requireNonNull(deploymentId, "deploymentId");
            requireNonNull(deploymentVersion, "deploymentVersion");
        }

        @Override
        public <R> R accept(CauseVisitor<R> visitor) {
            return visitor.deployment(this);
        }
    }

    /** {@code action_started}: an action was handed to its runner (a dry run included). */
    record ActionStarted(String action, String type, boolean rollback, boolean dryRun, Cause cause)
            implements JournalEvent {
        public ActionStarted {
            requireNonNull(action, "action");
            requireNonNull(type, "type");
            requireNonNull(cause, "cause");
        }

        @Override
        public String kind() {
            return "action_started";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            return cause.accept(new CauseVisitor<Map<String, Object>>() {
                @Override
                public Map<String, Object> firing(Firing firing) {
                    fields.put("rule", firing.rule());
                    fields.put("labels", firing.labels());
                    putAction(fields);
                    fields.put("fired_event_id", firing.firedEventId());
                    fields.put("reminder", firing.reminder());
                    if (firing.onFailureOf() != null) {
                        fields.put("on_failure_of", firing.onFailureOf());
                    }
                    return fields;
                }

                @Override
                public Map<String, Object> deployment(ForDeployment deployment) {
                    putAction(fields);
                    fields.put("trigger", deployment.trigger());
                    fields.put("trigger_event_id", deployment.triggerEventId());
                    fields.put("deployment_id", deployment.deploymentId());
                    fields.put("deployment_version", deployment.deploymentVersion());
                    return fields;
                }
            });
        }

        private void putAction(Map<String, Object> fields) {
            fields.put("action", action);
            fields.put("type", type);
            fields.put("rollback", rollback);
            fields.put("dry_run", dryRun);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.actionStarted(this);
        }

        static ActionStarted read(EventFields in) {
            Cause cause = in.has("trigger")
                    ? new ForDeployment(in.string("trigger"), in.integer("trigger_event_id"),
                            in.string("deployment_id"), in.string("deployment_version"))
                    : new Firing(in.string("rule"), in.labels("labels"), in.integer("fired_event_id"),
                            in.bool("reminder"), in.has("on_failure_of") ? in.string("on_failure_of") : null);
            return new ActionStarted(in.string("action"), in.string("type"), in.bool("rollback"), in.bool("dry_run"),
                    cause);
        }
    }

    /**
     * {@code action_finished}: how a run ended. Its cause names the rule and labels (of a firing) or the trigger and
     * deployment; the event refers to its {@code action_started} for the rest.
     *
     * @param exitCode a program's exit status; null when no program ran to its end
     * @param output the bounded tail of the program's output
     */
    record ActionFinished(String action, Cause cause, long startedEventId, String result, Long exitCode,
            double durationSeconds, String message, String output) implements JournalEvent {
        public ActionFinished {
            requireNonNull(action, "action");
            requireNonNull(cause, "cause");
            requireNonNull(result, "result");
            requireNonNull(message, "message");
            requireNonNull(output, "output");
        }

        @Override
        public String kind() {
            return "action_finished";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            cause.accept(new CauseVisitor<Void>() {
                @Override
                public Void firing(Firing firing) {
                    fields.put("rule", firing.rule());
                    fields.put("labels", firing.labels());
                    fields.put("action", action);
                    return null;
                }

                @Override
                public Void deployment(ForDeployment deployment) {
                    fields.put("action", action);
                    fields.put("trigger", deployment.trigger());
                    fields.put("deployment_id", deployment.deploymentId());
                    return null;
                }
            });
            fields.put("started_event_id", startedEventId);
            fields.put("result", result);
            fields.put("exit_code", exitCode);
            fields.put("duration_seconds", durationSeconds);
            fields.put("message", message);
            fields.put("output", output);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.actionFinished(this);
        }

        static ActionFinished read(EventFields in) {
            // What action_finished does not carry of its cause (event ids, the version) reads as zero and empty.
            Cause cause = in.has("trigger")
                    ? new ForDeployment(in.string("trigger"), 0, in.string("deployment_id"), "")
                    : new Firing(in.string("rule"), in.labels("labels"), 0, false, null);
            return new ActionFinished(in.string("action"), cause, in.integer("started_event_id"), in.string("result"),
                    in.integerOrNull("exit_code"), in.number("duration_seconds"), in.string("message"),
                    in.string("output"));
        }
    }

    /**
     * {@code action_skipped}: an action a rule asked for that did not run.
     *
     * @param result why, in one word: {@code skipped_latched}, {@code skipped_already_rolled_back},
     *     {@code skipped_busy} or {@code rate_limited}
     */
    record ActionSkipped(String rule, Map<String, String> labels, String action, String result, String message)
            implements JournalEvent {
        public ActionSkipped {
            requireNonNull(rule, "rule");
            labels = copy(labels);
            requireNonNull(action, "action");
            requireNonNull(result, "result");
            requireNonNull(message, "message");
        }

        @Override
        public String kind() {
            return "action_skipped";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rule", rule);
            fields.put("labels", labels);
            fields.put("action", action);
            fields.put("result", result);
            fields.put("message", message);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.actionSkipped(this);
        }
    }

    /** {@code rollback_verified} or {@code rollback_verification_failed}: the answer of a rollback's checks. */
    record RollbackVerification(boolean passed, String rule, String action, List<String> checks, String message)
            implements JournalEvent {
        public RollbackVerification {
            requireNonNull(rule, "rule");
            requireNonNull(action, "action");
            checks = List.copyOf(checks);
            requireNonNull(message, "message");
        }

        @Override
        public String kind() {
            return passed ? "rollback_verified" : "rollback_verification_failed";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rule", rule);
            fields.put("action", action);
            fields.put("checks", checks);
            fields.put("message", message);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.rollbackVerification(this);
        }
    }

    /** {@code rule_rearmed}: latches cleared, by a person or a deployment; {@code (state file)} for a damaged one. */
    record RulesRearmed(List<String> rules) implements JournalEvent {
        public RulesRearmed {
            rules = List.copyOf(rules);
        }

        @Override
        public String kind() {
            return "rule_rearmed";
        }

        @Override
        public Map<String, Object> fields() {
            return Map.of("rules", rules);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.rulesRearmed(this);
        }
    }

    /** How a deployment changed: the part of its kind after {@code deployment_}. */
    enum DeploymentChange {
        STARTED, HEALTHY, ROLLED_BACK, FINISHED,
        /** Its window was extended once for a marginal canary score. */
        HELD,
        /** Its canary score was below the pass at its window's end. */
        FAILED;

        String kind() {
            return "deployment_" + name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code deployment_started}, {@code deployment_healthy}, {@code deployment_rolled_back},
     * {@code deployment_finished}, {@code deployment_held} or {@code deployment_failed}.
     *
     * @param deployment the deployment as {@code Deployment.toMap()} renders it, without its {@code id} (the event's
     *     own id is another) and, but at the start, without its baselines: they are journaled once, when captured
     */
    record DeploymentChanged(DeploymentChange change, String deploymentId, Map<String, Object> deployment)
            implements JournalEvent {
        public DeploymentChanged {
            requireNonNull(change, "change");
            requireNonNull(deploymentId, "deploymentId");
            deployment = JsonValues.copyObject(deployment, "deployment");
            if (deployment.containsKey("id") || deployment.containsKey("deployment_id")) {
                throw new IllegalArgumentException("the deployment's id is deploymentId");
            }
        }

        /** The event of {@code change} for a deployment as {@code Deployment.toMap()} renders it, id included. */
        public static DeploymentChanged of(DeploymentChange change, Map<String, Object> rendered) {
            Map<String, Object> details = new LinkedHashMap<>();
            rendered.forEach((key, value) -> {
                if (!key.equals("id") && (change == DeploymentChange.STARTED || !key.startsWith("baseline"))) {
                    details.put(key, value);
                }
            });
            return new DeploymentChanged(change, String.valueOf(rendered.get("id")), details);
        }

        @Override
        public String kind() {
            return change.kind();
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("deployment_id", deploymentId);
            fields.putAll(deployment);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.deploymentChanged(this);
        }

        static DeploymentChanged read(String kind, EventFields in, Map<String, Object> fields) {
            for (DeploymentChange change : DeploymentChange.values()) {
                if (change.kind().equals(kind)) {
                    Map<String, Object> details = new LinkedHashMap<>(fields);
                    details.remove("deployment_id");
                    return new DeploymentChanged(change, in.string("deployment_id"), details);
                }
            }
            throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    /** {@code config_reloaded}: a reload took effect. */
    record ConfigReloaded(String config, String summary, Map<String, Object> changes, List<String> restartNeeded,
            List<String> latchesDropped) implements JournalEvent {
        public ConfigReloaded {
            requireNonNull(config, "config");
            requireNonNull(summary, "summary");
            changes = JsonValues.copyObject(changes, "changes");
            restartNeeded = List.copyOf(restartNeeded);
            latchesDropped = List.copyOf(latchesDropped);
        }

        @Override
        public String kind() {
            return "config_reloaded";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("config", config);
            fields.put("summary", summary);
            fields.put("changes", changes);
            fields.put("restart_needed", restartNeeded);
            fields.put("latches_dropped", latchesDropped);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.configReloaded(this);
        }
    }

    /**
     * {@code action_interrupted}: a rollback the agent started and never saw end, because the agent itself stopped
     * (killed, crashed, the host went down); journaled once, at the next start. Its latch holds.
     *
     * @param startedEventId the id of its {@code action_started}; 0 when the journal no longer holds it
     * @param startedAt when it started
     * @param incident the id of the incident recorded for it; null when none could be (its rule is gone, or its
     *     {@code rule_firing} is no longer in the journal)
     */
    record ActionInterrupted(String rule, Map<String, String> labels, String action, long firedEventId,
            long startedEventId, String startedAt, String incident, String message) implements JournalEvent {
        public ActionInterrupted {
            requireNonNull(rule, "rule");
            labels = copy(labels);
            requireNonNull(action, "action");
            requireNonNull(startedAt, "startedAt");
            requireNonNull(message, "message");
        }

        @Override
        public String kind() {
            return "action_interrupted";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rule", rule);
            fields.put("labels", labels);
            fields.put("action", action);
            fields.put("fired_event_id", firedEventId);
            fields.put("started_event_id", startedEventId);
            fields.put("started_at", startedAt);
            fields.put("result", "interrupted");
            fields.put("incident", incident);
            fields.put("message", message);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.actionInterrupted(this);
        }
    }

    /** {@code config_reload_failed}: a reload that changed nothing, and why. */
    record ConfigReloadFailed(String config, String message, List<String> problems) implements JournalEvent {
        public ConfigReloadFailed {
            requireNonNull(config, "config");
            requireNonNull(message, "message");
            problems = List.copyOf(problems);
        }

        @Override
        public String kind() {
            return "config_reload_failed";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("config", config);
            fields.put("message", message);
            fields.put("problems", problems);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.configReloadFailed(this);
        }
    }

    /**
     * {@code silence_started}: a person paused the rollbacks of rules ({@code *} for every rule) until a time.
     *
     * @param comment why, as the person said; empty for nothing said
     */
    record SilenceStarted(List<String> rules, String until, String comment) implements JournalEvent {
        public SilenceStarted {
            rules = List.copyOf(rules);
            requireNonNull(until, "until");
            requireNonNull(comment, "comment");
        }

        @Override
        public String kind() {
            return "silence_started";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rules", rules);
            fields.put("until", until);
            fields.put("comment", comment);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.silenceStarted(this);
        }
    }

    /**
     * {@code silence_ended}: the rollbacks of rules run again.
     *
     * @param how {@code expired} at its time, or {@code lifted} by a person before it
     * @param until the time it was set to end
     */
    record SilenceEnded(List<String> rules, String how, String until) implements JournalEvent {
        public SilenceEnded {
            rules = List.copyOf(rules);
            requireNonNull(how, "how");
            requireNonNull(until, "until");
        }

        @Override
        public String kind() {
            return "silence_ended";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("rules", rules);
            fields.put("how", how);
            fields.put("until", until);
            return fields;
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.silenceEnded(this);
        }
    }

    private static Map<String, String> copy(Map<String, String> labels) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(labels, "labels")));
    }
}
