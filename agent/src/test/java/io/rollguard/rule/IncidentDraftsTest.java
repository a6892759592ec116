package io.rollguard.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.action.ActionOutcome;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.config.RuleConfig;
import io.rollguard.rule.expr.Basis;
import io.rollguard.store.LabelSet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The incidents of rollbacks: their ids, the links other actions of a firing get, and the record handed on once. */
class IncidentDraftsTest {
    private static final ActionOutcome OK = new ActionOutcome(ActionOutcome.Result.OK, 0, Duration.ofSeconds(3),
            "rolled back\n", "exit 0");

    static Stream<Arguments> ids() {
        return Stream.of(
                arguments("2026-11-22T03:04:05Z", 57L, "20261122T030405Z-57"),
                arguments("2026-11-22T03:04:05.999Z", 1L, "20261122T030405Z-1"),
                arguments("1999-12-31T23:59:59Z", 123456L, "19991231T235959Z-123456"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("ids")
    void anIncidentIsNamedByItsStartAndTheFiringsEvent(String at, long firedEventId, String id) throws Exception {
        IncidentDrafts drafts = new IncidentDrafts(rollback -> {}, "web-1");

        IncidentDrafts.Draft draft = drafts.open(firing(), firedEventId, "rollback", firedEventId + 1,
                Instant.parse(at), null);

        assertThat(draft.incidentId()).isEqualTo(id);
        assertThat(drafts.link(firedEventId)).contains(id);
        assertThat(drafts.link(firedEventId + 1)).isEmpty();
    }

    @Test
    void theLinksAreBoundedOldestOut() throws Exception {
        IncidentDrafts drafts = new IncidentDrafts(rollback -> {}, "web-1");
        for (long fired = 1; fired <= IncidentDrafts.MAX_LINKED + 1; fired++) {
            drafts.open(firing(), fired, "rollback", 0, Instant.EPOCH, null);
        }

        assertThat(drafts.link(1)).isEmpty();
        assertThat(drafts.link(2)).isPresent();
        assertThat(drafts.link(IncidentDrafts.MAX_LINKED + 1)).isPresent();
    }

    @Test
    void theRecordCarriesTheRollbackAndItsVerification() throws Exception {
        List<RollbackRecord> recorded = new ArrayList<>();
        IncidentDrafts drafts = new IncidentDrafts(recorded::add, "web-1");
        IncidentDrafts.Draft draft = drafts.open(firing(), 5, "rollback", 6, Instant.EPOCH, Map.of("id", "d1"));

        drafts.record(draft, OK, List.of("api"), new RollbackRecord.Verification(true, "all pass"));

        assertThat(recorded).singleElement().satisfies(record -> {
            assertThat(record.incidentId()).isEqualTo("19700101T000000Z-5");
            assertThat(record.firedEventId()).isEqualTo(5);
            assertThat(record.startedEventId()).isEqualTo(6);
            assertThat(record.deployment()).isEqualTo(Map.of("id", "d1"));
            assertThat(record.verifyChecks()).containsExactly("api");
            assertThat(record.result()).isEqualTo("verified");
            assertThat(record.host()).isEqualTo("web-1");
        });
    }

    @Test
    void aRecorderThatFailsDoesNotDisturbTheResponder() throws Exception {
        IncidentDrafts drafts = new IncidentDrafts(rollback -> {
            throw new IllegalStateException("disk full");
        }, "web-1");
        IncidentDrafts.Draft draft = drafts.open(firing(), 5, "rollback", 6, Instant.EPOCH, null);

        drafts.record(draft, OK, List.of(), null); // does not throw
        assertThat(drafts.link(5)).isPresent();
    }

    private static RuleTransition firing() throws Exception {
        RuleConfig rule = ConfigLoader.parse(new ConfigSource("rollguard.toml", """
                [[rule]]
                name = "errors"
                when = "1 > 0"
                """, Path.of("/tmp"))).rules().get(0);
        return new RuleTransition(rule, LabelSet.EMPTY, RuleState.PENDING, RuleState.FIRING, "held", 1, 0,
                Basis.NONE, Instant.EPOCH, 0);
    }
}
