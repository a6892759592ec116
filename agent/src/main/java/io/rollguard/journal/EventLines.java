package io.rollguard.journal;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** An event as one line of events.jsonl, and back. */
final class EventLines {
    // A line longer than this is not one rollguard wrote: an action keeps at most 64 KiB of output in an event,
    // which escaped as JSON stays far below. Bounding it bounds what loading a damaged file can cost.
    static final int MAX_LINE_BYTES = 1 << 20;

    private EventLines() {}

    /** The event's JSON followed by a newline. */
    static byte[] encode(Event event) {
        byte[] json = JsonText.write(event.toMap());
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        if (line.length > MAX_LINE_BYTES) {
            throw new IllegalArgumentException("event " + event.kind() + " is " + line.length
                    + " bytes as JSON, more than the journal's limit of " + MAX_LINE_BYTES);
        }
        return line;
    }

    /** A line without its newline. */
    static Event decode(byte[] line) throws MalformedJsonException {
        Map<String, Object> object = JsonText.readObject(line, true);
        Object id = object.get("id");
        if (!(id instanceof Long number) || number < 1) {
            throw new MalformedJsonException("\"id\" is not a positive integer: " + id);
        }
        if (!(object.get("kind") instanceof String kind) || kind.isBlank()) {
            throw new MalformedJsonException("\"kind\" is not a non-empty string: " + object.get("kind"));
        }
        Instant time = parseTime(object.get("time"));
        Map<String, Object> fields = new LinkedHashMap<>(object);
        fields.keySet().removeAll(Set.of("id", "time", "kind"));
        return new Event(number, time, kind, fields);
    }

    private static Instant parseTime(Object time) throws MalformedJsonException {
        if (time instanceof String text) {
            try {
                return Instant.parse(text);
            } catch (DateTimeException e) {
                // reported below, with the value
            }
        }
        throw new MalformedJsonException("\"time\" is not an ISO-8601 instant: " + time);
    }
}
