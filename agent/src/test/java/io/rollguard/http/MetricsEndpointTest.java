package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.rollguard.metrics.RenderedMetrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricsEndpointTest {
    private static final String TEXT = "# TYPE rollguard_up gauge\nrollguard_up 1\n".repeat(50);
    private static final String OPEN_METRICS = "# TYPE rollguard_up gauge\nrollguard_up 1\n# EOF\n";
    private final RenderedMetrics rendered = new RenderedMetrics(TEXT.getBytes(StandardCharsets.UTF_8),
            OPEN_METRICS.getBytes(StandardCharsets.UTF_8));
    private final MetricsEndpoint endpoint = new MetricsEndpoint(() -> rendered);

    @ParameterizedTest(name = "Accept-Encoding: \"{0}\" -> gzip {1}")
    @CsvSource(delimiter = '|', value = {
        "gzip|true", "gzip, deflate, br|true", "deflate, GZIP;q=0.5|true", "x-gzip|true", "*|true",
        "''|false", "identity|false", "gzip;q=0|false", "gzip; q=0.0, deflate|false", "br|false", "gzip;q=oops|false"})
    void gzipWhenTheScraperAcceptsIt(String acceptEncoding, boolean gzip) throws IOException {
        FullHttpResponse response = endpoint.handle(get(acceptEncoding, null));

        assertThat(response.headers().get(HttpHeaderNames.CONTENT_ENCODING)).isEqualTo(gzip ? "gzip" : null);
        assertThat(response.headers().get(HttpHeaderNames.VARY)).isEqualToIgnoringCase("accept-encoding");
        assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(
                response.content().readableBytes());
        assertThat(text(response, gzip)).isEqualTo(TEXT);
    }

    @Test
    void openMetricsIsCompressedToo() throws IOException {
        FullHttpResponse response = endpoint.handle(get("gzip", "application/openmetrics-text; version=1.0.0"));

        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(
                RenderedMetrics.OPENMETRICS_CONTENT_TYPE);
        assertThat(text(response, true)).isEqualTo(OPEN_METRICS);
    }

    @Test
    void theCompressedFormIsMadeOncePerRendering() {
        assertThat(rendered.prometheusGzip()).isSameAs(rendered.prometheusGzip());
        assertThat(rendered.prometheusGzip().length).isLessThan(TEXT.length() / 5);
    }

    private static FullHttpRequest get(String acceptEncoding, String accept) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics");
        if (!acceptEncoding.isEmpty()) {
            request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, acceptEncoding);
        }
        if (accept != null) {
            request.headers().set(HttpHeaderNames.ACCEPT, accept);
        }
        return request;
    }

    private static String text(FullHttpResponse response, boolean gzip) throws IOException {
        byte[] body = ByteBufUtil.getBytes(response.content());
        if (!gzip) {
            return new String(body, StandardCharsets.UTF_8);
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
