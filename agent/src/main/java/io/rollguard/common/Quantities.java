package io.rollguard.common;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The units people write in configuration and in rule expressions: durations ({@code 500ms}, {@code 1h30m}),
 * sizes ({@code 512KiB}, {@code 500MB}) and ratios ({@code 90%}). Each parser throws
 * {@link IllegalArgumentException} whose message says what was expected.
 */
public final class Quantities {
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?) ?([A-Za-z]*)");
    private static final Map<String, Long> SIZE_UNITS = Map.ofEntries(
            Map.entry("", 1L),
            Map.entry("B", 1L),
            Map.entry("kB", 1_000L),
            Map.entry("KB", 1_000L),
            Map.entry("MB", 1_000_000L),
            Map.entry("GB", 1_000_000_000L),
            Map.entry("TB", 1_000_000_000_000L),
            Map.entry("KiB", 1L << 10),
            Map.entry("MiB", 1L << 20),
            Map.entry("GiB", 1L << 30),
            Map.entry("TiB", 1L << 40));
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L,
            "d", 86_400_000_000_000L);

    public static final String DURATION_EXPECTED = "a duration such as \"500ms\", \"30s\", \"5m\" or \"1h\"";
    public static final String SIZE_EXPECTED = "a size such as \"512KiB\", \"10GiB\" or \"500MB\"";
    public static final String RATIO_EXPECTED = "a ratio such as 0.9 or \"90%\"";

    private Quantities() {}

    /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d} and sums such as {@code 1h30m}. */
    public static Duration parseDuration(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = DURATION_PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (end < text.length() && matcher.find(end) && matcher.start() == end) {
            BigDecimal amount = new BigDecimal(matcher.group(1));
            nanos = nanos.add(amount.multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(matcher.group(2)))));
            end = matcher.end();
        }
        if (end == 0 || end != text.length()) {
            throw new IllegalArgumentException("expected " + DURATION_EXPECTED + ", got \"" + text + "\"");
        }
        try {
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too long: at most about 292 years");
        }
    }

    /** Parses {@code 4096}, {@code 512KiB}, {@code 10GiB}, {@code 500MB} into bytes. */
    public static long parseSize(String text) {
        Matcher matcher = SIZE.matcher(text);
        Long unit = matcher.matches() ? SIZE_UNITS.get(matcher.group(2)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("expected " + SIZE_EXPECTED + ", got \"" + text + "\"");
        }
        try {
            return new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unit)).longValueExact();
        } catch (ArithmeticException e) {
            // also a fraction of a byte, such as "0.5B": sizes are whole bytes
            throw new IllegalArgumentException("size \"" + text + "\" is not a whole number of bytes below 8 EiB");
        }
    }

    /** Parses {@code 90%} or {@code 0.9} into a ratio between 0 and 1. */
    public static double parseRatio(String text) {
        double ratio;
        try {
            ratio = text.endsWith("%")
                    ? Double.parseDouble(text.substring(0, text.length() - 1)) / 100.0
                    : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + RATIO_EXPECTED + ", got \"" + text + "\"");
        }
        return checkRatio(ratio, text);
    }

    public static double checkRatio(double ratio, String text) {
        if (!(ratio >= 0.0 && ratio <= 1.0)) {
            throw new IllegalArgumentException("expected " + RATIO_EXPECTED + " between 0 and 1 (0% and 100%), got " + text);
        }
        return ratio;
    }

    /** Formats a duration the way it would be written in the configuration: {@code 5s}, {@code 1m30s}, {@code 250ms}. */
    public static String formatDuration(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long millis = duration.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis >= sizes[i]) {
                text.append(millis / sizes[i]).append(units[i]);
                millis %= sizes[i];
            }
        }
        return text.toString();
    }
}
