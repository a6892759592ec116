package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.LabelSet;
import java.util.List;

/**
 * The series named {@code name} (the {@code rollguard_} prefix may be left out) whose labels satisfy every matcher:
 * {@code filesystem_used_ratio{mount!~"/snap/.*"}}.
 */
public record Selector(String name, List<LabelMatcher> matchers, Span span) implements Expr {
    public Selector {
        requireNonNull(name, "name");
        matchers = List.copyOf(matchers);
        requireNonNull(span, "span");
    }

    public boolean matches(LabelSet labels) {
        // Indexed, not for-each: this runs for every series of every selector each tick, and an iterator per call
        // is garbage the JIT of the shipped flags (C1 only) does not eliminate.
        for (int i = 0; i < matchers.size(); i++) {
            if (!matchers.get(i).matches(labels)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.selector(this);
    }
}
