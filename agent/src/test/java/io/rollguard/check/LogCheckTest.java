package io.rollguard.check;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.common.Human;
import io.rollguard.config.check.LogCheckSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real file, written, rotated and truncated between runs as a service and logrotate would, with the monotonic
 * clock stepped by hand.
 */
class LogCheckTest {
    private static final Pattern ERRORS = Pattern.compile("ERROR|Traceback");
    private static final Duration WINDOW = Duration.ofMinutes(5);
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private Path log;
    private final AtomicLong nanos = new AtomicLong(1_000 * SECOND);
    private LogCheck check;

    @BeforeEach
    void logWithHistory() throws IOException {
        log = dir.resolve("app.log");
        append("INFO started\nERROR before the agent looked\n");
        check = follow(0);
    }

    @AfterEach
    void close() throws IOException {
        check.close();
    }

    @Test
    void theFirstRunFollowsFromTheEndAndCountsNothingAlreadyThere() throws Exception {
        CheckResult first = check.run();

        assertThat(first.ok()).isTrue();
        assertThat(first.value()).isZero();
        assertThat(first.message()).isEqualTo(log + ": 0 matching lines since following began 0 ms ago (max 0); "
                + "following from its end, the 43 B already there not counted");
    }

    @Test
    void countsTheMatchingLinesWrittenSinceAndQuotesTheLast() throws Exception {
        check.run();
        append("INFO request\nERROR database is locked\nINFO request\nTraceback (most recent call last):\n");
        step(10);

        CheckResult result = check.run();

        assertThat(result.ok()).isFalse();
        assertThat(result.value()).isEqualTo(2.0);
        assertThat(result.message()).isEqualTo(log + ": 2 matching lines since following began 10.0 s ago (max 0); "
                + "last: \"Traceback (most recent call last):\"");
    }

    @Test
    void keepsTheLastMatchingLinesBoundedInNumberAndLength() throws Exception {
        check.run();
        assertThat(check.recentMatches()).as("what was there before the first look is not kept").isEmpty();
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= LogCheck.RECENT_LINES + 5; i++) {
            lines.append("ERROR number ").append(i).append("\nINFO fine\n");
        }
        append(lines.toString());
        step(1);
        check.run();
        append("ERROR " + "x".repeat(2 * LogCheck.RECENT_CHARS) + "\n");
        step(1);
        check.run();

