package io.rollguard.metrics;

import static java.util.Objects.requireNonNull;

/**
 * {@code /metrics} as rendered at one tick, in both exposition formats. Served as is to every scraper until the
 * next tick: a scrape costs a buffer copy, never a sampling or a rendering.
 */
public record RenderedMetrics(byte[] prometheusText, byte[] openMetricsText) {
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    public static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    public RenderedMetrics {
        requireNonNull(prometheusText, "prometheusText");
        requireNonNull(openMetricsText, "openMetricsText");
    }
}
