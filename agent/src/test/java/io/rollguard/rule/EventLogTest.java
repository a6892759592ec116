package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.journal.JournalEvent.RulesRearmed;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Appends never throw: a disk that fails keeps the events in memory, with their ids, and the response goes on. */
class EventLogTest {
    static Stream<Arguments> disks() {
        return Stream.of(
                arguments("a disk that writes", List.of(false, false), List.of(1L, 2L), 0L),
                arguments("a disk that fails", List.of(true, true), List.of(1L, 2L), 2L),
                arguments("a disk that fails, then writes again", List.of(true, false, true), List.of(1L, 2L, 3L),
                        2L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("disks")
    void everyAppendGetsTheIdTheJournalGaveIt(String name, List<Boolean> failing, List<Long> ids, long failures) {
        RecordingJournal journal = new RecordingJournal();
        EventLog events = new EventLog(journal);

        for (int i = 0; i < failing.size(); i++) {
            journal.failing(failing.get(i));
            assertThat(events.append(new RulesRearmed(List.of("rule-" + i)))).as("append %d", i)
                    .isEqualTo(ids.get(i));
        }

        assertThat(journal.events()).hasSize(failing.size());
        assertThat(events.failures()).isEqualTo(failures);
    }
}
