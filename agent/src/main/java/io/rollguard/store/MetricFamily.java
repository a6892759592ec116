package io.rollguard.store;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * What a series is: its exported name, type and help text. Names follow Prometheus conventions: {@code rollguard_}
 * prefix, snake case, base units ({@code _bytes}, {@code _seconds}, {@code _ratio}); a counter's name ends in
 * {@code _total}, an info's in {@code _info}.
 */
public record MetricFamily(String name, MetricType type, String help) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    public MetricFamily {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(help, "help");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Prometheus metric name: " + name);
        }
        if (type == MetricType.COUNTER && !name.endsWith("_total")) {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        if (type == MetricType.INFO && !name.endsWith("_info")) {
            throw new IllegalArgumentException("an info's name ends in _info: " + name);
        }
    }

    public static MetricFamily gauge(String name, String help) {
        return new MetricFamily(name, MetricType.GAUGE, help);
    }

    public static MetricFamily counter(String name, String help) {
        return new MetricFamily(name, MetricType.COUNTER, help);
    }

    public static MetricFamily info(String name, String help) {
        return new MetricFamily(name, MetricType.INFO, help);
    }
}
