package io.rollguard.source;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.config.SourceConfig;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Asks a Prometheus server's {@code /api/v1/query} for an instant vector or a scalar, and stores it as the series
 * named by the source: {@code name = "fleet_error_ratio"} gives {@code fleet_error_ratio{<the result's labels>}}
 * (without {@code __name__}); a scalar gives one series without labels.
 */
final class QueryReader implements SourceReader {
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final SourceConfig config;
    private final URI uri;
    private final MetricFamily family;
    private final HttpFetch http;

    QueryReader(SourceConfig config, HttpFetch http) {
        this.config = config;
        SourceConfig.Query spec = (SourceConfig.Query) config.spec();
        String base = spec.url().toString().replaceAll("/+$", "");
        this.uri = URI.create(base + "/api/v1/query?query=" + URLEncoder.encode(spec.query(), StandardCharsets.UTF_8));
        this.family = MetricFamily.gauge(config.name(), "Query of source " + config.name() + ".");
        this.http = http;
    }

    @Override
    public void read(SeriesWriter out) throws Exception {
        HttpFetch.Answer answer = http.get(uri, "application/json", config.bearerTokenFile(), config.timeout());
        Map<String, Object> json;
        try {
            json = JSON.std.mapFrom(answer.body());
        } catch (IOException | RuntimeException e) {
            throw new ExpositionException(answer.status() == 200 ? "not a Prometheus API answer (not JSON)"
                    : "HTTP " + answer.status() + " from " + uri.getHost());
        }
        if (json == null) {
            throw new ExpositionException("not a Prometheus API answer (empty)");
        }
        if (!"success".equals(json.get("status"))) {
            throw new ExpositionException("Prometheus answered " + (answer.status() == 200 ? "" : "HTTP "
                    + answer.status() + " ") + json.get("errorType") + ": " + json.get("error"));
        }
        if (!(json.get("data") instanceof Map<?, ?> data)) {
            throw new ExpositionException("not a Prometheus API answer (no data)");
        }
        Object resultType = data.get("resultType");
        Object result = data.get("result");
        if ("scalar".equals(resultType)) {
            out.put(family, LabelSet.EMPTY, number(result));
        } else if ("vector".equals(resultType)) {
            if (!(result instanceof List<?> elements)) {
                throw new ExpositionException("not a Prometheus API answer (a vector without a result list)");
            }
            if (elements.size() > config.maxSeries()) {
                throw new ExpositionException("the query gave " + elements.size() + " series, more than max_series = "
                        + config.maxSeries());
            }
            for (Object element : elements) {
                if (!(element instanceof Map<?, ?> sample)) {
                    throw new ExpositionException("not a Prometheus API answer (a vector element is not an object)");
                }
                out.put(family, labels(sample.get("metric")), number(sample.get("value")));
            }
        } else {
            throw new ExpositionException("the query gave a " + resultType + ", expected a vector or a scalar "
                    + "(an instant query, without a range such as [5m])");
        }
    }

    private static LabelSet labels(Object metric) throws ExpositionException {
        if (metric == null) {
            return LabelSet.EMPTY;
        }
        if (!(metric instanceof Map<?, ?> map)) {
            throw new ExpositionException("not a Prometheus API answer (metric is not an object)");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = String.valueOf(entry.getKey());
            if (name.startsWith("__")) {
                continue; // __name__: the series is named by the source
            }
            if (!LABEL.matcher(name).matches()) {
                throw new ExpositionException("not a label name: " + name);
            }
            labels.put(name, String.valueOf(entry.getValue()));
        }
        return LabelSet.of(labels);
    }

    /** A sample {@code [unix_time, "value"]}; the writer leaves NaN out and keeps the infinities, as values. */
    private static double number(Object sample) throws ExpositionException {
        if (sample instanceof List<?> pair && pair.size() == 2 && pair.get(1) instanceof String text) {
            switch (text) {
                case "NaN":
                    return Double.NaN;
                case "+Inf":
                    return Double.POSITIVE_INFINITY;
                case "-Inf":
                    return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        break;
                    }
            }
        }
        throw new ExpositionException("not a Prometheus API answer (a value is not [time, \"number\"])");
    }
}
