package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import io.rollguard.rule.expr.Expr;
import java.time.Duration;
import java.util.List;

/**
 * One {@code [[rule]]}: a condition over the series, how long it must hold, and what to do when it fires.
 *
 * @param when the condition as written, for people and for the action's environment
 * @param condition the condition, parsed once at load time
 * @param forDuration how long the condition must hold continuously before the rule fires
 * @param clearFor how long it must be false before a firing rule clears
 * @param actions the {@code [action.NAME]}s to run when it fires, in order: an escalation ladder
 * @param escalateAfter how long the rule must still fire after one step ended before the next starts
 * @param source what drives the rule: its own condition, or the alerts Alertmanager sends
 *     ({@code source = "alertmanager"}), which have no condition: {@code condition} is then null and {@code when}
 *     is {@link #ALERTMANAGER_WHEN}
 * @param resolveAfter how long a firing label set may have no data (its series gone: an unmounted filesystem, a
 *     removed process) before it resolves
 * @param weight how much the rule counts in the deployment's canary score, when its condition has a
 *     {@code regressed(...)}; 1 by default
 */
public record RuleConfig(String name, String when, Expr condition, Duration forDuration, Duration clearFor,
        Severity severity, List<String> actions, Duration escalateAfter, Scope scope, boolean fireOnMissing,
        String description, Source source, Duration resolveAfter, long weight) {
    /** What an Alertmanager-driven rule shows as its condition: in the journal, the API, ROLLGUARD_CONDITION. */
    public static final String ALERTMANAGER_WHEN = "alertmanager";
    /** How long a firing label set may have no data before it resolves ("series gone"), unless the rule says. */
    public static final Duration DEFAULT_RESOLVE_AFTER = Duration.ofMinutes(5);

    /** What drives a rule: its {@code when} over the local series, or Alertmanager's webhook. */
    public enum Source {
        LOCAL, ALERTMANAGER
    }

    /** How bad a firing rule is. {@code critical} and {@code emergency} turn {@code /health} DOWN while firing. */
    public enum Severity {
        INFO, WARNING, CRITICAL, EMERGENCY;

        public boolean affectsHealth() {
            return this == CRITICAL || this == EMERGENCY;
        }
    }

    /** When the rule is evaluated: always, or only inside a deployment's watch window. */
    public enum Scope {
        ALWAYS, DEPLOY
    }

    /** What missing or stale data means: nothing ({@code ignore}: the rule is unknown) or a breach ({@code fire}). */
    public enum OnMissing {
        IGNORE, FIRE
    }

    public RuleConfig {
        requireNonNull(name, "name");
        requireNonNull(when, "when");
        requireNonNull(source, "source");
        if (source == Source.LOCAL) {
            requireNonNull(condition, "condition");
        } else if (condition != null) {
            throw new IllegalArgumentException("a rule driven by Alertmanager has no condition of its own");
        }
        requireNonNull(forDuration, "forDuration");
        requireNonNull(clearFor, "clearFor");
        requireNonNull(severity, "severity");
        actions = List.copyOf(actions);
        requireNonNull(escalateAfter, "escalateAfter");
        requireNonNull(scope, "scope");
        requireNonNull(description, "description");
        requireNonNull(resolveAfter, "resolveAfter");
        if (weight < 1) {
            throw new IllegalArgumentException("a weight is at least 1, got " + weight);
        }
    }

    public RuleConfig(String name, String when, Expr condition, Duration forDuration, Duration clearFor,
            Severity severity, List<String> actions, Duration escalateAfter, Scope scope, boolean fireOnMissing,
            String description, Source source, Duration resolveAfter) {
        this(name, when, condition, forDuration, clearFor, severity, actions, escalateAfter, scope, fireOnMissing,
                description, source, resolveAfter, 1);
    }

    /** Whether Alertmanager's alerts drive the rule rather than a condition over the local series. */
    public boolean fromAlertmanager() {
        return source == Source.ALERTMANAGER;
    }
}
