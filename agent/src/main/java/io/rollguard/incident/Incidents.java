package io.rollguard.incident;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome;
import io.rollguard.common.Failures;
import io.rollguard.journal.Event;
import io.rollguard.journal.IncidentFiles;
import io.rollguard.journal.Journal;
import io.rollguard.rule.IncidentRecorder;
import io.rollguard.rule.RollbackRecord;
import io.rollguard.rule.RuleTransition;
import io.rollguard.rule.expr.ExpressionPrinter;
import io.rollguard.rule.expr.HistoryWindows;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a rollback whose outcome is known into an incident record: the breach and the rule's condition, the values
 * against the deployment's baselines, the timeline from the journal, the log checks' last matching lines, the
 * script's output tail and the verification. Written once, when the outcome is known, as JSON and Markdown.
 */
public final class Incidents implements IncidentRecorder {
    private static final Logger log = LoggerFactory.getLogger(Incidents.class);
    /** Events of the timeline, at most: a rule that flaps for hours must not make an incident of megabytes. */
    static final int MAX_TIMELINE = 100;
    /** How far back in the journal's memory the timeline looks. */
    static final int JOURNAL_LOOKBACK = 1_000;
    /** Fields of a timeline event left out: the output is the incident's own section, the baselines too. */
    private static final Set<String> BULKY = Set.of("output", "baselines", "baselines_missing");

    private final IncidentFiles files;
    private final Journal journal;
    private final Supplier<Map<String, List<String>>> logLines;
    private final TimeSource time;

    /** @param logLines each log check's last matching lines: {@code CheckRunner::recentMatches} */
    public Incidents(IncidentFiles files, Journal journal, Supplier<Map<String, List<String>>> logLines,
            TimeSource time) {
        this.files = requireNonNull(files, "files");
        this.journal = requireNonNull(journal, "journal");
        this.logLines = requireNonNull(logLines, "logLines");
        this.time = requireNonNull(time, "time");
    }

    @Override
    public void record(RollbackRecord rollback) {
        Map<String, Object> incident = build(rollback, journal.latest(JOURNAL_LOOKBACK), logLines.get(), time);
        try {
            files.write(rollback.incidentId(), incident, IncidentMarkdown.render(incident));
            log.info("incident {} recorded: {}", rollback.incidentId(),
                    files.directory().resolve(rollback.incidentId() + ".md"));
        } catch (IOException e) {
            log.error("incident {} not recorded: {}", rollback.incidentId(), Failures.describe(e));
        }
    }

    /** The incident as JSON values: pure, for tests. */
    static Map<String, Object> build(RollbackRecord rollback, List<Event> recent, Map<String, List<String>> logLines,
            TimeSource time) {
        RuleTransition firing = rollback.firing();
        Map<String, Object> deployment = rollback.deployment();
        Map<String, Object> incident = new LinkedHashMap<>();
        incident.put("id", rollback.incidentId());
        incident.put("path", IncidentRecorder.path(rollback.incidentId()));
        incident.put("host", rollback.host());
        incident.put("rule", firing.rule().name());
        incident.put("labels", firing.labels().toMap());
        incident.put("severity", firing.rule().severity().name().toLowerCase(Locale.ROOT));
        incident.put("description", firing.rule().description());
        incident.put("outcome", rollback.result());
        incident.put("started_at", rollback.startedAt().toString());
        incident.put("recorded_at", time.now().toString());
        incident.put("deployment_id", deployment == null ? null : deployment.get("id"));
        incident.put("deployment_version", deployment == null ? null : deployment.get("version"));

        Map<String, Object> breach = new LinkedHashMap<>();
        breach.put("condition", firing.rule().when());
        breach.put("fired_at", firing.at().toString());
        breach.put("fired_event_id", rollback.firedEventId());
        breach.put("value", finite(firing.value()));
        breach.put("threshold", finite(firing.threshold()));
        breach.put("reason", firing.reason());
        breach.put("window_seconds", firing.basis().window().toMillis() / 1000.0);
        breach.put("samples", firing.basis().samples());
        breach.put("baselines", baselines(rollback, deployment));
        breach.put("statistics", firing.comparison() == null ? null : firing.comparison().toMap());
        incident.put("breach", breach);

        if (deployment != null) {
            Map<String, Object> deployed = new LinkedHashMap<>();
            for (String key : List.of("id", "version", "state", "started_at", "watch", "watch_ends_at",
                    "baseline_window", "score")) {
                deployed.put(key, deployment.get(key));
            }
            incident.put("deployment", deployed);
        } else {
            incident.put("deployment", null);
        }

        ActionOutcome outcome = rollback.outcome();
        Map<String, Object> script = new LinkedHashMap<>();
        script.put("action", rollback.action());
        script.put("started_event_id", rollback.startedEventId());
        script.put("result", outcome.result().name().toLowerCase(Locale.ROOT));
        script.put("exit_code", outcome.exitCode());
        script.put("duration_seconds", outcome.duration().toMillis() / 1000.0);
        script.put("message", outcome.message());
        script.put("output", outcome.output());
        incident.put("rollback", script);

        if (rollback.verifyChecks().isEmpty() && rollback.verification() == null) {
            incident.put("verification", null);
        } else {
            Map<String, Object> verification = new LinkedHashMap<>();
            verification.put("checks", rollback.verifyChecks());
            verification.put("result", rollback.verification() == null ? "not_run"
                    : rollback.verification().passed() ? "passed" : "failed");
            verification.put("message", rollback.verification() == null
                    ? "not run: the rollback did not exit 0" : rollback.verification().message());
            incident.put("verification", verification);
        }
        incident.put("log_lines", logLines);
        incident.put("timeline", timeline(rollback, deployment, recent));
        return incident;
    }

