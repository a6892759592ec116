package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file a configuration is read from has a bound, and whatever lies within it is parsed in time and memory in
 * proportion to its size. The timeouts only keep a regression from hanging the suite (before the bounds, the
 * megabyte of comments below took minutes); the figures are in BENCHMARKS.md.
 */
class ConfigBoundsTest {
    @TempDir
    Path dir;

    @Test
    void aFileOverTheBoundIsRefusedWithItsSizeAndTheBound() throws IOException {
        Path file = Files.write(dir.resolve("huge.toml"), new byte[1024 * 1024 + 1]);

        assertThat(problems(file)).containsExactly(file + ": cannot read configuration: too large: 1.0 MiB "
                + "(1048577 bytes), more than the 1.0 MiB a configuration file may be");
    }

    @Test
    void aFileThatNeverEndsIsRefusedAtTheBound() {
        Path zero = Path.of("/dev/zero");
        Assumptions.assumeTrue(Files.isReadable(zero), "no /dev/zero here: skipped");

        assertThat(problems(zero)).containsExactly("/dev/zero: cannot read configuration: too large: more than the "
                + "1.0 MiB a configuration file may be");
    }

    @Test
    void aTokenFileThatNeverEndsIsAPositionedProblem() throws IOException {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/dev/zero")), "no /dev/zero here: skipped");
        Path file = Files.writeString(dir.resolve("rollguard.toml"), "[http]\ntoken_file = \"/dev/zero\"\n");

        assertThat(problems(file)).containsExactly(file + ":2:1: http.token_file: cannot read /dev/zero: too large: "
                + "more than the 64.0 KiB a token file may be");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMegabyteOfCommentsAndBlankLinesParsesAndPositionsStayTheFilesLines() throws IOException {
        StringBuilder toml = new StringBuilder();
        int lines = 0;
        while (toml.length() < 900 * 1024) {
            toml.append(lines % 3 == 0 ? "\n" : "# a long explanation of what follows, as operators write them\n");
            lines++;
        }
        toml.append("[agent]\nintervall = \"5s\"\n");
        Path file = Files.writeString(dir.resolve("rollguard.toml"), toml);

        assertThat(problems(file)).singleElement().asString()
                .startsWith(file + ":" + (lines + 2) + ":1: agent.intervall: unknown key");
    }

    @Test
    void aThousandRulesLoad() throws Exception {
        StringBuilder toml = new StringBuilder("# a thousand rules, each explained\n");
        for (int i = 0; i < 1000; i++) {
            toml.append("\n# rule ").append(i).append(": memory\n[[rule]]\nname = \"memory-").append(i)
                    .append("\"\nwhen = \"memory_used_ratio > 90%\"\nfor = \"1m\"\n");
        }
        Path file = Files.writeString(dir.resolve("rollguard.toml"), toml);

        assertThat(ConfigLoader.load(file, null).rules()).hasSize(1000);
    }

    @Test
    void moreTokensThanTheBoundAreRefusedAtTheFirstOneOver() throws IOException {
        StringBuilder toml = new StringBuilder();
        int i = 0;
        while (toml.length() < 200 * 1024) {
            toml.append("[[rule]]\nname = \"memory-").append(i++).append("\"\nwhen = \"memory_used_ratio > 90%\"\n");
        }
        Path file = Files.writeString(dir.resolve("rollguard.toml"), toml);

        List<String> problems = problems(file);

        assertThat(problems).singleElement().asString().matches(java.util.regex.Pattern.quote(file.toString())
                + ":[0-9]+:[0-9]+: more than 20,000 keys, values and punctuation marks \\(TOML tokens\\).*");
    }

    private static List<String> problems(Path file) {
        ConfigException error = catchThrowableOfType(() -> ConfigLoader.load(file, null), ConfigException.class);
        assertThat(error).as("must be rejected").isNotNull();
        return error.problems().stream().map(ConfigProblem::toString).toList();
    }
}
