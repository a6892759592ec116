package io.rollguard.rule;

import io.rollguard.journal.Event;
import io.rollguard.journal.Journal;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A journal in memory that can be told to fail, as a full disk does: it keeps the event and says it is not on disk. */
final class RecordingJournal implements Journal {
    private final List<Event> events = new ArrayList<>();
    private boolean failing;
    private long failures;

    synchronized void failing(boolean failing) {
        this.failing = failing;
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    @Override
    public synchronized Event append(String kind, Map<String, Object> fields) throws IOException {
        Event event = new Event(events.size() + 1, Instant.EPOCH, kind, fields);
        events.add(event);
        if (failing) {
            failures++;
            throw new IOException("event " + event.id() + " kept in memory only: disk full");
        }
        return event;
    }

    @Override
    public synchronized List<Event> since(long afterId, int limit) {
        return events.stream().filter(e -> e.id() > afterId).limit(limit).toList();
    }

    @Override
    public synchronized List<Event> latest(int limit) {
        return events.subList(Math.max(0, events.size() - limit), events.size());
    }

    @Override
    public synchronized long failures() {
        return failures;
    }

    @Override
    public Optional<String> lastFailure() {
        return failures == 0 ? Optional.empty() : Optional.of("disk full");
    }

    @Override
    public void close() {}
}
