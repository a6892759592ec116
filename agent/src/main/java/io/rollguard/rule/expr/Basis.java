package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What a value rests on, for the decision record: the longest window a windowed function read behind it and the
 * number of samples that went into it. A latest value is one sample over no window; a literal is none.
 */
public record Basis(Duration window, int samples) {
    public static final Basis NONE = new Basis(Duration.ZERO, 0);
    public static final Basis LATEST = new Basis(Duration.ZERO, 1);

    public Basis {
        requireNonNull(window, "window");
        if (samples < 0) {
            throw new IllegalArgumentException("samples must not be negative, got " + samples);
        }
    }

    /** The basis of a value computed from two others: the longer window, all the samples. */
    Basis plus(Basis other) {
        if (other.samples == 0 && other.window.isZero()) {
            return this;
        }
        if (samples == 0 && window.isZero()) {
            return other;
        }
        return new Basis(window.compareTo(other.window) >= 0 ? window : other.window, samples + other.samples);
    }
}
