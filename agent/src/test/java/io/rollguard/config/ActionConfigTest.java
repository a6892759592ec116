package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.action.ExecActionConfig;
import io.rollguard.config.action.WebhookActionConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code [action.NAME]} tables that load; the ones that do not are pinned by testdata/*.bad.toml. */
class ActionConfigTest {
    private static Config parse(String text) throws ConfigException {
        return ConfigLoader.parse(new ConfigSource("rollguard.toml", text, Path.of("/etc/rollguard")));
    }

    @Test
    void readsEveryKeyOfBothTypesInFileOrder() throws ConfigException {
        Config config = parse("""
                [agent]
                dry_run = true

                [[check]]
                name = "api"
                type = "tcp"
                port = 8080

                [action.rollback]
                type = "exec"
                run = ["/opt/app/rollback.sh", "--to", "previous"]
                timeout = "5m"
                cwd = "app"
                env = { APP_ENV = "production", LEVEL = "" }
                dry_run = true
                rollback = true
                max_per_hour = 1
                verify = ["api"]
                verify_within = "3m"
                on_failure = "page"

                [action.page]
                type = "webhook"
                url = "https://hooks.example.org/T000/B000/XXXX"
                timeout = "5s"
                headers = { Authorization = "Bearer s3cret", "X-Source" = "rollguard" }
                retries = 5
                repeat_interval = "4h"
                dry_run = false
                rollback = false
                """);

        Map<String, String> env = new LinkedHashMap<>();
        env.put("APP_ENV", "production");
        env.put("LEVEL", "");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer s3cret");
        headers.put("X-Source", "rollguard");
        assertThat(config.agent().dryRun()).isTrue();
        assertThat(config.actions().keySet()).containsExactly("rollback", "page");
        assertThat(config.actions().get("rollback")).isEqualTo(new ExecActionConfig("rollback",
                List.of("/opt/app/rollback.sh", "--to", "previous"), Duration.ofMinutes(5), Path.of("/etc/rollguard/app"),
                env, true, true, 1, List.of("api"), Duration.ofMinutes(3), "page"));
        assertThat(config.actions().get("page")).isEqualTo(new WebhookActionConfig("page",
                URI.create("https://hooks.example.org/T000/B000/XXXX"), Duration.ofSeconds(5), headers, 5,
                Duration.ofHours(4), false));
    }

    @Test
    void anExecActionNeedsOnlyRunAndATypelessTableIsExec() throws ConfigException {
        Config config = parse("""
                [action.restart]
                run = ["systemctl", "restart", "backend"]
                """);

        assertThat(config.agent().dryRun()).isFalse();
        assertThat(config.actions()).containsExactly(Map.entry("restart",
                ExecActionConfig.of("restart", List.of("systemctl", "restart", "backend"))));
        ExecActionConfig restart = (ExecActionConfig) config.actions().get("restart");
        assertThat(restart.cwd()).isEqualTo(Path.of("/"));
        assertThat(restart.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(restart.maxPerHour()).isEqualTo(3);
        assertThat(restart.verifyWithin()).isEqualTo(Duration.ofMinutes(2));
        assertThat(restart.onFailure()).isNull();
        assertThat(restart.rollback()).isFalse();
    }

    @Test
    void aWebhookNeedsOnlyItsUrl() throws ConfigException {
        Config config = parse("""
                [action.notify]
                type = "webhook"
                url = "http://127.0.0.1:9093/hook"
                """);

        WebhookActionConfig notify = (WebhookActionConfig) config.actions().get("notify");
        assertThat(notify).isEqualTo(WebhookActionConfig.of("notify", URI.create("http://127.0.0.1:9093/hook")));
        assertThat(notify.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(notify.retries()).isEqualTo(3);
        assertThat(notify.repeatInterval()).isNull();
        assertThat(notify.rollback()).isFalse();
    }

    @Test
    void onFailureMayNameAnActionDefinedFurtherDown() throws ConfigException {
        Config config = parse("""
                [action.rollback]
                run = ["/opt/app/rollback.sh"]
                rollback = true
                on_failure = "page"

                [action.page]
                type = "webhook"
                url = "https://pager.example.org/"
                """);

        assertThat(((ExecActionConfig) config.actions().get("rollback")).onFailure()).isEqualTo("page");
    }

    @Test
    void noActionsIsAnEmptyMap() throws ConfigException {
        assertThat(parse("").actions()).isEmpty();
    }

    @Test
    void aLoggedConfigurationShowsNoSecrets() {
        ActionConfig webhook = new WebhookActionConfig("page", URI.create("https://user:pw@hooks.example.org:8443/T0/XXXX"),
                Duration.ofSeconds(5), Map.of("Authorization", "Bearer s3cret"), 3, null, false);
        ActionConfig exec = new ExecActionConfig("rollback", List.of("/opt/rollback.sh"), Duration.ofMinutes(2),
                Path.of("/"), Map.of("API_TOKEN", "s3cret"), false, true, 3, List.of(), Duration.ofMinutes(2), null);

        assertThat(webhook.toString()).contains("https://hooks.example.org:8443/...", "[Authorization]")
                .doesNotContain("s3cret", "XXXX", "pw");
        assertThat(exec.toString()).contains("[API_TOKEN]").doesNotContain("s3cret");
    }
}
