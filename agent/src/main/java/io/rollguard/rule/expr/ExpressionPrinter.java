package io.rollguard.rule.expr;

import io.rollguard.common.Quantities;
import java.math.BigDecimal;
import java.util.stream.Collectors;

/**
 * Prints a tree back as canonical text: single spaces around operators, parentheses only where precedence needs
 * them, literals as written, windows as {@link Quantities#formatDuration} writes them. Parsing the printed text
 * gives the same tree again, so the text can stand for the tree in messages, events and tests.
 */
public final class ExpressionPrinter {
    private static final int OR = 1;
    private static final int AND = 2;
    private static final int NOT = 3;
    private static final int COMPARISON = 4;
    private static final int SUM = 5;
    private static final int PRODUCT = 6;
    private static final int NEGATION = 7;
    private static final int ATOM = 8;

    private static final Printer PRINTER = new Printer();

    private ExpressionPrinter() {}

    public static String print(Expr expr) {
        return expr.accept(PRINTER);
    }

    private static final class Printer implements Expr.Visitor<String> {
        @Override
        public String number(NumberLiteral number) {
            return number.text();
        }

        @Override
        public String duration(DurationLiteral duration) {
            return duration.text();
        }

        @Override
        public String size(SizeLiteral size) {
            return size.text();
        }

        @Override
        public String percent(PercentLiteral percent) {
            return percent.text();
        }

        @Override
        public String selector(Selector selector) {
            if (selector.matchers().isEmpty()) {
                return selector.name();
            }
            return selector.name() + selector.matchers().stream()
                    .map(m -> m.label() + m.op().symbol() + quote(m.value()))
                    .collect(Collectors.joining(",", "{", "}"));
        }

        @Override
        public String negation(Negation negation) {
            // "-(-x)" rather than "--x", which reads like a typo.
            return "-" + operand(negation.operand(), NEGATION, true);
        }

        @Override
        public String not(Not not) {
            return "not " + operand(not.operand(), NOT, false);
        }

        @Override
        public String binary(Binary binary) {
            int precedence = precedence(binary);
            // Left-associative: a right operand of the same precedence keeps its parentheses, a - (b - c).
            return operand(binary.left(), precedence, false) + " " + binary.op().symbol() + " "
                    + operand(binary.right(), precedence, true);
        }

        @Override
        public String window(WindowCall call) {
            return call.function().text() + "(" + selector(call.selector()) + ", "
                    + Quantities.formatDuration(call.window()) + ")";
        }

        @Override
        public String quantile(QuantileCall call) {
            return "quantile_over(" + formatQuantile(call.quantile()) + ", " + selector(call.selector()) + ", "
                    + Quantities.formatDuration(call.window()) + ")";
        }

        @Override
        public String predict(PredictCall call) {
            return "predict(" + selector(call.selector()) + ", " + Quantities.formatDuration(call.window()) + ", "
                    + Quantities.formatDuration(call.ahead()) + ")";
        }

        @Override
        public String aggregation(Aggregation aggregation) {
            String call = aggregation.operator().text() + "(" + print(aggregation.argument()) + ")";
            return aggregation.by().isEmpty() ? call : call + " by (" + String.join(", ", aggregation.by()) + ")";
        }

        @Override
        public String absent(Absent absent) {
            return "absent(" + selector(absent.selector()) + ")";
        }

        @Override
        public String baseline(Baseline baseline) {
            return "baseline(" + selector(baseline.selector()) + ")";
        }

        @Override
        public String regressed(RegressedCall call) {
            return "regressed(" + selector(call.selector()) + ", by = " + call.by().text() + ", confidence = "
                    + call.confidenceText() + ", worse = " + call.worse().text() + ", window = "
                    + Quantities.formatDuration(call.window())
                    + (call.against() == null ? "" : ", against = " + selector(call.against())) + ")";
        }
    }

    private static String operand(Expr operand, int parentPrecedence, boolean parenthesizeEqual) {
        int precedence = precedence(operand);
        boolean parenthesize = precedence < parentPrecedence || (parenthesizeEqual && precedence == parentPrecedence);
        String text = print(operand);
        return parenthesize ? "(" + text + ")" : text;
    }

    private static int precedence(Expr expr) {
        return expr.accept(PRECEDENCE);
    }

    private static final Expr.Visitor<Integer> PRECEDENCE = new Expr.Visitor<>() {
        @Override
        public Integer number(NumberLiteral number) {
            return ATOM;
        }

        @Override
        public Integer duration(DurationLiteral duration) {
            return ATOM;
        }

        @Override
        public Integer size(SizeLiteral size) {
            return ATOM;
        }

        @Override
        public Integer percent(PercentLiteral percent) {
            return ATOM;
        }

        @Override
        public Integer selector(Selector selector) {
            return ATOM;
        }

        @Override
        public Integer negation(Negation negation) {
            return NEGATION;
        }

        @Override
        public Integer not(Not not) {
            return NOT;
        }

        @Override
        public Integer binary(Binary binary) {
            return switch (binary.op()) {
                case OR -> OR;
                case AND -> AND;
                case LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL, EQUAL, NOT_EQUAL -> COMPARISON;
                case ADD, SUBTRACT -> SUM;
                case MULTIPLY, DIVIDE -> PRODUCT;
            };
        }

        @Override
        public Integer window(WindowCall call) {
            return ATOM;
        }

        @Override
        public Integer quantile(QuantileCall call) {
            return ATOM;
        }

        @Override
        public Integer predict(PredictCall call) {
            return ATOM;
        }

        @Override
        public Integer aggregation(Aggregation aggregation) {
            return ATOM;
        }

        @Override
        public Integer absent(Absent absent) {
            return ATOM;
        }

        @Override
        public Integer baseline(Baseline baseline) {
            return ATOM;
        }

        @Override
        public Integer regressed(RegressedCall call) {
            return ATOM;
        }
    };

    /** 0.95, 1, 0.0001: the shortest plain decimal (never 1.0E-4, which is no literal) of the same double. */
    private static String formatQuantile(double quantile) {
        return BigDecimal.valueOf(quantile).stripTrailingZeros().toPlainString();
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
