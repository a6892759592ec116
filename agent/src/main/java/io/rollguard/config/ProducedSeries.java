package io.rollguard.config;

import io.rollguard.common.Suggestions;
import io.rollguard.config.check.HttpCheckSpec;
import io.rollguard.config.process.ProcessSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The series names one configuration can produce: its enabled samplers', its checks', processes' and sources', and
 * the agent's own ({@link MetricCatalogue}). A {@code when} that reads any other name is a typo that would keep its
 * rule {@code unknown} for ever, so the loader rejects it. Names resolve as the store resolves them: as written, or
 * with the {@code rollguard_} prefix added when it was left out.
 */
final class ProducedSeries {
    private static final String PREFIX = "rollguard_";
    // The samples a scrape keeps for a family its metrics name: a histogram's, a summary's, a counter's series.
    private static final List<String> FAMILY_SUFFIXES =
            List.of("_bucket", "_sum", "_count", "_gsum", "_gcount", "_total", "_created");

    /** Accepts every name: for a configuration some of whose producers did not load, and are reported already. */
    static final ProducedSeries ANY = new ProducedSeries();

    private final boolean judges;
    private final Set<String> produced = new LinkedHashSet<>();
    // A name the catalogue knows but this configuration does not produce, and why not.
    private final Map<String, String> unavailable = new HashMap<>();
    private final List<Pattern> scraped = new ArrayList<>();
    // Plain names a source provides (a scrape's metrics without wildcards, a query's name): for "did you mean".
    private final Set<String> sourceNames = new LinkedHashSet<>();

    private ProducedSeries() {
        judges = false;
    }

    ProducedSeries(Map<String, SamplerSettings> samplers, List<ProcessSettings> processes, List<CheckConfig> checks,
            List<SourceConfig> sources) {
        judges = true;
        for (Map.Entry<String, List<String>> sampler : MetricCatalogue.SAMPLERS.entrySet()) {
            SamplerSettings settings = samplers.getOrDefault(sampler.getKey(), SamplerSettings.DEFAULT);
            for (String name : sampler.getValue()) {
                if (!settings.enabled()) {
                    unavailable.put(name, "[sample." + sampler.getKey() + "] has enabled = false");
                } else if (processes.isEmpty() && MetricCatalogue.WATCHED_PROCESSES.contains(name)) {
                    unavailable.put(name, "it is written for each [[process]], and none is defined");
                } else {
                    produced.add(name);
                }
            }
        }
        addIf(!checks.isEmpty(), MetricCatalogue.CHECKS, "it is written for each [[check]], and none is defined");
        boolean extracts = checks.stream().anyMatch(check -> check.spec() instanceof HttpCheckSpec http
                && !http.extract().isEmpty());
        addIf(extracts, List.of(MetricCatalogue.CHECK_FIELD),
                "it is written for the fields an http check's extract names, and no check has extract");
        addIf(!sources.isEmpty(), MetricCatalogue.SOURCES, "it is written for each [[source]], and none is defined");
        produced.addAll(MetricCatalogue.AGENT);
        for (SourceConfig source : sources) {
            if (source.spec() instanceof SourceConfig.Scrape scrape) {
                scraped.add(scrape.matcher());
                scrape.metrics().stream().filter(glob -> glob.indexOf('*') < 0 && glob.indexOf('?') < 0)
                        .forEach(sourceNames::add);
            } else {
                // A query's result is stored under the source's own name.
                sourceNames.add(source.name());
            }
        }
    }

    private void addIf(boolean present, List<String> names, String whyNot) {
        for (String name : names) {
            if (present) {
                produced.add(name);
            } else {
                unavailable.put(name, whyNot);
            }
        }
    }

    /** Why no series named {@code name} (as a rule writes it) can exist; null when one can. */
    String problem(String name) {
        String prefixed = name.startsWith(PREFIX) ? null : PREFIX + name;
        if (!judges || produces(name) || (prefixed != null && produces(prefixed))) {
            return null;
        }
        String whyNot = unavailable.getOrDefault(name, prefixed == null ? null : unavailable.get(prefixed));
        if (whyNot != null) {
            return "nothing writes " + name + ": " + whyNot;
        }
        StringBuilder message = new StringBuilder("nothing in the configuration writes a series named " + name);
        String suggestion = Suggestions.closest(name, candidates(prefixed == null)).orElse(null);
        if (suggestion != null) {
            message.append(" (did you mean ").append(suggestion).append("?)");
        } else if (scraped.isEmpty()) {
            message.append("; an application's own series need a [[source]] whose metrics name it");
        } else {
            message.append("; the names a scrape reads are those its metrics name");
        }
        return message.toString();
    }

    private boolean produces(String name) {
        if (produced.contains(name) || sourceNames.contains(name)) {
            return true;
        }
        for (Pattern pattern : scraped) {
            if (pattern.matcher(name).matches()) {
                return true;
            }
            for (String suffix : FAMILY_SUFFIXES) {
                if (name.endsWith(suffix) && name.length() > suffix.length()
                        && pattern.matcher(name.substring(0, name.length() - suffix.length())).matches()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The names a rule could have meant, written as it writes them: with the prefix, or without. */
    private Set<String> candidates(boolean withPrefix) {
        Set<String> candidates = new LinkedHashSet<>(sourceNames);
        for (String name : produced) {
            candidates.add(withPrefix ? name : name.substring(PREFIX.length()));
        }
        return candidates;
    }
}
