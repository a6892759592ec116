package io.rollguard.rule.expr;

import io.rollguard.store.LabelSet;
import java.util.List;
import java.util.Map;

/**
 * The baselines frozen when the current deployment started, as {@code baseline(selector)} and
 * {@code regressed(selector, ...)} read them. Passed into each evaluation rather than looked up from anywhere, so the
 * evaluator keeps no global state.
 */
public interface Baselines {
    /** No deployment, or none that captured baselines: every {@code baseline(...)} has no data. */
    Baselines NONE = selector -> List.of();

    /**
     * The frozen values for a baseline selector, keyed by its text as {@link ExpressionPrinter} prints it: one element
     * per label set that had history before the start; empty when none was captured.
     */
    List<Vector.Element> lookup(String selector);

    /**
     * The frozen samples for a selector, by label set, as {@link #lookup} keys it: what {@code regressed(...)} compares
     * the samples since the start with. Empty when none were captured. The arrays must not be changed.
     */
    default Map<LabelSet, double[]> sampleSets(String selector) {
        return Map.of();
    }

    /**
     * The monotonic time the deployment started at: {@code regressed(...)} reads only samples later than it, the new
     * version's. {@link Long#MIN_VALUE} without a deployment.
     */
    default long startedNanos() {
        return Long.MIN_VALUE;
    }
}
