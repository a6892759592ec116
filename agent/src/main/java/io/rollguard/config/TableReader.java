package io.rollguard.config;

import io.rollguard.common.Quantities;
import io.rollguard.common.RegexErrors;
import io.rollguard.common.Suggestions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads one TOML table into typed values, recording every problem with its position and remembering which keys
 * were read, so that {@link #rejectUnknownKeys()} can report a misspelt key instead of silently ignoring it.
 * No tomlj type leaves the {@code config} package.
 */
final class TableReader {
    /** The table a reader sees where the file has none: every key absent, so every default applies. */
    private static final TomlTable EMPTY = Toml.parse("");

    private final TomlTable table;
    private String path;
    private final TomlPosition position;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();

    private TableReader(TomlTable table, String path, TomlPosition position, Problems problems) {
        this.table = table;
        this.path = path;
        this.position = position;
        this.problems = problems;
    }

    static TableReader root(TomlTable table, Problems problems) {
        return new TableReader(table, "", null, problems);
    }

    /** The dotted path of this table, such as {@code sample.cpu} or {@code process[2]}, for messages. */
    String path() {
        return path;
    }

    /**
     * Names this table in later messages by what the user called it, {@code check "api"} rather than
     * {@code check[4]}, once its name is known.
     */
    void relabel(String label) {
        path = label;
    }

    private static final Pattern ENTRY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    /**
     * The {@code name} of one entry of an array of tables ({@code [[check]]}, {@code [[rule]]}): required, letters,
     * digits, '_', '.' or '-', not taken by an earlier entry (recorded in {@code taken}). A valid name relabels the
     * table in later messages ({@code check "api"}); the name is returned as written, "" when missing.
     */
    String uniqueName(String kind, Set<String> taken) {
        String name = requiredString("name");
        if (name.isEmpty()) {
            return name;
        }
        if (!ENTRY_NAME.matcher(name).matches()) {
            report("name", "expected letters, digits, '_', '.' or '-', starting with a letter or digit, got \""
                    + name + "\"");
        } else if (!taken.add(name)) {
            report("name", "a " + kind + " named \"" + name + "\" is already defined");
        } else {
            relabel(kind + " \"" + name + "\"");
        }
        return name;
    }

    /** Records a problem found at {@code offset} inside the string value of {@code key}. */
    void reportInString(String key, int offset, String message) {
        problems.addInString(table.inputPositionOf(List.of(key)), offset, qualify(key) + ": " + message);
    }

    /** Records a problem about this table as a whole, at its header. */
    void report(String message) {
        problems.add(position, (path.isEmpty() ? "" : path + ": ") + message);
    }

    /** The keys present in this table, in file order, each counted as known (for tables of user-chosen names). */
    List<String> keys() {
        known.addAll(table.keySet());
        return List.copyOf(table.keySet());
    }

    /** The sub-table {@code key}; absent reads as empty, so every key falls back to its default. */
    TableReader table(String key) {
        known.add(key);
        Object value = table.get(List.of(key));
        TomlPosition at = table.inputPositionOf(List.of(key));
        if (value == null) {
            return new TableReader(EMPTY, qualify(key), position, problems);
        }
        if (!(value instanceof TomlTable)) {
            problems.add(at, qualify(key) + ": expected a table ([" + qualify(key) + "]), got " + describe(value));
            return new TableReader(EMPTY, qualify(key), at, problems);
        }
        return new TableReader((TomlTable) value, qualify(key), at, problems);
    }

    /** The array of tables {@code [[key]]}; absent reads as empty. */
    List<TableReader> tables(String key) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof TomlArray) || !(((TomlArray) value).isEmpty() || ((TomlArray) value).isTable(0))) {
            report(key, "expected tables ([[" + qualify(key) + "]]), got " + describe(value));
            return List.of();
        }
        TomlArray array = (TomlArray) value;
        List<TableReader> readers = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            readers.add(new TableReader(array.getTable(i), qualify(key) + "[" + (i + 1) + "]",
                    array.inputPositionOf(i), problems));
        }
        return readers;
    }

    boolean bool(String key, boolean fallback) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean)) {
            report(key, "expected true or false, got " + describe(value));
            return fallback;
        }
        return (Boolean) value;
    }

    /** A string that must be present and not blank. */
    String requiredString(String key) {
        Optional<String> text = text(key, "a string");
        if (text.isEmpty()) {
            if (!table.contains(List.of(key))) {
                report("missing required key \"" + key + "\"");
            }
            return "";
        }
        if (text.get().isBlank()) {
            report(key, "must not be empty");
        }
        return text.get();
    }

    /** An array of strings; absent reads as {@code fallback}. */
    List<String> strings(String key, List<String> fallback) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof TomlArray)) {
            report(key, "expected an array of strings such as [\"a\", \"b\"], got " + describe(value));
            return fallback;
        }
        TomlArray array = (TomlArray) value;
        List<String> strings = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Object element = array.get(i);
            if (!(element instanceof String)) {
                problems.add(array.inputPositionOf(i), qualify(key) + "[" + (i + 1) + "]: expected a string, got "
                        + describe(element));
                return fallback;
            }
            strings.add((String) element);
        }
        return List.copyOf(strings);
    }

    /** A regular expression in Java syntax; a bad one is reported with the position of the error inside it. */
    Pattern regex(String key) {
        Optional<String> text = text(key, "a regular expression");
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(text.get());
        } catch (PatternSyntaxException e) {
            report(key, "invalid regular expression at character " + RegexErrors.character(e) + ": "
                    + RegexErrors.describe(e));
            return null;
        }
    }

    /**
     * An array of regular expressions; absent reads as {@code fallback}. Every bad element is reported at its own
     * position, and then the whole key reads as {@code fallback}.
     */
    List<Pattern> regexes(String key, List<Pattern> fallback) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof TomlArray)) {
            report(key, "expected an array of regular expressions such as [\"/srv/.*\"], got " + describe(value));
            return fallback;
        }
        TomlArray array = (TomlArray) value;
        List<Pattern> patterns = new ArrayList<>(array.size());
        boolean valid = true;
        for (int i = 0; i < array.size(); i++) {
            Object element = array.get(i);
            String where = qualify(key) + "[" + (i + 1) + "]: ";
            if (!(element instanceof String)) {
                problems.add(array.inputPositionOf(i), where + "expected a regular expression in quotes, got "
                        + describe(element));
                valid = false;
                continue;
            }
            try {
                patterns.add(Pattern.compile((String) element));
            } catch (PatternSyntaxException e) {
                problems.add(array.inputPositionOf(i), where + "invalid regular expression at character "
                        + RegexErrors.character(e) + ": " + RegexErrors.describe(e));
                valid = false;
            }
        }
        return valid ? List.copyOf(patterns) : fallback;
    }

    /**
     * A required http:// or https:// URL with a host. Null when it cannot be parsed at all; a URL of the wrong kind
     * is returned with its problem recorded, since the configuration is rejected anyway.
     */
    URI httpUrl(String key) {
        String url = requiredString(key);
        try {
            URI uri = new URI(url);
            if (!url.isEmpty() && (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme())
                    || uri.getHost() == null)) {
                report(key, "expected an http:// or https:// URL with a host, got \"" + url + "\"");
            }
            return uri;
        } catch (URISyntaxException e) {
            report(key, "not a valid URL (" + e.getReason() + " at character " + (e.getIndex() + 1) + "): \""
                    + url + "\"");
            return null;
        }
    }

    Duration duration(String key, Duration fallback, Duration min, Duration max) {
        Optional<String> text = text(key, Quantities.DURATION_EXPECTED);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            Duration duration = Quantities.parseDuration(text.get());
            if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
                report(key, "must be between " + Quantities.formatDuration(min) + " and "
                        + Quantities.formatDuration(max) + ", got \"" + text.get() + "\"");
                return fallback;
            }
            return duration;
        } catch (IllegalArgumentException e) {
            report(key, e.getMessage());
            return fallback;
        }
    }

    String string(String key, String fallback) {
        return text(key, "a string").orElse(fallback);
    }

    Path path(String key, Path fallback, Path base) {
        Optional<String> text = text(key, "a path");
        if (text.isEmpty()) {
            return fallback;
        }
        if (text.get().isBlank()) {
            report(key, "expected a path, got an empty string");
            return fallback;
        }
        return base.resolve(text.get()).normalize();
    }

    HostPort hostPort(String key, HostPort fallback) {
        Optional<String> text = text(key, "host:port such as \"0.0.0.0:9730\"");
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            return HostPort.parse(text.get());
        } catch (IllegalArgumentException e) {
            report(key, e.getMessage());
            return fallback;
        }
    }

    /** One of a closed set of lower-case words, such as a log level. */
    <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
        Map<String, E> choices = words(type);
        String expected = "one of " + quoteAll(choices.keySet());
        Optional<String> text = text(key, expected);
        if (text.isEmpty()) {
            return fallback;
        }
        E value = choices.get(text.get());
        if (value == null) {
            report(key, "expected " + expected + ", got \"" + text.get() + "\"");
            return fallback;
        }
        return value;
    }

    /** An integer within bounds; absent reads as {@code fallback}. */
    long integer(String key, long fallback, long min, long max) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Long)) {
            report(key, "expected an integer, got " + describe(value));
            return fallback;
        }
        long number = (Long) value;
        if (number < min || number > max) {
            report(key, "must be between " + min + " and " + max + ", got " + number);
            return fallback;
        }
        return number;
    }

    /** One integer or an array of them, each within bounds; absent reads as {@code fallback}. */
    List<Integer> integers(String key, List<Integer> fallback, int min, int max) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return fallback;
        }
        List<Object> elements = new ArrayList<>();
        if (value instanceof TomlArray) {
            elements.addAll(((TomlArray) value).toList());
        } else {
            elements.add(value);
        }
        List<Integer> numbers = new ArrayList<>();
        for (Object element : elements) {
            if (!(element instanceof Long) || (Long) element < min || (Long) element > max) {
                report(key, "expected an integer between " + min + " and " + max + ", or an array of them, got "
                        + describe(element));
                return fallback;
            }
            numbers.add(((Long) element).intValue());
        }
        if (numbers.isEmpty()) {
            report(key, "must not be an empty array");
            return fallback;
        }
        return List.copyOf(numbers);
    }

    /** A size such as "10GiB", or a bare integer of bytes; absent reads as {@code fallback}. */
    long size(String key, long fallback) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return fallback;
        }
        if (value instanceof Long && (Long) value >= 0) {
            return (Long) value;
        }
        if (!(value instanceof String)) {
            report(key, "expected " + Quantities.SIZE_EXPECTED + ", got " + describe(value));
            return fallback;
        }
        try {
            return Quantities.parseSize((String) value);
        } catch (IllegalArgumentException e) {
            report(key, e.getMessage());
            return fallback;
        }
    }

    /** A ratio, 0.9 or "90%"; absent reads as {@code fallback}. */
    double ratio(String key, double fallback) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return fallback;
        }
        try {
            if (value instanceof Double || value instanceof Long) {
                double number = ((Number) value).doubleValue();
                return Quantities.checkRatio(number, String.valueOf(number));
            }
            if (value instanceof String) {
                return Quantities.parseRatio((String) value);
            }
            report(key, "expected " + Quantities.RATIO_EXPECTED + ", got " + describe(value));
        } catch (IllegalArgumentException e) {
            report(key, e.getMessage());
        }
        return fallback;
    }

    /** An inline table of strings, such as headers = { Accept = "application/json" }; absent reads as empty. */
    Map<String, String> stringTable(String key) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof TomlTable)) {
            report(key, "expected a table of strings such as { Name = \"value\" }, got " + describe(value));
            return Map.of();
        }
        TomlTable inner = (TomlTable) value;
        Map<String, String> strings = new java.util.LinkedHashMap<>();
        for (String name : inner.keySet()) {
            Object element = inner.get(List.of(name));
            if (!(element instanceof String)) {
                problems.add(inner.inputPositionOf(List.of(name)), qualify(key) + "." + name
                        + ": expected a string, got " + describe(element));
                continue;
            }
            strings.put(name, (String) element);
        }
        return strings;
    }

    /** A set of lower-case words from an enum, written as an array; absent reads as {@code fallback}. */
    <E extends Enum<E>> java.util.Set<E> choices(String key, Class<E> type, java.util.Set<E> fallback) {
        Map<String, E> words = words(type);
        List<String> texts = strings(key, null);
        if (texts == null) {
            return fallback;
        }
        java.util.Set<E> chosen = java.util.EnumSet.noneOf(type);
        for (String text : texts) {
            E value = words.get(text);
            if (value == null) {
                report(key, "expected each of " + quoteAll(words.keySet()) + ", got \"" + text + "\"");
                return fallback;
            }
            chosen.add(value);
        }
        return chosen;
    }

    /** Records a problem about one entry of the inline table {@code key} (read by {@link #stringTable}), at it. */
    void reportInTable(String key, String entry, String message) {
        Object value = table.get(List.of(key));
        TomlPosition at = value instanceof TomlTable ? ((TomlTable) value).inputPositionOf(List.of(entry))
                : table.inputPositionOf(List.of(key));
        problems.add(at, qualify(key) + "." + (entry.matches("[A-Za-z0-9_-]+") ? entry : "\"" + entry + "\"") + ": "
                + message);
    }

    /** Whether {@code key} holds a string (as opposed to an array or anything else). */
    boolean isString(String key) {
        return table.get(List.of(key)) instanceof String;
    }

    /** Whether {@code key} is a table, such as {@code [action.NAME]}; {@link #table} reports it when it is not. */
    boolean hasTable(String key) {
        return table.get(List.of(key)) instanceof TomlTable;
    }

    /** Whether the file sets {@code key} at all. */
    boolean has(String key) {
        return table.contains(List.of(key));
    }

    /** Reports every key of this table that no reader asked for, with the closest known key as a hint. */
    void rejectUnknownKeys() {
        for (String key : table.keySet()) {
            if (known.contains(key)) {
                continue;
            }
            Object value = table.get(List.of(key));
            String what = value instanceof TomlTable ? "table" : value instanceof TomlArray ? "key or array" : "key";
            StringBuilder message = new StringBuilder(qualify(key)).append(": unknown ").append(what);
            Suggestions.closest(key, known).ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
            message.append("; known ").append(what.equals("table") ? "tables" : "keys")
                    .append(path.isEmpty() ? "" : " in [" + path + "]")
                    .append(": ").append(String.join(", ", known));
            problems.add(table.inputPositionOf(List.of(key)), message.toString());
        }
    }

    private Optional<String> text(String key, String expected) {
        known.add(key);
        Object value = table.get(List.of(key));
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String)) {
            report(key, "expected " + expected + " in quotes, got " + describe(value));
            return Optional.empty();
        }
        return Optional.of((String) value);
    }

    void report(String key, String message) {
        problems.add(table.inputPositionOf(List.of(key)), qualify(key) + ": " + message);
    }

    private String qualify(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String describe(Object value) {
        if (value instanceof String) {
            return "the string \"" + value + "\"";
        }
        if (value instanceof Long) {
            return "the integer " + value;
        }
        if (value instanceof Double) {
            return "the number " + value;
        }
        if (value instanceof Boolean) {
            return "the boolean " + value;
        }
        if (value instanceof TomlTable) {
            return "a table";
        }
        if (value instanceof TomlArray) {
            return "an array";
        }
        return "a date or time";
    }

    private static <E extends Enum<E>> Map<String, E> words(Class<E> type) {
        return java.util.Arrays.stream(type.getEnumConstants())
                .collect(Collectors.toMap(e -> e.name().toLowerCase(Locale.ROOT), Function.identity(),
                        (a, b) -> a, java.util.LinkedHashMap::new));
    }

    private static String quoteAll(Set<String> words) {
        return words.stream().map(w -> "\"" + w + "\"").collect(Collectors.joining(", "));
    }
}
