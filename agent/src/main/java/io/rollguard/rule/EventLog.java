package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.journal.Event;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalEvent;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal as the response path writes it: an append never throws, since a disk that fails must not stop a
 * rollback; the journal keeps the event in memory, and the log says so once, and once when the disk is back.
 */
final class EventLog {
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);

    private final Journal journal;
    private boolean failing;

    EventLog(Journal journal) {
        this.journal = requireNonNull(journal, "journal");
    }

    /** Journals {@code event}; returns its id, that of the last event kept when the disk failed, or 0. */
    synchronized long append(JournalEvent event) {
        try {
            Event appended = journal.append(event);
            if (failing) {
                log.info("the journal writes to disk again");
                failing = false;
            }
            return appended.id();
        } catch (IOException e) {
            if (!failing) {
                log.error("journal: {}; events are kept in memory until it can write again", e.getMessage());
                failing = true;
            }
            List<Event> latest = journal.latest(1);
            return latest.isEmpty() ? 0 : latest.get(0).id();
        }
    }

    /** The newest {@code limit} events, oldest first. */
    List<Event> latest(int limit) {
        return journal.latest(limit);
    }

    long failures() {
        return journal.failures();
    }
}
