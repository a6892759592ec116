package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Whatever a configuration file holds, loading it yields a configuration or a {@link ConfigException} whose every
 * problem names the file and a line and column inside it: never another exception, which would reach the user as a
 * stack trace. Random bytes, random text, TOML-shaped token soup, random rule conditions, and truncated or mutated
 * copies of the example configurations under {@code config/}.
 */
class ConfigLoaderPropertyTest {
    private static final Path EXAMPLES = Path.of("../config");
    private static final Path BASE = Path.of("/etc/rollguard");

    private static final List<String> TOKENS = List.of(
            "[agent]", "[http]", "[sample.cpu]", "[sample.filesystem]", "[deploy]", "[[process]]", "[[check]]",
            "[[rule]]", "[action.rollback]", "[action.\"a.b\"]", "[agent", "]]", "[[", "\n", "\n", "\n", " = ", "=",
            "name", "type", "interval", "timeout", "when", "for", "action", "run", "url", "port", "ports", "path",
            "state_dir", "listen", "match", "enabled", "period", "rollback", "max_per_hour", "verify", "on_failure",
            "expect", "critical", "tags", "env", "\"x\"", "\"api\"", "\"http\"", "\"tcp\"", "\"command\"", "\"5s\"",
            "\"0s\"", "\"-1s\"", "\"90%\"", "\"10GiB\"", "\"127.0.0.1:0\"", "\":99999\"", "\"/\"", "\"\"", "'''", "\"",
            "'memory_used_ratio > 90%'", "'x >'", "\"http://127.0.0.1:1/\"", "[\"/bin/true\"]", "[]", "[1, \"a\"]",
            "{ a = 1 }", "{", "}", "true", "false", "0", "-1", "1e400", "9223372036854775808", "0.5", "1979-05-27",
            "#", ".", ",", "é", "\t", " ", "\\", "\u0000");

    @Property(seed = "20261122", tries = 300)
    void randomBytesAsAFile(@ForAll @Size(max = 400) byte[] bytes) {
        Path file = temporaryFile(bytes);
        try {
            loadsOrFailsPositioned(file);
        } finally {
            delete(file);
        }
    }

    @Property(seed = "20261122", tries = 500)
    void randomTextAsAFile(@ForAll @StringLength(max = 300) String text) {
        parsesOrFailsPositioned(text);
    }

    @Property(seed = "20261122", tries = 500)
    void tomlShapedTokenSoupAsAFile(@ForAll("tokenSoup") String text) {
        parsesOrFailsPositioned(text);
    }

    /**
     * What a random seed once found: tomlj asserts on a control character after a header and a comment. Tests run
     * tomlj without its assertions, as production does (agent/pom.xml), and it reports the character, positioned.
     */
    @Example
    void aControlCharacterAfterAHeaderAndACommentIsAPositionedSyntaxError() {
        parsesOrFailsPositioned("[agent]#[agent][agent][agent][agent][agent][agent][agent][agent][agent]\u0001");
    }

    @Property(seed = "20261122", tries = 500)
    void randomTextAsARuleCondition(@ForAll @StringLength(max = 80) String when) {
        ruleConditionParsesOrFailsOnItsLine(when);
    }

    @Property(seed = "20261122", tries = 300)
    void mutatedValidConditionsAsARuleCondition(@ForAll("mutatedConditions") String when) {
        ruleConditionParsesOrFailsOnItsLine(when);
    }

    @Property(seed = "20261122", tries = 200)
    void truncatedExampleConfigurations(@ForAll("examples") String example, @ForAll("fractions") double at) {
        parsesOrFailsPositioned(example.substring(0, (int) Math.floor(at * example.length())));
    }

