package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A {@code when} may read only a series that something in the configuration produces; anything else is a typo that
 * would keep the rule unknown for ever. Each row is a configuration's other tables, a condition, and the problem
 * the loader reports (empty: none).
 */
class ProducedSeriesTest {
    private static final String SOURCES = """
            [[source]]
            name = "backend"
            type = "scrape"
            url = "http://127.0.0.1:8080/metrics"
            metrics = ["http_requests_total", "http_request_duration_seconds", "queue_*"]

            [[source]]
            name = "fleet_error_ratio"
            type = "prometheus"
            url = "http://127.0.0.1:9090"
            query = "up"
            """;
    private static final String CHECKS = """
            [[check]]
            name = "api"
            type = "http"
            url = "http://127.0.0.1:8080/"
            extract = { depth = "/queue/depth" }
            """;
    private static final String PROCESS = """
            [[process]]
            name = "backend"
            match = "backend"
            """;

    static Stream<Arguments> rows() {
        return Stream.of(
                arguments("a sampler's series, prefix left out", "", "memory_used_ratio > 90%", ""),
                arguments("a sampler's series as /metrics names it", "", "rollguard_memory_used_ratio > 90%", ""),
                arguments("the agent's own series", "", "deployment_watching == 1 and rule_series{rule=\"r\"} == 0",
                        ""),
                arguments("a scraped name", SOURCES, "rate(http_requests_total, 1m) > 1", ""),
                arguments("a scraped histogram's bucket series", SOURCES,
                        "sum(rate(http_request_duration_seconds_bucket, 1m)) > 1", ""),
                arguments("a name a scrape's glob matches", SOURCES, "queue_depth > 100", ""),
                arguments("a query source's name", SOURCES, "fleet_error_ratio > 5%", ""),
                arguments("a source's own health", SOURCES, "source_up{source=\"backend\"} == 0", ""),
                arguments("a check's series and an extracted field", CHECKS,
                        "check_up == 0 or check_field{field=\"depth\"} > 10", ""),
                arguments("a watched process", PROCESS, "process_up == 0", ""),
                arguments("the host's process count needs no [[process]]", "", "processes > 1000", ""),
                arguments("a typo", "", "memory_usd_ratio > 0.5", "rollguard.toml:4:9: rule \"r\".when: nothing in "
                        + "the configuration writes a series named memory_usd_ratio (did you mean memory_used_ratio?)"),
                arguments("a typo of a scraped name", SOURCES, "rate(http_request_total, 1m) > 1",
                        "rollguard.toml:4:14: rule \"r\".when: nothing in the configuration writes a series named "
                                + "http_request_total (did you mean http_requests_total?)"),
                arguments("a name the scrape does not keep", SOURCES, "jobs_failed_total > 1",
                        "rollguard.toml:4:9: rule \"r\".when: nothing in the configuration writes a series named "
                                + "jobs_failed_total; the names a scrape reads are those its metrics name"),
                arguments("a source's health without a source", "", "source_up == 0", "rollguard.toml:4:9: rule "
                        + "\"r\".when: nothing writes source_up: it is written for each [[source]], and none is "
                        + "defined"),
                arguments("a disabled sampler", "[sample.memory]\nenabled = false\n", "memory_used_ratio > 90%",
                        "rollguard.toml:4:9: rule \"r\".when: nothing writes memory_used_ratio: [sample.memory] has "
                                + "enabled = false"),
                arguments("absent() of a typo would always hold", PROCESS, "absent(proces_up)",
                        "rollguard.toml:4:16: rule \"r\".when: nothing in the configuration writes a series named "
                                + "proces_up (did you mean process_up?)"),
                arguments("a check that did not load is reported, not the series it would write", "[[check]]\nname = "
                        + "\"api\"\ntype = \"htp\"\n", "check_up == 0",
                        "rollguard.toml:8:1: check \"api\".type: unknown check type \"htp\" (did you mean \"http\"?); "
                                + "known types: http, tcp, command, path, disk, host, process, tls, port, shm, log, "
                                + "systemd"),
                arguments("a name written twice is reported once", "", "memry_used_ratio > 0.9 and "
                        + "memry_used_ratio < 1", "rollguard.toml:4:9: rule \"r\".when: nothing in the configuration "
                        + "writes a series named memry_used_ratio (did you mean memory_used_ratio?)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void ruleConditionsReadOnlyProducedSeries(String name, String tables, String when, String problem) {
        // The rule first, so that its line is the same in every row whatever the other tables hold.
        String text = "[[rule]]\nname = \"r\"\nfor = \"1m\"\nwhen = '" + when + "'\n\n" + tables;
        assertThat(problems(text)).isEqualTo(problem);
    }

    private static String problems(String text) {
        try {
            ConfigLoader.parse(new ConfigSource("rollguard.toml", text, Path.of("/etc/rollguard")), null, null);
            return "";
        } catch (ConfigException e) {
            List<ConfigProblem> problems = e.problems();
            return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
        }
    }
}
