package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code [[source]]}: where the agent reads series it does not measure itself, an application's own
 * {@code /metrics} ({@link Scrape}) or a Prometheus server's answer to a query ({@link Query}).
 *
 * @param interval how often it is read
 * @param timeout a read that takes longer fails, and counts as an error
 * @param maxSeries a read that would store more series than this fails instead
 * @param bearerTokenFile a file holding the token sent as {@code Authorization: Bearer}, read at every request; null
 *     for none
 */
public record SourceConfig(String name, Duration interval, Duration timeout, int maxSeries, Path bearerTokenFile,
        Spec spec) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_SERIES = 1000;

    public SourceConfig {
        requireNonNull(name, "name");
        requireNonNull(interval, "interval");
        requireNonNull(timeout, "timeout");
        requireNonNull(spec, "spec");
    }

    public String type() {
        return spec instanceof Scrape ? "scrape" : "prometheus";
    }

    /** What a source reads. */
    public sealed interface Spec permits Scrape, Query {}

    /**
     * An application's Prometheus text exposition at {@code url}; only the series whose name, or whose histogram's
     * or summary's family name, matches one of {@code metrics} (globs, {@link #matcher}) are kept.
     */
    public record Scrape(URI url, List<String> metrics) implements Spec {
        public Scrape {
            requireNonNull(url, "url");
            metrics = List.copyOf(metrics);
        }

        /** One regular expression matching exactly the names the globs match. */
        public Pattern matcher() {
            StringBuilder regex = new StringBuilder();
            for (String glob : metrics) {
                if (regex.length() > 0) {
                    regex.append('|');
                }
                for (char c : glob.toCharArray()) {
                    regex.append(c == '*' ? "[a-zA-Z0-9_:]*"
                            : c == '?' ? "[a-zA-Z0-9_:]" : Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(regex.toString());
        }
    }

    /** A PromQL instant query {@code query} against the Prometheus server at {@code url} (its base URL). */
    public record Query(URI url, String query) implements Spec {
        public Query {
            requireNonNull(url, "url");
            requireNonNull(query, "query");
        }
    }
}
