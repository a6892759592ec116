package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.ControlCharacters;
import io.rollguard.common.Human;
import io.rollguard.common.Quantities;
import io.rollguard.config.check.LogCheckSpec;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A log file has at most {@code max_matches} lines matching {@code pattern} within the last {@code window}. In the
 * daemon it follows the file as {@code tail -F} does: from its end at the first run (what was written before the
 * agent looked is not counted), then only what is new at each run. A rename and a new file (logrotate's default) is
 * noticed by the file's identity changing: the old file, still open, is read to its end, then the new one from its
 * start, so no line is lost or counted twice. A file that shrank was truncated (copytruncate) and is read again from
 * its start. At most {@link #MAX_READ} bytes are read per run, so a log spewing gigabytes cannot hold a worker; what
 * is skipped is said in the message. Its value is the number of matching lines in the window.
 *
 * <p>Line times are unknown in general (every log has its own timestamp format, if any), so a line counts from the
 * run that read it. A one-off run ({@code rollguard check}) has no past runs: it counts the matches in the last
 * {@link #TAIL_BYTES} of the file instead, and says so.
 */
final class LogCheck implements Check, Closeable {
    /** How runs read the file. */
    public enum Mode {
        /** The daemon: follow from the end, count within the window. */
        FOLLOW,
        /** {@code rollguard check}: every run reads the last {@link #TAIL_BYTES} of the file and counts there. */
        TAIL
    }

    static final long MAX_READ = 8L * 1024 * 1024;
    static final long TAIL_BYTES = 1024 * 1024;
    /** Longer lines are matched on their first this many bytes; a line is a log record, not a data dump. */
    static final int MAX_LINE = 64 * 1024;
    /** Runs with matches remembered for the window; past it, the oldest two merge (see {@link #remember}). */
    static final int MAX_BATCHES = 1024;
    private static final int QUOTE_CHARS = 200;
    /** The recent matching lines kept for an incident record: this many, each cut to {@link #RECENT_CHARS}. */
    public static final int RECENT_LINES = 20;
    public static final int RECENT_CHARS = 512;
    private static final int CHUNK = 64 * 1024;

    /** The matches one run read: they count from the time of that run. */
    private record Batch(long nanos, long count) {}

    private final LogCheckSpec spec;
    private final Mode mode;
    private final LongSupplier nanoTime;

    /** The file being followed, held open so that a renamed file can still be read to its end. */
    private volatile FileChannel channel;
    private Object fileKey;
    private long position;
    /** Whether a run has looked: only what was there at the first look is left uncounted. */
    private boolean looked;
    private long followingSinceNanos;
    /** Whether the file has existed since: until then, its absence is a failure, not a rotation in progress. */
    private boolean seen;
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private String lastMatch;
    private long lastMatchNanos;
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    /** A copy of {@link #recent} published after each run: read by an incident without waiting for a run. */
    private volatile List<String> recentSnapshot = List.of();

    /** @param nanoTime the monotonic clock the window is measured on: {@code System::nanoTime}, or a test's */
    public LogCheck(LogCheckSpec spec, Mode mode, LongSupplier nanoTime) {
        this.spec = requireNonNull(spec, "spec");
        this.mode = requireNonNull(mode, "mode");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    @Override
    public synchronized CheckResult run() throws IOException, InterruptedException {
        return mode == Mode.TAIL ? tail() : follow(nanoTime.getAsLong());
    }

    /** The last {@link #RECENT_LINES} matching lines, oldest first, each at most {@link #RECENT_CHARS} chars. */
    @Override
    public List<String> recentMatches() {
        return recentSnapshot;
    }

    /** Closes the followed file, if any. Safe while a run is in flight: that run then fails, nothing worse. */
    @Override
    public void close() throws IOException {
        FileChannel open = channel;
        if (open != null) {
            open.close();
        }
    }

    private CheckResult follow(long now) throws IOException, InterruptedException {
        Reading reading = new Reading(MAX_READ, now);
        BasicFileAttributes current = attributes();
        boolean firstSight = false;
        if (channel != null) {
            if (current == null || !Objects.equals(current.fileKey(), fileKey)) {
                // Rotated (renamed or deleted): whatever was appended to the old file since the last run is still
                // readable through the open channel, and belongs to no other file.
                read(reading, true);
                closeChannel();
                reading.notes.add(current == null ? "rotated; " + spec.path() + " is not there yet" : "rotated");
                if (current != null && open()) {
                    position = 0;
                }
            } else if (channel.size() < position) {
                reading.notes.add("truncated, read again from its start");
                position = 0;
            }
        } else if (current != null && open()) {
            // At the first look, what is already there happened before anyone asked. A file that appears later
            // (created, or back after a rotation) was written entirely since: all of it counts.
            firstSight = !looked;
            position = looked ? 0 : channel.size();
            seen = true;
        }
        if (!looked) {
            looked = true;
            followingSinceNanos = now;
        }
        if (!seen) {
            return CheckResult.failed(spec.path() + " does not exist");
        }
        if (channel != null) {
            read(reading, false);
        }
        if (current == null && channel == null && reading.notes.isEmpty()) {
            reading.notes.add(spec.path() + " does not exist; waiting for it to reappear");
        }
        remember(reading);
        return judge(reading, firstSight);
    }

    /** Counts the matches within the window, as of this run, and says what the run found on the way. */
    private CheckResult judge(Reading reading, boolean firstSight) {
        long now = reading.nanos;
        long windowNanos = spec.window().toNanos();
        while (!batches.isEmpty() && now - batches.peekFirst().nanos() >= windowNanos) {
            batches.pollFirst();
        }
        long inWindow = 0;
        for (Batch batch : batches) {
            inWindow += batch.count();
        }
        String span = now - followingSinceNanos >= windowNanos
                ? "in the last " + Quantities.formatDuration(spec.window())
                : "since following began " + Human.seconds((now - followingSinceNanos) / 1e9) + " ago";
        StringBuilder message = new StringBuilder(spec.path().toString()).append(": ")
                .append(lines(inWindow)).append(' ').append(span).append(" (max ").append(spec.maxMatches()).append(')');
        if (inWindow > 0 && lastMatch != null && now - lastMatchNanos < windowNanos) {
            message.append("; last: \"").append(lastMatch).append('"');
        }
        if (firstSight) {
            message.append("; following from its end, the ").append(Human.bytes(position))
                    .append(" already there not counted");
        }
        for (String note : reading.notes) {
            message.append("; ").append(note);
        }
        if (reading.skipped > 0) {
            message.append("; skipped ").append(Human.bytes(reading.skipped)).append(": more than ")
                    .append(Human.bytes(MAX_READ)).append(" arrived since the last run, matches there are not counted");
        }
        return inWindow > spec.maxMatches() ? CheckResult.failed(message.toString(), inWindow)
                : CheckResult.passed(message.toString(), inWindow);
    }

    /** A one-off run: the matches in the file's last {@link #TAIL_BYTES}, since no earlier run saw the rest. */
    private CheckResult tail() throws IOException, InterruptedException {
        FileChannel file;
        try {
            file = FileChannel.open(spec.path(), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return CheckResult.failed(spec.path() + " does not exist");
        }
        try (file) {
            long size = file.size();
            long from = Math.max(0, size - TAIL_BYTES);
            Reading reading = new Reading(TAIL_BYTES + 1, nanoTime.getAsLong());
            // From the byte before the cut, so that a line starting exactly there is counted, not dropped as a tail.
            scan(file, Math.max(0, from - 1), size, from > 0, true, reading);
            String where = from > 0 ? "in the last 1 MiB" : "in the whole file (" + Human.bytes(size) + ")";
            StringBuilder message = new StringBuilder(spec.path().toString()).append(": ")
                    .append(lines(reading.matches)).append(' ').append(where).append(" (max ")
                    .append(spec.maxMatches()).append(')');
            if (reading.matches > 0) {
                message.append("; last: \"").append(reading.lastMatch).append('"');
            }
            message.append("; a single run reads the end of the file, not a time window");
            return reading.matches > spec.maxMatches() ? CheckResult.failed(message.toString(), reading.matches)
                    : CheckResult.passed(message.toString(), reading.matches);
        }
    }

    /**
     * Reads the followed file from {@link #position} on, within the run's budget. When more is waiting than the
     * budget allows, the oldest part is skipped: the newest lines are the ones that tell how the service is doing.
     *
     * @param last whether the file will not grow any more (rotated away): its unfinished last line then counts
     */
    private void read(Reading reading, boolean last) throws IOException, InterruptedException {
        long end = channel.size();
        if (end <= position || reading.budget <= 0) {
            return; // nothing new; or the budget went on the rotated file, and this one waits for the next run
        }
        if (end - position <= reading.budget) {
            position = scan(channel, position, end, false, last, reading);
            return;
        }
        long from = end - reading.budget + 1;
        reading.skipped += from - position;
        // From the byte before, so that a line starting exactly at the cut is not taken for the tail of a skipped one.
        position = scan(channel, from - 1, end, true, last, reading);
    }

    /**
     * Matches the lines of {@code file[from, end)} and returns where the next read starts: after the last complete
     * line, so that a line still being written is read whole next time. A longer unfinished line than
     * {@link #MAX_LINE}, or one in a file that will not grow, is taken as it is.
     *
     * @param midLine whether {@code from} may be inside a line, whose start was skipped: that fragment is dropped
     */
    private long scan(FileChannel file, long from, long end, boolean midLine, boolean last, Reading reading)
            throws IOException, InterruptedException {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        byte[] line = new byte[MAX_LINE];
        int length = 0;
        boolean dropping = midLine;
        long lineStart = from;
        long at = from;
        while (at < end) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            buffer.clear().limit((int) Math.min(CHUNK, end - at));
            int count = file.read(buffer, at);
            if (count <= 0) {
                break; // truncated under us: what was read stands, the next run sees the new size
            }
            for (int i = 0; i < count; i++) {
                byte b = buffer.get(i);
                if (b == '\n') {
                    if (!dropping) {
                        match(line, length, reading);
                    }
                    dropping = false;
                    length = 0;
                    lineStart = at + i + 1;
                } else if (length < MAX_LINE) {
                    line[length++] = b;
                }
            }
            at += count;
        }
        reading.budget -= at - from;
        long unfinished = at - lineStart;
        if (unfinished > 0 && (last || unfinished >= MAX_LINE)) {
            if (!dropping) {
                match(line, length, reading);
            }
            return at;
        }
        return lineStart;
    }

    private void match(byte[] line, int length, Reading reading) {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        String text = new String(line, 0, end, StandardCharsets.UTF_8);
        if (spec.pattern().matcher(text).find()) {
            reading.matches++;
            reading.lastMatch = ControlCharacters.escape(
                    text.length() > QUOTE_CHARS ? text.substring(0, QUOTE_CHARS) + "..." : text);
            reading.recent.addLast(text.length() > RECENT_CHARS ? text.substring(0, RECENT_CHARS) + "..." : text);
            if (reading.recent.size() > RECENT_LINES) {
                reading.recent.removeFirst();
            }
        }
    }

    /**
     * Adds the run's matches to the window. Past {@link #MAX_BATCHES} runs with matches, the two oldest merge under
     * the newer time: the merged matches then leave the window a little late, never early, so a bounded memory
     * can make the check fail longer, not pass sooner.
     */
    private void remember(Reading reading) {
        if (reading.matches == 0) {
            return;
        }
        batches.addLast(new Batch(reading.nanos, reading.matches));
        for (String line : reading.recent) {
            recent.addLast(line);
            if (recent.size() > RECENT_LINES) {
                recent.removeFirst();
            }
        }
        recentSnapshot = List.copyOf(recent);
        lastMatch = reading.lastMatch;
        lastMatchNanos = reading.nanos;
        if (batches.size() > MAX_BATCHES) {
            Batch oldest = batches.pollFirst();
            Batch next = batches.pollFirst();
            batches.addFirst(new Batch(next.nanos(), oldest.count() + next.count()));
        }
    }

    private BasicFileAttributes attributes() throws IOException {
        try {
            return Files.readAttributes(spec.path(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Opens the file and records its identity. A rotation between the look and the open would pair one file's
     * identity with the other's channel, so the identity is read again after the open, and the open retried.
     */
    private boolean open() throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            BasicFileAttributes before = attributes();
            if (before == null) {
                return false;
            }
            FileChannel opened;
            try {
                opened = FileChannel.open(spec.path(), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return false;
            }
            BasicFileAttributes after = attributes();
            if (after != null && Objects.equals(before.fileKey(), after.fileKey())) {
                channel = opened;
                fileKey = after.fileKey();
                return true;
            }
            opened.close();
        }
        throw new IOException(spec.path() + " keeps being replaced while it is opened");
    }

    private void closeChannel() throws IOException {
        FileChannel open = channel;
        channel = null;
        fileKey = null;
        if (open != null) {
            open.close();
        }
    }

    private static String lines(long count) {
        return count == 1 ? "1 matching line" : count + " matching lines";
    }

    /** What one run read: its budget left, its matches and what it had to say about the file. */
    private static final class Reading {
        long budget;
        final long nanos;
        long matches;
        long skipped;
        String lastMatch;
        final ArrayDeque<String> recent = new ArrayDeque<>();
        final List<String> notes = new ArrayList<>();

        Reading(long budget, long nanos) {
            this.budget = budget;
            this.nanos = nanos;
        }
    }
}
