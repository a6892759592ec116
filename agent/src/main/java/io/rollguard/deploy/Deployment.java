package io.rollguard.deploy;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Quantities;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One deployment as the agent records it.
 *
 * @param watchEndsAt wall-clock end of the watch window: shown, and used to resume the window after a restart
 * @param endedAt when it stopped watching (healthy, rolled back or finished); null while watching
 * @param reason why it ended as it did; empty while watching
 * @param baselines what {@code baseline(...)} reads while this deployment is current, frozen at its start
 * @param held whether its watch window was extended once for a marginal canary score
 * @param score its canary score as judged at its window's end ({@code Scorecard.toMap}); null before, or without
 *     one
 */
public record Deployment(String id, String version, Instant startedAt, Duration watch, Instant watchEndsAt,
        State state, Instant endedAt, String reason, CapturedBaselines baselines, boolean held,
        Map<String, Object> score) {
    public enum State {
        WATCHING, HEALTHY, ROLLED_BACK, FINISHED,
        /** Its canary score was below the pass when its window ended (below the marginal, or marginal twice). */
        FAILED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State parse(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    public Deployment {
        requireNonNull(id, "id");
        requireNonNull(version, "version");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(watch, "watch");
        requireNonNull(watchEndsAt, "watchEndsAt");
        requireNonNull(state, "state");
        requireNonNull(reason, "reason");
        requireNonNull(baselines, "baselines");
    }

    public Deployment(String id, String version, Instant startedAt, Duration watch, Instant watchEndsAt,
            State state, Instant endedAt, String reason, CapturedBaselines baselines) {
        this(id, version, startedAt, watch, watchEndsAt, state, endedAt, reason, baselines, false, null);
    }

    Deployment ended(State to, Instant at, String why) {
        return new Deployment(id, version, startedAt, watch, watchEndsAt, to, at, why, baselines, held, score);
    }

    /** Judged at its window's end by {@code judged}, a canary score as {@code Scorecard.toMap} renders it. */
    Deployment ended(State to, Instant at, String why, Map<String, Object> judged) {
        return new Deployment(id, version, startedAt, watch, watchEndsAt, to, at, why, baselines, held, judged);
    }

    /** The same deployment with {@code shown} as its score: a watching one with its live score. */
    Deployment withScore(Map<String, Object> shown) {
        return new Deployment(id, version, startedAt, watch, watchEndsAt, state, endedAt, reason, baselines, held,
                shown);
    }

    /** Its window extended to {@code until} for a marginal score, once. */
    Deployment heldUntil(Instant until) {
        return new Deployment(id, version, startedAt, watch, until, state, endedAt, reason, baselines, true, score);
    }

    /**
     * The same deployment without its baselines' sample sets and with its score cut down to the counts and the
     * worse metrics: a recent deployment, no longer current, as state.json keeps twenty of them.
     */
    Deployment withoutSamples() {
        return new Deployment(id, version, startedAt, watch, watchEndsAt, state, endedAt, reason,
                baselines.withoutSamples(), held, io.rollguard.rule.Scorecard.compact(score));
    }

    /** As the API shows it: the baselines' sample sets counted, not listed. */
    public Map<String, Object> toMap() {
        return toMap(false);
    }

    /** As state.json keeps it, with {@code withSamples}: the baselines' sample sets too. */
    Map<String, Object> toMap(boolean withSamples) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        map.put("version", version);
        map.put("state", state.label());
        map.put("started_at", startedAt.toString());
        map.put("watch", Quantities.formatDuration(watch));
        map.put("watch_ends_at", watchEndsAt.toString());
        map.put("ended_at", endedAt == null ? null : endedAt.toString());
        map.put("reason", reason);
        // Only when there is one: a deployment without a score reads and writes as before scores were.
        if (held) {
            map.put("held", true);
        }
        if (score != null) {
            map.put("score", score);
        }
        baselines.putInto(map, withSamples);
        return map;
    }

    /** The inverse of {@link #toMap()}; throws a RuntimeException on a map of another shape. */
    static Deployment fromMap(Map<?, ?> map) {
        Object ended = map.get("ended_at");
        return new Deployment(String.valueOf(map.get("id")), String.valueOf(map.get("version")),
                Instant.parse(String.valueOf(map.get("started_at"))),
                Quantities.parseDuration(String.valueOf(map.get("watch"))),
                Instant.parse(String.valueOf(map.get("watch_ends_at"))),
                State.parse(String.valueOf(map.get("state"))),
                ended == null ? null : Instant.parse(String.valueOf(ended)),
                map.get("reason") == null ? "" : String.valueOf(map.get("reason")), CapturedBaselines.from(map),
                Boolean.TRUE.equals(map.get("held")), score(map.get("score")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> score(Object saved) {
        return saved instanceof Map ? (Map<String, Object>) saved : null;
    }
}
