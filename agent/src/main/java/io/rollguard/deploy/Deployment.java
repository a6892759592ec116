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
 */
public record Deployment(String id, String version, Instant startedAt, Duration watch, Instant watchEndsAt,
        State state, Instant endedAt, String reason, CapturedBaselines baselines) {
    public enum State {
        WATCHING, HEALTHY, ROLLED_BACK, FINISHED;

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

    Deployment ended(State to, Instant at, String why) {
        return new Deployment(id, version, startedAt, watch, watchEndsAt, to, at, why, baselines);
    }

    /** The same deployment without its baselines' sample sets: a recent deployment, no longer current. */
    Deployment withoutSamples() {
        return new Deployment(id, version, startedAt, watch, watchEndsAt, state, endedAt, reason,
                baselines.withoutSamples());
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
                map.get("reason") == null ? "" : String.valueOf(map.get("reason")), CapturedBaselines.from(map));
    }
}
