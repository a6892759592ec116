package io.rollguard.journal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Reading and writing the journal's and the state file's JSON through jackson-jr. */
final class JsonText {
    // Nulls stay in the output: a field whose value is unknown keeps its place in every event of a kind.
    private static final JSON WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);
    private static final JSON PRETTY_WRITER = WRITER.with(JSON.Feature.PRETTY_PRINT_OUTPUT);
    // Nothing rollguard writes repeats a key, so a repeated one means the bytes are not ours.
    private static final JSON READER = JSON.std.with(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS);

    private JsonText() {}

    static byte[] write(Map<String, Object> object) {
        return write(WRITER, object);
    }

    static byte[] writePretty(Map<String, Object> object) {
        return write(PRETTY_WRITER, object);
    }

    private static byte[] write(JSON writer, Map<String, Object> object) {
        try {
            return writer.asBytes(object);
        } catch (IOException e) {
            // The values went through JsonValues, which admits only what jackson-jr writes: this cannot happen.
            throw new UncheckedIOException("cannot write JSON", e);
        }
    }

    /**
     * One JSON object and nothing after it, as an unmodifiable copy; anything else is malformed, with the position
     * ("column 7", or "line 3, column 7" for text of several lines) and what is wrong.
     */
    static Map<String, Object> readObject(byte[] bytes, boolean singleLine) throws MalformedJsonException {
        if (blank(bytes)) {
            throw new MalformedJsonException("empty");
        }
        try (JsonParser parser = READER.createParser(bytes)) {
            Object value = READER.anyFrom(parser);
            if (!(value instanceof Map<?, ?> map)) {
                throw new MalformedJsonException("expected a JSON object, found " + describe(value));
            }
            if (parser.nextToken() != null) {
                throw malformed(parser.currentTokenLocation(), singleLine, "unexpected content after the object");
            }
            return JsonValues.copyObject(map, "");
        } catch (JsonProcessingException e) {
            throw malformed(e.getLocation(), singleLine, reason(e));
        } catch (IOException e) {
            // The bytes are in memory: a parser reading them fails only on their content.
            throw new MalformedJsonException(e.getMessage());
        }
    }

    // JSON's own whitespace; jackson would report "no content" at a column that means nothing to a reader.
    private static boolean blank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    private static MalformedJsonException malformed(JsonLocation at, boolean singleLine, String reason) {
        if (at == null) {
            return new MalformedJsonException(reason);
        }
        String column = "column " + at.getColumnNr();
        String where = singleLine ? column : "line " + at.getLineNr() + ", " + column;
        return new MalformedJsonException(where + ": " + reason);
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof List<?>) {
            return "an array";
        }
        return value instanceof String ? "a string" : "a " + value.getClass().getSimpleName().toLowerCase();
    }

    // jackson's own message, without the "(start marker at [Source: ...])" and location lines meant for developers.
    private static String reason(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        int source = message.indexOf(" (start marker at");
        return source >= 0 ? message.substring(0, source) : message;
    }
}
