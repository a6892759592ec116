package io.rollguard.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (and the subset of OpenMetrics text that shares
 * it: the {@code # EOF} line and its type names; exemplars are not supported). Comments, {@code # HELP} and
 * {@code # TYPE} lines, label values with the escapes {@code \\ \" \n}, values including {@code NaN},
 * {@code +Inf} and {@code -Inf}, an optional timestamp (ignored: a sample is stored at the time it was read).
 * Histograms and summaries come through as their plain {@code _bucket}, {@code _sum} and {@code _count} series.
 *
 * <p>Any line it cannot read fails the whole body, with the line and column: half a scrape is not stored.
 */
final class ExpositionParser {
    /** Longer lines fail the parse: a line is one series, and no sane series is longer. */
    public static final int MAX_LINE_LENGTH = 64 * 1024;

    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped",
            // OpenMetrics' names, for an application that answers in it anyway
            "unknown", "info", "stateset", "gaugehistogram");
    private static final Map<String, Set<String>> SUFFIXES = Map.of(
            "histogram", Set.of("_bucket", "_sum", "_count"),
            "gaugehistogram", Set.of("_bucket", "_gsum", "_gcount"),
            "summary", Set.of("_sum", "_count"),
            "counter", Set.of("_total", "_created"),
            "info", Set.of("_info"));
    private static final Pattern NUMBER =
            Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]{1,18}");

    /**
     * One sample line.
     *
     * @param family the family a {@code # TYPE} line declared it part of ({@code http_request_duration_seconds} for
     *     {@code http_request_duration_seconds_bucket}), else its own name
     * @param labels in the order written
     */
    public record Sample(String name, String family, Map<String, String> labels, double value) {}

    private ExpositionParser() {}

    /**
     * Parses a whole body and returns the samples that {@code keep} accepts (it is asked with the sample's name and
     * with its family's; either accepting keeps it), in the order written. Every line is checked, kept or not.
     *
     * @throws ExpositionException naming the first line that is not valid, and where on it
     */
    public static List<Sample> parse(String text, Predicate<String> keep) throws ExpositionException {
        return new Run(text, keep).parse();
    }

    private static final class Run {
        private final String text;
        private final Predicate<String> keep;
        private final Map<String, String> types = new HashMap<>();
        private final Map<String, Integer> seen = new HashMap<>(); // kept series -> the line that gave it
        private final List<Sample> samples = new ArrayList<>();
        private int lineNumber;
        private String line;
        private int pos;

        Run(String text, Predicate<String> keep) {
            this.text = text;
            this.keep = keep;
        }

        List<Sample> parse() throws ExpositionException {
            int start = 0;
            boolean ended = false;
            while (start < text.length()) {
                int end = text.indexOf('\n', start);
                if (end < 0) {
                    end = text.length();
                }
                lineNumber++;
                int stop = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
                if (stop - start > MAX_LINE_LENGTH) {
                    throw new ExpositionException("line " + lineNumber + ": longer than " + MAX_LINE_LENGTH
                            + " characters");
                }
                line = text.substring(start, stop);
                pos = 0;
                start = end + 1;
                if (ended) {
                    if (!line.isBlank()) {
                        throw error("nothing may follow \"# EOF\"");
                    }
                    continue;
                }
                skipBlanks();
                if (pos == line.length()) {
                    continue;
                }
                if (line.charAt(pos) == '#') {
                    ended = comment();
                } else {
                    sample();
                }
            }
            return samples;
        }

        /** A comment, HELP or TYPE line; true for OpenMetrics' {@code # EOF}. */
        private boolean comment() throws ExpositionException {
            pos++;
            skipBlanks();
            String word = word();
            if (word.equals("EOF") && pos == line.length()) {
                return true;
            }
            if (!word.equals("HELP") && !word.equals("TYPE")) {
                return false; // a plain comment
            }
            if (!skipBlanks()) {
                throw error("expected a metric name after " + word);
            }
            String name = metricName();
            if (word.equals("HELP")) {
                if (pos < line.length() && !skipBlanks()) {
                    throw error("expected a space after the metric name");
                }
                return false; // the help text itself may say anything
            }
            if (!skipBlanks()) {
                throw error("expected a type after the metric name");
            }
            int typeAt = pos;
            String type = word();
            if (!TYPES.contains(type)) {
                pos = typeAt;
                throw error("expected one of counter, gauge, histogram, summary or untyped, got \"" + type + "\"");
            }
            skipBlanks();
            if (pos != line.length()) {
                throw error("unexpected text after the type");
            }
            if (types.putIfAbsent(name, type) != null) {
                pos = 0;
                throw error("a second TYPE line for " + name);
            }
            return false;
        }

        private void sample() throws ExpositionException {
            String name = metricName();
            boolean spaced = skipBlanks();
            Map<String, String> labels = Map.of();
            if (pos < line.length() && line.charAt(pos) == '{') {
                labels = labels();
                spaced = skipBlanks();
            }
            if (!spaced) {
                throw error(pos == line.length() ? "expected a value after " + name
                        : "expected a space before the value");
            }
            double value = value(word());
            if (skipBlanks() && pos < line.length()) {
                int timestampAt = pos;
                String timestamp = word();
                if (!TIMESTAMP.matcher(timestamp).matches()) {
                    pos = timestampAt;
                    throw error("expected a timestamp in milliseconds, got \"" + timestamp + "\"");
                }
                skipBlanks();
                if (pos != line.length()) {
                    throw error("unexpected text after the timestamp (exemplars are not supported)");
                }
            }
            String family = familyOf(name);
            if (!keep.test(name) && (family.equals(name) || !keep.test(family))) {
                return;
            }
            String key = name + new TreeMap<>(labels);
            Integer first = seen.putIfAbsent(key, lineNumber);
            if (first != null) {
                pos = 0;
                throw error("the series " + name + labelText(new TreeMap<>(labels)) + " was already given on line "
                        + first);
            }
            samples.add(new Sample(name, family, labels, value));
        }

        private String familyOf(String name) {
            if (types.containsKey(name)) {
                return name;
            }
            int underscore = name.lastIndexOf('_');
            if (underscore > 0) {
                String base = name.substring(0, underscore);
                String type = types.get(base);
                if (type != null && SUFFIXES.getOrDefault(type, Set.of()).contains(name.substring(underscore))) {
                    return base;
                }
            }
            return name;
        }

        private Map<String, String> labels() throws ExpositionException {
            pos++; // '{'
            Map<String, String> labels = new LinkedHashMap<>();
            while (true) {
                skipBlanks();
                if (pos < line.length() && line.charAt(pos) == '}') {
                    pos++;
                    return labels;
                }
                int nameAt = pos;
                String label = labelName();
                skipBlanks();
                expect('=', "'=' after the label name " + label);
                skipBlanks();
                expect('"', "'\"' to open the value of " + label);
                String value = labelValue();
                if (labels.put(label, value) != null) {
                    pos = nameAt;
                    throw error("label " + label + " given twice");
                }
                skipBlanks();
                if (pos < line.length() && line.charAt(pos) == ',') {
                    pos++;
                } else if (pos >= line.length() || line.charAt(pos) != '}') {
                    throw error("expected ',' or '}' after the value of " + label);
                }
            }
        }

        private String labelValue() throws ExpositionException {
            StringBuilder value = new StringBuilder();
            while (pos < line.length()) {
                char c = line.charAt(pos++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\') {
                    if (pos == line.length()) {
                        break;
                    }
                    char escaped = line.charAt(pos++);
                    switch (escaped) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> {
                            pos -= 2;
                            throw error("unknown escape \\" + escaped + " in a label value (only \\\\, \\\" and \\n)");
                        }
                    }
                } else {
                    value.append(c);
                }
            }
            throw error("the label value is not closed with '\"'");
        }

        private double value(String word) throws ExpositionException {
            switch (word.toLowerCase(Locale.ROOT)) {
                case "nan":
                    return Double.NaN;
                case "+inf": case "inf": case "+infinity": case "infinity":
                    return Double.POSITIVE_INFINITY;
                case "-inf": case "-infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
            if (!NUMBER.matcher(word).matches()) {
                pos -= word.length();
                throw error("expected a number, NaN, +Inf or -Inf as the value, got \"" + word + "\"");
            }
            return Double.parseDouble(word);
        }

        private String metricName() throws ExpositionException {
            int start = pos;
            if (pos < line.length() && (isNameStart(line.charAt(pos)) || line.charAt(pos) == ':')) {
                pos++;
                while (pos < line.length() && (isNameChar(line.charAt(pos)) || line.charAt(pos) == ':')) {
                    pos++;
                }
            }
            if (pos == start) {
                throw error("expected a metric name");
            }
            return line.substring(start, pos);
        }

        private String labelName() throws ExpositionException {
            int start = pos;
            if (pos < line.length() && isNameStart(line.charAt(pos))) {
                pos++;
                while (pos < line.length() && isNameChar(line.charAt(pos))) {
                    pos++;
                }
            }
            if (pos == start) {
                throw error("expected a label name or '}'");
            }
            String name = line.substring(start, pos);
            if (name.startsWith("__")) {
                pos = start;
                throw error("label names starting with \"__\" are reserved, got " + name);
            }
            return name;
        }

        private static boolean isNameStart(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
        }

        private static boolean isNameChar(char c) {
            return isNameStart(c) || c >= '0' && c <= '9';
        }

        private void expect(char c, String what) throws ExpositionException {
            if (pos >= line.length() || line.charAt(pos) != c) {
                throw error("expected " + what);
            }
            pos++;
        }

        /** Up to the next space, tab or end of line. */
        private String word() {
            int start = pos;
            while (pos < line.length() && line.charAt(pos) != ' ' && line.charAt(pos) != '\t') {
                pos++;
            }
            return line.substring(start, pos);
        }

        /** Skips spaces and tabs; whether there were any. */
        private boolean skipBlanks() {
            int start = pos;
            while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
                pos++;
            }
            return pos > start;
        }

        private ExpositionException error(String message) {
            return new ExpositionException("line " + lineNumber + ", column " + (pos + 1) + ": " + message);
        }
    }

    private static String labelText(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("{");
        labels.forEach((name, value) -> text.append(text.length() > 1 ? "," : "").append(name).append("=\"")
                .append(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"'));
        return text.append('}').toString();
    }
}
