package io.rollguard.rule.expr;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;

/**
 * {@code regressed(check_duration_seconds{check="api"}, by = 10%, confidence = 99%)}: a condition that holds, per
 * series, when its samples since the current deployment started are worse than those frozen before the start, by
 * statistics ({@link Comparison}) rather than one average against one number.
 *
 * @param by how much worse counts: relative to the baseline's median ({@code 10%}) or absolute ({@code 50ms},
 *     {@code 0.05})
 * @param confidence how sure the test must be that it is worse at all, between 0.5 and 0.9999
 * @param worse which way is worse: higher (latency, errors) or lower (throughput)
 * @param window how far back the samples after the start reach, never before the start
 * @param against what to compare with instead of the samples frozen at the start: the samples, over the same window,
 *     of every series this selector matches, pooled (the fleet's hosts of the old version, say: Kayenta's canary
 *     against baseline); null for the frozen samples
 */
public record RegressedCall(Selector selector, By by, double confidence, String confidenceText, Worse worse,
        Duration window, Selector against, Span span) implements Expr {
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    /**
     * A rule looks again at every tick, so the chance of a false alarm somewhere in a watch window is several times
     * one test's: at 99.9% a test, CanarySimulationTest counts no false rollback in 200 deployments, at 99% two or three.
     */
    public static final double DEFAULT_CONFIDENCE = 0.999;
    public static final String DEFAULT_CONFIDENCE_TEXT = "99.9%";
    static final double MIN_CONFIDENCE = 0.5;
    static final double MAX_CONFIDENCE = 0.9999;

    /** Which way is worse. */
    public enum Worse {
        HIGHER, LOWER;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The effect that counts as a regression; {@code text} as written. */
    public record By(double amount, boolean relative, String text) {
        public By {
            requireNonNull(text, "text");
            if (!(amount >= 0) || Double.isInfinite(amount)) {
                throw new IllegalArgumentException("by must be a finite amount of at least 0, got " + text);
            }
        }
    }

    public RegressedCall {
        requireNonNull(selector, "selector");
        requireNonNull(by, "by");
        requireNonNull(confidenceText, "confidenceText");
        requireNonNull(worse, "worse");
        requireNonNull(window, "window");
        requireNonNull(span, "span");
        if (!(confidence >= MIN_CONFIDENCE && confidence <= MAX_CONFIDENCE)) {
            throw new IllegalArgumentException("confidence must be between 50% and 99.99%, got " + confidenceText);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a window must be positive, got " + window);
        }
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.regressed(this);
    }
}
