package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * What one run of a check found.
 *
 * @param message one line a person can act on: "/data: 3.2 GiB free, needs 10 GiB"
 * @param value the check's natural number (latency in seconds, free bytes, a match count); NaN when it has none
 * @param fields numbers extracted from an answer, exported as {@code rollguard_check_field{check,field}}
 */
public record CheckResult(boolean ok, String message, double value, Map<String, Double> fields) {
    public CheckResult {
        requireNonNull(message, "message");
        fields = Map.copyOf(fields);
    }

    public static CheckResult passed(String message, double value) {
        return new CheckResult(true, message, value, Map.of());
    }

    public static CheckResult failed(String message, double value) {
        return new CheckResult(false, message, value, Map.of());
    }

    public static CheckResult failed(String message) {
        return failed(message, Double.NaN);
    }

    public CheckResult withFields(Map<String, Double> extracted) {
        return new CheckResult(ok, message, value, extracted);
    }
}