    /** The deployment's frozen baselines that the rule's condition reads, as the deployment recorded them. */
    private static List<Object> baselines(RollbackRecord rollback, Map<String, Object> deployment) {
        if (deployment == null || !(deployment.get("baselines") instanceof List)) {
            return List.of();
        }
        Set<String> selectors = new HashSet<>();
        HistoryWindows.baselineSelectors(rollback.firing().rule().condition())
                .forEach(selector -> selectors.add(ExpressionPrinter.print(selector)));
        List<Object> baselines = new ArrayList<>();
        for (Object entry : (List<?>) deployment.get("baselines")) {
            if (entry instanceof Map && selectors.contains(((Map<?, ?>) entry).get("selector"))) {
                baselines.add(entry);
            }
        }
        return baselines;
    }

    /**
     * The journal's events that tell this incident's story, oldest first: its deployment's, the rule's transitions
     * for this label set from the last {@code rule_pending} before it fired, the actions of this firing and the
     * rollback's verification.
     */
    static List<Map<String, Object>> timeline(RollbackRecord rollback, Map<String, Object> deployment,
            List<Event> recent) {
        RuleTransition firing = rollback.firing();
        String rule = firing.rule().name();
        Map<String, String> labels = firing.labels().toMap();
        Object deploymentId = deployment == null ? null : deployment.get("id");
        long firedId = rollback.firedEventId();
        long from = firedId;
        for (Event event : recent) {
            if (event.id() < firedId && event.kind().equals("rule_pending") && sameRule(event, rule, labels)) {
                from = event.id(); // the last one before the firing wins
            }
        }
        Set<Object> started = new HashSet<>();
        List<Map<String, Object>> timeline = new ArrayList<>();
        for (Event event : recent) {
            Map<String, Object> fields = event.fields();
            boolean belongs;
            if (event.kind().startsWith("deployment_")) {
                belongs = deploymentId != null && deploymentId.equals(fields.get("deployment_id"))
                        && !event.kind().equals("deployment_finished");
            } else if (event.kind().startsWith("rule_") && !event.kind().equals("rule_rearmed")) {
                belongs = event.id() >= from && sameRule(event, rule, labels);
            } else if (event.kind().equals("action_started")) {
                belongs = Objects.equals(fields.get("fired_event_id"), firedId);
                if (belongs) {
                    started.add(event.id());
                }
            } else if (event.kind().equals("action_finished")) {
                belongs = started.contains(fields.get("started_event_id"));
            } else if (event.kind().equals("action_skipped") || event.kind().startsWith("rollback_verif")) {
                belongs = event.id() > firedId && rule.equals(fields.get("rule"))
                        && (!fields.containsKey("labels") || labels.equals(fields.get("labels")));
            } else {
                belongs = false;
            }
            if (belongs && timeline.size() < MAX_TIMELINE) {
                Map<String, Object> entry = new LinkedHashMap<>();
                event.toMap().forEach((key, value) -> {
                    if (!BULKY.contains(key)) {
                        entry.put(key, value);
                    }
                });
                timeline.add(entry);
            }
        }
        return timeline;
    }

    private static boolean sameRule(Event event, String rule, Map<String, String> labels) {
        return rule.equals(event.fields().get("rule")) && labels.equals(event.fields().get("labels"));
    }

    private static Object finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
