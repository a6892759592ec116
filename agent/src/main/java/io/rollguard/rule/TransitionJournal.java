package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.journal.JournalEvent.RuleChanged;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Rule transitions become events: journaled (on disk before anything acts on them) and logged, one line each. */
final class TransitionJournal {
    private static final Logger log = LoggerFactory.getLogger(Responder.class);

    private final EventLog events;

    TransitionJournal(EventLog events) {
        this.events = requireNonNull(events, "events");
    }

    /** Journals and logs the transition; returns its event's id. */
    long record(RuleTransition transition) {
        long id = events.append(event(transition));
        String line = "rule {} {} -> {}: {}" + (Double.isNaN(transition.value()) ? ""
                : " (value " + number(transition.value()) + ", threshold " + number(transition.threshold())
                        // A regressed(...) says what the value is: the effect, how sure, on how many samples.
                        + (transition.comparison() == null ? "" : "; " + transition.comparison().describe()) + ")");
        if (transition.to() == RuleState.FIRING) {
            log.warn(line, transition.subject(), transition.from().label(), transition.to().label(), transition.reason());
        } else {
            log.info(line, transition.subject(), transition.from().label(), transition.to().label(), transition.reason());
        }
        return id;
    }

    static RuleChanged event(RuleTransition transition) {
        return new RuleChanged(transition.rule().name(), transition.labels().toMap(), transition.from().label(),
                transition.to().label(), transition.reason(), finite(transition.value()),
                finite(transition.threshold()), transition.basis().window().toMillis() / 1000.0,
                transition.basis().samples(), transition.rule().when(),
                severity(transition.rule()));
    }

    static String severity(io.rollguard.config.RuleConfig rule) {
        return rule.severity().name().toLowerCase(Locale.ROOT);
    }

    /** JSON has no NaN or infinity: a value without data is null. */
    static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** A value as a person reads it in the log and in {@code ROLLGUARD_VALUE}: 3, not 3.0; 0.9500, not 0.95000001. */
    static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.4g", value);
    }
}
