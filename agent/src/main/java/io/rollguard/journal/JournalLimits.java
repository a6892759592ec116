package io.rollguard.journal;

/**
 * How much of the journal is kept, on disk and in memory.
 *
 * @param maxFileBytes events.jsonl is rotated before an append would take it past this size
 * @param keepFiles rotated files kept (events.jsonl.1 is the newest); at least one, because the ids of a fresh
 *     events.jsonl continue from the newest rotated file after a restart
 * @param memoryEvents events kept in memory for the API
 * @param memoryBytes bound on the in-memory events' size as JSON, since an event may carry 64 KiB of action output
 */
public record JournalLimits(long maxFileBytes, int keepFiles, int memoryEvents, long memoryBytes) {
    public static final JournalLimits DEFAULTS = new JournalLimits(10L << 20, 3, 1_000, 4L << 20);

    public JournalLimits {
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes must be positive: " + maxFileBytes);
        }
        if (keepFiles < 1) {
            throw new IllegalArgumentException("keepFiles must be at least 1: " + keepFiles);
        }
        if (memoryEvents < 1) {
            throw new IllegalArgumentException("memoryEvents must be at least 1: " + memoryEvents);
        }
        if (memoryBytes < 1) {
            throw new IllegalArgumentException("memoryBytes must be positive: " + memoryBytes);
        }
    }
}
