package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollguard.journal.EventJournal;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalEvent;
import io.rollguard.journal.JournalLimits;
import io.rollguard.journal.StateFile;
import io.rollguard.journal.StateStore;
import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Silences on their own, with a fake clock and a real state file: which rule they hold, when they end, a restart. */
class SilencesTest {
    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private Journal journal;

    @BeforeEach
    void open() throws IOException {
        journal = EventJournal.open(dir, JournalLimits.DEFAULTS, time);
    }

    @AfterEach
    void close() throws IOException {
        journal.close();
    }

    private Silences silences() {
        return new Silences(new StateStore(new StateFile(dir)), journal, time);
    }

    @Test
    void aSilenceHoldsItsRuleUntilItsTimeThenEndsAtTheNextTickJournaled() {
        Silences silences = silences();
        Silences.Silence silence = silences.silence("api-down", Duration.ofMinutes(30), "  db migration ");

        assertThat(silence.comment()).isEqualTo("db migration");
        assertThat(silence.until()).isEqualTo(time.now().plus(Duration.ofMinutes(30)));
        assertThat(silences.silencing("api-down")).contains(silence);
        assertThat(silences.silencing("disk-full")).isEmpty();

        time.advance(Duration.ofMinutes(29));
        silences.expire();
        assertThat(silences.silencing("api-down")).isPresent();

        time.advance(Duration.ofMinutes(1));
        // At its time it no longer holds, even before the tick that journals its end.
        assertThat(silences.silencing("api-down")).isEmpty();
        assertThat(silences.silences()).isEmpty();
        silences.expire();
        silences.expire();

        assertThat(records()).containsExactly(
                new JournalEvent.SilenceStarted(List.of("api-down"), silence.until().toString(), "db migration"),
                new JournalEvent.SilenceEnded(List.of("api-down"), "expired", silence.until().toString()));
    }

    @Test
    void aSilenceOfEveryRuleHoldsEachAndTheOneThatEndsLastIsNamed() {
        Silences silences = silences();
        Silences.Silence own = silences.silence("api-down", Duration.ofMinutes(10), "");
        Silences.Silence all = silences.silence(Silences.ALL, Duration.ofHours(1), "maintenance");

        assertThat(silences.silencing("api-down")).contains(all);
        assertThat(silences.silencing("disk-full")).contains(all);

        // Lifting the rule's own leaves it held by every rule's; lifting all ends both.
        assertThat(silences.lift("api-down")).containsExactly(own);
        assertThat(silences.silencing("api-down")).contains(all);
        silences.silence("api-down", Duration.ofMinutes(10), "");
        assertThat(silences.lift(null)).extracting(Silences.Silence::rule).containsExactly("*", "api-down");
        assertThat(silences.silencing("api-down")).isEmpty();
        assertThat(silences.lift(null)).isEmpty();
        assertThat(records()).filteredOn(e -> e instanceof JournalEvent.SilenceEnded)
                .extracting(e -> ((JournalEvent.SilenceEnded) e).how()).containsOnly("lifted").hasSize(3);
    }

    @Test
    void silencingARuleAgainReplacesItsSilence() {
        Silences silences = silences();
        silences.silence("api-down", Duration.ofHours(2), "");
        Silences.Silence shorter = silences.silence("api-down", Duration.ofMinutes(5), "less");

        assertThat(silences.silences()).containsExactly(shorter);
        time.advance(Duration.ofMinutes(5));
        assertThat(silences.silencing("api-down")).isEmpty();
    }

    @Test
    void aRestartKeepsTheSilencesAndEndsAtItsFirstTickThoseWhoseTimeCameMeanwhile() throws IOException {
        Silences before = silences();
        Silences.Silence shortOne = before.silence("api-down", Duration.ofMinutes(5), "short");
        Silences.Silence longOne = before.silence(Silences.ALL, Duration.ofHours(1), "long");
        assertThat(Files.readString(dir.resolve("state.json"))).contains("\"silences\"", "\"until\"", "\"long\"");

        time.advance(Duration.ofMinutes(10));
        Silences after = silences();

        assertThat(after.silences()).containsExactly(longOne);
        after.expire();
        assertThat(records()).last().isEqualTo(new JournalEvent.SilenceEnded(List.of("api-down"), "expired",
                shortOne.until().toString()));
        assertThat(silences().silences()).containsExactly(longOne);
    }

    @Test
    void aStateFileWithoutSilencesIsWrittenBackWithoutThem() throws IOException {
        Files.writeString(dir.resolve("state.json"), "{\"latches\":{},\"rollback_starts\":[]}");
        StateStore state = new StateStore(new StateFile(dir));
        new Silences(state, journal, time);
        state.write(java.util.Map.of());

        assertThat(Files.readString(dir.resolve("state.json"))).doesNotContain("silences");
    }

    @Test
    void anUnreadableSilenceDamagesTheStateSoThatNoRollbackRunsUnnoticed() throws IOException {
        Files.writeString(dir.resolve("state.json"), "{\"latches\":{},\"rollback_starts\":[],"
                + "\"silences\":{\"api-down\":{\"since\":\"yesterday\"}}}");
        StateStore state = new StateStore(new StateFile(dir));
        Silences silences = new Silences(state, journal, time);

        assertThat(silences.silences()).isEmpty();
        assertThat(state.damage()).hasValueSatisfying(why -> assertThat(why).startsWith("silences: "));
    }

    @Test
    void aSilenceLastsFromOneSecondToSevenDays() {
        Silences silences = silences();
        assertThatThrownBy(() -> silences.silence("api-down", Duration.ofDays(8), ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a silence lasts from 1s to 7d; to stop a rule for longer, remove it from the "
                        + "configuration");
        assertThatThrownBy(() -> silences.silence("api-down", Duration.ZERO, ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(silences.silence("api-down", Duration.ofDays(7), "").until())
                .isEqualTo(time.now().plus(Duration.ofDays(7)));
        assertThat(records()).hasSize(1);
    }

    private List<JournalEvent> records() {
        return journal.since(0, 1000).stream().map(JournalEvent::read).toList();
    }
}
