package io.rollguard.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventJournalTest {
    private static final JournalLimits LIMITS = JournalLimits.DEFAULTS;

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();

    @Test
    void idsKeepIncreasingAcrossRestartsAndEventsReadBackEqual() throws IOException {
        List<Event> written = new ArrayList<>();
        try (EventJournal journal = open(LIMITS)) {
            written.add(journal.append("rule_pending", Map.of("rule", "memory-pressure", "value", 0.93)));
            time.advance(Duration.ofSeconds(60));
            written.add(journal.append("rule_firing", Map.of("rule", "memory-pressure", "labels", Map.of())));
        }

        try (EventJournal journal = open(LIMITS)) {
            assertThat(journal.loadWarnings()).isEmpty();
            assertThat(journal.latest(10)).isEqualTo(written);
            Event next = journal.append("action_started", Map.of("action", "rollback"));

            assertThat(next.id()).isEqualTo(3);
            assertThat(next.time()).isEqualTo(time.now());
        }
        assertThat(lines()).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("{\"id\":"));
    }

    @Test
    void aMissingStateDirectoryIsCreatedForTheAgentAndItsGroupOnly() throws IOException {
        Path stateDir = dir.resolve("var/lib/rollguard");

        try (EventJournal journal = EventJournal.open(stateDir, LIMITS, time)) {
            assertThat(journal.append("agent_started", Map.of()).id()).isEqualTo(1);
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir))).isEqualTo("rwxr-x---");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir.resolve("events.jsonl"))))
                .isEqualTo("rw-r-----");
    }

    @Test
    void anEmptyFileIsAFreshJournal() throws IOException {
        Files.createFile(dir.resolve("events.jsonl"));

        try (EventJournal journal = open(LIMITS)) {
            assertThat(journal.loadWarnings()).isEmpty();
            assertThat(journal.latest(10)).isEmpty();
            assertThat(journal.append("agent_started", Map.of()).id()).isEqualTo(1);
        }
    }

    @Test
    void anEmptiedJournalContinuesAboveTheIdsTheStateFileMentions() throws IOException {
        Files.createFile(dir.resolve("events.jsonl"));

        try (EventJournal journal = EventJournal.open(dir, LIMITS, time, 26)) {
            assertThat(journal.append("agent_started", Map.of()).id()).isEqualTo(27);
            assertThat(journal.loadWarnings()).singleElement().asString()
                    .contains("ends at event 0 but the state file mentions event 26: new events start at 27");
        }
        try (EventJournal journal = EventJournal.open(dir, LIMITS, time, 26)) {
            assertThat(journal.loadWarnings()).isEmpty(); // the journal is ahead again
            assertThat(journal.append("agent_started", Map.of()).id()).isEqualTo(28);
        }
    }

    @Test
    void theJournalOfLastResortContinuesAboveTheStateFileToo() {
        Journal journal = Journal.inMemory(LIMITS, time, "no disk", 26);

        assertThatThrownBy(() -> journal.append("agent_started", Map.of())).hasMessageContaining("event 27");
        assertThat(journal.latest(1)).singleElement().extracting(Event::id).isEqualTo(27L);
    }

    @Test
    void eventsTheDiskRefusesForLongerThanMemoryHoldsAreDroppedOldestFirstAndCounted() throws IOException {
        JournalLimits three = new JournalLimits(LIMITS.maxFileBytes(), LIMITS.keepFiles(), 3, LIMITS.memoryBytes());
        Files.createDirectory(dir.resolve("events.jsonl")); // every write fails, as root too

        try (EventJournal journal = EventJournal.open(dir, three, time)) {
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> journal.append("rule_firing", Map.of())).isInstanceOf(IOException.class);
            }
            assertThat(journal.dropped()).isEqualTo(2);

            Files.delete(dir.resolve("events.jsonl"));
            journal.append("rule_resolved", Map.of()); // event 6 takes the place of 3, the oldest waiting
            assertThat(journal.dropped()).isEqualTo(3);
        }
        assertThat(lines()).hasSize(3); // events 4 to 6 were written; 1 to 3 were dropped
        assertThat(lines().get(0)).startsWith("{\"id\":4,");
    }

    static Stream<Arguments> tornEndings() {
        byte[] whole = EventLines.encode(new Event(3, Instant.EPOCH, "action_started", Map.of("action", "rollback")));
        byte[] half = Arrays.copyOf(whole, whole.length / 2);
        byte[] unterminated = Arrays.copyOf(whole, whole.length - 1);
        return Stream.of(
                arguments("half a line", half, "torn: " + half.length + " bytes without a newline"),
                arguments("a whole object without its newline", unterminated,
                        "torn: " + unterminated.length + " bytes without a newline"),
                arguments("zeros, as a power loss leaves them", new byte[512], "torn: 512 bytes without a newline"),
                arguments("a malformed line with its newline", "{\"id\":3,\"ti\n".getBytes(StandardCharsets.UTF_8),
                        "column 12: Unexpected end-of-input in field name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tornEndings")
    void aTornLastLineIsRemovedWithAWarningAndTheNextAppendStartsOnItsOwnLine(String name, byte[] ending,
            String problem) throws IOException {
        try (EventJournal journal = open(LIMITS)) {
            journal.append("rule_pending", Map.of());
            journal.append("rule_firing", Map.of());
        }
        long goodSize = Files.size(file());
        Files.write(file(), ending, StandardOpenOption.APPEND);

        try (EventJournal journal = open(LIMITS)) {
            assertThat(journal.loadWarnings()).containsExactly(file() + ":3: removed the last line (" + problem + ")");
            assertThat(Files.size(file())).isEqualTo(goodSize);
            assertThat(journal.latest(10)).extracting(Event::id).containsExactly(1L, 2L);
            assertThat(journal.append("action_started", Map.of()).id()).isEqualTo(3);
        }

        try (EventJournal journal = open(LIMITS)) {
            assertThat(journal.loadWarnings()).isEmpty();
            assertThat(journal.latest(10)).extracting(Event::kind)
                    .containsExactly("rule_pending", "rule_firing", "action_started");
        }
    }

    @Test
    void aMalformedLineInTheMiddleIsSkippedAndKept() throws IOException {
        try (EventJournal journal = open(LIMITS)) {
            journal.append("rule_pending", Map.of());
            journal.append("rule_firing", Map.of());
        }
        List<String> lines = new ArrayList<>(lines());
        lines.add(1, "not an event");
        Files.write(file(), lines);

        try (EventJournal journal = open(LIMITS)) {
            assertThat(journal.loadWarnings()).containsExactly(file() + ":2: skipped a malformed line (column 1: "
                    + "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', "
                    + "'true' or 'false'))");
            assertThat(journal.latest(10)).extracting(Event::id).containsExactly(1L, 2L);
            assertThat(journal.append("action_started", Map.of()).id()).isEqualTo(3);
        }
        assertThat(lines()).hasSize(4).element(1).isEqualTo("not an event");
    }

    @Test
    void warningsAboutADamagedFileAreBounded() throws IOException {
        Files.write(file(), Collections.nCopies(100, "garbage"));
        Files.writeString(file(), "{\"id\":7,\"time\":\"2026-01-01T00:00:00.000Z\",\"kind\":\"k\"}\n",
                StandardOpenOption.APPEND);

        try (EventJournal journal = open(LIMITS)) {
            assertThat(journal.loadWarnings()).hasSize(21).last().isEqualTo("... and 80 more");
            assertThat(journal.append("k", Map.of()).id()).isEqualTo(8);
        }
    }

    @Test
    void rotatesBySizeKeepsTheConfiguredFilesAndIdsContinue() throws IOException {
        int lineBytes = EventLines.encode(new Event(10, time.now(), "rule_firing", Map.of())).length;
        // Three lines a file, two rotated files kept.
        JournalLimits small = new JournalLimits(3L * lineBytes, 2, 100, 1 << 20);
        try (EventJournal journal = open(small)) {
            for (int i = 0; i < 20; i++) {
                journal.append("rule_firing", Map.of());
            }
        }

        assertThat(Files.exists(dir.resolve("events.jsonl.3"))).isFalse();
        assertThat(ids(dir.resolve("events.jsonl.2"))).containsExactly(13L, 14L, 15L);
        assertThat(ids(dir.resolve("events.jsonl.1"))).containsExactly(16L, 17L, 18L);
        assertThat(ids(file())).containsExactly(19L, 20L);

        try (EventJournal journal = open(small)) {
            assertThat(journal.since(0, 100)).extracting(Event::id).containsExactly(13L, 14L, 15L, 16L, 17L, 18L, 19L,
                    20L);
            assertThat(journal.append("rule_firing", Map.of()).id()).isEqualTo(21);
        }
    }

    @Test
    void openingReadsOnlyTheNewestEventsThatMemoryKeeps() throws IOException {
        // Older lines are not read at all, so damage there costs nothing at start-up and goes unreported.
        Files.write(dir.resolve("events.jsonl.1"), List.of("damaged, and older than memory reaches"));
        try (EventJournal journal = open(LIMITS)) {
            for (int i = 0; i < 3; i++) {
                journal.append("k", Map.of());
            }
        }
        JournalLimits two = new JournalLimits(LIMITS.maxFileBytes(), LIMITS.keepFiles(), 2, LIMITS.memoryBytes());

        try (EventJournal journal = open(two)) {
            assertThat(journal.loadWarnings()).isEmpty();
            assertThat(journal.since(0, 10)).extracting(Event::id).containsExactly(2L, 3L);
            assertThat(journal.append("k", Map.of()).id()).isEqualTo(4);
        }
    }

    @Test
    void idsContinueFromARotatedFileWhenARotationWasCutShort() throws IOException {
        int lineBytes = EventLines.encode(new Event(1, time.now(), "k", Map.of())).length;
        JournalLimits small = new JournalLimits(2L * lineBytes, 1, 100, 1 << 20);
        try (EventJournal journal = open(small)) {
            for (int i = 0; i < 4; i++) {
                journal.append("k", Map.of());
            }
        }
        // A crash between renaming events.jsonl to .1 and creating the next events.jsonl.
        Files.move(file(), dir.resolve("events.jsonl.1"), StandardCopyOption.REPLACE_EXISTING);

        try (EventJournal journal = open(small)) {
            assertThat(journal.append("k", Map.of()).id()).isEqualTo(5);
        }
    }

    static Stream<Arguments> queries() {
        return Stream.of(
                arguments("since 0", 0L, 10, List.of(1L, 2L, 3L, 4L, 5L)),
                arguments("since 2, two of them", 2L, 2, List.of(3L, 4L)),
                arguments("since the last", 5L, 10, List.of()),
                arguments("limit 0", 0L, 0, List.of()),
                arguments("latest 2", null, 2, List.of(4L, 5L)),
                arguments("latest more than there are", null, 10, List.of(1L, 2L, 3L, 4L, 5L)),
                arguments("latest 0", null, 0, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queries")
    void sinceAndLatestReturnEventsOldestFirst(String name, Long afterId, int limit, List<Long> ids)
            throws IOException {
        try (EventJournal journal = open(LIMITS)) {
            for (int i = 0; i < 5; i++) {
                journal.append("k", Map.of());
            }

            List<Event> events = afterId == null ? journal.latest(limit) : journal.since(afterId, limit);

            assertThat(events).extracting(Event::id).isEqualTo(ids);
        }
    }

    @Test
    void aNegativeLimitIsAnError() throws IOException {
        try (EventJournal journal = open(LIMITS)) {
            assertThatThrownBy(() -> journal.since(0, -1)).hasMessage("limit must not be negative: -1");
            assertThatThrownBy(() -> journal.latest(-1)).hasMessage("limit must not be negative: -1");
        }
    }

    static Stream<Arguments> memoryBounds() {
        String output = "x".repeat(1000);
        return Stream.of(
                arguments("by count", new JournalLimits(1 << 20, 1, 3, 1 << 20), "", List.of(4L, 5L, 6L)),
                arguments("by size as JSON", new JournalLimits(1 << 20, 1, 100, 2500), output, List.of(5L, 6L)),
                arguments("the newest even alone over the size", new JournalLimits(1 << 20, 1, 100, 10), output,
                        List.of(6L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memoryBounds")
    void memoryHoldsOnlyTheMostRecentEventsWithinItsBounds(String name, JournalLimits limits, String output,
            List<Long> kept) throws IOException {
        try (EventJournal journal = open(limits)) {
            for (int i = 0; i < 6; i++) {
                journal.append("action_finished", Map.of("output", output));
            }
            assertThat(journal.since(0, 100)).extracting(Event::id).isEqualTo(kept);
        }
        try (EventJournal journal = open(limits)) {
            assertThat(journal.since(0, 100)).extracting(Event::id).isEqualTo(kept);
        }
    }

    @Test
    void concurrentAppendsGetUniqueIdsAndOneWholeLineEach() throws Exception {
        int threads = 4;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try (EventJournal journal = open(LIMITS)) {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String worker = "worker-" + t;
                Callable<List<Long>> appends = () -> {
                    start.await();
                    List<Long> ids = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        ids.add(journal.append("action_output", Map.of("worker", worker, "i", i)).id());
                    }
                    return ids;
                };
                results.add(pool.submit(appends));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                all.addAll(result.get(60, TimeUnit.SECONDS));
            }

            assertThat(all).doesNotHaveDuplicates().hasSize(threads * each);
            assertThat(journal.latest(1000)).extracting(Event::id).isSorted().hasSize(threads * each);
        } finally {
            pool.shutdownNow();
        }
        List<Long> inFile = ids(file());
        assertThat(inFile).hasSize(threads * each).isSorted().doesNotHaveDuplicates();
    }

    /** A way to make writing events.jsonl fail, and to undo it. */
    interface Fault {
        void apply(Path dir) throws IOException;

        void clear(Path dir) throws IOException;
    }

    static Stream<Arguments> faults() {
        Fault directory = new Fault() {
            // Works as root too: no permission lets a directory be written as a file.
            @Override
            public void apply(Path dir) throws IOException {
                Files.createDirectory(dir.resolve("events.jsonl"));
            }

            @Override
            public void clear(Path dir) throws IOException {
                Files.delete(dir.resolve("events.jsonl"));
            }
        };
        Fault full = new Fault() {
            // /dev/full answers every write with ENOSPC: a full disk, for root as for anyone.
            @Override
            public void apply(Path dir) throws IOException {
                assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full here");
                Files.createSymbolicLink(dir.resolve("events.jsonl"), Path.of("/dev/full"));
            }

            @Override
            public void clear(Path dir) throws IOException {
                Files.delete(dir.resolve("events.jsonl"));
            }
        };
        Fault readOnly = new Fault() {
            @Override
            public void apply(Path dir) throws IOException {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
                // Root writes through permissions: then this row proves nothing, and the others stand in for it.
                Path probe = dir.resolve("probe");
                boolean writable;
                try {
                    Files.createFile(probe);
                    Files.delete(probe);
                    writable = true;
                } catch (IOException e) {
                    writable = false;
                }
                if (writable) {
                    clear(dir);
                }
                assumeTrue(!writable, "permissions do not stop this user (root) from writing");
            }

            @Override
            public void clear(Path dir) throws IOException {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        };
        return Stream.of(
                arguments("events.jsonl is a directory", directory, 1,
                        "FileSystemException: %s/events.jsonl: Is a directory"),
                arguments("the disk is full", full, 0, "IOException: No space left on device"),
                arguments("the directory is read-only", readOnly, 1, "AccessDeniedException: %s/events.jsonl"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void whileWritesFailEventsStayInMemoryAndAreWrittenOnceTheyCanBe(String name, Fault fault, int failuresAtOpen,
            String error) throws IOException {
        try (EventJournal journal = open(LIMITS)) {
            journal.append("agent_started", Map.of());
        }
        // As a rotation would have left it: the ids to continue from are in events.jsonl.1.
        Files.move(file(), dir.resolve("events.jsonl.1"));
        fault.apply(dir);
        String cause = error.formatted(dir);

        try (EventJournal journal = open(LIMITS)) {
            // A directory in the way fails when the file is opened, a full disk only when it is written.
            assertThat(journal.failures()).isEqualTo(failuresAtOpen);
            assertThatThrownBy(() -> journal.append("rule_firing", Map.of("rule", "disk-full")))
                    .isInstanceOf(IOException.class)
                    .hasMessage("event 2 not yet written to " + file() + ": " + cause);
            assertThatThrownBy(() -> journal.append("action_started", Map.of()))
                    .hasMessage("event 3 not yet written to " + file() + ": " + cause);
            assertThat(journal.failures()).isEqualTo(failuresAtOpen + 2);
            assertThat(journal.lastFailure()).contains("event 3 not yet written to " + file() + ": " + cause);
            assertThat(journal.latest(10)).extracting(Event::id).containsExactly(1L, 2L, 3L);

            fault.clear(dir);
            journal.append("action_finished", Map.of());

            assertThat(journal.lastFailure()).isEmpty();
            assertThat(journal.failures()).isEqualTo(failuresAtOpen + 2);
        }
        assertThat(ids(file())).containsExactly(2L, 3L, 4L);
    }

    @Test
    void closingWritesWhatAnEarlierAppendCouldNot() throws IOException {
        Path inTheWay = Files.createDirectory(file());
        EventJournal journal = open(LIMITS);
        assertThatThrownBy(() -> journal.append("rule_firing", Map.of())).isInstanceOf(IOException.class);
        Files.delete(inTheWay);

        journal.close();

        assertThat(ids(file())).containsExactly(1L);
    }

    @Test
    void anEventTooLargeForALineIsRefusedWithoutUsingAnId() throws IOException {
        try (EventJournal journal = open(LIMITS)) {
            assertThatThrownBy(() -> journal.append("action_finished", Map.of("output", "x".repeat(1 << 20))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("event action_finished is 1048")
                    .hasMessageEndingWith("bytes as JSON, more than the journal's limit of 1048576");
            assertThat(journal.append("action_finished", Map.of()).id()).isEqualTo(1);
        }
    }

    @Test
    void appendingToAClosedJournalIsAnError() throws IOException {
        EventJournal journal = open(LIMITS);
        journal.close();

        assertThatThrownBy(() -> journal.append("k", Map.of())).isInstanceOf(IllegalStateException.class)
                .hasMessage("the journal " + file() + " is closed");
    }

    private EventJournal open(JournalLimits limits) throws IOException {
        return EventJournal.open(dir, limits, time);
    }

    private Path file() {
        return dir.resolve("events.jsonl");
    }

    private List<String> lines() throws IOException {
        return Files.readAllLines(file());
    }

    private static List<Long> ids(Path path) throws IOException {
        List<Long> ids = new ArrayList<>();
        for (String line : Files.readAllLines(path)) {
            try {
                ids.add(EventLines.decode(line.getBytes(StandardCharsets.UTF_8)).id());
            } catch (MalformedJsonException e) {
                throw new AssertionError(path + ": " + e.getMessage(), e);
            }
        }
        return ids;
    }
}
