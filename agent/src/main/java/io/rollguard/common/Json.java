package io.rollguard.common;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON through jackson-jr, from maps, lists and simple values built by the endpoints. */
public final class Json {
    // A key whose value is unknown stays in the output as null, so readers see the same shape every time.
    private static final JSON WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private Json() {}

    public static byte[] bytes(Object value) {
        try {
            return WRITER.asBytes(value);
        } catch (IOException e) {
            // Only maps, lists, strings, numbers and booleans are written: there is no way for this to fail.
            throw new UncheckedIOException("cannot write JSON", e);
        }
    }
}