    @Property(seed = "20261122", tries = 150)
    void mutatedExampleConfigurations(@ForAll("mutatedExamples") String text) {
        parsesOrFailsPositioned(text);
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(40).map(tokens -> String.join("", tokens));
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 1);
    }

    @Provide
    Arbitrary<String> examples() {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            List<String> texts = files.filter(f -> f.toString().endsWith(".toml")).sorted().map(f -> {
                try {
                    return Files.readString(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
            assertThat(texts).as("example configurations in %s", EXAMPLES.toAbsolutePath()).isNotEmpty();
            return Arbitraries.of(texts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Provide
    Arbitrary<String> mutatedExamples() {
        return mutations(examples(), 40);
    }

    @Provide
    Arbitrary<String> mutatedConditions() {
        return mutations(Arbitraries.of(
                "memory_used_ratio > 90%",
                "avg_over(check_up{check=\"api\"}, 5m) < 95%",
                "sum(increase(http_requests_total{status=~\"5..\"}, 2m)) / sum(increase(http_requests_total, 2m)) > 5%",
                "filesystem_used_ratio{mount=\"/\"} > 0.9 and not absent(process_up{process=\"backend\"})",
                "check_duration_seconds{check=\"api\"} > 1.2 * baseline(check_duration_seconds{check=\"api\"})"), 6);
    }

    /** A text with a few characters deleted at a random place and a token or random characters inserted there. */
    private static Arbitrary<String> mutations(Arbitrary<String> texts, int maxDeleted) {
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<String> insert = Arbitraries.oneOf(Arbitraries.of(TOKENS), Arbitraries.strings().ofMaxLength(4));
        Arbitrary<Integer> deleted = Arbitraries.integers().between(0, maxDeleted);
        return Combinators.combine(texts, where, insert, deleted).as((text, at, inserted, length) -> {
            int position = (int) Math.floor(at * text.length());
            int end = Math.min(text.length(), position + length);
            return text.substring(0, position) + inserted + text.substring(end);
        });
    }

    private static void ruleConditionParsesOrFailsOnItsLine(String when) {
        String text = "[[rule]]\nname = \"r\"\nfor = \"1m\"\nwhen = \"" + tomlEscaped(when) + "\"\n";
        List<ConfigProblem> problems = parsesOrFailsPositioned(text);
        assertThat(problems).as("problems of when = \"%s\"", when).allSatisfy(problem -> {
            assertThat(problem.line()).isEqualTo(4);
            assertThat(problem.message()).startsWith("rule \"r\".when: ");
        });
    }

    /** The problems of the text, after checking that each names the file and a position inside it. */
    private static List<ConfigProblem> parsesOrFailsPositioned(String text) {
        try {
            ConfigLoader.parse(new ConfigSource("rollguard.toml", text, BASE));
            return List.of();
        } catch (ConfigException e) {
            assertPositioned(e, "rollguard.toml", text);
            return e.problems();
        } catch (RuntimeException e) {
            throw new AssertionError("not a positioned ConfigException for:\n" + text, e);
        }
    }

    private static void loadsOrFailsPositioned(Path file) {
        try {
            ConfigLoader.load(file);
        } catch (ConfigException e) {
            String text = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(read(file))).toString();
            if (e.problems().size() == 1 && e.problems().get(0).line() == 0) {
                // The one problem that concerns the file as a whole: it is not text.
                assertThat(e.problems().get(0).toString()).isEqualTo(file + ": cannot read configuration: not valid UTF-8 text");
                return;
            }
            assertPositioned(e, file.toString(), text);
        } catch (RuntimeException e) {
            throw new AssertionError("not a positioned ConfigException for " + file, e);
        }
    }

    private static void assertPositioned(ConfigException e, String source, String text) {
        long lines = text.lines().count();
        assertThat(e.problems()).as("problems of:\n%s", text).isNotEmpty().allSatisfy(problem -> {
            assertThat(problem.source()).isEqualTo(source);
            assertThat(problem.line()).as(problem.toString()).isBetween(1, (int) lines + 1);
            assertThat(problem.column()).as(problem.toString()).isPositive();
            assertThat(problem.message()).as(problem.toString()).isNotBlank();
            assertThat(problem.toString()).startsWith(source + ":" + problem.line() + ":" + problem.column() + ": ");
        });
    }

    private static String tomlEscaped(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0xd800 && c <= 0xdfff)) {
                out.append(String.format("\\u%04X", c == 0x7f || c < 0x20 ? c : 0xfffd));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static Path temporaryFile(byte[] bytes) {
        try {
            Path file = Files.createTempFile("rollguard-property", ".toml");
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
