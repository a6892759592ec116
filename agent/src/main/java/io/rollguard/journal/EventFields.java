package io.rollguard.journal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Typed reads of a journaled event's fields, each naming the event and field it found wanting. */
final class EventFields {
    private final Event event;

    EventFields(Event event) {
        this.event = event;
    }

    boolean has(String name) {
        return event.fields().containsKey(name);
    }

    String string(String name) {
        return as(name, String.class);
    }

    boolean bool(String name) {
        return as(name, Boolean.class);
    }

    long integer(String name) {
        return as(name, Long.class);
    }

    Long integerOrNull(String name) {
        return event.fields().get(name) == null ? null : integer(name);
    }

    double number(String name) {
        return as(name, Number.class).doubleValue();
    }

    Double numberOrNull(String name) {
        return event.fields().get(name) == null ? null : number(name);
    }

    Map<String, String> labels(String name) {
        Map<String, String> labels = new LinkedHashMap<>();
        as(name, Map.class).forEach((key, value) -> labels.put(String.valueOf(key), String.valueOf(value)));
        return labels;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(String name) {
        return as(name, Map.class);
    }

    List<String> strings(String name) {
        return ((List<?>) as(name, List.class)).stream().map(String::valueOf).toList();
    }

    private <T> T as(String name, Class<T> type) {
        Object value = event.fields().get(name);
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("event " + event.id() + " (" + event.kind() + "): field " + name
                    + (value == null ? " is missing" : " is not a " + type.getSimpleName().toLowerCase(Locale.ROOT)));
        }
        return type.cast(value);
    }
}
