package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceConfigTest {
    private static Config parse(String toml) throws ConfigException {
        return ConfigLoader.parse(new ConfigSource("sources.toml", toml, Path.of("/etc/rollguard")));
    }

    @Test
    void readsBothTypesWithEveryKeyAndTheDefaults() throws ConfigException {
        Config config = parse("""
                [[source]]
                name = "backend"
                type = "scrape"
                url = "http://127.0.0.1:8080/metrics"
                metrics = ["http_requests_total", "http_request_duration_seconds"]

                [[source]]
                name = "fleet_error_ratio"
                type = "prometheus"
                url = "https://prometheus.internal:9090/"
                query = 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'
                interval = "30s"
                timeout = "10s"
                max_series = 10
                bearer_token_file = "prometheus.token"
                """);

        assertThat(config.sources()).hasSize(2);
        SourceConfig scrape = config.sources().get(0);
        assertThat(scrape).isEqualTo(new SourceConfig("backend", Duration.ofSeconds(15), Duration.ofSeconds(5), 1000,
                null, new SourceConfig.Scrape(URI.create("http://127.0.0.1:8080/metrics"),
                        List.of("http_requests_total", "http_request_duration_seconds"))));
        assertThat(scrape.type()).isEqualTo("scrape");
        SourceConfig query = config.sources().get(1);
        assertThat(query.type()).isEqualTo("prometheus");
        assertThat(query.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(query.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(query.maxSeries()).isEqualTo(10);
        assertThat(query.bearerTokenFile()).as("relative to the file's directory")
                .isEqualTo(Path.of("/etc/rollguard/prometheus.token"));
        assertThat(((SourceConfig.Query) query.spec()).query()).startsWith("sum(rate(http_requests_total{status=~");
    }

    @Test
    void aTokenFileOthersCanWriteIsRefusedAtLoad(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("prometheus.token"), "t0ken\n");
        Files.setPosixFilePermissions(token,
                PosixFilePermissions.fromString("rw-rw-rw-"));
        Path file = Files.writeString(dir.resolve("rollguard.toml"), """
                [[source]]
                name = "fleet"
                type = "prometheus"
                url = "http://127.0.0.1:9090"
                query = "up"
                bearer_token_file = "prometheus.token"
                """);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(file));

        assertThat(error.problems()).extracting(ConfigProblem::toString).containsExactly(file
                + ":6:1: source \"fleet\".bearer_token_file: refusing to load token file " + token
                + ": it is writable by its group and others; fix with: chmod go-w " + token);
        assertThat(error.getMessage()).doesNotContain("t0ken");
    }

    @Test
    void noSourcesByDefault() throws ConfigException {
        assertThat(parse("").sources()).isEmpty();
        assertThat(ConfigLoader.loadDefault().sources()).isEmpty();
    }

    @Test
    void metricsAreGlobsOverWholeNames() {
        Pattern matcher = new SourceConfig.Scrape(URI.create("http://a/"), List.of("http_*_total", "up", "job?"))
                .matcher();

        assertThat(List.of("http_requests_total", "http__total", "up", "job1", "jobs"))
                .allMatch(name -> matcher.matcher(name).matches());
        assertThat(List.of("http_requests_total_x", "xup", "upx", "job", "job12", "grpc_requests_total"))
                .noneMatch(name -> matcher.matcher(name).matches());
        assertThat(new SourceConfig.Scrape(URI.create("http://a/"), List.of("a:b*")).matcher().matcher("a:b:c")
                .matches()).as("colons are name characters").isTrue();
    }
}
