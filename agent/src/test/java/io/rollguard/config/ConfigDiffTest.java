package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
    private static final String BASE = """
            [agent]
            interval = "5s"
            [http]
            listen = "127.0.0.1:9730"
            [[check]]
            name = "log"
            type = "log"
            path = "/var/log/app.log"
            pattern = "ERROR.*database"
            [[check]]
            name = "api"
            type = "tcp"
            port = 8080
            [action.page]
            type = "webhook"
            url = "http://127.0.0.1:9/hook"
            [[rule]]
            name = "api-down"
            when = 'check_up{check=~"api|web"} == 0'
            action = "page"
            """;

    @Test
    void theSameFileParsedTwiceChangesNothingThoughItsPatternsAreNewObjects() throws ConfigException {
        Config a = parse(BASE);
        Config b = parse(BASE);

        ConfigDiff diff = ConfigDiff.between(a, a, b);

        assertThat(diff.isEmpty()).isTrue();
        assertThat(diff.restartNeeded()).isEmpty();
        assertThat(diff.summary()).isEqualTo("nothing changed");
    }

    @Test
    void namesWhatWasAddedRemovedAndChangedAndWhatNeedsARestart() throws ConfigException {
        Config a = parse(BASE);
        Config b = parse(BASE.replace("ERROR.*database", "FATAL").replace("name = \"api\"", "name = \"web\"")
                .replace("127.0.0.1:9730", "127.0.0.1:9731").replace("\"5s\"", "\"10s\"")
                .replace("check_up{check=~\"api|web\"} == 0", "check_up{check=~\"api|web\"} < 1")
                + "[deploy]\nwatch = \"1h\"\n");

        ConfigDiff diff = ConfigDiff.between(a, a, b);

        assertThat(diff.checks().added()).containsExactly("web");
        assertThat(diff.checks().removed()).containsExactly("api");
        assertThat(diff.checks().changed()).containsExactly("log");
        assertThat(diff.rules().changed()).containsExactly("api-down");
        assertThat(diff.actions().isEmpty()).isTrue();
        assertThat(diff.otherChanges()).containsExactly("deploy");
        assertThat(diff.restartNeeded()).containsExactly("http.listen", "agent.interval");
        assertThat(diff.summary()).isEqualTo("1 check added, 1 check removed, 1 check changed, 1 rule changed, "
                + "deploy changed");
    }

    @Test
    void sourcesOnlyChangeWithARestart() throws ConfigException {
        Config a = parse(BASE);
        Config b = parse(BASE + """
                [[source]]
                name = "app"
                type = "scrape"
                url = "http://127.0.0.1:8080/metrics"
                metrics = ["http_requests_total"]
                """);

        assertThat(ConfigDiff.between(a, a, b).restartNeeded()).containsExactly("source");
        assertThat(ConfigDiff.between(a, a, parse(BASE)).restartNeeded()).isEmpty();
    }

    private static Config parse(String toml) throws ConfigException {
        return ConfigLoader.parse(new ConfigSource("rollguard.toml", toml, Path.of("/etc/rollguard")));
    }
}
