package io.rollguard.config;

import io.rollguard.common.Quantities;
import io.rollguard.common.Suggestions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** Reads the {@code [[source]]} tables. */
final class SourceConfigReader {
    private static final List<String> TYPES = List.of("scrape", "prometheus");
    // A source's name is a label value (scrape) or a series name (prometheus): one alphabet that suits both.
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern GLOB = Pattern.compile("[a-zA-Z0-9_:*?]+");
    private static final String OWN_PREFIX = "rollguard_";
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    private static final int MAX_MAX_SERIES = 100_000;

    private final Path base;
    private final Duration tick;
    private final BiPredicate<Path, Consumer<String>> trusted;

    /**
     * @param tick the agent's interval: sources are started on ticks, so none can be read more often
     * @param trusted whether a token file may be used (StrictModes), reporting why not to the consumer
     */
    SourceConfigReader(Path base, Duration tick, BiPredicate<Path, Consumer<String>> trusted) {
        this.base = base;
        this.tick = tick;
        this.trusted = trusted;
    }

    List<SourceConfig> read(List<TableReader> tables) {
        List<SourceConfig> sources = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (TableReader table : tables) {
            String name = table.uniqueName("source", names);
            boolean named = !name.isEmpty();
            if (named && (!NAME.matcher(name).matches() || name.startsWith(OWN_PREFIX))) {
                table.report("name", "expected letters, digits and '_', not starting with a digit or \"rollguard_\" "
                        + "(it names series and labels), got \"" + name + "\"");
                named = false;
            }
            String type = table.requiredString("type");
            Duration interval = table.duration("interval", SourceConfig.DEFAULT_INTERVAL, MIN_INTERVAL, MAX_INTERVAL);
            if (interval.compareTo(tick) < 0) {
                table.report("interval", "must not be shorter than the tick ([agent] interval = \""
                        + Quantities.formatDuration(tick) + "\"), got \"" + Quantities.formatDuration(interval) + "\"");
            }
            Duration timeout = table.duration("timeout", SourceConfig.DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_INTERVAL);
            if (timeout.compareTo(interval) > 0) {
                table.report("timeout", "must not be longer than the interval (\"" + Quantities.formatDuration(interval)
                        + "\"), got \"" + Quantities.formatDuration(timeout) + "\"");
            }
            int maxSeries = (int) table.integer("max_series", SourceConfig.DEFAULT_MAX_SERIES, 1, MAX_MAX_SERIES);
            Path tokenFile = table.path("bearer_token_file", null, base);
            // Judged now, read at every request: a missing file is a failed read then, not a refusal here.
            if (tokenFile != null && !trusted.test(tokenFile, message -> table.report("bearer_token_file", message))) {
                tokenFile = null;
            }
            URI url = table.httpUrl("url");
            SourceConfig.Spec spec;
            if (type.equals("scrape")) {
                spec = scrape(table, url);
            } else if (type.equals("prometheus")) {
                spec = query(table, url);
            } else {
                if (!type.isEmpty()) {
                    StringBuilder message = new StringBuilder("unknown source type \"" + type + "\"");
                    Suggestions.closest(type, TYPES)
                            .ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
                    message.append("; known types: ").append(String.join(", ", TYPES));
                    table.report("type", message.toString());
                }
                continue; // its other keys cannot be judged without a type
            }
            table.rejectUnknownKeys();
            if (named && spec != null) {
                sources.add(new SourceConfig(name, interval, timeout, maxSeries, tokenFile, spec));
            }
        }
        return sources;
    }

    private static SourceConfig.Spec scrape(TableReader table, URI url) {
        List<String> metrics = table.strings("metrics", null);
        boolean valid = true;
        if (metrics == null) {
            if (!table.has("metrics")) {
                table.report("missing required key \"metrics\": the names to keep, such as "
                        + "[\"http_requests_total\", \"http_request_duration_seconds\"]");
            }
            valid = false;
        } else if (metrics.isEmpty()) {
            table.report("metrics", "must name at least one metric");
            valid = false;
        } else {
            for (String glob : metrics) {
                if (!GLOB.matcher(glob).matches()) {
                    table.report("metrics", "expected metric names, '*' and '?' as wildcards, got \"" + glob + "\"");
                    valid = false;
                } else if (glob.startsWith(OWN_PREFIX)) {
                    table.report("metrics", "\"" + glob + "\": names starting with \"rollguard_\" are the agent's "
                            + "own and are never read from a source");
                    valid = false;
                }
            }
        }
        return valid && url != null ? new SourceConfig.Scrape(url, metrics) : null;
    }

    private static SourceConfig.Spec query(TableReader table, URI url) {
        String query = table.requiredString("query");
        if (url != null && url.getPath() != null && url.getPath().contains("/api/v1/")) {
            table.report("url", "expected the server's base URL such as \"http://127.0.0.1:9090\" (the agent adds "
                    + "/api/v1/query), got \"" + url + "\"");
            return null;
        }
        return url == null || query.isBlank() ? null : new SourceConfig.Query(url, query);
    }
}
