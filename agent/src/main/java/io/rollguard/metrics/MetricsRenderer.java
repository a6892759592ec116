package io.rollguard.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.TimeSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Owns the Micrometer Prometheus registry and renders it once per tick. The registry holds the agent's own meters
 * and a collector over the {@link SeriesStore}; HTTP handlers only ever read {@link #latest()}.
 */
public final class MetricsRenderer {
    private final PrometheusMeterRegistry registry;
    private final AtomicReference<RenderedMetrics> latest = new AtomicReference<>();
    private int lastSize = 8192;

    public MetricsRenderer(SeriesStore store, TimeSource time) {
        requireNonNull(store, "store");
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(AgentMeters.PROMETHEUS_NAMES);
        registry.getPrometheusRegistry().register(new StoreCollector(store, time));
        render();
    }

    /** The registry for meters the agent keeps itself (request counts, action durations). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Renders both exposition formats and publishes them for the handlers. */
    public void render() {
        byte[] text = scrape(PrometheusTextFormatWriter.CONTENT_TYPE);
        byte[] openMetrics = scrape(OpenMetricsTextFormatWriter.CONTENT_TYPE);
        latest.set(new RenderedMetrics(text, openMetrics));
    }

    public RenderedMetrics latest() {
        return latest.get();
    }

    private byte[] scrape(String contentType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(lastSize + lastSize / 4);
        try {
            registry.scrape(out, contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("a ByteArrayOutputStream does not fail", e);
        }
        lastSize = Math.max(lastSize, out.size());
        return out.toByteArray();
    }
}
