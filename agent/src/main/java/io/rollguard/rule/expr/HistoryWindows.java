package io.rollguard.rule.expr;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The history an expression needs: for each series name a windowed function reads, the longest window it reads it
 * over. Pass it to {@code SeriesStore.track}/{@code trackOnly} when rules are loaded, or windowed functions find
 * no history and evaluate to missing data.
 */
public final class HistoryWindows {
    private HistoryWindows() {}

    /** Series name as written in the expression (prefix or not) to the longest window over it. */
    public static Map<String, Duration> of(Expr expr) {
        Collector collector = new Collector();
        expr.accept(collector);
        return Map.copyOf(collector.windows);
    }

    /**
     * The selectors {@code baseline(...)} and {@code regressed(...)} read in {@code expr}, one per distinct text: their
     * series need history over the baseline window, from which a deployment's start captures them (an average for
     * {@code baseline}, a sample set for {@code regressed}).
     */
    public static List<Selector> baselineSelectors(Expr expr) {
        Collector collector = new Collector();
        expr.accept(collector);
        return List.copyOf(collector.baselines.values());
    }

    /** Whether {@code expr} has a {@code regressed(...)} anywhere: its rule enters the deployment's canary score. */
    public static boolean hasRegressed(Expr expr) {
        Collector collector = new Collector();
        expr.accept(collector);
        return collector.regressed;
    }

    /** Every selector in {@code expr}, wherever it stands, in the order written: the series a rule reads. */
    public static List<Selector> selectors(Expr expr) {
        Collector collector = new Collector();
        expr.accept(collector);
        return List.copyOf(collector.all);
    }

    /**
     * The selectors {@code absent(...)} reads in {@code expr}: that they match nothing is what their rule watches
     * for, not a sign of a selector that can never match.
     */
    public static List<Selector> absentSelectors(Expr expr) {
        Collector collector = new Collector();
        expr.accept(collector);
        return List.copyOf(collector.absents);
    }

    private static final class Collector implements Expr.Visitor<Void> {
        private final Map<String, Duration> windows = new HashMap<>();
        private final Map<String, Selector> baselines = new LinkedHashMap<>();
        private final List<Selector> all = new java.util.ArrayList<>();
        private final List<Selector> absents = new java.util.ArrayList<>();
        private boolean regressed;

        private void add(Selector selector, Duration window) {
            all.add(selector);
            windows.merge(selector.name(), window, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }

        @Override
        public Void number(NumberLiteral number) {
            return null;
        }

        @Override
        public Void duration(DurationLiteral duration) {
            return null;
        }

        @Override
        public Void size(SizeLiteral size) {
            return null;
        }

        @Override
        public Void percent(PercentLiteral percent) {
            return null;
        }

        @Override
        public Void selector(Selector selector) {
            all.add(selector);
            return null;
        }

        @Override
        public Void negation(Negation negation) {
            return negation.operand().accept(this);
        }

        @Override
        public Void not(Not not) {
            return not.operand().accept(this);
        }

        @Override
        public Void binary(Binary binary) {
            binary.left().accept(this);
            return binary.right().accept(this);
        }

        @Override
        public Void window(WindowCall call) {
            add(call.selector(), call.window());
            return null;
        }

        @Override
        public Void quantile(QuantileCall call) {
            add(call.selector(), call.window());
            return null;
        }

        @Override
        public Void predict(PredictCall call) {
            add(call.selector(), call.window());
            return null;
        }

        @Override
        public Void aggregation(Aggregation aggregation) {
            return aggregation.argument().accept(this);
        }

        @Override
        public Void absent(Absent absent) {
            all.add(absent.selector());
            absents.add(absent.selector());
            return null;
        }

        @Override
        public Void baseline(Baseline baseline) {
            // Its window is the deployment settings' baseline window, which the rule engine adds: see baselineSelectors.
            all.add(baseline.selector());
            baselines.putIfAbsent(ExpressionPrinter.print(baseline.selector()), baseline.selector());
            return null;
        }

        @Override
        public Void regressed(RegressedCall call) {
            // The samples after the start are its window's; those before, the deployment's frozen sample sets.
            regressed = true;
            add(call.selector(), call.window());
            if (call.against() != null) {
                add(call.against(), call.window()); // compared over the same window: nothing to freeze
            } else {
                baselines.putIfAbsent(ExpressionPrinter.print(call.selector()), call.selector());
            }
            return null;
        }
    }
}
