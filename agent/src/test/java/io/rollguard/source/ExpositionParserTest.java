package io.rollguard.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollguard.source.ExpositionParser.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExpositionParserTest {
    private static final Path FIXTURES = Path.of("src/test/resources/exposition");

    private static List<Sample> parseAll(String text) throws ExpositionException {
        return ExpositionParser.parse(text, name -> true);
    }

    @Test
    void readsTheDocumentationsExampleAndEveryEdgeCase() throws Exception {
        List<Sample> samples = parseAll(Files.readString(FIXTURES.resolve("app.prom")));

        assertThat(samples).hasSize(18);
        assertThat(samples.get(0)).isEqualTo(new Sample("http_requests_total", "http_requests_total",
                Map.of("method", "post", "code", "200"), 1027));
        assertThat(samples.get(1).value()).as("several spaces, and a timestamp that is ignored").isEqualTo(3);
        assertThat(samples.get(2).labels()).as("escapes")
                .containsEntry("path", "C:\\DIR\\FILE.TXT")
                .containsEntry("error", "Cannot find file:\n\"FILE.TXT\"");
        assertThat(samples.get(2).value()).isEqualTo(1.458255915e9);
        assertThat(samples.get(3)).isEqualTo(new Sample("metric_without_timestamp_and_labels",
                "metric_without_timestamp_and_labels", Map.of(), 12.47));
        assertThat(samples.get(4).value()).as("+Inf, and a negative timestamp").isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(samples.subList(5, 10)).as("a histogram's series belong to its family")
                .extracting(Sample::family).containsOnly("http_request_duration_seconds");
        assertThat(samples.get(7)).isEqualTo(new Sample("http_request_duration_seconds_bucket",
                "http_request_duration_seconds", Map.of("le", "+Inf"), 144320));
        assertThat(samples.subList(10, 13)).extracting(Sample::name)
                .containsExactly("rpc_duration_seconds", "rpc_duration_seconds_sum", "rpc_duration_seconds_count");
        assertThat(samples.subList(10, 13)).extracting(Sample::family).containsOnly("rpc_duration_seconds");
        assertThat(samples.get(13)).as("tabs, blanks around '=' and ',', an empty value, a trailing comma")
                .isEqualTo(new Sample("tabbed_gauge", "tabbed_gauge", Map.of("a", "1", "b", ""), -0.5));
        assertThat(samples.get(14).labels()).isEmpty();
        assertThat(samples.get(14).value()).isNaN();
        assertThat(samples.get(15).name()).isEqualTo("colon:name:total");
        assertThat(samples.get(16).value()).isEqualTo(5.0);
        assertThat(samples.get(17).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void keepsWhatThePredicateAcceptsByNameOrByFamily() throws Exception {
        String text = Files.readString(FIXTURES.resolve("app.prom"));

        List<Sample> kept = ExpositionParser.parse(text,
                name -> name.equals("http_request_duration_seconds") || name.equals("http_requests_total"));

        assertThat(kept).extracting(Sample::name).containsExactly("http_requests_total", "http_requests_total",
                "http_request_duration_seconds_bucket", "http_request_duration_seconds_bucket",
                "http_request_duration_seconds_bucket", "http_request_duration_seconds_sum",
                "http_request_duration_seconds_count");
    }

    @Test
    void aSuffixIsOnlyAFamilysWhenItsTypeSaysSo() throws Exception {
        List<Sample> samples = parseAll("""
                # TYPE requests gauge
                requests_count 1
                # TYPE latency histogram
                latency_total 2
                latency_count 3
                """);

        assertThat(samples).extracting(Sample::family).containsExactly("requests_count", "latency_total", "latency");
    }

    @Test
    void openMetricsEofEndsTheBodyAndCrLfLinesAreRead() throws Exception {
        assertThat(parseAll("# TYPE a counter\r\na_total 1\r\na_created 5\r\n# EOF\n")).extracting(Sample::family)
                .containsExactly("a", "a");
        assertThat(parseAll("")).isEmpty();
        assertThat(parseAll("\n\n   \n# only comments\n")).isEmpty();
    }

    @Test
    void aDuplicateThatIsNotKeptIsNotAnError() throws Exception {
        assertThat(ExpositionParser.parse("x 1\nx 2\ny 3\n", name -> name.equals("y"))).hasSize(1);
    }

    @Test
    void aLineLongerThanTheBoundFailsWithItsNumber() {
        String longLine = "x{a=\"" + "v".repeat(ExpositionParser.MAX_LINE_LENGTH) + "\"} 1\n";

        assertThatThrownBy(() -> parseAll("ok 1\n" + longLine)).isInstanceOf(ExpositionException.class)
                .hasMessage("line 2: longer than 65536 characters");
    }

    @Test
    void aMalformedLineThatIsNotKeptStillFailsTheBody() {
        assertThatThrownBy(() -> ExpositionParser.parse("x 1\ny{ 2\n", name -> name.equals("x")))
                .hasMessageStartingWith("line 2, column 4: ");
    }

    static Stream<String> badFixtures() throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES.resolve("bad"))) {
            return files.map(f -> f.getFileName().toString()).sorted().toList().stream();
        }
    }

    /** Each bad fixture's first line says the error it must give: the line, the column, and what was expected. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badFixtures")
    void reportsTheLineAndColumnOfAMalformedLine(String file) throws IOException {
        String text = Files.readString(FIXTURES.resolve("bad").resolve(file));
        String expected = text.lines().findFirst().orElseThrow().substring("# expect: ".length());

        assertThatThrownBy(() -> parseAll(text)).isInstanceOf(ExpositionException.class).hasMessage(expected);
    }
}
