package io.rollguard.journal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, immutable copies of JSON values: String, Number, Boolean, null, List and Map with String keys. Numbers are
 * held the way a JSON reader gives them back (integers as Long, or BigInteger beyond a long; decimals as Double), so a
 * value written to disk and read again is equal to the one in memory.
 */
final class JsonValues {
    private JsonValues() {}

    // where names the value in an error message, as a path: "event.labels.mount".
    static Map<String, Object> copyObject(Map<?, ?> map, String where) {
        // Map.copyOf rejects null values, and a null is a JSON value a caller may well mean.
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new IllegalArgumentException(where + ": key " + entry.getKey() + " is not a string");
            }
            copy.put(key, copy(entry.getValue(), where + "." + key));
        }
        return Collections.unmodifiableMap(copy);
    }

    static Object copy(Object value, String where) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            double number = ((Number) value).doubleValue();
            // JSON has no NaN or infinity; an unknown value (a check's NaN) reads back as null, so it is null here too.
            return Double.isFinite(number) ? number : null;
        }
        if (value instanceof BigInteger big) {
            return big.bitLength() < Long.SIZE ? (Object) big.longValue() : big;
        }
        if (value instanceof Map<?, ?> map) {
            return copyObject(map, where);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                copy.add(copy(list.get(i), where + "[" + i + "]"));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException(where + ": " + value.getClass().getName()
                + " is not a JSON value (String, Number, Boolean, null, List or Map)");
    }
}
