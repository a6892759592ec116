package io.rollguard.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventTest {
    private static final Instant TIME = Instant.parse("2026-11-22T03:04:05.123Z");

    @Test
    void writesOneFlatObjectPerLineWithIdTimeAndKindFirst() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("rule", "memory-pressure");
        fields.put("labels", Map.of("mount", "/data"));
        fields.put("value", 0.93);
        fields.put("exit_code", null);
        Event event = new Event(12, TIME.plusNanos(456_789), "rule_firing", fields);

        String line = new String(EventLines.encode(event), StandardCharsets.UTF_8);

        assertThat(line).isEqualTo("{\"id\":12,\"time\":\"2026-11-22T03:04:05.123Z\",\"kind\":\"rule_firing\","
                + "\"rule\":\"memory-pressure\",\"labels\":{\"mount\":\"/data\"},\"value\":0.93,\"exit_code\":null}\n");
    }

    @Test
    void theTimeIsWrittenToTheMillisecondAlways() {
        Event whole = new Event(1, Instant.parse("2026-11-22T03:04:05Z"), "k", Map.of());

        assertThat(whole.toMap()).containsEntry("time", "2026-11-22T03:04:05.000Z");
    }

    static Stream<Arguments> values() {
        return Stream.of(
                arguments("an int is held as a long", 3, 3L),
                arguments("a short is held as a long", (short) 3, 3L),
                arguments("a float is held as a double", 0.5f, 0.5),
                arguments("a big decimal is held as a double", new BigDecimal("0.25"), 0.25),
                arguments("a big integer that fits is held as a long", BigInteger.TEN, 10L),
                arguments("a big integer beyond a long stays", BigInteger.TWO.pow(70), BigInteger.TWO.pow(70)),
                arguments("NaN, which JSON lacks, is null", Double.NaN, null),
                arguments("infinity, which JSON lacks, is null", Double.POSITIVE_INFINITY, null),
                arguments("null is a value", null, null),
                arguments("nested values too", List.of(Map.of("n", 1)), List.of(Map.of("n", 1L))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void fieldValuesAreHeldAsTheyReadBackFromDisk(String name, Object given, Object held) throws Exception {
        Map<String, Object> fields = new HashMap<>();
        fields.put("v", given);
        Event event = new Event(1, TIME, "k", fields);

        assertThat(event.fields()).containsEntry("v", held);
        assertThat(decode(EventLines.encode(event))).isEqualTo(event);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments("id", Map.of("id", 7), "event field \"id\" collides with the event's own id"),
                arguments("time", Map.of("time", "now"), "event field \"time\" collides with the event's own time"),
                arguments("kind", Map.of("kind", "x"), "event field \"kind\" collides with the event's own kind"),
                arguments("an instant", Map.of("at", TIME),
                        "event.at: java.time.Instant is not a JSON value (String, Number, Boolean, null, List or Map)"),
                arguments("a nested duration", Map.of("labels", Map.of("for", Duration.ZERO)),
                        "event.labels.for: java.time.Duration is not a JSON value (String, Number, Boolean, null, "
                                + "List or Map)"),
                arguments("a set", Map.of("hosts", Set.of("a")),
                        "event.hosts: java.util.ImmutableCollections$Set12 is not a JSON value (String, Number, "
                                + "Boolean, null, List or Map)"),
                arguments("a non-string key", Map.of("labels", Map.of(1, "a")), "event.labels: key 1 is not a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsFieldsThatAreNotJsonOrCollide(String name, Map<String, Object> fields, String message) {
        assertThatThrownBy(() -> new Event(1, TIME, "k", fields))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void rejectsAnIdBelowOneAndABlankKind() {
        assertThatThrownBy(() -> new Event(0, TIME, "k", Map.of())).hasMessage("event id must be positive: 0");
        assertThatThrownBy(() -> new Event(1, TIME, " ", Map.of())).hasMessage("event kind must not be blank");
    }

    @Test
    void fieldsAreCopiedDeeplyAndCannotBeChanged() {
        List<Object> outputs = new ArrayList<>(List.of("line 1"));
        Map<String, Object> fields = new HashMap<>();
        fields.put("output", outputs);
        Event event = new Event(1, TIME, "action_finished", fields);

        outputs.add("line 2");
        fields.put("later", true);

        assertThat(event.fields()).isEqualTo(Map.of("output", List.of("line 1")));
        assertThatThrownBy(() -> event.fields().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ((List<?>) event.fields().get("output")).clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("not JSON", "garbage", "column 1: Unrecognized token 'garbage': was expecting "
                        + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                arguments("cut short", "{\"id\":3,\"time\":\"2026-11-22T03:04:05.123Z\",\"ki",
                        "column 46: Unexpected end-of-input in field name"),
                arguments("an array", "[1,2]", "expected a JSON object, found an array"),
                arguments("two objects", "{\"id\":1} {\"id\":2}", "column 10: unexpected content after the object"),
                arguments("a repeated key", "{\"id\":1,\"id\":2}", "column 14: Duplicate key (key 'id')"),
                arguments("no id", "{\"time\":\"2026-11-22T03:04:05.123Z\",\"kind\":\"k\"}",
                        "\"id\" is not a positive integer: null"),
                arguments("a decimal id", "{\"id\":1.5,\"time\":\"2026-11-22T03:04:05.123Z\",\"kind\":\"k\"}",
                        "\"id\" is not a positive integer: 1.5"),
                arguments("no kind", "{\"id\":1,\"time\":\"2026-11-22T03:04:05.123Z\"}",
                        "\"kind\" is not a non-empty string: null"),
                arguments("a bad time", "{\"id\":1,\"time\":\"yesterday\",\"kind\":\"k\"}",
                        "\"time\" is not an ISO-8601 instant: yesterday"),
                arguments("not UTF-8", "{\"id\":1,\"kind\":\"\u00ff\"}", "column 18: Invalid UTF-8 start byte 0xff"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aLineThatIsNotAnEventSaysWhy(String name, String line, String message) {
        // ISO-8859-1 keeps \u00ff a single byte 0xff: invalid UTF-8, like a write of random bytes.
        byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> EventLines.decode(bytes)).isInstanceOf(MalformedJsonException.class)
                .hasMessage(message);
    }

    private static Event decode(byte[] line) throws MalformedJsonException {
        return EventLines.decode(Arrays.copyOf(line, line.length - 1));
    }
}
