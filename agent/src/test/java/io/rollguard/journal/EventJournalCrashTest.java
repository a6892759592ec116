package io.rollguard.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a process in the middle of journaling: the journal and the state file survive whole. */
class EventJournalCrashTest {
    @TempDir
    Path dir;

    @Test
    void afterKillNineEveryLineButATornLastOneIsWholeAndJournalingGoesOn() throws Exception {
        Path stateDir = dir.resolve("state");
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                JournalWriterProcess.class.getName(), stateDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            // Past several rotations, so that the kill may land in one as well as in a write.
            await().atMost(Duration.ofSeconds(60))
                    .failFast("the child exited", () -> !child.isAlive())
                    .ignoreExceptions()
                    .until(() -> ((Long) new StateFile(stateDir).read().get("last_event_id")) >= 60);
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as(Files.readString(log)).isEqualTo(137);

        List<Long> ids = new ArrayList<>();
        ids.addAll(wholeLineIds(EventJournal.rotated(stateDir, 2), false));
        ids.addAll(wholeLineIds(EventJournal.rotated(stateDir, 1), false));
        ids.addAll(wholeLineIds(stateDir.resolve("events.jsonl"), true));
        assertThat(ids).isNotEmpty();
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("the id after %d", ids.get(i - 1)).isEqualTo(ids.get(i - 1) + 1);
        }
        long lastId = ids.get(ids.size() - 1);
        // The state names the event journaled just before it; the child may have died between the two.
        long stateId = (Long) new StateFile(stateDir).read().get("last_event_id");
        assertThat(stateId).isBetween(lastId - 1, lastId);

        try (EventJournal journal = EventJournal.open(stateDir, JournalWriterProcess.LIMITS, new FakeTime())) {
            // A kill rarely lands inside a write (the child spends its time in fsync), so EventJournalTest cuts
            // lines by hand as well; here, whatever the kill left must load with at most that one warning.
            assertThat(journal.loadWarnings()).hasSizeLessThanOrEqualTo(1).allSatisfy(warning -> assertThat(warning)
                    .startsWith(stateDir.resolve("events.jsonl") + ":").contains("removed the last line"));
            assertThat(journal.append("agent_started", Map.of()).id()).isEqualTo(lastId + 1);
        }
        assertThat(wholeLineIds(stateDir.resolve("events.jsonl"), false)).last().isEqualTo(lastId + 1);
    }

    // The ids of a file's lines, each of which must be a whole event, except a torn last line where allowed.
    private static List<Long> wholeLineIds(Path file, boolean tornLastAllowed) throws IOException {
        List<Long> ids = new ArrayList<>();
        if (!Files.exists(file)) {
            return ids;
        }
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean torn = !text.isEmpty() && !text.endsWith("\n");
        assertThat(torn && !tornLastAllowed).as("%s ends without a newline", file).isFalse();
        List<String> lines = text.lines().toList();
        int whole = torn ? lines.size() - 1 : lines.size();
        for (int i = 0; i < whole; i++) {
            try {
                ids.add(EventLines.decode(lines.get(i).getBytes(StandardCharsets.UTF_8)).id());
            } catch (MalformedJsonException e) {
                throw new AssertionError(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return ids;
    }
}