        List<String> recent = check.recentMatches();
        assertThat(recent).hasSize(LogCheck.RECENT_LINES);
        assertThat(recent.get(0)).as("the oldest kept").isEqualTo("ERROR number 7");
        assertThat(recent.get(recent.size() - 2)).isEqualTo("ERROR number " + (LogCheck.RECENT_LINES + 5));
        assertThat(recent.get(recent.size() - 1)).hasSize(LogCheck.RECENT_CHARS + 3).endsWith("x...");
        assertThat(recent).noneMatch(line -> line.startsWith("INFO"));
    }

    @Test
    void readsOnlyWhatIsNewAtEachRun() throws Exception {
        check.run();
        append("ERROR one\n");
        step(1);
        assertThat(check.run().value()).isEqualTo(1.0);
        step(1);
        assertThat(check.run().value()).as("nothing new: the same line is not counted twice").isEqualTo(1.0);
        append("ERROR two\n");
        step(1);
        assertThat(check.run().value()).isEqualTo(2.0);
    }

    @Test
    void matchesLeaveTheWindowWhenItHasPassed() throws Exception {
        check.run();
        append("ERROR one\n");
        step(60);
        check.run();
        append("ERROR two\n");
        step(60);
        check.run();

        step(WINDOW.toSeconds() - 60);
        CheckResult oneLeft = check.run();
        step(60);
        CheckResult noneLeft = check.run();

        assertThat(oneLeft.value()).isEqualTo(1.0);
        assertThat(oneLeft.message()).isEqualTo(log + ": 1 matching line in the last 5m (max 0); last: \"ERROR two\"");
        assertThat(noneLeft.ok()).isTrue();
        assertThat(noneLeft.value()).isZero();
        assertThat(noneLeft.message()).isEqualTo(log + ": 0 matching lines in the last 5m (max 0)");
    }

    static Stream<Arguments> allowances() {
        return Stream.of(
                arguments(0, 0, true),
                arguments(0, 1, false),
                arguments(2, 2, true),
                arguments(2, 3, false));
    }

    @ParameterizedTest(name = "max_matches {0}, {1} matches: passes {2}")
    @MethodSource("allowances")
    void failsOnlyAboveMaxMatches(int maxMatches, int matches, boolean ok) throws Exception {
        check = follow(maxMatches);
        check.run();
        append("ERROR\n".repeat(matches));

        CheckResult result = check.run();

        assertThat(result.ok()).isEqualTo(ok);
        assertThat(result.value()).isEqualTo(matches);
    }

    /** logrotate's default: rename, then a new file; the old one got a last line after our previous run. */
    @Test
    void afterARotationReadsTheRestOfTheOldFileThenAllOfTheNewOneCountingEachLineOnce() throws Exception {
        check.run();
        append("ERROR one\n");
        step(1);
        assertThat(check.run().value()).isEqualTo(1.0);
        append("ERROR written just before the rotation\n");
        Files.move(log, dir.resolve("app.log.1"));
        append("INFO reopened\nERROR in the new file\n");
        step(1);

        CheckResult rotated = check.run();
        step(1);
        CheckResult after = check.run();

        assertThat(rotated.value()).isEqualTo(3.0);
        assertThat(rotated.message()).isEqualTo(log + ": 3 matching lines since following began 2.0 s ago (max 0); "
                + "last: \"ERROR in the new file\"; rotated");
        assertThat(after.value()).as("nothing new in either file").isEqualTo(3.0);
        assertThat(after.message()).doesNotContain("rotated");
    }

    @Test
    void aRotationWithoutANewFileYetWaitsForItAndThenReadsItFromItsStart() throws Exception {
        check.run();
        append("ERROR last words\n");
        Files.move(log, dir.resolve("app.log.1"));
        step(1);

        CheckResult gone = check.run();
        step(1);
        CheckResult stillGone = check.run();
        append("ERROR first words\n");
        step(1);
        CheckResult back = check.run();

        assertThat(gone.value()).isEqualTo(1.0);
        assertThat(gone.message()).endsWith("; rotated; " + log + " is not there yet");
        assertThat(stillGone.value()).isEqualTo(1.0);
        assertThat(stillGone.message()).endsWith("; " + log + " does not exist; waiting for it to reappear");
        assertThat(back.value()).isEqualTo(2.0);
        assertThat(back.message()).endsWith("last: \"ERROR first words\"");
    }

    /** copytruncate: the same file, emptied, then written again. */
    @Test
    void aTruncatedFileIsReadAgainFromItsStart() throws Exception {
        check.run();
        append("INFO a longer line than what follows the truncation\n");
        step(1);
        check.run();
        try (OutputStream out = Files.newOutputStream(log, WRITE, TRUNCATE_EXISTING)) {
            out.write("ERROR after\n".getBytes(UTF_8));
        }
        step(1);

        CheckResult result = check.run();

        assertThat(result.value()).isEqualTo(1.0);
        assertThat(result.message()).isEqualTo(log + ": 1 matching line since following began 2.0 s ago (max 0); "
                + "last: \"ERROR after\"; truncated, read again from its start");
    }

    @Test
    void aLineStillBeingWrittenIsReadWholeAtTheNextRun() throws Exception {
        check.run();
        append("INFO done\nERR");
        step(1);
        CheckResult partial = check.run();
        append("OR finished later\r\n");
        step(1);
        CheckResult whole = check.run();

        assertThat(partial.value()).isZero();
        assertThat(whole.value()).isEqualTo(1.0);
        assertThat(whole.message()).contains("last: \"ERROR finished later\"");
    }

    @Test
    void quotesAtMost200CharactersOfTheLastMatch() throws Exception {
        check.run();
        append("ERROR " + "x".repeat(300) + "\n");

        CheckResult result = check.run();

        assertThat(result.message()).contains("last: \"ERROR " + "x".repeat(194) + "...\"");
    }

    /** A log spewing faster than a run may read: the newest 8 MiB are read, the rest is skipped and said so. */
    @Test
    void readsAtMost8MiBPerRunSkippingTheOldestAndSayingSo() throws Exception {
        check.run();
        String filler = "INFO " + "f".repeat(1018) + "\n"; // 1 KiB a line
        try (OutputStream out = Files.newOutputStream(log, APPEND)) {
            out.write("ERROR in what will be skipped\n".getBytes(UTF_8));
            byte[] kib = filler.getBytes(UTF_8);
            for (int i = 0; i < 9 * 1024; i++) {
                out.write(kib);
            }
            out.write("ERROR at the end\n".getBytes(UTF_8));
        }
        step(1);

        CheckResult result = check.run();

        assertThat(result.value()).isEqualTo(1.0);
        assertThat(result.message()).isEqualTo(log + ": 1 matching line since following began 1.0 s ago (max 0); "
                + "last: \"ERROR at the end\"; skipped 1.0 MiB: more than 8.0 MiB arrived since the last run, "
                + "matches there are not counted");
        step(1);
        assertThat(check.run().message()).as("caught up").doesNotContain("skipped");
    }

    /** Everything in a file that appears after the first look was written since: all of it counts. */
    @Test
    void aFileThatDoesNotExistFailsUntilItAppearsAndIsThenReadFromItsStart() throws Exception {
        Files.delete(log);
        CheckResult missing = check.run();
        append("ERROR written once it appeared\n");
        step(1);
        CheckResult appeared = check.run();
        append("ERROR new\n");
        step(1);
        CheckResult followed = check.run();

        assertThat(missing.ok()).isFalse();
        assertThat(missing.message()).isEqualTo(log + " does not exist");
        assertThat(appeared.value()).isEqualTo(1.0);
        assertThat(appeared.message()).isEqualTo(log + ": 1 matching line since following began 1.0 s ago (max 0); "
                + "last: \"ERROR written once it appeared\"");
        assertThat(followed.value()).isEqualTo(2.0);
    }

    /** Runs with matches are remembered in a bounded deque; merging the oldest keeps every match counted. */
    @Test
    void manyRunsWithMatchesWithinTheWindowAreAllCounted() throws Exception {
        check.run();
        int runs = LogCheck.MAX_BATCHES + 50;
        for (int i = 0; i < runs; i++) {
            append("ERROR " + i + "\n");
            nanos.addAndGet(WINDOW.toNanos() / (2L * runs));
            check.run();
        }

        CheckResult result = check.run();
        nanos.addAndGet(WINDOW.toNanos());
        CheckResult later = check.run();

        assertThat(result.value()).isEqualTo(runs);
        assertThat(later.value()).isZero();
    }

    static Stream<Arguments> singleRuns() {
        return Stream.of(
                arguments("a small file is read whole", 0, 0, 3, 0, false, "3 matching lines in the whole file (SIZE) "
                        + "(max 0); last: \"Traceback 2\"; a single run reads the end of the file, not a time window"),
                arguments("a small file within max_matches", 0, 0, 3, 3, true, "3 matching lines in the whole file "
                        + "(SIZE) (max 3); last: \"Traceback 2\"; a single run reads the end of the file, not a time "
                        + "window"),
                arguments("only the last 1 MiB of a big file", 2, 2048, 1, 0, false, "1 matching line in the last 1 MiB "
                        + "(max 0); last: \"Traceback 0\"; a single run reads the end of the file, not a time window"),
                arguments("nothing in the last 1 MiB", 2, 2048, 0, 0, true, "0 matching lines in the last 1 MiB "
                        + "(max 0); a single run reads the end of the file, not a time window"));
    }

    /** {@code rollguard check}: no earlier run to follow from, so the end of the file is what is counted. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("singleRuns")
    void aSingleRunCountsTheMatchesInTheLastMiB(String name, int oldErrors, int fillerKiB, int newErrors,
            int maxMatches, boolean ok, String message) throws Exception {
        Files.delete(log);
        append("ERROR old\n".repeat(oldErrors));
        append(("INFO " + "f".repeat(1018) + "\n").repeat(fillerKiB));
        for (int i = 0; i < newErrors; i++) {
            append("Traceback " + i + "\n");
        }
        LogCheck once = new LogCheck(new LogCheckSpec(log, ERRORS, maxMatches, WINDOW), LogCheck.Mode.TAIL, nanos::get);

        CheckResult result = once.run();

        assertThat(result.message()).isEqualTo(log + ": " + message.replace("SIZE", Human.bytes(Files.size(log))));
        assertThat(result.ok()).isEqualTo(ok);
        assertThat(result.value()).isEqualTo(newErrors);
    }

    /** A line that begins exactly where the last 1 MiB begins is whole, and counts. */
    @Test
    void aSingleRunCountsALineStartingExactlyAtTheCut() throws Exception {
        Files.delete(log);
        String filler = "INFO " + "f".repeat(1018) + "\n";
        append(filler.repeat(3));
        append("ERROR at the cut\n");
        append(filler.repeat(1024 - 1) + "INFO " + "f".repeat(1018 - 17) + "\n");
        assertThat(Files.size(log) - LogCheck.TAIL_BYTES).isEqualTo(3 * 1024);
        LogCheck once = new LogCheck(new LogCheckSpec(log, ERRORS, 0, WINDOW), LogCheck.Mode.TAIL, nanos::get);

        assertThat(once.run().value()).isEqualTo(1.0);
    }

    @Test
    void aSingleRunOnAMissingFileFails() throws Exception {
        LogCheck once = new LogCheck(new LogCheckSpec(dir.resolve("nope.log"), ERRORS, 0, WINDOW), LogCheck.Mode.TAIL,
                nanos::get);

        CheckResult result = once.run();

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).isEqualTo(dir.resolve("nope.log") + " does not exist");
    }

    private LogCheck follow(int maxMatches) {
        return new LogCheck(new LogCheckSpec(log, ERRORS, maxMatches, WINDOW), LogCheck.Mode.FOLLOW, nanos::get);
    }

    private void append(String text) throws IOException {
        Files.writeString(log, text, UTF_8, CREATE, APPEND);
    }

    private void step(long seconds) {
        nanos.addAndGet(seconds * SECOND);
    }
}
