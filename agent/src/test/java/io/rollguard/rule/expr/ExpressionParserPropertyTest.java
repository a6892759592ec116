package io.rollguard.rule.expr;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesView;
import io.rollguard.store.SeriesWriter;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * Whatever the text, the parser answers with a tree or with an {@link ExpressionException} positioned inside the
 * text: never another exception, which would reach the user as a stack trace. Trees it accepts print back to text
 * that parses to the same tree, and evaluate without throwing.
 */
class ExpressionParserPropertyTest {
    private static final List<String> VALID = List.of(
            "memory_used_ratio > 90%",
            "avg_over(check_up{check=\"api\"}, 5m) < 0.95",
            "sum(increase(http_requests_total{status=~\"5..\"}, 2m)) / sum(increase(http_requests_total, 2m)) > 5%",
            "avg_over(check_duration_seconds{check=\"api\"}, 2m) > 1.2 * baseline(check_duration_seconds{check=\"api\"})",
            "absent(process_up{process=\"backend\"}) or process_up{process=\"backend\"} == 0",
            "not (filesystem_free_bytes{mount!~\"/snap/.*\"} < 10GiB and slope(filesystem_free_bytes, 10m) < -1MB)",
            "quantile_over(0.99, check_duration_seconds, 5m) >= 30s",
            "predict(filesystem_free_bytes{mount=\"/\"}, 1h, 4h) < 0",
            "max(rate(cpu_seconds_total, 1m)) by (mode, cpu) - -1 * 2 != min_over(x, 1h30m)",
            "count(x{a=\"b\\\\c\\\"d\"}) by (a) <= delta(y, 30s) + sum_over(z, 1d) / count_over(z, 1d)");

    private static final List<String> TOKENS = List.of(
            "x", "memory_used_ratio", "a:b", "_", "and", "or", "not", "by", "rate", "avg_over", "quantile_over", "sum",
            "absent", "baseline", "count", "slope", "(", ")", "{", "}", ",", "+", "-", "*", "/", "<", "<=", ">", ">=",
            "==", "!=", "=", "=~", "!~", "!", "\"", "\"a\"", "\"5..\"", "\"(\"", "\\", "0", "1", "0.5", "95%", "150%",
            "5m", "0s", "1h30m", "10GiB", "500MB", "1e3", "5x", "%", ".", "[", "]", "'", "&&", "é", "\t", " ");

    private final SeriesStore store = store();
    private final Evaluator evaluator = new Evaluator();

    @Property(seed = "20261122")
    void randomTextParsesOrFailsWithinIt(@ForAll @StringLength(max = 60) String text) {
        parsesOrFailsWithinTheText(text);
    }

    @Property(seed = "20261122")
    void randomTokensParseOrFailWithinThem(@ForAll("tokenSoup") String text) {
        parsesOrFailsWithinTheText(text);
    }

    @Property(seed = "20261122")
    void mutatedValidExpressionsParseOrFailWithinThem(@ForAll("mutations") String text) {
        parsesOrFailsWithinTheText(text);
    }

    @Property(seed = "20261122")
    void generatedConditionsParsePrintBackAndEvaluate(@ForAll long seed) throws ExpressionException {
        String text = new ConditionGenerator(new Random(seed)).condition(4);

        Expr parsed = ExpressionParser.parseCondition(text);

        String printed = ExpressionPrinter.print(parsed);
        assertThat(ExpressionPrinter.print(ExpressionParser.parseCondition(printed))).isEqualTo(printed);
        assertThat(evaluator.evaluateCondition(parsed, store.view(60_000_000_000L))).isNotNull();
    }

    /** Writes random well-typed conditions from the grammar, with random spacing and redundant parentheses. */
    private static final class ConditionGenerator {
        private static final String[] NAMES = {"x", "memory_used_ratio", "missing_series"};
        private static final String[] MATCHERS = {"", "{a=\"b\"}", "{a!=\"b\"}", "{a=~\"b|c\"}", "{a!~\".*\"}"};
        private static final String[] LITERALS = {"0", "1", "0.5", "90%", "5m", "1h30m", "10GiB", "500MB", "30s"};
        private static final String[] WINDOWS = {"avg_over", "min_over", "max_over", "sum_over", "count_over", "rate",
            "increase", "delta", "slope"};
        private static final String[] AGGREGATIONS = {"sum", "avg", "min", "max", "count"};
        private static final String[] ARITHMETIC = {"+", "-", "*", "/"};
        private static final String[] COMPARISONS = {"<", "<=", ">", ">=", "==", "!="};

