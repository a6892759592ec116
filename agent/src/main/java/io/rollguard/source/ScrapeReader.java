package io.rollguard.source;

import io.rollguard.config.SourceConfig;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads an application's own Prometheus endpoint: the series the allow-list names, under their own names and labels
 * plus {@code source="NAME"} (an application's own {@code source} label becomes {@code exported_source}, as
 * Prometheus renames a clashing target label). Names starting with {@code rollguard_} are never kept: those are
 * the agent's own families.
 */
final class ScrapeReader implements SourceReader {
    static final String ACCEPT = "text/plain;version=0.0.4;q=1.0,*/*;q=0.1";
    private static final String OWN_PREFIX = "rollguard_";

    private final SourceConfig config;
    private final SourceConfig.Scrape spec;
    private final Pattern allowed;
    private final HttpFetch http;

    ScrapeReader(SourceConfig config, HttpFetch http) {
        this.config = config;
        this.spec = (SourceConfig.Scrape) config.spec();
        this.allowed = spec.matcher();
        this.http = http;
    }

    @Override
    public void read(SeriesWriter out) throws Exception {
        HttpFetch.Answer answer = http.get(spec.url(), ACCEPT, config.bearerTokenFile(), config.timeout());
        if (answer.status() != 200) {
            throw new ExpositionException("HTTP " + answer.status() + " from " + spec.url());
        }
        String type = answer.contentType().toLowerCase(java.util.Locale.ROOT);
        if (!type.isEmpty() && !type.startsWith("text/plain") && !type.startsWith("application/openmetrics-text")) {
            throw new ExpositionException("expected the Prometheus text format (text/plain), got Content-Type "
                    + answer.contentType());
        }
        List<ExpositionParser.Sample> samples = ExpositionParser.parse(answer.body(),
                name -> !name.startsWith(OWN_PREFIX) && allowed.matcher(name).matches());
        if (samples.size() > config.maxSeries()) {
            throw new ExpositionException(samples.size() + " series match metrics = " + spec.metrics()
                    + ", more than max_series = " + config.maxSeries());
        }
        Map<String, MetricFamily> families = new HashMap<>();
        for (ExpositionParser.Sample sample : samples) {
            MetricFamily family = families.computeIfAbsent(sample.name(),
                    name -> MetricFamily.gauge(name, "Read from source " + config.name() + "."));
            out.put(family, labels(sample.labels()), sample.value());
        }
    }

    private LabelSet labels(Map<String, String> own) {
        Map<String, String> labels = new LinkedHashMap<>(own);
        String clashing = labels.remove("source");
        if (clashing != null) {
            labels.put("exported_source", clashing);
        }
        labels.put("source", config.name());
        return LabelSet.of(labels);
    }
}
