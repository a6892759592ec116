package io.rollguard.journal;

import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The child JVM of {@link EventJournalCrashTest}: journals events, each followed by a state file that names it, until
 * it is killed. Events carry up to 48 KiB, like an action's output tail, so that a kill can land inside a write.
 */
final class JournalWriterProcess {
    static final JournalLimits LIMITS = new JournalLimits(512 * 1024, 2, 100, 1 << 20);

    private JournalWriterProcess() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        StateFile state = new StateFile(dir);
        try (EventJournal journal = EventJournal.open(dir, LIMITS, TimeSource.system())) {
            for (int i = 0; ; i++) {
                Event event = journal.append("action_output", Map.of("output", "x".repeat((i % 7) * 8 * 1024)));
                state.write(Map.of("last_event_id", event.id()));
            }
        }
    }
}
