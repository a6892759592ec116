package io.rollguard.journal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The most recent events, bounded by count and by their size as JSON, so that a run of events carrying long action
 * output cannot take the heap. Its own lock keeps API readers from waiting behind an append's fsync.
 */
final class RecentEvents {
    private record Entry(Event event, long bytes) {}

    private final int maxEvents;
    private final long maxBytes;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long bytes;

    RecentEvents(int maxEvents, long maxBytes) {
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    synchronized void add(Event event, long size) {
        entries.addLast(new Entry(event, size));
        bytes += size;
        // The newest event always stays, even alone over the byte bound: the API must show what just happened.
        while (entries.size() > 1 && (entries.size() > maxEvents || bytes > maxBytes)) {
            bytes -= entries.removeFirst().bytes();
        }
    }

    synchronized List<Event> since(long afterId, int limit) {
        List<Event> result = new ArrayList<>(Math.min(limit, entries.size()));
        for (Entry entry : entries) {
            if (result.size() == limit) {
                break;
            }
            if (entry.event().id() > afterId) {
                result.add(entry.event());
            }
        }
        return List.copyOf(result);
    }

    synchronized List<Event> latest(int limit) {
        ArrayDeque<Event> result = new ArrayDeque<>(Math.min(limit, entries.size()));
        Iterator<Entry> newestFirst = entries.descendingIterator();
        while (result.size() < limit && newestFirst.hasNext()) {
            result.addFirst(newestFirst.next().event());
        }
        return List.copyOf(result);
    }
}
