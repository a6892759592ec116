package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.metrics.RenderedMetrics;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: what the last tick rendered, in the Prometheus text format 0.0.4, or OpenMetrics when the
 * scraper's {@code Accept} asks for it. Scraping never triggers sampling.
 */
public final class MetricsEndpoint implements Endpoint {
    private final Supplier<RenderedMetrics> latest;

    public MetricsEndpoint(Supplier<RenderedMetrics> latest) {
        this.latest = requireNonNull(latest, "latest");
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        RenderedMetrics metrics = latest.get();
        String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
        if (accept.contains("application/openmetrics-text")) {
            return Responses.bytes(HttpResponseStatus.OK, metrics.openMetricsText(),
                    RenderedMetrics.OPENMETRICS_CONTENT_TYPE);
        }
        return Responses.bytes(HttpResponseStatus.OK, metrics.prometheusText(), RenderedMetrics.PROMETHEUS_CONTENT_TYPE);
    }
}
