package io.rollguard.metrics;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/**
 * {@code /metrics} as rendered at one tick, in both exposition formats. Served as is to every scraper until the
 * next tick: a scrape costs a buffer copy, never a sampling or a rendering. The gzip form of each is made by the
 * first scraper that asks for it and kept for the others (a fifth of the size; node_exporter compresses too).
 */
public final class RenderedMetrics {
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    public static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final byte[] prometheusText;
    private final byte[] openMetricsText;
    // Made at most a few times each (two scrapers may race to make it): cheaper than a lock on the event loop.
    private volatile byte[] prometheusGzip;
    private volatile byte[] openMetricsGzip;

    public RenderedMetrics(byte[] prometheusText, byte[] openMetricsText) {
        this.prometheusText = requireNonNull(prometheusText, "prometheusText");
        this.openMetricsText = requireNonNull(openMetricsText, "openMetricsText");
    }

    public byte[] prometheusText() {
        return prometheusText;
    }

    public byte[] openMetricsText() {
        return openMetricsText;
    }

    public byte[] prometheusGzip() {
        byte[] gzip = prometheusGzip;
        if (gzip == null) {
            gzip = gzip(prometheusText);
            prometheusGzip = gzip;
        }
        return gzip;
    }

    public byte[] openMetricsGzip() {
        byte[] gzip = openMetricsGzip;
        if (gzip == null) {
            gzip = gzip(openMetricsText);
            openMetricsGzip = gzip;
        }
        return gzip;
    }

    private static byte[] gzip(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length / 4 + 64);
        try (GZIPOutputStream zip = new GZIPOutputStream(out, 8192)) {
            zip.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException("a ByteArrayOutputStream does not fail", e);
        }
        return out.toByteArray();
    }
}