        private final Random random;

        ConditionGenerator(Random random) {
            this.random = random;
        }

        String condition(int depth) {
            int choice = random.nextInt(depth <= 0 ? 2 : 5);
            return switch (choice) {
                case 0 -> numeric(depth - 1) + space() + pick(COMPARISONS) + space() + numeric(depth - 1);
                case 1 -> "absent(" + selector() + ")";
                case 2 -> condition(depth - 1) + " " + (random.nextBoolean() ? "and" : "or") + " "
                        + condition(depth - 1);
                case 3 -> "not " + condition(depth - 1);
                default -> "(" + space() + condition(depth - 1) + space() + ")";
            };
        }

        private String numeric(int depth) {
            return random.nextBoolean() ? series(depth) : number(depth);
        }

        private String series(int depth) {
            int choice = random.nextInt(depth <= 0 ? 4 : 10);
            return switch (choice) {
                case 0 -> selector();
                case 8 -> "predict(" + selector() + "," + space() + "1h," + space() + "4h)";
                case 1 -> pick(WINDOWS) + "(" + selector() + "," + space() + "5m)";
                case 2 -> "quantile_over(0.9, " + selector() + ", 1m)";
                case 3 -> "baseline(" + selector() + ")";
                case 4 -> pick(AGGREGATIONS) + "(" + series(depth - 1) + ")" + (random.nextBoolean() ? " by (a)" : "");
                case 5 -> series(depth - 1) + space() + pick(ARITHMETIC) + space() + numeric(depth - 1);
                case 6 -> number(depth - 1) + space() + pick(ARITHMETIC) + space() + series(depth - 1);
                case 7 -> "-" + series(depth - 1);
                default -> "(" + series(depth - 1) + ")";
            };
        }

        private String number(int depth) {
            int choice = random.nextInt(depth <= 0 ? 1 : 4);
            return switch (choice) {
                case 0 -> pick(LITERALS);
                case 1 -> number(depth - 1) + space() + pick(ARITHMETIC) + space() + number(depth - 1);
                case 2 -> "-" + number(depth - 1);
                default -> "(" + number(depth - 1) + ")";
            };
        }

        private String selector() {
            return pick(NAMES) + pick(MATCHERS);
        }

        private String space() {
            return random.nextBoolean() ? " " : "";
        }

        private String pick(String[] choices) {
            return choices[random.nextInt(choices.length)];
        }
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(25)
                .map(tokens -> String.join(" ", tokens).replace("  ", ""));
    }

    @Provide
    Arbitrary<String> mutations() {
        Arbitrary<String> valid = Arbitraries.of(VALID);
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<String> insert = Arbitraries.oneOf(Arbitraries.of(TOKENS), Arbitraries.strings().ofMaxLength(3));
        Arbitrary<Integer> deleted = Arbitraries.integers().between(0, 8);
        return Combinators.combine(valid, where, insert, deleted).as((text, at, inserted, length) -> {
            int position = (int) Math.floor(at * text.length());
            int end = Math.min(text.length(), position + length);
            return text.substring(0, position) + inserted + text.substring(end);
        });
    }

    private void parsesOrFailsWithinTheText(String text) {
        Expr parsed;
        try {
            parsed = ExpressionParser.parse(text);
        } catch (ExpressionException e) {
            assertThat(e.column()).as("column of \"%s\"", text).isBetween(0, text.length());
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        String printed = ExpressionPrinter.print(parsed);
        try {
            assertThat(ExpressionPrinter.print(ExpressionParser.parse(printed))).isEqualTo(printed);
        } catch (ExpressionException e) {
            throw new AssertionError("\"" + text + "\" printed as \"" + printed + "\", which does not parse", e);
        }
        SeriesView view = store.view(60_000_000_000L);
        assertThat(evaluator.evaluate(parsed, view)).isNotNull();
    }

    private static SeriesStore store() {
        SeriesStore store = new SeriesStore();
        MetricFamily x = MetricFamily.gauge("x", "Test.");
        MetricFamily memory = MetricFamily.gauge("rollguard_memory_used_ratio", "Test.");
        store.track("x", Duration.ofMinutes(5));
        for (int second = 0; second <= 60; second++) {
            store.replace("test", new SeriesWriter()
                    .put(x, LabelSet.of("a", "b"), second % 7)
                    .put(x, LabelSet.of("a", "c"), second)
                    .put(memory, 0.5), second * 1_000_000_000L, Duration.ofSeconds(1), Duration.ofSeconds(3));
        }
        return store;
    }
}
