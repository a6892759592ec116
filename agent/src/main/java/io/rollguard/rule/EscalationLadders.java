package io.rollguard.rule;

import io.rollguard.config.RuleConfig;
import io.rollguard.config.action.ActionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The escalation ladders of the firing rules, one per rule and label set: the first action at once, each next one only
 * if the rule still fires {@code escalate_after} after the previous one ended, reminders of a webhook with
 * {@code repeat_interval} while the rule fires; a rule that clears stops its ladder. It decides what is due; the
 * responder runs it. Not thread-safe: the responder calls it under its lock.
 */
final class EscalationLadders {
    private final Map<String, Ladder> ladders = new LinkedHashMap<>();

    /** A firing rule and label set working through its actions. */
    static final class Ladder {
        // Replaced by a reload that keeps the rule's state: the ladder goes on with the rule's new actions.
        private RuleTransition firing;
        private final long firedEventId;
        private int next;
        private boolean running;
        // Why the step at next is held (its latch could not be written, its rule is silenced); null when it is not.
        private String held;
        private long lastEndedNanos;
        private final Map<String, Long> lastStartedNanos = new HashMap<>();
        /** Set on the ladder of an {@code on_failure} action: what failed, for the person it notifies. */
        private final String failure;

        Ladder(RuleTransition firing, long firedEventId, String failure) {
            this.firing = firing;
            this.firedEventId = firedEventId;
            this.failure = failure;
        }

        RuleTransition firing() {
            return firing;
        }

        long firedEventId() {
            return firedEventId;
        }

        /** What failed, on the ladder of an {@code on_failure} action; null on a rule's own ladder. */
        String failure() {
            return failure;
        }

        /** The ladder of an action run because {@code why}: it neither holds nor moves this one. */
        Ladder onFailure(String why) {
            return new Ladder(firing, firedEventId, why);
        }

        /** The next step, taken off the ladder; empty once every step has started. */
        Optional<String> takeNext() {
            List<String> steps = firing.rule().actions();
            if (next >= steps.size()) {
                return Optional.empty();
            }
            return Optional.of(steps.get(next++));
        }

        /**
         * The step just taken is held (its latch cannot be written, its rule is silenced): it is taken again at the
         * next tick.
         *
         * @param why the kind of hold, such as {@code held_unpersisted}
         * @return whether the hold is new, to be reported; false while the same step stays held for the same reason
         */
        boolean hold(String why) {
            next--;
            boolean fresh = !why.equals(held);
            held = why;
            return fresh;
        }

        /** The step taken is under way: no longer held. */
        void released() {
            held = null;
        }

        /**
         * Whether the next step is due: the previous one ended {@code escalate_after} ago and more are left; or a
         * held step, at every tick.
         */
        boolean escalationDue(long nowNanos) {
            if (held != null) {
                return !running;
            }
            return !running && next > 0 && next < firing.rule().actions().size()
                    && nowNanos - lastEndedNanos >= firing.rule().escalateAfter().toNanos();
        }

        /** The steps started so far whose reminder is due: {@code repeat_interval} after they last started. */
        List<ActionConfig> remindersDue(long nowNanos, Function<String, ActionConfig> actions) {
            List<ActionConfig> due = new ArrayList<>();
            List<String> steps = firing.rule().actions();
            for (int i = 0; i < Math.min(next, steps.size()); i++) {
                ActionConfig action = actions.apply(steps.get(i));
                Optional<Duration> interval = action == null ? Optional.empty() : action.reminderInterval();
                Long last = action == null ? null : lastStartedNanos.get(action.name());
                if (interval.isPresent() && last != null && nowNanos - last >= interval.get().toNanos()) {
                    due.add(action);
                }
            }
            return due;
        }

        /** A run started; a reminder runs beside the ladder: it neither holds it nor lets it move on. */
        void started(String action, boolean reminder, long nowNanos) {
            if (!reminder) {
                running = true;
            }
            lastStartedNanos.put(action, nowNanos);
        }

        void ended(boolean reminder, long nowNanos) {
            if (!reminder) {
                running = false;
                lastEndedNanos = nowNanos;
            }
        }

        /** A step that was not run (a rollback refused) ends at once: the next one follows escalate_after later. */
        void skipped(long nowNanos) {
            lastEndedNanos = nowNanos;
        }
    }

    /** A rule started firing: its ladder starts afresh. */
    Ladder fired(RuleTransition firing, long firedEventId) {
        Ladder ladder = new Ladder(firing, firedEventId, null);
        ladders.put(firing.subject(), ladder);
        return ladder;
    }

    /** A rule stopped firing: a step still running finishes; nothing after it starts. */
    void stopped(String subject) {
        ladders.remove(subject);
    }

    /** The ladders of the rules firing now, in the order they fired. */
    List<Ladder> active() {
        return new ArrayList<>(ladders.values());
    }

    /**
     * Takes a reload's rules: a firing rule that kept its state goes on up its new ladder; the ladder of a rule that
     * is gone ends (the engine reported its end already; this is for a ladder it did not know).
     */
    void reconfigure(Map<String, RuleConfig> rules) {
        for (Iterator<Ladder> it = ladders.values().iterator(); it.hasNext();) {
            Ladder ladder = it.next();
            RuleConfig now = rules.get(ladder.firing.rule().name());
            if (now == null) {
                it.remove();
            } else {
                ladder.firing = ladder.firing.withRule(now);
            }
        }
    }
}
