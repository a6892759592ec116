package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README documents what the agent really exports: a family added or renamed without the README fails here. */
class ReadmeTest {
    private static final Path README = Path.of("../README.md");
    private static final Pattern FAMILY = Pattern.compile("rollguard_[a-z0-9_]+");

    @Test
    void everyExportedFamilyIsDocumentedAndNoDocumentedFamilyIsMadeUp() throws IOException {
        Set<String> exported = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/golden/host-families.txt"))) {
            exported.add(line.split(" ")[1]);
        }
        exported.addAll(List.of("rollguard_build_info", "rollguard_sampler_success",
                "rollguard_sampler_duration_seconds", "rollguard_sampler_errors_total", "rollguard_check_up",
                "rollguard_check_value", "rollguard_check_duration_seconds", "rollguard_check_failures_total",
                "rollguard_check_field", "rollguard_rule_state", "rollguard_rule_value",
                "rollguard_rule_firing_since_seconds", "rollguard_rule_evaluation_failures_total",
                "rollguard_actions_total", "rollguard_action_duration_seconds", "rollguard_rolled_back",
                "rollguard_rollback_verified", "rollguard_journal_errors_total", "rollguard_rollbacks_total",
                "rollguard_deployment_info", "rollguard_deployment_watching",
                "rollguard_deployment_started_timestamp_seconds", "rollguard_http_connections",
                "rollguard_http_connections_refused_total", "rollguard_source_up", "rollguard_source_duration_seconds",
                "rollguard_source_errors_total", "rollguard_source_series", "rollguard_config_last_reload_successful",
                "rollguard_config_last_reload_success_timestamp_seconds", "rollguard_tick_seconds",
                "rollguard_action_seconds"));
        String readme = Files.readString(README);
        Set<String> documented = new TreeSet<>();
        Matcher matcher = FAMILY.matcher(readme.substring(readme.indexOf("## Metrics"), readme.indexOf("## Logs")));
        while (matcher.find()) {
            documented.add(matcher.group());
        }

        assertThat(documented).containsAll(exported);
        assertThat(exported).containsAll(documented);
    }
}
