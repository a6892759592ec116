package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet assets in {@code config/prometheus} and {@code config/grafana} work and cannot drift from the agent:
 * promtool accepts the configuration and the rules and passes the rules' own tests (the "20% of hosts" alert among
 * them), every dashboard query is valid PromQL, and every rollguard metric either of them reads is one the README's
 * metrics table documents (which {@link ReadmeTest} pins to what is exported). Without promtool on the PATH the
 * promtool tests are skipped, and say so; {@code .ci/run} installs it.
 */
class PrometheusAssetsTest {
    private static final Path PROMETHEUS = Path.of("../config/prometheus");
    private static final Path DASHBOARD = Path.of("../config/grafana/rollguard.json");
    private static final Pattern METRIC = Pattern.compile("\\brollguard_[a-z0-9_]+");
    /**
     * Metrics that another branch adds, allowed here before they reach the README's table: the rules file alerts on
     * a failed reload already. Remove a name once the README documents it.
     */
    private static final Set<String> ARRIVING = Set.of("rollguard_config_last_reload_successful");

    @TempDir
    Path dir;

    @Test
    void promtoolAcceptsTheConfigurationAndTheRulesAndTheRulesPassTheirTests() throws Exception {
        Path promtool = promtool();

        assertThat(run(promtool, "check", "config", "scrape.yml")).contains("SUCCESS: 1 rule files found",
                "SUCCESS: scrape.yml is valid prometheus config file syntax");
        assertThat(run(promtool, "check", "rules", "rollguard.rules.yml")).contains("SUCCESS: 12 rules found");
        assertThat(run(promtool, "test", "rules", "rollguard.rules.test.yml")).contains("SUCCESS");
    }

    /** No shipped alert without a promtool case that makes it fire: a typo in one would otherwise page never. */
    @Test
    void everyShippedAlertHasAPromtoolTestThatFiresIt() throws IOException {
        java.util.regex.Matcher alerts = Pattern.compile("- alert: (\\w+)")
                .matcher(Files.readString(PROMETHEUS.resolve("rollguard.rules.yml")));
        Set<String> names = new java.util.TreeSet<>();
        while (alerts.find()) {
            names.add(alerts.group(1));
        }
        String tests = Files.readString(PROMETHEUS.resolve("rollguard.rules.test.yml"));

        assertThat(names).hasSize(12);
        for (String name : names) {
            assertThat(tests).as("a promtool case in which %s fires", name).containsPattern(
                    "alertname: " + name + "\\n\\s+exp_alerts:\\n\\s+- exp_labels:");
        }
    }

    /**
     * The Deployments panel's query over a host whose deployment went from watching to healthy and then ended
     * ({@code deploy finish}: its series gone): it still shows that deployment, in the state last seen, with when.
     */
    @Test
    void theDeploymentsPanelShowsTheLastDeploymentAfterItEnded() throws Exception {
        Path promtool = promtool();
        String query = dashboardExpressions().stream().filter(e -> e.contains("rollguard_deployment_info"))
                .findFirst().orElseThrow().replace("$job", ".*").replace("$instance", ".*");
        Files.writeString(dir.resolve("deployments.test.yml"), """
                rule_files: []
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'rollguard_deployment_info{job="rollguard", instance="a", id="d1", version="v1", state="watching"}'
                        values: "1x4"
                      - series: 'rollguard_deployment_info{job="rollguard", instance="a", id="d1", version="v1", state="healthy"}'
                        values: "_x5 1x2"
                    promql_expr_test:
                      - expr: '%s'
                        eval_time: 30m
                        exp_samples:
                          - labels: '{job="rollguard", instance="a", id="d1", version="v1", state="healthy"}'
                            value: 420000
                """.formatted(query.replace("'", "''")));

        assertThat(run(dir, promtool, "test", "rules", "deployments.test.yml")).contains("SUCCESS");
    }

    @Test
    void everyDashboardQueryIsValidPromQl() throws Exception {
        Path promtool = promtool();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        List<String> expressions = dashboardExpressions();
        for (int i = 0; i < expressions.size(); i++) {
            // Grafana's variables replaced by what they expand to, so that promtool can parse the query.
            String promql = expressions.get(i).replace("$__rate_interval", "1m").replace("$job", ".*")
                    .replace("$instance", ".*");
            rules.append("      - record: dashboard:query").append(i).append("\n        expr: '")
                    .append(promql.replace("'", "''")).append("'\n");
        }
        Files.writeString(dir.resolve("dashboard.rules.yml"), rules.toString());

        assertThat(expressions).hasSizeGreaterThan(15);
        assertThat(run(dir, promtool, "check", "rules", "dashboard.rules.yml"))
                .contains("SUCCESS: " + expressions.size() + " rules found");
    }

