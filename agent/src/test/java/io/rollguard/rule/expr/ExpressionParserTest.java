package io.rollguard.rule.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExpressionParserTest {
    /** Expression as a person writes it, and its canonical print. */
    static Stream<Arguments> valid() {
        return Stream.of(
                arguments("memory_used_ratio > 90%", "memory_used_ratio > 90%"),
                arguments("  memory_used_ratio>0.9  ", "memory_used_ratio > 0.9"),
                arguments("uptime_seconds < 5m", "uptime_seconds < 5m"),
                arguments("filesystem_free_bytes{mount=\"/\"} <= 10GiB", "filesystem_free_bytes{mount=\"/\"} <= 10GiB"),
                arguments("x >= 1h30m", "x >= 1h30m"),
                arguments("x == 500MB", "x == 500MB"),
                arguments("x != 0", "x != 0"),
                arguments("predict(filesystem_free_bytes{mount=\"/\"},1h,4h) < 0",
                        "predict(filesystem_free_bytes{mount=\"/\"}, 1h, 4h) < 0"),
                arguments("predict(memory_used_ratio, 30m, 0s) > 95%", "predict(memory_used_ratio, 30m, 0s) > 95%"),
                arguments("a + b * c", "a + b * c"),
                arguments("(a + b) * c", "(a + b) * c"),
                arguments("a - (b - c)", "a - (b - c)"),
                arguments("(a - b) - c", "a - b - c"),
                arguments("a / b / c", "a / b / c"),
                arguments("a / (b * c)", "a / (b * c)"),
                arguments("-a * b", "-a * b"),
                arguments("-(a + b)", "-(a + b)"),
                arguments("- -a", "-(-a)"),
                arguments("a * -1", "a * -1"),
                arguments("((a))", "a"),
                arguments("a > 1 and b < 2 or c == 3", "a > 1 and b < 2 or c == 3"),
                arguments("a > 1 and (b < 2 or c == 3)", "a > 1 and (b < 2 or c == 3)"),
                arguments("not a > 1", "not a > 1"),
                arguments("not (a > 1 and b > 1)", "not (a > 1 and b > 1)"),
                arguments("not not a > 1", "not not a > 1"),
                arguments("a > 1 and not b > 1", "a > 1 and not b > 1"),
                arguments("x{a=\"1\", b!=\"2\", c=~\"3.*\", d!~\"4|5\"}", "x{a=\"1\",b!=\"2\",c=~\"3.*\",d!~\"4|5\"}"),
                arguments("x{path=\"C:\\\\dir \\\"q\\\"\"}", "x{path=\"C:\\\\dir \\\"q\\\"\"}"),
                arguments("job:requests:rate5m > 1", "job:requests:rate5m > 1"),
                arguments("avg_over(check_up{check=\"api\"}, 5m)", "avg_over(check_up{check=\"api\"}, 5m)"),
                arguments("min_over(x,30s)", "min_over(x, 30s)"),
                arguments("max_over(x, 90s)", "max_over(x, 1m30s)"),
                arguments("sum_over(x, 1h)", "sum_over(x, 1h)"),
                arguments("count_over(x, 1d)", "count_over(x, 1d)"),
                arguments("rate(http_requests_total, 2m)", "rate(http_requests_total, 2m)"),
                arguments("increase(x_total, 500ms)", "increase(x_total, 500ms)"),
                arguments("delta(x, 10m)", "delta(x, 10m)"),
                arguments("slope(x, 10m)", "slope(x, 10m)"),
                arguments("quantile_over(0.95, x, 5m)", "quantile_over(0.95, x, 5m)"),
                arguments("quantile_over(95%, x, 5m)", "quantile_over(0.95, x, 5m)"),
                arguments("quantile_over(1, x, 5m)", "quantile_over(1, x, 5m)"),
                arguments("quantile_over(0.0001, x, 5m)", "quantile_over(0.0001, x, 5m)"),
                arguments("sum(x)", "sum(x)"),
                arguments("avg(x) by (mount)", "avg(x) by (mount)"),
                arguments("max(rate(x_total, 1m)) by (a,b)", "max(rate(x_total, 1m)) by (a, b)"),
                arguments("count(x + 1)", "count(x + 1)"),
                arguments("min(x)", "min(x)"),
                arguments("absent(process_up{process=\"backend\"})", "absent(process_up{process=\"backend\"})"),
                arguments("baseline(x)", "baseline(x)"),
                arguments("regressed(x{check=\"api\"}, by = 10%)",
                        "regressed(x{check=\"api\"}, by = 10%, confidence = 99.9%, worse = higher, window = 10m)"),
                arguments("regressed(x, window=2m, worse=lower, confidence=0.95, by=50ms)",
                        "regressed(x, by = 50ms, confidence = 0.95, worse = lower, window = 2m)"),
                arguments("regressed(latency{host=\"web-1\"}, against = fleet_latency{version=\"v1\"}, by = 20%)",
                        "regressed(latency{host=\"web-1\"}, by = 20%, confidence = 99.9%, worse = higher,"
                                + " window = 10m, against = fleet_latency{version=\"v1\"})"),
                arguments("regressed(x, by = 0.05) and not regressed(y, by = 1MiB, confidence = 99.9%)",
                        "regressed(x, by = 0.05, confidence = 99.9%, worse = higher, window = 10m)"
                                + " and not regressed(y, by = 1MiB, confidence = 99.9%, worse = higher, window = 10m)"),
                arguments("sum(increase(http_requests_total{status=~\"5..\"}, 2m)) / sum(increase(http_requests_total, 2m))"
                        + " > 5%",
                        "sum(increase(http_requests_total{status=~\"5..\"}, 2m)) / sum(increase(http_requests_total, 2m))"
                                + " > 5%"),
                arguments("avg_over(check_duration_seconds{check=\"api\"}, 2m) > 1.2 * baseline(check_duration_seconds"
                        + "{check=\"api\"})",
                        "avg_over(check_duration_seconds{check=\"api\"}, 2m) > 1.2 * baseline(check_duration_seconds"
                                + "{check=\"api\"})"),
                arguments("rate > 1", "rate > 1"),
                arguments("1 > 2", "1 > 2"),
                arguments("5", "5"),
                arguments("x", "x"),
                arguments("absent(x) or x == 0", "absent(x) or x == 0"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("valid")
    void printsValidExpressionsCanonically(String text, String canonical) throws ExpressionException {
        Expr parsed = ExpressionParser.parse(text);

        assertThat(ExpressionPrinter.print(parsed)).isEqualTo(canonical);
        assertThat(ExpressionPrinter.print(ExpressionParser.parse(canonical)))
                .as("the canonical text parses back to the same tree").isEqualTo(canonical);
    }

    /** Expression, column of the error (from 0), and the message. */
    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments("", 0, "expected an expression, got the end of the expression"),
                arguments("   ", 3, "expected an expression, got the end of the expression"),
                arguments("avg_over(x)", 10, "expected a duration such as 5m as the second argument of avg_over, got ')'"),
                arguments("avg_over(x, )", 12, "expected a duration such as 5m as the second argument of avg_over, got ')'"),
                arguments("avg_over(x, 5)", 12, "expected a duration such as 5m as the second argument of avg_over, got '5'"),
                arguments("avg_over(x, 5GiB)", 12,
                        "expected a duration such as 5m as the second argument of avg_over, got '5GiB'"),
                arguments("avg_over(x, 0s)", 12, "the window of avg_over must be longer than 0s, got '0s'"),
                arguments("predict(x, 1h) < 0", 13, "expected a duration such as 4h as the third argument of predict"
                        + " (how far ahead of now to predict), got ')'"),
                arguments("predict(x, 4, 1h) < 0", 11, "expected a duration such as 1h as the second argument of"
                        + " predict (the window its line is fitted over), got '4'"),
                arguments("predict(x, 0s, 1h) < 0", 11, "the window of predict must be longer than 0s, got '0s'"),
                arguments("predict(x, 1h, -4h) < 0", 15, "expected a duration such as 4h as the third argument of"
                        + " predict (how far ahead of now to predict), got '-'"),
                arguments("predict(x, 1h, 4h, 1) < 0", 17, "expected ')' after the third argument of predict, got ','"),
                arguments("predict(rate(x, 1m), 1h, 4h) < 0", 8, "predict needs a selector, not a call of rate"),
                arguments("predict(x, 1h, 4h) by (a) < 0", 19, "by (...) applies to the aggregations sum, avg, min, max"
                        + " and count, not to predict"),
                arguments("avg_over(x, 5m, 1)", 14, "expected ')' after the window of avg_over, got ','"),
                arguments("avg_over()", 9, "expected a selector as the first argument of avg_over, got ')'"),
                arguments("avg_ovr(x, 5m) > 1", 0, "unknown function avg_ovr (did you mean avg_over?)"),
                arguments("x > frobnicate(y)", 4, "unknown function frobnicate (the functions are absent, avg, avg_over,"
                        + " baseline, count, count_over, delta, increase, max, max_over, min, min_over, predict,"
                        + " quantile_over, rate, regressed, slope, sum, sum_over)"),
                arguments("x{a=\"b}", 4, "unterminated string"),
                arguments("x{a=\"b\\", 4, "unterminated string"),
                arguments("x{a=\"\\d\"}", 5, "unknown escape \\d in a string: only \\\" and \\\\ are escapes, so a"
                        + " regular expression's \\d is written \\\\d"),
                arguments("rate(x + y, 5m)", 5, "rate needs a selector, not an arithmetic expression"),
                arguments("rate(rate(x, 1m), 5m)", 5, "rate needs a selector, not a call of rate"),
                arguments("avg_over(5, 5m)", 9, "avg_over needs a selector, not a number"),
                arguments("absent(x > 1)", 7, "absent needs a selector, not a comparison"),
                arguments("baseline(1h)", 9, "baseline needs a selector, not a duration"),
                arguments("absent(x", 8, "expected ')' after the selector of absent, got the end of the expression"),
                arguments("regressed(x)", 11, "regressed needs by = how much worse counts, e.g. by = 10% (of the"
                        + " baseline's median) or by = 50ms"),
                arguments("regressed(x, confidence = 99%)", 29, "regressed needs by = how much worse counts, e.g."
                        + " by = 10% (of the baseline's median) or by = 50ms"),
                arguments("regressed(x, bye = 10%)", 13, "expected a named argument of regressed (by, confidence,"
                        + " worse, window or against) such as by = 10%, got 'bye' (did you mean by?)"),
                arguments("regressed(x, 10%)", 13, "expected a named argument of regressed (by, confidence, worse,"
                        + " window or against) such as by = 10%, got '10%'"),
                arguments("regressed(x, by 10%)", 16, "expected '=' after by, got '10%'"),
                arguments("regressed(x, by = 10%, by = 20%)", 23, "the argument by of regressed is given twice"),
                arguments("regressed(x, by = y)", 18, "expected how much worse counts after by =, such as 10% (of the"
                        + " baseline's median), 50ms or 0.05, got 'y'"),
                arguments("regressed(x, by = 10%, confidence = 40%)", 36, "expected a confidence between 50% and"
                        + " 99.99% such as 99% after confidence =, got '40%'"),
                arguments("regressed(x, by = 10%, confidence = 100%)", 36, "expected a confidence between 50% and"
                        + " 99.99% such as 99% after confidence =, got '100%'"),
                arguments("regressed(x, by = 10%, worse = up)", 31, "expected higher (latency, errors) or lower"
                        + " (throughput) after worse =, got 'up'"),
                arguments("regressed(x, by = 10%, window = 0s)", 32, "the window of regressed must be longer than 0s,"
                        + " got '0s'"),
                arguments("regressed(x, by = 10%, window = 5)", 32, "expected a duration such as 10m after window =,"
                        + " got '5'"),
                arguments("regressed(x, by = 10%", 21, "expected ',' and a named argument, or ')', after the"
                        + " arguments of regressed, got the end of the expression"),
                arguments("regressed(rate(x, 1m), by = 10%)", 10, "regressed needs a selector, not a call of rate"),
                arguments("regressed(x, by = 10%, against = 1)", 33, "against needs a selector, not a number"),
                arguments("regressed(x, by = 10%, against = )", 33, "expected a selector after against =, got ')'"),
                arguments("regressed(x, by = 10%) > 1", 0, "> needs numbers on both sides, but its left side is a"
                        + " condition (regressed)"),
                arguments("quantile_over(x, 5m)", 14, "expected a quantile between 0 and 1 such as 0.95 as the first"
                        + " argument of quantile_over, got 'x'"),
                arguments("quantile_over(95, x, 5m)", 14, "expected a quantile between 0 and 1 such as 0.95 as the"
                        + " first argument of quantile_over, got '95'"),
                arguments("quantile_over(0.5)", 17, "expected a selector as the second argument of quantile_over, got"
                        + " ')'"),
                arguments("quantile_over(0.5, x)", 20, "expected a duration such as 5m as the third argument of"
                        + " quantile_over, got ')'"),
                arguments("sum(1)", 4, "sum needs series to aggregate, not a number"),
                arguments("count(x > 1)", 6, "count needs series to aggregate, not a comparison"),
                arguments("sum()", 4, "expected series to aggregate as the argument of sum, got ')'"),
                arguments("sum(x, y)", 5, "expected ')' after the argument of sum, got ','"),
                arguments("sum by (a) (x)", 4, "write by (...) after the aggregation: sum(...) by (label, ...)"),
                arguments("sum(x) by a", 10, "expected '(' and label names after by, got 'a'"),
                arguments("sum(x) by ()", 11, "expected a label name in by (...), got ')'"),
                arguments("sum(x) by (a, a)", 14, "label a is listed twice in by (...)"),
                arguments("sum(x) by (a b)", 13, "expected ',' or ')' after a label in by (...), got 'b'"),
                arguments("rate(x, 5m) by (a)", 12, "by (...) applies to the aggregations sum, avg, min, max and count,"
                        + " not to rate"),
                arguments("x{}", 2, "expected a label name in the matchers of x, got '}'"),
                arguments("x{a=\"1\",}", 8, "expected a label name in the matchers of x, got '}'"),
                arguments("x{a:b=\"1\"}", 2, "expected a label name in the matchers of x, got 'a:b'"),
                arguments("x{__name__=\"x\"}", 2, "label names starting with __ are reserved for Prometheus, got"
                        + " '__name__'"),
                arguments("x{a>\"1\"}", 3, "expected =, !=, =~ or !~ after the label a, got '>'"),
                arguments("x{a=1}", 4, "expected a double-quoted string after a=, got '1'"),
                arguments("x{a=\"1\" b=\"2\"}", 8, "expected ',' or '}' after a label matcher of x, got 'b'"),
                arguments("x{a=~\"(\"}", 5, "invalid regular expression '\"(\"': Unclosed group"),
                arguments("x{a=~\"foo\\\\\"}", 5, "invalid regular expression '\"foo\\\\\"': a trailing \\ escapes"
                        + " nothing (write \\\\ for a backslash)"),
                arguments("x{a='1'}", 4, "strings are written in double quotes: \"...\""),
                arguments("rate(x[5m])", 6, "range selectors such as x[5m] are not supported: write the window as an"
                        + " argument, e.g. rate(x, 5m)"),
                arguments("x > 1 && y > 1", 6, "unexpected '&': write and to combine conditions"),
                arguments("x > 1 || y > 1", 6, "unexpected '|': write or to combine conditions"),
                arguments("!(x > 1)", 0, "unexpected '!': write not to negate a condition"),
                arguments("x > 1$", 5, "unexpected character '$'"),
                arguments("x = 1", 2, "expected '==' to compare for equality, got '='"),
                arguments("1 < x < 5", 6, "comparisons do not chain: combine them with and, e.g. x > 1 and x < 5"),
                arguments("x y", 2, "expected an operator or the end of the expression, got 'y'"),
                arguments("(x > 1", 6, "expected ')' to close '(', got the end of the expression"),
                arguments("x > 1)", 5, "expected an operator or the end of the expression, got ')'"),
                arguments("x > 5x", 4, "expected a number, a duration such as 5m, a size such as 10GiB or a"
                        + " percentage such as 90%, got '5x'"),
                arguments("x > 1e3", 4, "expected a number, a duration such as 5m, a size such as 10GiB or a"
                        + " percentage such as 90%, got '1e3'"),
                arguments("x > 150%", 4, "expected a ratio such as 0.9 or \"90%\" between 0 and 1 (0% and 100%), got"
                        + " 150%"),
                arguments("x > and", 4, "expected an expression, got 'and'"),
                arguments("x and y > 1", 0, "and needs a condition on each side, e.g. x > 1 and y < 2, but its left"
                        + " side is a selector"),
                arguments("x > 1 or 2", 9, "or needs a condition on each side, e.g. x > 1 or y < 2, but its right"
                        + " side is a number"),
                arguments("not x", 4, "not needs a condition such as x > 1, got a selector"),
                arguments("(x > 1) + 1", 1, "+ needs numbers on both sides, but its left side is a comparison"),
                arguments("x > (y < 1)", 5, "> needs numbers on both sides, but its right side is a comparison"),
                arguments("x * absent(y)", 4, "* needs numbers on both sides, but its right side is a condition"
                        + " (absent)"),
                arguments("-(x > 1)", 2, "cannot negate a condition with '-': write not"),
                arguments("x > " + "(".repeat(40) + "1" + ")".repeat(40), 36,
                        "expression nested too deeply: more than 32 levels of parentheses, calls, not and -"),
                arguments("x" + " + x".repeat(300) + " > 1", 1026, "expression too long: more than 256 operators"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("invalid")
    void rejectsInvalidExpressionsWithTheirColumn(String text, int column, String message) {
        assertThatThrownBy(() -> ExpressionParser.parse(text))
                .isInstanceOfSatisfying(ExpressionException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo(message);
                    assertThat(e.column()).isEqualTo(column);
                });
    }

    static Stream<Arguments> notConditions() {
        return Stream.of(
                arguments("memory_used_ratio", 17),
                arguments("memory_used_ratio  ", 17),
                arguments("avg_over(check_up, 5m)", 22),
                arguments("1 + 2", 5),
                arguments("sum(x) by (a)", 13));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("notConditions")
    void aRuleConditionMustCompare(String text, int column) {
        assertThatThrownBy(() -> ExpressionParser.parseCondition(text))
                .isInstanceOfSatisfying(ExpressionException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo(
                            "expected a comparison: a rule condition must compare, e.g. memory_used_ratio > 90%");
                    assertThat(e.column()).isEqualTo(column);
                });
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("conditions")
    void conditionsAreAccepted(String text) throws ExpressionException {
        assertThat(ExpressionPrinter.print(ExpressionParser.parseCondition(text))).isNotEmpty();
    }

    static Stream<String> conditions() {
        return Stream.of("x > 1", "x > 1 and y > 1", "x > 1 or y > 1", "not x > 1", "absent(x)", "(x > 1)",
                "absent(x) and not absent(y)", "regressed(x, by = 10%)", "regressed(x, by = 10%) or x > 1");
    }

    @Test
    void literalsCarryTheirValueInBaseUnits() throws ExpressionException {
        Binary sum = (Binary) ExpressionParser.parse("1h30m + 10GiB + 90% + 0.5");
        Binary left = (Binary) sum.left();
        Binary leftmost = (Binary) left.left();

        assertThat(((DurationLiteral) leftmost.left()).value()).isEqualTo(Duration.ofMinutes(90));
        assertThat(((SizeLiteral) leftmost.right()).bytes()).isEqualTo(10L << 30);
        assertThat(((PercentLiteral) left.right()).ratio()).isEqualTo(0.9);
        assertThat(((NumberLiteral) sum.right()).value()).isEqualTo(0.5);
    }

    @Test
    void everyNodeKnowsItsSpan() throws ExpressionException {
        String text = "(a + b) * rate(c{d=\"e\"}, 5m) > 2 and not x < 1";
        Binary and = (Binary) ExpressionParser.parse(text);
        Binary comparison = (Binary) and.left();
        Binary product = (Binary) comparison.left();
        Binary sum = (Binary) product.left();
        WindowCall rate = (WindowCall) product.right();
        Not not = (Not) and.right();

        assertThat(and.span()).isEqualTo(new Span(0, text.length()));
        assertThat(text.substring(comparison.span().start(), comparison.span().end()))
                .isEqualTo("(a + b) * rate(c{d=\"e\"}, 5m) > 2");
        assertThat(text.substring(product.span().start(), product.span().end()))
                .isEqualTo("(a + b) * rate(c{d=\"e\"}, 5m)");
        assertThat(text.substring(sum.span().start(), sum.span().end())).isEqualTo("a + b");
        assertThat(text.substring(rate.span().start(), rate.span().end())).isEqualTo("rate(c{d=\"e\"}, 5m)");
        assertThat(text.substring(rate.selector().span().start(), rate.selector().span().end()))
                .isEqualTo("c{d=\"e\"}");
        LabelMatcher matcher = rate.selector().matchers().get(0);
        assertThat(text.substring(matcher.span().start(), matcher.span().end())).isEqualTo("d=\"e\"");
        assertThat(text.substring(not.span().start(), not.span().end())).isEqualTo("not x < 1");
    }

    @Test
    void historyWindowsListTheLongestWindowPerSeries() throws ExpressionException {
        Expr expr = ExpressionParser.parse("avg_over(a, 5m) > max_over(a{x=\"y\"}, 10m) and rate(b_total, 1m) > 0"
                + " and quantile_over(0.9, c, 30s) > sum(d) and baseline(e) > 0 and absent(f)"
                + " and predict(g, 1h, 4h) < 0");

        assertThat(HistoryWindows.of(expr)).isEqualTo(Map.of(
                "g", Duration.ofHours(1),
                "a", Duration.ofMinutes(10),
                "b_total", Duration.ofMinutes(1),
                "c", Duration.ofSeconds(30)));
    }

    @Test
    void regressedReadsItsWindowAndIsABaselineSelector() throws ExpressionException {
        Expr expr = ExpressionParser.parse("regressed(lat{a=\"b\"}, by = 10%, window = 3m) and avg_over(lat, 1m) > 0"
                + " and regressed(lat{a=\"b\"}, by = 20%) and baseline(lat{a=\"b\"}) > 0");

        assertThat(HistoryWindows.of(expr)).containsEntry("lat", Duration.ofMinutes(10));
        assertThat(HistoryWindows.baselineSelectors(expr)).extracting(ExpressionPrinter::print)
                .containsExactly("lat{a=\"b\"}");
    }

    @Test
    void regressedAgainstTheFleetReadsBothOverItsWindowAndFreezesNothing() throws ExpressionException {
        Expr expr = ExpressionParser.parse("regressed(lat, by = 10%, window = 3m, against = fleet_lat{v=\"1\"})");

        assertThat(HistoryWindows.of(expr)).containsEntry("lat", Duration.ofMinutes(3))
                .containsEntry("fleet_lat", Duration.ofMinutes(3));
        assertThat(HistoryWindows.baselineSelectors(expr)).isEmpty();
        assertThat(HistoryWindows.selectors(expr)).extracting(ExpressionPrinter::print)
                .containsExactly("lat", "fleet_lat{v=\"1\"}");
    }

    @Test
    void baselineSelectorsAreListedOncePerText() throws ExpressionException {
        Expr expr = ExpressionParser.parse("e > baseline(e) and e{x=\"y\"} > baseline(e{x=\"y\"})"
                + " and e * 2 > baseline(e) and avg_over(g, 1m) > 0");

        assertThat(HistoryWindows.baselineSelectors(expr)).extracting(ExpressionPrinter::print)
                .containsExactly("e", "e{x=\"y\"}");
    }
}
