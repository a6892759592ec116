package io.rollguard.journal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The journal of last resort: events in memory, each append failing loudly with the reason the disk is out of reach. */
final class MemoryJournal implements Journal {
    private final RecentEvents recent;
    private final io.rollguard.time.TimeSource time;
    private final String why;
    private long nextId;
    private long failures;

    MemoryJournal(JournalLimits limits, io.rollguard.time.TimeSource time, String why, long usedIds) {
        this.nextId = usedIds + 1;
        this.recent = new RecentEvents(limits.memoryEvents(), limits.memoryBytes());
        this.time = time;
        this.why = why;
    }

    @Override
    public synchronized Event append(String kind, Map<String, Object> fields) throws IOException {
        Event event = new Event(nextId++, time.now(), kind, fields);
        recent.add(event, EventLines.encode(event).length);
        failures++;
        throw new IOException("event " + event.id() + " kept in memory only: " + why);
    }

    @Override
    public List<Event> since(long afterId, int limit) {
        return recent.since(afterId, limit);
    }

    @Override
    public List<Event> latest(int limit) {
        return recent.latest(limit);
    }

    @Override
    public synchronized long failures() {
        return failures;
    }

    @Override
    public Optional<String> lastFailure() {
        return Optional.of(why);
    }

    @Override
    public void close() {}
}
