package io.rollguard.rule.expr;

/**
 * A node of a parsed rule expression. Every node knows where it came from in the text, so evaluation and messages
 * can point at it. Build trees with {@link ExpressionParser}, print them with {@link ExpressionPrinter}.
 */
public sealed interface Expr
        permits NumberLiteral, DurationLiteral, SizeLiteral, PercentLiteral, Selector, Negation, Not, Binary,
                WindowCall, QuantileCall, PredictCall, Aggregation, Absent, Baseline, RegressedCall {
    Span span();

    <R> R accept(Visitor<R> visitor);

    /** One method per node kind: a new node breaks every visitor at compile time. */
    interface Visitor<R> {
        R number(NumberLiteral number);

        R duration(DurationLiteral duration);

        R size(SizeLiteral size);

        R percent(PercentLiteral percent);

        R selector(Selector selector);

        R negation(Negation negation);

        R not(Not not);

        R binary(Binary binary);

        R window(WindowCall call);

        R quantile(QuantileCall call);

        R predict(PredictCall call);

        R aggregation(Aggregation aggregation);

        R absent(Absent absent);

        R baseline(Baseline baseline);

        R regressed(RegressedCall call);
    }
}
