package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

/**
 * {@code baseline(check_duration_seconds{check="api"})}: the series' average before the current deployment started.
 * Parsed and type-checked now; deployments, which capture baselines, come with their own issue.
 */
public record Baseline(Selector selector, Span span) implements Expr {
    public Baseline {
        requireNonNull(selector, "selector");
        requireNonNull(span, "span");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.baseline(this);
    }
}
