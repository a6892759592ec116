package io.rollguard.rule.expr;

import java.util.List;

/**
 * The baselines frozen when the current deployment started, as {@code baseline(selector)} reads them. Passed into
 * each evaluation rather than looked up from anywhere, so the evaluator keeps no global state.
 */
public interface Baselines {
    /** No deployment, or none that captured baselines: every {@code baseline(...)} has no data. */
    Baselines NONE = selector -> List.of();

    /**
     * The frozen values for a baseline selector, keyed by its text as {@link ExpressionPrinter} prints it: one element
     * per label set that had history before the start; empty when none was captured.
     */
    List<Vector.Element> lookup(String selector);
}
