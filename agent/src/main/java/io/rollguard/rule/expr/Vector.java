package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.LabelSet;
import java.util.List;

/**
 * Numbers, one per label set. A {@code scalar} (a literal, or arithmetic on literals) is a single element without
 * labels that applies to every element of the other operand; any other vector may be empty: no data.
 */
public record Vector(List<Element> elements, boolean scalar) implements Value {
    public record Element(LabelSet labels, double value, Basis basis) {
        public Element {
            requireNonNull(labels, "labels");
            requireNonNull(basis, "basis");
        }
    }

    public Vector {
        elements = List.copyOf(elements);
        if (scalar && (elements.size() != 1 || elements.get(0).labels().size() != 0)) {
            throw new IllegalArgumentException("a scalar is one element without labels, got " + elements);
        }
    }

    static Vector scalar(double value) {
        return new Vector(List.of(new Element(LabelSet.EMPTY, value, Basis.NONE)), true);
    }

    static Vector series(List<Element> elements) {
        return new Vector(elements, false);
    }
}
