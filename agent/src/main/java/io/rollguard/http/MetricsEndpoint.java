package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.metrics.RenderedMetrics;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: what the last tick rendered, in the Prometheus text format 0.0.4, or OpenMetrics when the
 * scraper's {@code Accept} asks for it; gzip when its {@code Accept-Encoding} allows. Scraping never triggers
 * sampling.
 */
public final class MetricsEndpoint implements Endpoint {
    private final Supplier<RenderedMetrics> latest;

    public MetricsEndpoint(Supplier<RenderedMetrics> latest) {
        this.latest = requireNonNull(latest, "latest");
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest request) {
        RenderedMetrics metrics = latest.get();
        boolean openMetrics = request.headers().get(HttpHeaderNames.ACCEPT, "").contains("application/openmetrics-text");
        boolean gzip = acceptsGzip(request.headers().get(HttpHeaderNames.ACCEPT_ENCODING, ""));
        String contentType = openMetrics ? RenderedMetrics.OPENMETRICS_CONTENT_TYPE
                : RenderedMetrics.PROMETHEUS_CONTENT_TYPE;
        byte[] body = openMetrics ? (gzip ? metrics.openMetricsGzip() : metrics.openMetricsText())
                : (gzip ? metrics.prometheusGzip() : metrics.prometheusText());
        FullHttpResponse response = Responses.bytes(HttpResponseStatus.OK, body, contentType);
        response.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        if (gzip) {
            response.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        }
        return response;
    }

    /** Whether {@code Accept-Encoding} lists gzip (or {@code *}) with a weight above zero. */
    static boolean acceptsGzip(String acceptEncoding) {
        for (String part : acceptEncoding.split(",")) {
            String[] fields = part.split(";");
            String coding = fields[0].trim().toLowerCase(Locale.ROOT);
            if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) {
                continue;
            }
            double weight = 1;
            for (int i = 1; i < fields.length; i++) {
                String parameter = fields[i].trim();
                if (parameter.startsWith("q=")) {
                    try {
                        weight = Double.parseDouble(parameter.substring(2));
                    } catch (NumberFormatException e) {
                        weight = 0;
                    }
                }
            }
            if (weight > 0) {
                return true;
            }
        }
        return false;
    }
}
