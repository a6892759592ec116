package io.rollguard.rule.expr;

import io.rollguard.common.Quantities;
import io.rollguard.common.RegexErrors;
import io.rollguard.common.Suggestions;
import io.rollguard.rule.expr.Token.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Parses rule expressions (DESIGN.md, "Rule expressions") by recursive descent and checks their types as it goes,
 * so that every error is reported where it is, first error first, with what was expected there.
 *
 * <p>Types: literals are numbers, selectors and functions are series, comparisons, {@code and}, {@code or},
 * {@code not} and {@code absent} are conditions. Arithmetic and comparisons take numbers or series; {@code and},
 * {@code or} and {@code not} take conditions; windowed functions take a selector; aggregations take series.
 */
public final class ExpressionParser {
    // Bounds that keep every recursive walk of a tree (parser, printer, evaluator) far from the stack's end, even on
    // the scheduler thread's small stack; no sensible rule comes near them.
    static final int MAX_NESTING = 32;
    static final int MAX_OPERATORS = 256;

    static final String CONDITION_EXPECTED =
            "expected a comparison: a rule condition must compare, e.g. memory_used_ratio > 90%";

    private static final Map<String, WindowCall.Function> WINDOW_FUNCTIONS = windowFunctions();
    private static final Map<String, Aggregation.Operator> AGGREGATIONS = aggregations();
    private static final String QUANTILE_OVER = "quantile_over";
    private static final String PREDICT = "predict";
    private static final String ABSENT = "absent";
    private static final String BASELINE = "baseline";
    private static final String REGRESSED = "regressed";
    private static final Set<String> FUNCTIONS = functions();
    private static final List<String> REGRESSED_ARGUMENTS = List.of("by", "confidence", "worse", "window", "against");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "by");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private enum Type {
        NUMBER,
        SERIES,
        CONDITION
    }

    private record Parsed(Expr expr, Type type) {}

    private final Lexer lexer;
    private Token current;
    private int previousEnd;
    private int nesting;
    private int operators;

    private ExpressionParser(String text) {
        this.lexer = new Lexer(text);
    }

    /** Parses any expression: a number, series or a condition. */
    public static Expr parse(String text) throws ExpressionException {
        return new ExpressionParser(text).parseAll().expr();
    }

    /**
     * Parses a rule's {@code when}: an expression that is a condition (a comparison, {@code and}, {@code or},
     * {@code not} or {@code absent}), which {@link Evaluator#evaluateCondition} can evaluate.
     */
    public static Expr parseCondition(String text) throws ExpressionException {
        ExpressionParser parser = new ExpressionParser(text);
        Parsed parsed = parser.parseAll();
        if (parsed.type() != Type.CONDITION) {
            throw new ExpressionException(parser.previousEnd, CONDITION_EXPECTED);
        }
        return parsed.expr();
    }

    private Parsed parseAll() throws ExpressionException {
        current = lexer.next();
        Parsed parsed = or();
        if (!current.is(Kind.END)) {
            if (comparison(current) != null) {
                throw error(current, "comparisons do not chain: combine them with and, e.g. x > 1 and x < 5");
            }
            throw error(current, "expected an operator or the end of the expression, got " + current.describe());
        }
        return parsed;
    }

    private Parsed or() throws ExpressionException {
        int start = current.start();
        Parsed left = and();
        while (current.isKeyword("or")) {
            Token operator = operator();
            requireCondition(left, operator, "left");
            Parsed right = and();
            requireCondition(right, operator, "right");
            left = new Parsed(new Binary(Binary.Op.OR, left.expr(), right.expr(), span(start)), Type.CONDITION);
        }
        return left;
    }

    private Parsed and() throws ExpressionException {
        int start = current.start();
        Parsed left = not();
        while (current.isKeyword("and")) {
            Token operator = operator();
            requireCondition(left, operator, "left");
            Parsed right = not();
            requireCondition(right, operator, "right");
            left = new Parsed(new Binary(Binary.Op.AND, left.expr(), right.expr(), span(start)), Type.CONDITION);
        }
        return left;
    }

    private Parsed not() throws ExpressionException {
        if (!current.isKeyword("not")) {
            return comparison();
        }
        Token keyword = advance();
        enter(keyword);
        Parsed operand = not();
        leave();
        if (operand.type() != Type.CONDITION) {
            throw error(operand, "not needs a condition such as x > 1, got " + describe(operand));
        }
        return new Parsed(new Not(operand.expr(), span(keyword.start())), Type.CONDITION);
    }

    private Parsed comparison() throws ExpressionException {
        int start = current.start();
        Parsed left = arithmetic();
        Binary.Op op = comparison(current);
        if (op == null) {
            if (current.is(Kind.EQUAL)) {
                throw error(current, "expected '==' to compare for equality, got '='");
            }
            return left;
        }
        Token operator = operator();
        requireNumber(left, operator, "left");
        Parsed right = arithmetic();
        requireNumber(right, operator, "right");
        return new Parsed(new Binary(op, left.expr(), right.expr(), span(start)), Type.CONDITION);
    }

    private static Binary.Op comparison(Token token) {
        return switch (token.kind()) {
            case LESS -> Binary.Op.LESS;
            case LESS_OR_EQUAL -> Binary.Op.LESS_OR_EQUAL;
            case GREATER -> Binary.Op.GREATER;
            case GREATER_OR_EQUAL -> Binary.Op.GREATER_OR_EQUAL;
            case EQUAL_EQUAL -> Binary.Op.EQUAL;
            case NOT_EQUAL -> Binary.Op.NOT_EQUAL;
            default -> null;
        };
    }

    private Parsed arithmetic() throws ExpressionException {
        int start = current.start();
        Parsed left = product();
        while (current.is(Kind.PLUS) || current.is(Kind.MINUS)) {
            Binary.Op op = current.is(Kind.PLUS) ? Binary.Op.ADD : Binary.Op.SUBTRACT;
            left = arithmeticOperand(start, left, op, false);
        }
        return left;
    }

    private Parsed product() throws ExpressionException {
        int start = current.start();
        Parsed left = unary();
        while (current.is(Kind.STAR) || current.is(Kind.SLASH)) {
            Binary.Op op = current.is(Kind.STAR) ? Binary.Op.MULTIPLY : Binary.Op.DIVIDE;
            left = arithmeticOperand(start, left, op, true);
        }
        return left;
    }

    /** Consumes the operator and its right operand, a product's ({@code unary}) or a sum's ({@code product}). */
    private Parsed arithmeticOperand(int start, Parsed left, Binary.Op op, boolean inProduct)
            throws ExpressionException {
        Token operator = operator();
        requireNumber(left, operator, "left");
        Parsed right = inProduct ? unary() : product();
        requireNumber(right, operator, "right");
        Type type = left.type() == Type.NUMBER && right.type() == Type.NUMBER ? Type.NUMBER : Type.SERIES;
        return new Parsed(new Binary(op, left.expr(), right.expr(), span(start)), type);
    }

    private Parsed unary() throws ExpressionException {
        if (!current.is(Kind.MINUS)) {
            return atom();
        }
        Token minus = advance();
        enter(minus);
        Parsed operand = unary();
        leave();
        if (operand.type() == Type.CONDITION) {
            throw error(operand, "cannot negate a condition with '-': write not");
        }
        return new Parsed(new Negation(operand.expr(), span(minus.start())), operand.type());
    }

    private Parsed atom() throws ExpressionException {
        Token token = current;
        switch (token.kind()) {
            case NUMBER:
                advance();
                return literal(new NumberLiteral(Double.parseDouble(token.text()), token.text(), span(token.start())));
            case DURATION:
                advance();
                return literal(new DurationLiteral(Quantities.parseDuration(token.text()), token.text(),
                        span(token.start())));
            case SIZE:
                advance();
                return literal(new SizeLiteral(Quantities.parseSize(token.text()), token.text(), span(token.start())));
            case PERCENT:
                advance();
                return literal(new PercentLiteral(Quantities.parseRatio(token.text()), token.text(),
                        span(token.start())));
            case LEFT_PAREN:
                advance();
                enter(token);
                Parsed inner = or();
                expect(Kind.RIGHT_PAREN, "expected ')' to close '(', got ");
                leave();
                return inner;
            case IDENTIFIER:
                if (KEYWORDS.contains(token.text())) {
                    throw error(token, "expected an expression, got " + token.describe());
                }
                advance();
                if (current.is(Kind.LEFT_PAREN)) {
                    return call(token);
                }
                if (AGGREGATIONS.containsKey(token.text()) && current.isKeyword("by")) {
                    throw error(current, "write by (...) after the aggregation: " + token.text()
                            + "(...) by (label, ...)");
                }
                return new Parsed(selector(token), Type.SERIES);
            default:
                throw error(token, "expected an expression, got " + token.describe());
        }
    }

    private static Parsed literal(Expr literal) {
        return new Parsed(literal, Type.NUMBER);
    }

    private Selector selector(Token name) throws ExpressionException {
        List<LabelMatcher> matchers = new ArrayList<>();
        if (current.is(Kind.LEFT_BRACE)) {
            advance();
            while (true) {
                matchers.add(matcher(name));
                if (current.is(Kind.COMMA)) {
                    advance();
                } else if (current.is(Kind.RIGHT_BRACE)) {
                    advance();
                    break;
                } else {
                    throw error(current, "expected ',' or '}' after a label matcher of " + name.text() + ", got "
                            + current.describe());
                }
            }
        }
        return new Selector(name.text(), matchers, span(name.start()));
    }

    private LabelMatcher matcher(Token name) throws ExpressionException {
        Token label = labelName("expected a label name in the matchers of " + name.text() + ", got ");
        LabelMatcher.Op op = switch (current.kind()) {
            case EQUAL -> LabelMatcher.Op.EQUAL;
            case NOT_EQUAL -> LabelMatcher.Op.NOT_EQUAL;
            case MATCHES -> LabelMatcher.Op.MATCHES;
            case NOT_MATCHES -> LabelMatcher.Op.NOT_MATCHES;
            default -> throw error(current, "expected =, !=, =~ or !~ after the label " + label.text() + ", got "
                    + current.describe());
        };
        advance();
        Token value = current;
        if (!value.is(Kind.STRING)) {
            throw error(value, "expected a double-quoted string after " + label.text() + op.symbol() + ", got "
                    + value.describe());
        }
        advance();
        try {
            return LabelMatcher.of(label.text(), op, value.value(), span(label.start()));
        } catch (PatternSyntaxException e) {
            throw error(value, "invalid regular expression " + value.describe() + ": "
                    + RegexErrors.describe(e));
        }
    }

    private Token labelName(String expected) throws ExpressionException {
        Token label = current;
        if (!label.is(Kind.IDENTIFIER) || !LABEL_NAME.matcher(label.text()).matches()) {
            throw error(label, expected + label.describe());
        }
        if (label.text().startsWith("__")) {
            throw error(label, "label names starting with __ are reserved for Prometheus, got " + label.describe());
        }
        return advance();
    }

    private Parsed call(Token name) throws ExpressionException {
        String function = name.text();
        if (!FUNCTIONS.contains(function)) {
            Optional<String> closest = Suggestions.closest(function, FUNCTIONS);
            throw error(name, "unknown function " + function + closest.map(s -> " (did you mean " + s + "?)")
                    .orElse(" (the functions are " + String.join(", ", FUNCTIONS) + ")"));
        }
        advance(); // (
        enter(name);
        Parsed parsed;
        WindowCall.Function window = WINDOW_FUNCTIONS.get(function);
        Aggregation.Operator aggregator = AGGREGATIONS.get(function);
        if (window != null) {
            Selector selector = selectorArgument(function, "first");
            Duration duration = windowArgument(function, "second");
            parsed = new Parsed(new WindowCall(window, selector, duration, span(name.start())), Type.SERIES);
        } else if (function.equals(QUANTILE_OVER)) {
            double quantile = quantileArgument();
            expect(Kind.COMMA, "expected a selector as the second argument of quantile_over, got ");
            Selector selector = selectorArgument(function, "second");
            Duration duration = windowArgument(function, "third");
            parsed = new Parsed(new QuantileCall(quantile, selector, duration, span(name.start())), Type.SERIES);
        } else if (function.equals(PREDICT)) {
            Selector selector = selectorArgument(function, "first");
            Token windowToken = durationArgument("expected a duration such as 1h as the second argument of predict"
                    + " (the window its line is fitted over), got ");
            Duration fitted = Quantities.parseDuration(windowToken.text());
            if (fitted.isZero()) {
                throw error(windowToken, "the window of predict must be longer than 0s, got " + windowToken.describe());
            }
            Token aheadToken = durationArgument("expected a duration such as 4h as the third argument of predict"
                    + " (how far ahead of now to predict), got ");
            Duration ahead = Quantities.parseDuration(aheadToken.text());
            expect(Kind.RIGHT_PAREN, "expected ')' after the third argument of predict, got ");
            parsed = new Parsed(new PredictCall(selector, fitted, ahead, span(name.start())), Type.SERIES);
        } else if (function.equals(REGRESSED)) {
            parsed = new Parsed(regressed(name), Type.CONDITION);
        } else if (aggregator != null) {
            parsed = aggregation(name, aggregator);
        } else {
            Selector selector = selectorArgument(function, "first");
            expect(Kind.RIGHT_PAREN, "expected ')' after the selector of " + function + ", got ");
            parsed = function.equals(ABSENT)
                    ? new Parsed(new Absent(selector, span(name.start())), Type.CONDITION)
                    : new Parsed(new Baseline(selector, span(name.start())), Type.SERIES);
        }
        leave();
        if (aggregator == null && current.isKeyword("by")) {
            throw error(current, "by (...) applies to the aggregations sum, avg, min, max and count, not to "
                    + function);
        }
        return parsed;
    }

    /**
     * {@code regressed(selector, by = 10%, confidence = 99%, worse = higher, window = 10m)}: a selector, then named
     * arguments in any order, of which {@code by} is required.
     */
    private RegressedCall regressed(Token name) throws ExpressionException {
        Selector selector = selectorArgument(REGRESSED, "first");
        RegressedCall.By by = null;
        double confidence = RegressedCall.DEFAULT_CONFIDENCE;
        String confidenceText = RegressedCall.DEFAULT_CONFIDENCE_TEXT;
        RegressedCall.Worse worse = RegressedCall.Worse.HIGHER;
        Duration window = RegressedCall.DEFAULT_WINDOW;
        Selector against = null;
        List<String> seen = new ArrayList<>();
        while (current.is(Kind.COMMA)) {
            advance();
            Token argument = current;
            if (!argument.is(Kind.IDENTIFIER) || !REGRESSED_ARGUMENTS.contains(argument.text())) {
                String suggestion = argument.is(Kind.IDENTIFIER)
                        ? Suggestions.closest(argument.text(), REGRESSED_ARGUMENTS).map(s -> " (did you mean " + s
                                + "?)").orElse("") : "";
                throw error(argument, "expected a named argument of regressed (by, confidence, worse, window or"
                        + " against) such as by = 10%, got " + argument.describe() + suggestion);
            }
            if (seen.contains(argument.text())) {
                throw error(argument, "the argument " + argument.text() + " of regressed is given twice");
            }
            seen.add(argument.text());
            advance();
            expect(Kind.EQUAL, "expected '=' after " + argument.text() + ", got ");
            Token value = current;
            if (argument.text().equals("against")) {
                if (current.is(Kind.RIGHT_PAREN) || current.is(Kind.COMMA)) {
                    throw error(current, "expected a selector after against =, got " + current.describe());
                }
                Parsed compared = or();
                if (!(compared.expr() instanceof Selector)) {
                    throw error(compared, "against needs a selector, not " + describe(compared));
                }
                against = (Selector) compared.expr();
                continue;
            }
            switch (argument.text()) {
                case "by" -> by = byArgument(value);
                case "confidence" -> {
                    String expected = "expected a confidence between 50% and 99.99% such as 99% after confidence =,"
                            + " got ";
                    if (!value.is(Kind.PERCENT) && !value.is(Kind.NUMBER)) {
                        throw error(value, expected + value.describe());
                    }
                    confidence = value.is(Kind.PERCENT) ? Quantities.parseRatio(value.text())
                            : Double.parseDouble(value.text());
                    if (!(confidence >= RegressedCall.MIN_CONFIDENCE && confidence <= RegressedCall.MAX_CONFIDENCE)) {
                        throw error(value, expected + value.describe());
                    }
                    confidenceText = value.text();
                }
                case "worse" -> {
                    if (!value.isKeyword("higher") && !value.isKeyword("lower")) {
                        throw error(value, "expected higher (latency, errors) or lower (throughput) after worse =,"
                                + " got " + value.describe());
                    }
                    worse = value.isKeyword("higher") ? RegressedCall.Worse.HIGHER : RegressedCall.Worse.LOWER;
                }
                default -> { // window
                    if (!value.is(Kind.DURATION)) {
                        throw error(value, "expected a duration such as 10m after window =, got " + value.describe());
                    }
                    window = Quantities.parseDuration(value.text());
                    if (window.isZero()) {
                        throw error(value, "the window of regressed must be longer than 0s, got "
                                + value.describe());
                    }
                }
            }
            advance();
        }
        if (!current.is(Kind.RIGHT_PAREN)) {
            throw error(current, "expected ',' and a named argument, or ')', after the arguments of regressed, got "
                    + current.describe());
        }
        if (by == null) {
            throw error(current, "regressed needs by = how much worse counts, e.g. by = 10% (of the baseline's"
                    + " median) or by = 50ms");
        }
        advance();
        return new RegressedCall(selector, by, confidence, confidenceText, worse, window, against,
                span(name.start()));
    }

    private static RegressedCall.By byArgument(Token value) throws ExpressionException {
        return switch (value.kind()) {
            case PERCENT -> new RegressedCall.By(Quantities.parseRatio(value.text()), true, value.text());
            case NUMBER -> new RegressedCall.By(Double.parseDouble(value.text()), false, value.text());
            case DURATION -> {
                Duration duration = Quantities.parseDuration(value.text());
                yield new RegressedCall.By(duration.getSeconds() + duration.getNano() / 1e9, false, value.text());
            }
            case SIZE -> new RegressedCall.By(Quantities.parseSize(value.text()), false, value.text());
            default -> throw error(value, "expected how much worse counts after by =, such as 10% (of the"
                    + " baseline's median), 50ms or 0.05, got " + value.describe());
        };
    }

    private Selector selectorArgument(String function, String ordinal) throws ExpressionException {
        if (current.is(Kind.RIGHT_PAREN) || current.is(Kind.COMMA)) {
            throw error(current, "expected a selector as the " + ordinal + " argument of " + function + ", got "
                    + current.describe());
        }
        Parsed argument = or();
        if (!(argument.expr() instanceof Selector)) {
            throw error(argument, function + " needs a selector, not " + describe(argument));
        }
        return (Selector) argument.expr();
    }

    /** The comma before the window, the window, and the closing parenthesis after it. */
    private Duration windowArgument(String function, String ordinal) throws ExpressionException {
        String expected = "expected a duration such as 5m as the " + ordinal + " argument of " + function + ", got ";
        expect(Kind.COMMA, expected);
        Token token = current;
        if (!token.is(Kind.DURATION)) {
            throw error(token, expected + token.describe());
        }
        Duration window = Quantities.parseDuration(token.text());
        if (window.isNegative() || window.isZero()) {
            throw error(token, "the window of " + function + " must be longer than 0s, got " + token.describe());
        }
        advance();
        expect(Kind.RIGHT_PAREN, "expected ')' after the window of " + function + ", got ");
        return window;
    }

    /** The comma before a duration argument and the duration, taken. */
    private Token durationArgument(String expected) throws ExpressionException {
        expect(Kind.COMMA, expected);
        if (!current.is(Kind.DURATION)) {
            throw error(current, expected + current.describe());
        }
        return advance();
    }

    private double quantileArgument() throws ExpressionException {
        Token token = current;
        String expected = "expected a quantile between 0 and 1 such as 0.95 as the first argument of quantile_over,"
                + " got ";
        double quantile;
        if (token.is(Kind.NUMBER)) {
            quantile = Double.parseDouble(token.text());
        } else if (token.is(Kind.PERCENT)) {
            quantile = Quantities.parseRatio(token.text());
        } else {
            throw error(token, expected + token.describe());
        }
        if (!(quantile >= 0 && quantile <= 1)) {
            throw error(token, expected + token.describe());
        }
        advance();
        return quantile;
    }

    private Parsed aggregation(Token name, Aggregation.Operator operator) throws ExpressionException {
        String function = name.text();
        if (current.is(Kind.RIGHT_PAREN) || current.is(Kind.COMMA)) {
            throw error(current, "expected series to aggregate as the argument of " + function + ", got "
                    + current.describe());
        }
        Parsed argument = or();
        if (argument.type() != Type.SERIES) {
            throw error(argument, function + " needs series to aggregate, not " + describe(argument));
        }
        expect(Kind.RIGHT_PAREN, "expected ')' after the argument of " + function + ", got ");
        List<String> by = new ArrayList<>();
        if (current.isKeyword("by")) {
            advance();
            expect(Kind.LEFT_PAREN, "expected '(' and label names after by, got ");
            while (true) {
                Token label = labelName("expected a label name in by (...), got ");
                if (by.contains(label.text())) {
                    throw error(label, "label " + label.text() + " is listed twice in by (...)");
                }
                by.add(label.text());
                if (current.is(Kind.COMMA)) {
                    advance();
                } else {
                    expect(Kind.RIGHT_PAREN, "expected ',' or ')' after a label in by (...), got ");
                    break;
                }
            }
        }
        return new Parsed(new Aggregation(operator, argument.expr(), by, span(name.start())), Type.SERIES);
    }

    private void requireCondition(Parsed operand, Token operator, String side) throws ExpressionException {
        if (operand.type() != Type.CONDITION) {
            throw error(operand, operator.text() + " needs a condition on each side, e.g. x > 1 " + operator.text()
                    + " y < 2, but its " + side + " side is " + describe(operand));
        }
    }

    private void requireNumber(Parsed operand, Token operator, String side) throws ExpressionException {
        if (operand.type() == Type.CONDITION) {
            throw error(operand, operator.text() + " needs numbers on both sides, but its " + side + " side is "
                    + describe(operand));
        }
    }

    private Token operator() throws ExpressionException {
        Token operator = advance();
        if (++operators > MAX_OPERATORS) {
            throw error(operator, "expression too long: more than " + MAX_OPERATORS + " operators");
        }
        return operator;
    }

    private void enter(Token token) throws ExpressionException {
        if (++nesting > MAX_NESTING) {
            throw error(token, "expression nested too deeply: more than " + MAX_NESTING
                    + " levels of parentheses, calls, not and -");
        }
    }

    private void leave() {
        nesting--;
    }

    private void expect(Kind kind, String expected) throws ExpressionException {
        if (!current.is(kind)) {
            throw error(current, expected + current.describe());
        }
        advance();
    }

    private Token advance() throws ExpressionException {
        Token taken = current;
        previousEnd = taken.end();
        current = lexer.next();
        return taken;
    }

    private Span span(int start) {
        return new Span(start, previousEnd);
    }

    private static ExpressionException error(Token token, String message) {
        return new ExpressionException(token.start(), message);
    }

    private static ExpressionException error(Parsed parsed, String message) {
        return new ExpressionException(parsed.expr().span().start(), message);
    }

    private static String describe(Parsed parsed) {
        return parsed.expr().accept(new Describer());
    }

    /** Names what a node is, for "... needs a selector, not an arithmetic expression". */
    private static final class Describer implements Expr.Visitor<String> {
        @Override
        public String number(NumberLiteral number) {
            return "a number";
        }

        @Override
        public String duration(DurationLiteral duration) {
            return "a duration";
        }

        @Override
        public String size(SizeLiteral size) {
            return "a size";
        }

        @Override
        public String percent(PercentLiteral percent) {
            return "a percentage";
        }

        @Override
        public String selector(Selector selector) {
            return "a selector";
        }

        @Override
        public String negation(Negation negation) {
            return "an arithmetic expression";
        }

        @Override
        public String not(Not not) {
            return "a condition";
        }

        @Override
        public String binary(Binary binary) {
            return switch (binary.op().kind()) {
                case ARITHMETIC -> "an arithmetic expression";
                case COMPARISON -> "a comparison";
                case LOGICAL -> "a condition";
            };
        }

        @Override
        public String window(WindowCall call) {
            return "a call of " + call.function().text();
        }

        @Override
        public String quantile(QuantileCall call) {
            return "a call of " + QUANTILE_OVER;
        }

        @Override
        public String predict(PredictCall call) {
            return "a call of " + PREDICT;
        }

        @Override
        public String aggregation(Aggregation aggregation) {
            return "a call of " + aggregation.operator().text();
        }

        @Override
        public String absent(Absent absent) {
            return "a condition (absent)";
        }

        @Override
        public String baseline(Baseline baseline) {
            return "a call of " + BASELINE;
        }

        @Override
        public String regressed(RegressedCall call) {
            return "a condition (" + REGRESSED + ")";
        }
    }

    private static Map<String, WindowCall.Function> windowFunctions() {
        return Arrays.stream(WindowCall.Function.values())
                .collect(Collectors.toUnmodifiableMap(WindowCall.Function::text, f -> f));
    }

    private static Map<String, Aggregation.Operator> aggregations() {
        return Arrays.stream(Aggregation.Operator.values())
                .collect(Collectors.toUnmodifiableMap(Aggregation.Operator::text, o -> o));
    }

    /** Sorted, so that the list in "unknown function" messages is stable. */
    private static Set<String> functions() {
        TreeSet<String> names = new TreeSet<>(WINDOW_FUNCTIONS.keySet());
        names.addAll(AGGREGATIONS.keySet());
        names.addAll(List.of(QUANTILE_OVER, PREDICT, ABSENT, BASELINE, REGRESSED));
        return Collections.unmodifiableSortedSet(names);
    }
}
