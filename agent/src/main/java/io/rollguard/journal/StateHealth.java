package io.rollguard.journal;

import static java.util.Objects.requireNonNull;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What is wrong with the agent's state directory, one problem per reason: a damaged {@code state.json}, one that
 * cannot be written, a journal whose writes fail. The same reasons reach {@code /health/detailed}, the status page and
 * {@code rollguard_state_ok}. Read without waiting on a write in progress: its inputs are volatile fields.
 *
 * @param problems the worst first: a damaged file blocks every rollback, a failed write loses a latch at a crash
 */
public record StateHealth(List<Problem> problems) {
    public static final MetricFamily STATE_OK = MetricFamily.gauge("rollguard_state_ok",
            "1 while the state directory works; 0 with the worst problem's reason (damaged, state_write_failed, "
                    + "state_unreserved, journal_dropping, state_in_reserve, journal_write_failed) while it does not.");
    public static final MetricFamily JOURNAL_DROPPED = MetricFamily.counter("rollguard_journal_dropped_total",
            "Events dropped unwritten, the oldest first, while the state directory refused them for longer than "
                    + "memory could hold them.");

    /** Nothing wrong. */
    public static final StateHealth OK = new StateHealth(List.of());

    /**
     * @param reason what {@code rollguard_state_ok{reason}} says: {@code damaged}, {@code state_write_failed},
     *     {@code state_unreserved}, {@code journal_dropping}, {@code state_in_reserve}, {@code journal_write_failed}
     * @param message for a person: what is wrong, and what it means for the rollbacks
     */
    public record Problem(String reason, String message) {
        public Problem {
            requireNonNull(reason, "reason");
            requireNonNull(message, "message");
        }
    }

    public StateHealth {
        problems = List.copyOf(problems);
    }

    /** The state store's and the journal's problems, as they are now. */
    public static StateHealth of(StateStore state, Journal journal) {
        List<Problem> problems = new ArrayList<>();
        state.damage().ifPresent(why -> problems.add(new Problem("damaged", "the state file " + state.path()
                + " cannot be read (" + why + "): every rollback is blocked until it is fixed or removed, then "
                + "`rollguard rearm`")));
        state.writeFailure().ifPresent(why -> problems.add(new Problem("state_write_failed", why
                + ": latches hold in memory only, and a restart forgets them")));
        state.unreserved().ifPresent(why -> problems.add(new Problem("state_unreserved", why
                + ": on a full disk a latch would hold in memory only; restart the agent once there is room")));
        long dropped = journal.dropped();
        if (dropped > 0 && journal.lastFailure().isPresent()) {
            problems.add(new Problem("journal_dropping", dropped + " events not written were dropped, the oldest "
                    + "first, so that memory stays bounded: " + journal.lastFailure().get()));
        }
        state.inReserve().ifPresent(why -> problems.add(new Problem("state_in_reserve", why
                + ": the state is kept in the space reserved for it, so latches survive a restart")));
        journal.lastFailure().ifPresent(why -> problems.add(new Problem("journal_write_failed", why
                + ": events wait in memory until the disk takes them")));
        return problems.isEmpty() ? OK : new StateHealth(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** The first, worst problem; empty when there is none. */
    public Optional<Problem> worst() {
        return problems.stream().findFirst();
    }

    /** {@code rollguard_state_ok 1}, or {@code rollguard_state_ok{reason="..."} 0} with the worst problem's reason. */
    public void write(SeriesWriter out) {
        out.put(STATE_OK, worst().map(p -> LabelSet.of("reason", p.reason())).orElse(LabelSet.EMPTY), ok() ? 1 : 0);
    }
}
