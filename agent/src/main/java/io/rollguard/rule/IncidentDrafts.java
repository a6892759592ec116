package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome;
import io.rollguard.common.Failures;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incidents of the rollbacks that ran: an id when the rollback starts (which the other actions of the same firing
 * link to), the record once its outcome is known. Not thread-safe: the responder calls it under its lock.
 */
final class IncidentDrafts {
    private static final Logger log = LoggerFactory.getLogger(Responder.class);
    static final int MAX_LINKED = 64;
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final IncidentRecorder recorder;
    private final String host;
    /** The incident of each firing (by its event id) whose rollback started; bounded, oldest out. */
    private final Map<Long, String> linked = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > MAX_LINKED;
        }
    };

    IncidentDrafts(IncidentRecorder recorder, String host) {
        this.recorder = requireNonNull(recorder, "recorder");
        this.host = requireNonNull(host, "host");
    }

    /** A rollback that started, waiting for its outcome to become an incident record. */
    record Draft(String incidentId, RuleTransition firing, long firedEventId, String action, long startedEventId,
            Instant startedAt, Map<String, Object> deployment) {}

    /**
     * Opens the incident of a rollback that starts: its id is its start time and the firing's event id, such as
     * {@code 20261122T030405Z-57}.
     */
    Draft open(RuleTransition firing, long firedEventId, String action, long startedEventId, Instant now,
            Map<String, Object> deployment) {
        String id = id(now, firedEventId);
        linked.put(firedEventId, id);
        return new Draft(id, firing, firedEventId, action, startedEventId, now, deployment);
    }

    /** The id of the incident of a rollback that started at {@code startedAt} for the firing {@code firedEventId}. */
    static String id(Instant startedAt, long firedEventId) {
        return ID_TIME.format(startedAt) + "-" + firedEventId;
    }

    /** The incident an action of the firing {@code firedEventId} links to, once its rollback started. */
    Optional<String> link(long firedEventId) {
        return Optional.ofNullable(linked.get(firedEventId));
    }

    /** Hands the rollback to the recorder; a failure there never disturbs the responder. */
    void record(Draft draft, ActionOutcome outcome, List<String> verifyChecks,
            RollbackRecord.Verification verification) {
        RollbackRecord record = new RollbackRecord(draft.incidentId(), draft.firing(), draft.firedEventId(),
                draft.action(), draft.startedEventId(), draft.startedAt(), draft.deployment(), outcome, verifyChecks,
                verification, host);
        try {
            recorder.record(record);
        } catch (RuntimeException e) { // an incident is a report: losing it must not stop on_failure from running
            log.error("incident {} not recorded: {}", draft.incidentId(), Failures.describe(e));
        }
    }
}
