package io.rollguard.config;

import io.rollguard.common.Suggestions;
import io.rollguard.rule.expr.Binary;
import io.rollguard.rule.expr.Expr;
import io.rollguard.rule.expr.ExpressionException;
import io.rollguard.rule.expr.ExpressionParser;
import io.rollguard.rule.expr.HistoryWindows;
import io.rollguard.rule.expr.Not;
import io.rollguard.rule.expr.NumberLiteral;
import io.rollguard.rule.expr.Selector;
import io.rollguard.rule.expr.WindowCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the {@code [[rule]]} tables; every {@code when} is parsed here, once, with errors at their column. */
final class RuleConfigReader {
    private static final Duration MAX_HOLD = Duration.ofDays(7);
    // Shorter than a few ticks would resolve a firing rule over one slow read.
    private static final Duration MIN_RESOLVE_AFTER = Duration.ofSeconds(30);
    private static final long MAX_WEIGHT = 100;

    private final Set<String> actionNames;
    private final ProducedSeries series;

    /**
     * @param actionNames the {@code [action.NAME]}s a rule may name
     * @param series the series names the configuration produces, which a {@code when} may read
     */
    RuleConfigReader(Set<String> actionNames, ProducedSeries series) {
        this.actionNames = actionNames;
        this.series = series;
    }

    List<RuleConfig> read(List<TableReader> tables) {
        List<RuleConfig> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (TableReader table : tables) {
            String name = table.uniqueName("rule", names);
            RuleConfig.Source source = table.choice("source", RuleConfig.Source.class, RuleConfig.Source.LOCAL);
            boolean alertmanager = source == RuleConfig.Source.ALERTMANAGER;
            String when = alertmanager ? RuleConfig.ALERTMANAGER_WHEN : table.requiredString("when");
            Expr condition = null;
            if (alertmanager) {
                for (String key : List.of("when", "on_missing", "resolve_after")) {
                    if (table.has(key)) {
                        table.report(key, "a rule with source = \"alertmanager\" has no " + key + ": the alerts "
                                + "Alertmanager sends are its condition");
                    }
                }
                table.string("when", null);
            } else if (!when.isBlank()) {
                try {
                    condition = ExpressionParser.parseCondition(when);
                    NumberLiteral percent = ratioComparedWithPercentNumber(condition);
                    if (percent != null) {
                        table.reportInString("when", percent.span().start(), "a ratio is between 0 and 1, so comparing it "
                                + "with " + percent.text() + " never holds: write " + percent.text() + "% or "
                                + percent.value() / 100);
                        condition = null;
                    } else if (!namesProducedSeries(table, condition)) {
                        condition = null;
                    }
                } catch (ExpressionException e) {
                    table.reportInString("when", e.column(), e.getMessage());
                }
            }
            Duration forDuration = table.duration("for", Duration.ZERO, Duration.ZERO, MAX_HOLD);
            Duration clearFor = table.duration("clear_for", Duration.ZERO, Duration.ZERO, MAX_HOLD);
            RuleConfig.Severity severity = table.choice("severity", RuleConfig.Severity.class,
                    RuleConfig.Severity.WARNING);
            List<String> actions = actions(table);
            Duration escalateAfter = table.duration("escalate_after", Duration.ofMinutes(1), Duration.ZERO, MAX_HOLD);
            RuleConfig.Scope scope = table.choice("scope", RuleConfig.Scope.class, RuleConfig.Scope.ALWAYS);
            RuleConfig.OnMissing onMissing = table.choice("on_missing", RuleConfig.OnMissing.class,
                    RuleConfig.OnMissing.IGNORE);
            Duration resolveAfter = table.duration("resolve_after", RuleConfig.DEFAULT_RESOLVE_AFTER, MIN_RESOLVE_AFTER,
                    MAX_HOLD);
            String description = table.string("description", "");
            long weight = table.integer("weight", 1, 1, MAX_WEIGHT);
            if (table.has("weight") && condition != null && !HistoryWindows.hasRegressed(condition)) {
                // A weight that counts nowhere is a typo or a misunderstanding: say so rather than ignore it.
                table.report("weight", "weight counts in the deployment's canary score, which only rules with"
                        + " regressed(...) enter; this rule has none");
            }
            table.rejectUnknownKeys();
            if ((condition != null || alertmanager) && !name.isEmpty()) {
                rules.add(new RuleConfig(name, when, condition, forDuration, clearFor, severity, actions, escalateAfter,
                        scope, onMissing == RuleConfig.OnMissing.FIRE, description, source, resolveAfter, weight));
            }
        }
        return rules;
    }

    /**
     * Reports, at its place in the string, each series name in {@code condition} that nothing in the configuration
     * produces: once per name, where it is first written.
     */
    private boolean namesProducedSeries(TableReader table, Expr condition) {
        Set<String> reported = new HashSet<>();
        for (Selector selector : HistoryWindows.selectors(condition)) {
            String problem = series.problem(selector.name());
            if (problem != null && reported.add(selector.name())) {
                table.reportInString("when", selector.span().start(), problem);
            }
        }
        return reported.isEmpty();
    }

    /**
     * A {@code _ratio} series compared with a plain number above 1 ({@code memory_used_ratio > 90}) can never hold:
     * the author meant a percentage, and the rule would silently never fire. Null when the condition has none.
     */
    static NumberLiteral ratioComparedWithPercentNumber(Expr expr) {
        if (expr instanceof Not) {
            return ratioComparedWithPercentNumber(((Not) expr).operand());
        }
        if (!(expr instanceof Binary)) {
            return null;
        }
        Binary binary = (Binary) expr;
        if (binary.op().kind() == Binary.Kind.COMPARISON) {
            if (isRatio(binary.left()) && isPercentLike(binary.right())) {
                return (NumberLiteral) binary.right();
            }
            if (isRatio(binary.right()) && isPercentLike(binary.left())) {
                return (NumberLiteral) binary.left();
            }
            return null;
        }
        if (binary.op().kind() == Binary.Kind.LOGICAL) {
            NumberLiteral left = ratioComparedWithPercentNumber(binary.left());
            return left != null ? left : ratioComparedWithPercentNumber(binary.right());
        }
        return null;
    }

    private static boolean isRatio(Expr expr) {
        if (expr instanceof Selector) {
            return ((Selector) expr).name().endsWith("_ratio");
        }
        if (expr instanceof WindowCall) {
            WindowCall call = (WindowCall) expr;
            return call.selector().name().endsWith("_ratio") && (call.function() == WindowCall.Function.AVG_OVER
                    || call.function() == WindowCall.Function.MIN_OVER || call.function() == WindowCall.Function.MAX_OVER);
        }
        return false;
    }

    private static boolean isPercentLike(Expr expr) {
        return expr instanceof NumberLiteral && ((NumberLiteral) expr).value() > 1;
    }

    /** {@code action = "rollback"} or {@code action = ["restart", "rollback", "page"]}; each must be defined. */
    private List<String> actions(TableReader table) {
        List<String> actions;
        if (!table.has("action")) {
            table.strings("action", List.of());
            return List.of();
        }
        String single = table.isString("action") ? table.string("action", null) : null;
        actions = single != null ? List.of(single) : table.strings("action", List.of());
        for (String action : actions) {
            if (!actionNames.contains(action)) {
                StringBuilder message = new StringBuilder("no [action." + action + "] is defined");
                Suggestions.closest(action, actionNames)
                        .ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
                table.report("action", message.toString());
            }
        }
        return actions;
    }
}
