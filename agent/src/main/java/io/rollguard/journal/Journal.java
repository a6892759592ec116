package io.rollguard.journal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the agent records what happened: events with increasing ids, the recent ones kept in memory for the API. */
public interface Journal extends AutoCloseable {
    /**
     * Records an event; once this returns, it is on disk. When the disk fails the event is still kept in memory with
     * its id and the exception says why it is not (yet) on disk.
     */
    Event append(String kind, Map<String, Object> fields) throws IOException;

    /** Records one of the agent's own events, as {@link #append(String, Map)} does. */
    default Event append(JournalEvent event) throws IOException {
        return append(event.kind(), event.fields());
    }

    /** Up to {@code limit} events with an id above {@code afterId}, oldest first. */
    List<Event> since(long afterId, int limit);

    /** The last {@code limit} events, oldest first. */
    List<Event> latest(int limit);

    /** Appends that could not reach the disk. */
    long failures();

    /** Why the last of those failed. */
    Optional<String> lastFailure();

    /** Events dropped unwritten, the oldest first, while the disk refused them for longer than memory holds them. */
    default long dropped() {
        return 0;
    }

    @Override
    void close() throws IOException;

    /**
     * A journal that keeps events in memory only, for an agent whose state directory cannot be used: it keeps acting,
     * and every append reports that nothing reached the disk. Its ids start above {@code usedIds}, the highest the
     * state file refers to.
     */
    static Journal inMemory(JournalLimits limits, io.rollguard.time.TimeSource time, String why, long usedIds) {
        return new MemoryJournal(limits, time, why, usedIds);
    }
}
