package io.rollguard.journal;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Failures;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only event journal, {@code state_dir/events.jsonl}: one JSON object per line (see {@link Event}),
 * rotated by size into {@code events.jsonl.1}, {@code .2}, ... Ids increase across restarts and rotations.
 *
 * <p>{@link #append} returns only once the event is on disk ({@code fsync}), so whoever starts an action after it
 * knows the event survives a crash. When the disk is full or the directory read-only, {@code append} throws, but the
 * event still gets its id and enters the in-memory history that the API serves, and it stays queued: the next append
 * writes it first, in id order, so nothing that happened during the outage is missing from the file once the disk
 * is back. The queue is bounded like the in-memory history; beyond it the oldest unwritten events are dropped.
 *
 * <p>Opening reads only the newest events, as many as memory keeps, from the end of the files, so it costs the same
 * whatever their size. It never fails on content: a torn last line (a crash in mid-write) is removed from the file
 * and a malformed line among those read is skipped, each reported in {@link #loadWarnings()}.
 *
 * <p>Thread-safe: the scheduler and action workers append concurrently; API readers never wait for an fsync.
 */
public final class EventJournal implements Journal {
    private static final Logger log = LoggerFactory.getLogger(EventJournal.class);
    static final String FILE_NAME = "events.jsonl";
    // A damaged file could make every line malformed: report the first ones, then count.
    private static final int MAX_WARNINGS = 20;

    private final Path dir;
    private final Path file;
    private final JournalLimits limits;
    private final TimeSource time;
    private final RecentEvents recent;
    private final List<String> loadWarnings;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile String lastFailure;

    private final Object appendLock = new Object();
    // Guarded by appendLock:
    private FileChannel channel; // null until opened, after a failure, and once closed
    private long fileSize; // the bytes of whole, written lines; anything after them is a write cut short
    private long nextId;
    private long droppedReported; // what dropped() was when a write last succeeded
    private final ArrayDeque<byte[]> unwritten = new ArrayDeque<>();
    private boolean closed;

    private EventJournal(Path dir, JournalLimits limits, TimeSource time, Loaded loaded, long usedIds) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        this.limits = limits;
        this.time = time;
        this.recent = loaded.recent();
        this.fileSize = loaded.goodSize();
        this.nextId = Math.max(loaded.maxId(), usedIds) + 1;
        List<String> warnings = new ArrayList<>(loaded.warnings());
        if (usedIds > loaded.maxId()) {
            warnings.add(file + " ends at event " + loaded.maxId() + " but the state file mentions event " + usedIds
                    + ": new events start at " + nextId + ", so that no id is given twice");
        }
        this.loadWarnings = List.copyOf(warnings);
    }

    /**
     * Opens the journal in {@code stateDir}, creating the directory (mode 0750) if needed, and loads the most recent
     * events. The file is opened for writing at once, which also removes a torn last line; if that fails (a read-only
     * directory), the journal still opens, counts the failure, and tries again on the first append.
     *
     * @throws IOException if the directory cannot be created or an existing journal file cannot be read, since ids
     *     could not then be continued safely
     */
    public static EventJournal open(Path stateDir, JournalLimits limits, TimeSource time) throws IOException {
        return open(stateDir, limits, time, 0);
    }

    /**
     * Opens the journal as {@link #open(Path, JournalLimits, TimeSource)} does, its next id above {@code usedIds}
     * too: the highest id the state file refers to, which an emptied or replaced events.jsonl no longer holds. Ids
     * never go backwards, so a client that asks for the events after the last one it saw misses none.
     */
    public static EventJournal open(Path stateDir, JournalLimits limits, TimeSource time, long usedIds)
            throws IOException {
        requireNonNull(stateDir, "stateDir");
        requireNonNull(limits, "limits");
        requireNonNull(time, "time");
        StateDirectory.create(stateDir);
        EventJournal journal = new EventJournal(stateDir, limits, time, load(stateDir, limits), usedIds);
        synchronized (journal.appendLock) {
            try {
                journal.openChannel();
            } catch (IOException e) {
                journal.recordFailure("cannot open " + journal.file, e);
            }
        }
        return journal;
    }

    /**
     * Journals an event: assigns the next id and the current time, writes one line and forces it to disk before
     * returning.
     *
     * @throws IOException if the event could not be written; it is then kept in memory with its id, visible to
     *     {@link #since} and {@link #latest}, and written by a later append once the disk allows
     * @throws IllegalArgumentException if a field is not a JSON value or is named id, time or kind
     * @throws IllegalStateException once the journal is closed
     */
    public Event append(String kind, Map<String, Object> fields) throws IOException {
        synchronized (appendLock) {
            if (closed) {
                throw new IllegalStateException("the journal " + file + " is closed");
            }
            Event event = new Event(nextId, time.now(), kind, fields);
            byte[] line = EventLines.encode(event);
            nextId++;
            queue(line);
            IOException failure = null;
            try {
                writeUnwritten();
            } catch (IOException e) {
                failure = recordFailure("event " + event.id() + " not yet written to " + file, e);
            }
            // Added after the write, still under the lock, so readers see events in id order and only once tried.
            recent.add(event, line.length);
            if (failure != null) {
                throw failure;
            }
            return event;
        }
    }

    /** Up to {@code limit} events with an id above {@code afterId}, oldest first, from those kept in memory. */
    public List<Event> since(long afterId, int limit) {
        requireLimit(limit);
        return recent.since(afterId, limit);
    }

    /** The {@code limit} most recent events kept in memory, oldest first. */
    public List<Event> latest(int limit) {
        requireLimit(limit);
        return recent.latest(limit);
    }

    /** What loading skipped or repaired, one line each, for the log at start-up. */
    public List<String> loadWarnings() {
        return loadWarnings;
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    /** Failed writes (and failures to open the file) since the journal was opened. */
    public long failures() {
        return failures.get();
    }

    /** Why the last write failed, while events are waiting to be written; empty once a write succeeds. */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    /** Closes the file, after one last try at writing events that an earlier append could not. */
    @Override
    public void close() throws IOException {
        synchronized (appendLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (!unwritten.isEmpty()) {
                try {
                    writeUnwritten();
                } catch (IOException e) {
                    throw recordFailure(unwritten.size() + " events not written to " + file, e);
                }
            }
            closeChannel();
        }
    }

    private static void requireLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
    }

    private void queue(byte[] line) {
        unwritten.addLast(line);
        long bytes = 0;
        for (byte[] queued : unwritten) {
            bytes += queued.length;
        }
        // Bounded like the in-memory history: an outage of days must not take the heap.
        while (unwritten.size() > 1 && (unwritten.size() > limits.memoryEvents() || bytes > limits.memoryBytes())) {
            bytes -= unwritten.removeFirst().length;
            if (dropped.getAndIncrement() == droppedReported) {
                // Once per outage: the next is reported when a write has succeeded in between.
                log.error("journal {}: the disk has refused events for longer than memory holds them; the oldest "
                        + "unwritten ones are dropped from now on (rollguard_journal_dropped_total)", file);
            }
        }
    }

    private void writeUnwritten() throws IOException {
        if (channel == null) {
            openChannel();
        }
        long bytes = 0;
        for (byte[] line : unwritten) {
            bytes += line.length;
        }
        if (fileSize > 0 && fileSize + bytes > limits.maxFileBytes()) {
            rotate();
        }
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(bytes));
        for (byte[] line : unwritten) {
            buffer.put(line);
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        // fdatasync: the data and the file's size, not its timestamps.
        channel.force(false);
        fileSize += bytes;
        unwritten.clear();
        droppedReported = dropped.get();
        lastFailure = null;
    }

    private void openChannel() throws IOException {
        boolean created = !Files.exists(file);
        FileChannel opened = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                StateDirectory.fileAttributes());
        try {
            long size = opened.size();
            if (size > fileSize) {
                // A torn last line found on load, or a write that failed part-way: whole lines only from here.
                opened.truncate(fileSize);
                opened.force(false);
            } else {
                // The file was replaced or shortened behind our back: append to what is there.
                fileSize = size;
            }
            opened.position(fileSize);
            if (created) {
                StateDirectory.force(dir);
            }
        } catch (IOException e) {
            opened.close();
            throw e;
        }
        channel = opened;
    }

    private void rotate() throws IOException {
        closeChannel();
        // Each rename replaces its target in one step (the oldest file goes that way, not by a delete), so a crash at
        // any point leaves files whose ids still increase from the highest-numbered one to events.jsonl.
        for (int i = limits.keepFiles() - 1; i >= 1; i--) {
            Path older = rotated(dir, i);
            if (Files.exists(older)) {
                Files.move(older, rotated(dir, i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.move(file, rotated(dir, 1), StandardCopyOption.ATOMIC_MOVE);
        fileSize = 0;
        openChannel();
        StateDirectory.force(dir);
    }

    private void closeChannel() throws IOException {
        FileChannel open = channel;
        channel = null;
        if (open != null) {
            open.close();
        }
    }

    private IOException recordFailure(String what, IOException cause) {
        failures.incrementAndGet();
        String message = what + ": " + Failures.describe(cause);
        lastFailure = message;
        try {
            // Reopened on the next attempt, which also cuts off whatever part of the lines did reach the file.
            closeChannel();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        return new IOException(message, cause);
    }

    static Path rotated(Path dir, int index) {
        return dir.resolve(FILE_NAME + "." + index);
    }

    private record Loaded(RecentEvents recent, List<String> warnings, long maxId, long goodSize) {}

    /**
     * Reads the files newest first and each from its end, until it has the events that memory keeps. Ids increase
     * from the oldest file to the newest, so the highest id is among the first events read, in a rotated file when
     * events.jsonl is new. Lines older than what memory keeps are not read, and not checked.
     */
    private static Loaded load(Path dir, JournalLimits limits) throws IOException {
        Loader loader = new Loader(limits);
        loader.loadFile(dir.resolve(FILE_NAME), true);
        for (int i = 1; i <= limits.keepFiles() && loader.wantsMore(); i++) {
            loader.loadFile(rotated(dir, i), false);
        }
        return loader.loaded();
    }

    private static final class Loader {
        private record Sized(Event event, long bytes) {}

        private record Warning(long offset, String text) {}

        private final JournalLimits limits;
        private final List<Sized> newestFirst = new ArrayList<>();
        private final List<List<String>> warningsNewestFileFirst = new ArrayList<>();
        private int warningsKept;
        private int warningsFound;
        private long bytes;
        private long maxId;
        private long goodSize;

        Loader(JournalLimits limits) {
            this.limits = limits;
        }

        boolean wantsMore() {
            return newestFirst.size() < limits.memoryEvents() && bytes < limits.memoryBytes();
        }

        void loadFile(Path path, boolean current) throws IOException {
            if (!Files.exists(path)) {
                return;
            }
            if (!Files.isRegularFile(path)) {
                // A directory or device in its place holds no events; reading a FIFO would block the start-up.
                keep(room() > 0 ? List.of(path + ": not a regular file, ignored") : List.of(), 1);
                return;
            }
            // Only as many as will be shown: a file of garbage must not fill the heap with warnings.
            List<Warning> shown = new ArrayList<>();
            int found = 0;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                BackwardLineReader reader = new BackwardLineReader(channel, EventLines.MAX_LINE_BYTES);
                if (current) {
                    goodSize = channel.size();
                }
                boolean last = true;
                for (BackwardLineReader.Line line = reader.previous(); line != null && wantsMore();
                        line = reader.previous()) {
                    Event event = null;
                    String problem;
                    if (!line.terminated()) {
                        // Even if it parses: its append never returned, so nothing was started on its account.
                        problem = "torn: " + line.length() + " bytes without a newline";
                    } else if (line.bytes() == null) {
                        problem = "longer than " + EventLines.MAX_LINE_BYTES + " bytes";
                    } else {
                        try {
                            event = EventLines.decode(line.bytes());
                            problem = null;
                        } catch (MalformedJsonException e) {
                            problem = e.getMessage();
                        }
                    }
                    if (event != null) {
                        newestFirst.add(new Sized(event, line.length()));
                        bytes += line.length();
                        maxId = Math.max(maxId, event.id());
                    } else if (current && last) {
                        // Cut off when the file is opened for writing, so the next append starts on a line of its own.
                        goodSize = line.offset();
                        found++;
                        shown.add(new Warning(line.offset(), "removed the last line (" + problem + ")"));
                    } else if (found++ < room()) {
                        shown.add(new Warning(line.offset(), "skipped a malformed line (" + problem + ")"));
                    }
                    last = false;
                }
                keep(numbered(path, reader, shown), found);
            }
        }

        // "events.jsonl:57: ...", in the order of the file.
        private static List<String> numbered(Path path, BackwardLineReader reader, List<Warning> newestFirst)
                throws IOException {
            List<Warning> inFileOrder = new ArrayList<>(newestFirst);
            Collections.reverse(inFileOrder);
            long[] numbers = reader.lineNumbers(inFileOrder.stream().mapToLong(Warning::offset).toArray());
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < inFileOrder.size(); i++) {
                lines.add(path + ":" + numbers[i] + ": " + inFileOrder.get(i).text());
            }
            return lines;
        }

        private int room() {
            return Math.max(0, MAX_WARNINGS - warningsKept);
        }

        private void keep(List<String> lines, int found) {
            warningsNewestFileFirst.add(lines);
            warningsKept += lines.size();
            warningsFound += found;
        }

        Loaded loaded() {
            RecentEvents recent = new RecentEvents(limits.memoryEvents(), limits.memoryBytes());
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
                recent.add(newestFirst.get(i).event(), newestFirst.get(i).bytes());
            }
            List<String> lines = new ArrayList<>();
            for (int i = warningsNewestFileFirst.size() - 1; i >= 0; i--) {
                lines.addAll(warningsNewestFileFirst.get(i));
            }
            if (warningsFound > warningsKept) {
                lines.add("... and " + (warningsFound - warningsKept) + " more");
            }
            return new Loaded(recent, lines, maxId, goodSize);
        }
    }
}
