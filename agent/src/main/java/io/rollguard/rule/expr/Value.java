package io.rollguard.rule.expr;

/** What an expression evaluates to: numbers ({@link Vector}) or a condition ({@link Verdicts}). */
public sealed interface Value permits Vector, Verdicts {}
