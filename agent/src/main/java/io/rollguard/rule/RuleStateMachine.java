package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Quantities;
import java.time.Duration;
import java.util.Optional;

/**
 * The life of one rule for one label set, in the manner of Prometheus' alerting rules: {@code inactive -> pending}
 * when the condition becomes true, {@code pending -> firing} once it has held continuously for {@code for},
 * {@code firing -> inactive} once it has been false for {@code clear_for}. Missing data makes a rule {@code unknown}
 * and resets any progress towards firing, unless the rule says {@code on_missing = "fire"}; a firing rule stays firing
 * while data is missing, since the absence of data is no evidence that the breach ended, until it has been missing
 * for {@code resolve_after}: then its series are gone for good (an unmounted filesystem, a removed process), and it
 * resolves to {@code inactive}, "series gone", rather than firing for ever over something that no longer exists.
 *
 * <p>Time is the monotonic clock in nanoseconds, so a wall-clock jump neither fires nor clears anything. Every
 * transition says why, in words a person reads in the journal: "held 62s of for=60s".
 */
final class RuleStateMachine {
    /** A change of state and the reason for it. */
    public record Transition(RuleState from, RuleState to, String reason) {
        public Transition {
            requireNonNull(from, "from");
            requireNonNull(to, "to");
            requireNonNull(reason, "reason");
        }
    }

    private final Duration forDuration;
    private final Duration clearFor;
    private final boolean fireOnMissing;
    private final Duration resolveAfter;

    private RuleState state = RuleState.INACTIVE;
    private long sinceNanos;
    private long trueSinceNanos;
    private long falseSinceNanos;
    private boolean clearing;
    private boolean missing;
    private long missingSinceNanos;

    /** @param resolveAfter how long a firing rule may go without data before it resolves ("series gone") */
    public RuleStateMachine(Duration forDuration, Duration clearFor, boolean fireOnMissing, Duration resolveAfter) {
        this.forDuration = requireNonNull(forDuration, "forDuration");
        this.clearFor = requireNonNull(clearFor, "clearFor");
        this.fireOnMissing = fireOnMissing;
        this.resolveAfter = requireNonNull(resolveAfter, "resolveAfter");
    }

    public RuleState state() {
        return state;
    }

    /** When the current state began, on the monotonic clock. */
    public long sinceNanos() {
        return sinceNanos;
    }

    /** Feeds one evaluation; returns the transition it caused, if any. */
    public Optional<Transition> observe(Observation observation, long nowNanos) {
        Observation effective = observation == Observation.MISSING && fireOnMissing ? Observation.TRUE : observation;
        if (effective != Observation.MISSING) {
            missing = false; // data again: resolve_after counts a continuous absence only
        }
        switch (effective) {
            case TRUE:
                return onTrue(nowNanos, observation == Observation.MISSING);
            case FALSE:
                return onFalse(nowNanos);
            case MISSING:
                return onMissing(nowNanos);
        }
        throw new AssertionError(effective);
    }

    private Optional<Transition> onTrue(long now, boolean missing) {
        String condition = missing ? "no data (on_missing = \"fire\")" : "condition true";
        clearing = false;
        switch (state) {
            case INACTIVE:
            case UNKNOWN:
                trueSinceNanos = now;
                if (forDuration.isZero()) {
                    return move(RuleState.FIRING, now, condition + ", for=0s");
                }
                return move(RuleState.PENDING, now, condition + "; fires if it holds for " + format(forDuration));
            case PENDING:
                Duration held = Duration.ofNanos(now - trueSinceNanos);
                if (held.compareTo(forDuration) >= 0) {
                    return move(RuleState.FIRING, now, "held " + format(held) + " of for=" + format(forDuration));
                }
                return Optional.empty();
            case FIRING:
                return Optional.empty();
        }
        throw new AssertionError(state);
    }

    private Optional<Transition> onFalse(long now) {
        switch (state) {
            case INACTIVE:
                return Optional.empty();
            case UNKNOWN:
                return move(RuleState.INACTIVE, now, "data back, condition false");
            case PENDING:
                return move(RuleState.INACTIVE, now, "condition false after " + format(Duration.ofNanos(now - trueSinceNanos))
                        + " of for=" + format(forDuration));
            case FIRING:
                if (!clearing) {
                    clearing = true;
                    falseSinceNanos = now;
                }
                Duration cleared = Duration.ofNanos(now - falseSinceNanos);
                if (cleared.compareTo(clearFor) >= 0) {
                    clearing = false;
                    return move(RuleState.INACTIVE, now, clearFor.isZero() ? "condition false"
                            : "false for " + format(cleared) + " of clear_for=" + format(clearFor));
                }
                return Optional.empty();
        }
        throw new AssertionError(state);
    }

    private Optional<Transition> onMissing(long now) {
        switch (state) {
            case UNKNOWN:
                return Optional.empty();
            case FIRING:
                clearing = false; // missing data is no evidence that the breach ended: clear_for starts over
                if (!missing) {
                    missing = true;
                    missingSinceNanos = now;
                }
                Duration gone = Duration.ofNanos(now - missingSinceNanos);
                if (gone.compareTo(resolveAfter) >= 0) {
                    missing = false;
                    return move(RuleState.INACTIVE, now, "series gone: no data for " + format(gone)
                            + " of resolve_after=" + format(resolveAfter));
                }
                return Optional.empty();
            case INACTIVE:
            case PENDING:
                return move(RuleState.UNKNOWN, now, "no data: the series the condition reads are missing or stale");
        }
        throw new AssertionError(state);
    }

    private Optional<Transition> move(RuleState to, long now, String reason) {
        Transition transition = new Transition(state, to, reason);
        state = to;
        sinceNanos = now;
        return Optional.of(transition);
    }

    /** "62s" reads better than "1m2s13ms" in a reason; below a second the milliseconds are all there is. */
    private static String format(Duration duration) {
        long millis = duration.toMillis();
        return Quantities.formatDuration(millis < 1000 ? Duration.ofMillis(millis)
                : Duration.ofSeconds(Math.round(millis / 1000.0)));
    }
}
