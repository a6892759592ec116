package io.rollguard.store;

import io.rollguard.common.ControlCharacters;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** An immutable set of label name/value pairs, sorted by name, so equal sets are equal whatever their order. */
public final class LabelSet {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    public static final LabelSet EMPTY = new LabelSet(new String[0], new String[0]);

    private final String[] names;
    private final String[] values;
    private final int hash;

    private LabelSet(String[] names, String[] values) {
        this.names = names;
        this.values = values;
        this.hash = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }

    /** {@code of("mount", "/", "fstype", "ext4")}: names and values alternate. */
    public static LabelSet of(String... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs, got " + pairs.length + " strings");
        }
        if (pairs.length == 0) {
            return EMPTY;
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            checkName(pairs[i]);
            if (sorted.put(pairs[i], pairs[i + 1]) != null) {
                throw new IllegalArgumentException("label " + pairs[i] + " given twice");
            }
        }
        return from(sorted);
    }

    public static LabelSet of(Map<String, String> labels) {
        labels.keySet().forEach(LabelSet::checkName);
        return labels.isEmpty() ? EMPTY : from(new TreeMap<>(labels));
    }

    /** Prometheus label names; names starting with two underscores are reserved for Prometheus itself. */
    private static void checkName(String name) {
        if (!NAME.matcher(name).matches() || name.startsWith("__")) {
            throw new IllegalArgumentException("not a Prometheus label name: " + name);
        }
    }

    private static LabelSet from(TreeMap<String, String> sorted) {
        return new LabelSet(sorted.keySet().toArray(new String[0]), sorted.values().toArray(new String[0]));
    }

    public int size() {
        return names.length;
    }

    public String name(int index) {
        return names[index];
    }

    public String value(int index) {
        return values[index];
    }

    /** The value of {@code name}, or null when the set has no such label. */
    public String get(String name) {
        int index = Arrays.binarySearch(names, name);
        return index < 0 ? null : values[index];
    }

    public Map<String, String> toMap() {
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < names.length; i++) {
            map.put(names[i], values[i]);
        }
        return map;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabelSet
                && hash == ((LabelSet) other).hash
                && Arrays.equals(names, ((LabelSet) other).names)
                && Arrays.equals(values, ((LabelSet) other).values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * {@code {fstype="ext4",mount="/"}}, as Prometheus writes a label set, on one line: a value scraped from an
     * application goes to the log and {@code ROLLGUARD_LABELS} this way, its control characters escaped.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(names[i]).append("=\"")
                    .append(ControlCharacters.escape(values[i].replace("\\", "\\\\").replace("\"", "\\\"")))
                    .append('"');
        }
        return text.append('}').toString();
    }
}