    @Test
    void everyMetricTheRulesReadIsDocumented() throws IOException {
        Set<String> used = new TreeSet<>();
        ruleExpressions(Files.readAllLines(PROMETHEUS.resolve("rollguard.rules.yml")))
                .forEach(expression -> used.addAll(metrics(expression)));

        assertThat(used).contains("rollguard_rule_state", "rollguard_rollbacks_total", "rollguard_check_up",
                "rollguard_sampler_success", "rollguard_journal_errors_total",
                "rollguard_config_last_reload_successful");
        used.removeAll(ARRIVING);
        assertThat(documented()).containsAll(used);
    }

    @Test
    void everyMetricTheDashboardQueriesIsDocumentedAndItCoversTheFleet() throws IOException {
        Map<String, Object> dashboard = JSON.std.mapFrom(Files.readString(DASHBOARD));
        Set<String> used = new TreeSet<>();
        dashboardExpressions().forEach(expression -> used.addAll(metrics(expression)));

        assertThat(((Number) dashboard.get("schemaVersion")).intValue()).isBetween(36, 41);
        assertThat(dashboard.toString()).contains("type=datasource", "query=prometheus");
        assertThat(used).contains("rollguard_cpu_usage_ratio", "rollguard_memory_used_ratio",
                "rollguard_filesystem_used_ratio", "rollguard_check_up", "rollguard_rule_state",
                "rollguard_rollbacks_total", "rollguard_deployment_info", "rollguard_deployment_watching");
        assertThat(dashboardExpressions()).anyMatch(e -> e.startsWith("scrape_duration_seconds"));
        assertThat(documented()).containsAll(used);
    }

    @Test
    void alertmanagerSendsTheAlertsThatNameARuleToTheAgentsWebhookWithResolutions() throws IOException {
        String alertmanager = Files.readString(PROMETHEUS.resolve("alertmanager.yml"));
        String rules = Files.readString(PROMETHEUS.resolve("rollguard.rules.yml"));

        assertThat(alertmanager).contains("rollguard_rule =~ \".+\"", ":9730/api/v1/alertmanager\"",
                "send_resolved: true", "type: Bearer", "credentials_file:");
        assertThat(rules).contains("alert: FleetErrorRate", "rollguard_rule: fleet-rollback", ">= 0.2");
    }

    @Test
    void amtoolAcceptsTheAlertmanagerConfiguration() throws Exception {
        Path amtool = onPath("amtool", "prometheus-alertmanager");

        assertThat(run(amtool, "check-config", "alertmanager.yml")).contains("SUCCESS", "2 receivers");
    }

    /** Every {@code expr:} of a rules file, one line or a block ({@code expr: |}); labels are not metrics. */
    private static List<String> ruleExpressions(List<String> lines) {
        List<String> expressions = new ArrayList<>();
        Pattern expr = Pattern.compile("^(\\s*)expr:\\s*(.*)$");
        for (int i = 0; i < lines.size(); i++) {
            Matcher matcher = expr.matcher(lines.get(i));
            if (!matcher.matches()) {
                continue;
            }
            if (!matcher.group(2).equals("|")) {
                expressions.add(matcher.group(2));
                continue;
            }
            StringBuilder block = new StringBuilder();
            int indent = matcher.group(1).length();
            while (i + 1 < lines.size() && lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent) {
                block.append(lines.get(++i).strip()).append('\n');
            }
            expressions.add(block.toString());
        }
        assertThat(expressions).as("expressions of the rules file").hasSize(12);
        return expressions;
    }

    /** Every {@code expr} of the dashboard's panels, rows' panels and annotations. */
    @SuppressWarnings("unchecked")
    private static List<String> dashboardExpressions() throws IOException {
        Map<String, Object> dashboard = JSON.std.mapFrom(Files.readString(DASHBOARD));
        List<String> expressions = new ArrayList<>();
        collect(dashboard.get("panels"), expressions);
        collect(((Map<String, Object>) dashboard.get("annotations")).get("list"), expressions);
        return expressions;
    }

    private static void collect(Object node, List<String> into) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if ("expr".equals(key) && value instanceof String expression) {
                    into.add(expression);
                } else {
                    collect(value, into);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collect(item, into));
        }
    }

    private static Set<String> metrics(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    /** The families of the README's metrics table. */
    private static Set<String> documented() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        return metrics(readme.substring(readme.indexOf("## Metrics"), readme.indexOf("## Logs")));
    }

    private static Path promtool() {
        return onPath("promtool", "prometheus");
    }

    private static Path onPath(String tool, String debianPackage) {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty()).map(entry -> Path.of(entry, tool))
                .filter(Files::isExecutable).findFirst();
        assumeTrue(found.isPresent(), tool + " is not on the PATH: the Prometheus assets are not checked by it "
                + "(install the " + debianPackage + " package, or run .ci/run, which does)");
        return found.get();
    }

    private static String run(Path promtool, String... arguments) throws Exception {
        return run(PROMETHEUS, promtool, arguments);
    }

    private static String run(Path directory, Path promtool, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", promtool.getFileName()).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("%s %s said:%n%s", promtool.getFileName(), String.join(" ", arguments), text).isZero();
        return text;
    }
}
