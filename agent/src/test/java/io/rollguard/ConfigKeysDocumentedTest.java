package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigProblem;
import io.rollguard.config.ConfigSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's configuration reference cannot drift from the loader: every key the loader accepts in a table is
 * named, in backticks, in that table's section of the README. The loader is asked, not a copy of its list: a table
 * holding a key that does not exist is rejected with every key the table knows ("known keys in [agent]: ...").
 */
class ConfigKeysDocumentedTest {
    private static final Path README = Path.of("../README.md");
    private static final String PROBE = "zz_probe_key";
    private static final Pattern KNOWN = Pattern.compile(PROBE + ": unknown key; known keys(?: in .*?\\])?: (.*)$");

    /** A table of each kind, with the keys its reader needs to reach its type's own keys, and its README section. */
    record Table(String toml, String section) {
        @Override
        public String toString() {
            return toml.lines().findFirst().orElse(toml);
        }
    }

    static List<Table> tables() {
        List<Table> tables = new ArrayList<>(List.of(
                new Table("[agent]\n", "### `[agent]`"),
                new Table("[http]\n", "### `[http]`"),
                new Table("[sample.cpu]\n", "### `[sample.NAME]`"),
                new Table("[sample.filesystem]\n", "### `[sample.NAME]`"),
                new Table("[[process]]\nname = \"p\"\nmatch = \"x\"\n", "### `[[process]]`"),
                new Table("[action.a]\nrun = [\"/bin/true\"]\n", "### `[action.NAME]`"),
                new Table("[action.w]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:1/\"\n", "### `[action.NAME]`"),
                new Table("[[rule]]\nname = \"r\"\nwhen = \"cpu_usage_ratio > 0.9\"\n", "### `[[rule]]`"),
                new Table("[[rule]]\nname = \"r\"\nsource = \"alertmanager\"\n", "### `[[rule]]`"),
                new Table("[alertmanager]\n", "### `[alertmanager]`"),
                new Table("[[source]]\nname = \"s\"\ntype = \"scrape\"\n", "### `[[source]]`"),
                new Table("[[source]]\nname = \"s\"\ntype = \"prometheus\"\n", "### `[[source]]`"),
                new Table("[deploy]\n", "## Deployments")));
        for (String type : List.of("http", "tcp", "command", "path", "disk", "host", "process", "tls", "port", "shm",
                "log", "systemd")) {
            tables.add(new Table("[[check]]\nname = \"c\"\ntype = \"" + type + "\"\n", "### `[[check]]`"));
        }
        return tables;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tables")
    void everyKeyTheLoaderKnowsIsDocumentedInItsSection(Table table) throws IOException {
        List<String> known = knownKeys(table.toml());
        String section = section(Files.readString(README), table.section());

        List<String> undocumented = known.stream().filter(key -> !section.contains("`" + key + "`")).toList();
        assertThat(undocumented).as("keys of %s missing from the README section %s", table, table.section())
                .isEmpty();
    }

    /** The keys the loader lists when the table holds one it does not know. */
    private static List<String> knownKeys(String toml) {
        String text = toml + PROBE + " = 1\n";
        try {
            ConfigLoader.parse(new ConfigSource("probe.toml", text, Path.of("/")));
        } catch (ConfigException e) {
            for (ConfigProblem problem : e.problems()) {
                Matcher matcher = KNOWN.matcher(problem.message());
                if (matcher.find()) {
                    return List.of(matcher.group(1).split(", "));
                }
            }
            fail("no unknown-key problem for %s in %s", PROBE, e.problems());
        }
        return fail("the loader accepted %s", PROBE);
    }

    /** From a heading to the next heading of the same or a higher level. */
    private static String section(String readme, String heading) {
        int start = readme.indexOf("\n" + heading + "\n");
        assertThat(start).as("README heading %s", heading).isNotNegative();
        String level = heading.substring(0, heading.indexOf(' ') + 1);
        int end = readme.length();
        for (String marker : List.of("\n## ", "\n" + level)) {
            int next = readme.indexOf(marker, start + heading.length() + 1);
            if (next >= 0) {
                end = Math.min(end, next);
            }
        }
        return readme.substring(start, end);
    }
}
