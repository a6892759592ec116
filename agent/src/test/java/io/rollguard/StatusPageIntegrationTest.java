package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /} from the real agent over real HTTP, with checks, rules, history and a deployment behind it. */
class StatusPageIntegrationTest {
    @TempDir
    static Path dir;
    private static StatusPageAgent agent;

    @BeforeAll
    static void start() throws Exception {
        agent = StatusPageAgent.start(dir, 3);
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void servesTheStatusPageAsHtmlUnderAStrictPolicy() throws Exception {
        HttpResponse<String> response = agent.send("GET", "/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
        assertThat(response.headers().firstValue("content-security-policy"))
                .hasValue("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
        assertThat(response.body()).startsWith("<!DOCTYPE html>")
                .contains("<meta http-equiv=\"refresh\" content=\"5\">", "rollguard " + Version.current());
    }

    @Test
    void showsEachCheckRuleTheDeploymentItsBaselinesAndTheEvents() throws Exception {
        String page = agent.send("GET", "/").body();

        assertThat(page).contains("<span class=\"pill up\">UP</span></td><td><b title=\"groups: ready\">api</b>",
                "<span class=\"pill down\">DOWN</span></td><td><b>payments</b>", "<b>api-port</b>");
        assertThat(page).contains("memory-pressure <span class=\"pill inactive\">inactive</span>",
                "payments-down <span class=\"pill pending\">pending</span>", "<b>0 == 0</b>",
                "<code>memory_used_ratio &gt; 95%</code>");
        // Sparklines of the series the rules read, from the history the agent keeps for the page: even a rule
        // without a windowed function (memory_used_ratio > 95%) has one, with its threshold line.
        assertThat(page).contains("<figcaption>rollguard_memory_used_ratio · now ",
                "<figcaption>rollguard_check_up{check=&quot;payments&quot;} · now 0 · last ", "<line x1=\"0\"")
                .containsPattern("<polyline points=\"\\d+,\\d+( \\d+,\\d+)+\"/>");
        assertThat(page).contains("<b>v2.4.1</b> <span class=\"pill watching\">watching</span>",
                "<code>check_duration_seconds{check=&quot;api&quot;}</code>");
        assertThat(page).contains("<b>deployment_started</b>", "<b>rule_pending</b>");
        // The host's figures come from the samplers.
        assertThat(page).containsPattern("<dt>CPU</dt><dd>\\d+\\.\\d%</dd>")
                .containsPattern("<dt>Memory</dt><dd>\\d+\\.\\d%</dd>");
    }

    @Test
    void aCheckMessageWithMarkupRendersAsText() throws Exception {
        String page = agent.send("GET", "/").body();

        assertThat(page).doesNotContain(StatusPageAgent.HOSTILE).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    @Test
    void headAnswersTheHeadersWithoutTheBody() throws Exception {
        HttpResponse<String> response = agent.send("HEAD", "/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void otherMethodsAreNotAllowed() throws Exception {
        HttpResponse<String> response = agent.send("POST", "/");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET, HEAD");
    }
}
