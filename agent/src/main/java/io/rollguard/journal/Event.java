package io.rollguard.journal;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One journaled event: what happened ({@code kind}, chosen by the caller and not interpreted by the journal), when,
 * and its details. On disk and in the API it is one flat JSON object:
 * {@code {"id":12,"time":"2026-11-22T03:04:05.123Z","kind":"rule_firing","rule":"memory-pressure",...}}.
 *
 * @param id unique and increasing, also across restarts and rotated files
 * @param time held to the millisecond, the precision written to disk
 * @param fields JSON values only (String, Number, Boolean, null, List, Map), deeply copied and unmodifiable; integers
 *     are held as Long and decimals as Double, as they read back from disk, and a NaN or infinite number becomes null
 *     (JSON has neither). No field may be named id, time or kind.
 */
public record Event(long id, Instant time, String kind, Map<String, Object> fields) {
    private static final Set<String> RESERVED = Set.of("id", "time", "kind");
    // Fixed width, so that lines of a journal line up and sort by time as text.
    private static final DateTimeFormatter TIME_FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    public Event {
        if (id < 1) {
            throw new IllegalArgumentException("event id must be positive: " + id);
        }
        time = requireNonNull(time, "time").truncatedTo(ChronoUnit.MILLIS);
        requireNonNull(kind, "kind");
        if (kind.isBlank()) {
            throw new IllegalArgumentException("event kind must not be blank");
        }
        requireNonNull(fields, "fields");
        for (Object name : fields.keySet()) {
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException(
                        "event field \"" + name + "\" collides with the event's own " + name);
            }
        }
        fields = JsonValues.copyObject(fields, "event");
    }

    /** The flat JSON object that the journal writes and the API serves: id, time, kind, then the fields. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        map.put("time", TIME_FORMAT.format(time));
        map.put("kind", kind);
        map.putAll(fields);
        return Collections.unmodifiableMap(map);
    }
}
