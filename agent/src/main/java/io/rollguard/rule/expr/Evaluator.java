package io.rollguard.rule.expr;

import io.rollguard.store.LabelSet;
import io.rollguard.store.SampleBuffer;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesHistory;
import io.rollguard.store.SeriesView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates parsed expressions against a {@link SeriesView}, at the view's moment.
 *
 * <p>Semantics, PromQL's where it has them:
 *
 * <ul>
 *   <li>A selector gives one element per fresh matching series; none when nothing matches or the data is stale.
 *   <li>Arithmetic: a scalar applies to every element; between two vectors, elements with identical label sets are
 *       paired and the others dropped (one-to-one matching). Division by zero follows IEEE 754.
 *   <li>Comparisons do not filter as in PromQL: for each label set that the pairing above keeps, they give a
 *       {@link Verdict} with whether it holds and both sides' values, so a rule can tell "false" from "no data".
 *       A comparison with a NaN side (0/0) gives no verdict: undefined is no data, not false.
 *   <li>{@code and} is three-valued, per label set: false when either side is false, true when both hold, and no
 *       verdict when one side holds and the other has none for that label set. {@code or}: true when either side
 *       holds, false when both are false; a label set only one side has takes that side's verdict, so
 *       {@code check_up{check="api"} == 0 or check_up{check="db"} == 0} is false, not unknown, while both are up.
 *       A scalar condition applies to every label set of the other side. {@code not} flips each verdict.
 *   <li>{@code absent(selector)} is a condition that is always known: it holds when no fresh series matches, with
 *       the labels of the selector's equality matchers (as PromQL's {@code absent}), so
 *       {@code absent(process_up{process="backend"})} works as a rule by itself.
 *   <li>Windowed functions read each matching series' samples later than {@code now - window}; a series without
 *       samples there (or, for rate, increase, delta and slope, with fewer than two) gives no element. rate and
 *       increase treat a drop as a counter reset to 0, as Prometheus does, but do not extrapolate to the window's
 *       edges: increase is the growth between the first and last sample, rate that growth per second between them.
 *       quantile_over interpolates between ranks as Prometheus's quantile_over_time does.
 *   <li>Aggregations keep only the {@code by} labels; over no elements they give none.
 *   <li>{@code baseline(selector)} gives the values the current deployment froze at its start, one per label set
 *       (the {@link Baselines} passed in); none when there is no deployment or nothing was captured for the series.
 * </ul>
 *
 * <p>Not thread-safe: it reuses its sample buffers from one evaluation to the next, so one evaluator serves one
 * thread (the scheduler's).
 */
public final class Evaluator {
    private final SampleBuffer samples = new SampleBuffer();
    private double[] sorted = new double[64];

    /** Evaluates any expression: numbers give a {@link Vector}, conditions {@link Verdicts}. */
    public Value evaluate(Expr expr, SeriesView view) {
        return evaluate(expr, view, Baselines.NONE);
    }

    /** Evaluates any expression, {@code baseline(...)} reading {@code baselines}. */
    public Value evaluate(Expr expr, SeriesView view, Baselines baselines) {
        return expr.accept(new Pass(view, baselines));
    }

    /**
     * Evaluates a rule condition (from {@link ExpressionParser#parseCondition}): one verdict per label set with data.
     * An empty list means no data at all.
     *
     * @throws IllegalArgumentException when {@code condition} is not a condition
     */
    public List<Verdict> evaluateCondition(Expr condition, SeriesView view) {
        return evaluateCondition(condition, view, Baselines.NONE);
    }

    /** As {@link #evaluateCondition(Expr, SeriesView)}, {@code baseline(...)} reading {@code baselines}. */
    public List<Verdict> evaluateCondition(Expr condition, SeriesView view, Baselines baselines) {
        Value value = evaluate(condition, view, baselines);
        if (!(value instanceof Verdicts)) {
            throw new IllegalArgumentException("not a condition: " + ExpressionPrinter.print(condition));
        }
        return ((Verdicts) value).verdicts();
    }

    /** One evaluation: the visitor carries the view so that the evaluator itself keeps no per-pass state. */
    private final class Pass implements Expr.Visitor<Value> {
        private final SeriesView view;
        private final Baselines baselines;
        private final long nowNanos;

        Pass(SeriesView view, Baselines baselines) {
            this.view = view;
            this.baselines = baselines;
            this.nowNanos = view.nowNanos();
        }

        @Override
        public Value number(NumberLiteral number) {
            return Vector.scalar(number.value());
        }

        @Override
        public Value duration(DurationLiteral duration) {
            return Vector.scalar(seconds(duration.value()));
        }

        @Override
        public Value size(SizeLiteral size) {
            return Vector.scalar(size.bytes());
        }

        @Override
        public Value percent(PercentLiteral percent) {
            return Vector.scalar(percent.ratio());
        }

        @Override
        public Value selector(Selector selector) {
            List<Vector.Element> elements = new ArrayList<>();
            List<Series> candidates = candidates(selector);
            // Indexed loops over series: an iterator per selector per tick is garbage C1 (the shipped JIT) keeps.
            for (int i = 0; i < candidates.size(); i++) {
                Series series = candidates.get(i);
                if (selector.matches(series.key().labels())) {
                    elements.add(new Vector.Element(series.key().labels(), series.value(), Basis.LATEST));
                }
            }
            return Vector.series(elements);
        }

        @Override
        public Value negation(Negation negation) {
            Vector operand = numbers(negation.operand());
            List<Vector.Element> elements = new ArrayList<>(operand.elements().size());
            for (Vector.Element element : operand.elements()) {
                elements.add(new Vector.Element(element.labels(), -element.value(), element.basis()));
            }
            return new Vector(elements, operand.scalar());
        }

        @Override
        public Value not(Not not) {
            Verdicts operand = conditions(not.operand());
            List<Verdict> verdicts = new ArrayList<>(operand.verdicts().size());
            for (Verdict verdict : operand.verdicts()) {
                verdicts.add(verdict.negated());
            }
            return new Verdicts(verdicts, operand.scalar());
        }

        @Override
        public Value binary(Binary binary) {
            return switch (binary.op().kind()) {
                case ARITHMETIC -> arithmetic(binary, numbers(binary.left()), numbers(binary.right()));
                case COMPARISON -> compare(binary, numbers(binary.left()), numbers(binary.right()));
                case LOGICAL -> logical(binary.op(), conditions(binary.left()), conditions(binary.right()));
            };
        }

        @Override
        public Value window(WindowCall call) {
            List<Vector.Element> elements = new ArrayList<>();
            List<SeriesHistory> histories = histories(call.selector());
            for (int i = 0; i < histories.size(); i++) {
                SeriesHistory history = histories.get(i);
                if (call.selector().matches(history.key().labels())) {
                    history.read(call.window(), nowNanos, samples);
                    double value = windowed(call.function(), samples);
                    if (!Double.isNaN(value)) {
                        elements.add(new Vector.Element(history.key().labels(), value,
                                new Basis(call.window(), samples.size())));
                    }
                }
            }
            return Vector.series(elements);
        }

        @Override
        public Value quantile(QuantileCall call) {
            List<Vector.Element> elements = new ArrayList<>();
            List<SeriesHistory> histories = histories(call.selector());
            for (int i = 0; i < histories.size(); i++) {
                SeriesHistory history = histories.get(i);
                if (call.selector().matches(history.key().labels())) {
                    history.read(call.window(), nowNanos, samples);
                    if (samples.size() > 0) {
                        elements.add(new Vector.Element(history.key().labels(), quantileOf(call.quantile(), samples),
                                new Basis(call.window(), samples.size())));
                    }
                }
            }
            return Vector.series(elements);
        }

        @Override
        public Value aggregation(Aggregation aggregation) {
            Map<LabelSet, Group> groups = new LinkedHashMap<>();
            for (Vector.Element element : numbers(aggregation.argument()).elements()) {
                LabelSet key = project(element.labels(), aggregation.by());
                groups.computeIfAbsent(key, k -> new Group()).add(element);
            }
            List<Vector.Element> elements = new ArrayList<>(groups.size());
            groups.forEach((labels, group) ->
                    elements.add(new Vector.Element(labels, group.result(aggregation.operator()), group.basis)));
            return Vector.series(elements);
        }

        @Override
        public Value absent(Absent absent) {
            Selector selector = absent.selector();
            int matching = 0;
            List<Series> candidates = candidates(selector);
            for (int i = 0; i < candidates.size(); i++) {
                if (selector.matches(candidates.get(i).key().labels())) {
                    matching++;
                }
            }
            Map<String, String> labels = new HashMap<>();
            for (LabelMatcher matcher : selector.matchers()) {
                if (matcher.op() == LabelMatcher.Op.EQUAL) {
                    labels.putIfAbsent(matcher.label(), matcher.value());
                }
            }
            boolean holds = matching == 0;
            return new Verdicts(List.of(new Verdict(LabelSet.of(labels), holds, holds ? 1 : 0, Double.NaN,
                    new Basis(Duration.ZERO, matching), absent)), false);
        }

        @Override
        public Value baseline(Baseline baseline) {
            // Without a frozen value a rule comparing with a baseline has no data: the state machine reports unknown.
            return Vector.series(baselines.lookup(ExpressionPrinter.print(baseline.selector())));
        }

        /**
         * The series that may match: those with the value of the selector's first equality matcher when it has one,
         * which the view finds without reading every series of the name, else all of them.
         */
        private List<Series> candidates(Selector selector) {
            LabelMatcher equality = equality(selector);
            return equality == null ? view.latest(selector.name())
                    : view.latest(selector.name(), equality.label(), equality.value());
        }

        private List<SeriesHistory> histories(Selector selector) {
            LabelMatcher equality = equality(selector);
            return equality == null ? view.range(selector.name())
                    : view.range(selector.name(), equality.label(), equality.value());
        }

        private Vector numbers(Expr expr) {
            Value value = expr.accept(this);
            if (!(value instanceof Vector)) {
                throw new IllegalStateException("the parser lets only numbers reach here: " + expr);
            }
            return (Vector) value;
        }

        private Verdicts conditions(Expr expr) {
            Value value = expr.accept(this);
            if (!(value instanceof Verdicts)) {
                throw new IllegalStateException("the parser lets only conditions reach here: " + expr);
            }
            return (Verdicts) value;
        }
    }

    private static LabelMatcher equality(Selector selector) {
        List<LabelMatcher> matchers = selector.matchers();
        for (int i = 0; i < matchers.size(); i++) {
            if (matchers.get(i).op() == LabelMatcher.Op.EQUAL) {
                return matchers.get(i);
            }
        }
        return null;
    }

    private static Vector arithmetic(Binary binary, Vector left, Vector right) {
        if (left.scalar() && right.scalar()) {
            return Vector.scalar(apply(binary.op(), single(left).value(), single(right).value()));
        }
        List<Vector.Element> elements = new ArrayList<>();
        pair(left, right, (labels, l, r) ->
                elements.add(new Vector.Element(labels, apply(binary.op(), l.value(), r.value()),
                        l.basis().plus(r.basis()))));
        return Vector.series(elements);
    }

    private static Verdicts compare(Binary binary, Vector left, Vector right) {
        List<Verdict> verdicts = new ArrayList<>();
        pair(left, right, (labels, l, r) -> {
            if (!Double.isNaN(l.value()) && !Double.isNaN(r.value())) {
                verdicts.add(new Verdict(labels, holds(binary.op(), l.value(), r.value()), l.value(), r.value(),
                        l.basis().plus(r.basis()), binary));
            }
        });
        return new Verdicts(verdicts, left.scalar() && right.scalar());
    }

    private interface PairConsumer {
        void accept(LabelSet labels, Vector.Element left, Vector.Element right);
    }

    /** One-to-one matching: a scalar pairs with every element, two vectors pair on identical label sets. */
    private static void pair(Vector left, Vector right, PairConsumer consumer) {
        if (left.scalar()) {
            Vector.Element scalar = single(left);
            for (Vector.Element element : right.elements()) {
                consumer.accept(element.labels(), scalar, element);
            }
        } else if (right.scalar()) {
            Vector.Element scalar = single(right);
            for (Vector.Element element : left.elements()) {
                consumer.accept(element.labels(), element, scalar);
            }
        } else {
            Map<LabelSet, Vector.Element> byLabels = new HashMap<>();
            for (Vector.Element element : right.elements()) {
                byLabels.putIfAbsent(element.labels(), element);
            }
            for (Vector.Element element : left.elements()) {
                Vector.Element match = byLabels.get(element.labels());
                if (match != null) {
                    consumer.accept(element.labels(), element, match);
                }
            }
        }
    }

    private static Verdicts logical(Binary.Op op, Verdicts left, Verdicts right) {
        boolean and = op == Binary.Op.AND;
        List<Verdict> verdicts = new ArrayList<>();
        if (left.scalar() || right.scalar()) {
            Verdicts scalar = left.scalar() ? left : right;
            Verdicts other = left.scalar() ? right : left;
            Verdict scalarVerdict = scalar.verdicts().isEmpty() ? null : scalar.verdicts().get(0);
            if (other.scalar()) {
                Verdict combined = and ? and(scalarVerdict, firstOrNull(other)) : or(scalarVerdict, firstOrNull(other));
                return new Verdicts(combined == null ? List.of() : List.of(combined), true);
            }
            for (Verdict verdict : other.verdicts()) {
                Verdict l = left.scalar() ? scalarVerdict : verdict;
                Verdict r = left.scalar() ? verdict : scalarVerdict;
                add(verdicts, and ? and(l, r) : or(l, r), verdict.labels());
            }
            return new Verdicts(verdicts, false);
        }
        Map<LabelSet, Verdict> byLabels = new LinkedHashMap<>();
        for (Verdict verdict : right.verdicts()) {
            byLabels.putIfAbsent(verdict.labels(), verdict);
        }
        Set<LabelSet> paired = new HashSet<>();
        for (Verdict l : left.verdicts()) {
            Verdict r = byLabels.get(l.labels());
            if (r != null) {
                paired.add(l.labels());
                add(verdicts, and ? and(l, r) : or(l, r), l.labels());
            } else {
                add(verdicts, and ? and(l, null) : l, l.labels());
            }
        }
        for (Verdict r : byLabels.values()) {
            if (!paired.contains(r.labels())) {
                add(verdicts, and ? and(null, r) : r, r.labels());
            }
        }
        return new Verdicts(verdicts, false);
    }

    private static void add(List<Verdict> verdicts, Verdict verdict, LabelSet labels) {
        if (verdict != null) {
            verdicts.add(verdict.withLabels(labels));
        }
    }

    /** Three-valued and, null standing for no verdict: the operand that settles the outcome, or null. */
    private static Verdict and(Verdict left, Verdict right) {
        if (left != null && !left.holds()) {
            return left;
        }
        if (right != null && !right.holds()) {
            return right;
        }
        if (left == null || right == null) {
            return null;
        }
        return left;
    }

    /** Or between verdicts that both exist or both are scalar: the operand that settles the outcome. */
    private static Verdict or(Verdict left, Verdict right) {
        if (left != null && left.holds()) {
            return left;
        }
        if (right != null && right.holds()) {
            return right;
        }
        if (left == null || right == null) {
            return null;
        }
        return left;
    }

    private static Verdict firstOrNull(Verdicts verdicts) {
        return verdicts.verdicts().isEmpty() ? null : verdicts.verdicts().get(0);
    }

    private static Vector.Element single(Vector scalar) {
        return scalar.elements().get(0);
    }

    private static double apply(Binary.Op op, double left, double right) {
        return switch (op) {
            case ADD -> left + right;
            case SUBTRACT -> left - right;
            case MULTIPLY -> left * right;
            case DIVIDE -> left / right;
            case LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL, EQUAL, NOT_EQUAL, AND, OR ->
                    throw new IllegalArgumentException("not arithmetic: " + op);
        };
    }

    private static boolean holds(Binary.Op op, double left, double right) {
        return switch (op) {
            case LESS -> left < right;
            case LESS_OR_EQUAL -> left <= right;
            case GREATER -> left > right;
            case GREATER_OR_EQUAL -> left >= right;
            case EQUAL -> left == right;
            case NOT_EQUAL -> left != right;
            case ADD, SUBTRACT, MULTIPLY, DIVIDE, AND, OR ->
                    throw new IllegalArgumentException("not a comparison: " + op);
        };
    }

    /** The function over the samples, or NaN when there are too few for it: no data. */
    private static double windowed(WindowCall.Function function, SampleBuffer samples) {
        int count = samples.size();
        if (count == 0) {
            return Double.NaN;
        }
        return switch (function) {
            case AVG_OVER -> sum(samples) / count;
            case MIN_OVER -> min(samples);
            case MAX_OVER -> max(samples);
            case SUM_OVER -> sum(samples);
            case COUNT_OVER -> count;
            case RATE -> count < 2 ? Double.NaN : increase(samples) / secondsBetween(samples, 0, count - 1);
            case INCREASE -> count < 2 ? Double.NaN : increase(samples);
            case DELTA -> count < 2 ? Double.NaN : samples.value(count - 1) - samples.value(0);
            case SLOPE -> count < 2 ? Double.NaN : slope(samples);
        };
    }

    private static double sum(SampleBuffer samples) {
        double sum = 0;
        for (int i = 0; i < samples.size(); i++) {
            sum += samples.value(i);
        }
        return sum;
    }

    private static double min(SampleBuffer samples) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < samples.size(); i++) {
            min = Math.min(min, samples.value(i));
        }
        return min;
    }

    private static double max(SampleBuffer samples) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < samples.size(); i++) {
            max = Math.max(max, samples.value(i));
        }
        return max;
    }

    /** Growth of a counter: a drop means it restarted from 0, so the value after the drop is all growth. */
    private static double increase(SampleBuffer samples) {
        double increase = 0;
        double previous = samples.value(0);
        for (int i = 1; i < samples.size(); i++) {
            double current = samples.value(i);
            increase += current >= previous ? current - previous : current;
            previous = current;
        }
        return increase;
    }

    /** Least-squares slope per second; times are taken from the first sample so nanosecond clocks keep precision. */
    private static double slope(SampleBuffer samples) {
        int count = samples.size();
        double meanTime = 0;
        double meanValue = 0;
        for (int i = 0; i < count; i++) {
            meanTime += secondsBetween(samples, 0, i);
            meanValue += samples.value(i);
        }
        meanTime /= count;
        meanValue /= count;
        double covariance = 0;
        double variance = 0;
        for (int i = 0; i < count; i++) {
            double time = secondsBetween(samples, 0, i) - meanTime;
            covariance += time * (samples.value(i) - meanValue);
            variance += time * time;
        }
        return variance == 0 ? Double.NaN : covariance / variance;
    }

    private static double secondsBetween(SampleBuffer samples, int from, int to) {
        return (samples.timeNanos(to) - samples.timeNanos(from)) / 1e9;
    }

    /**
     * Linear interpolation between the closest ranks, as Prometheus's quantile_over_time. Selection rather than a
     * full sort: this runs for every series of every quantile rule each tick.
     */
    private double quantileOf(double quantile, SampleBuffer samples) {
        int count = samples.size();
        if (sorted.length < count) {
            sorted = new double[Math.max(count, sorted.length * 2)];
        }
        for (int i = 0; i < count; i++) {
            sorted[i] = samples.value(i);
        }
        double rank = quantile * (count - 1);
        int lower = (int) Math.floor(rank);
        double lowerValue = select(sorted, count, lower);
        if (lower == rank) {
            return lowerValue;
        }
        // select() left everything above position lower to its right: the next rank is the smallest of those.
        double upperValue = Double.POSITIVE_INFINITY;
        for (int i = lower + 1; i < count; i++) {
            upperValue = Math.min(upperValue, sorted[i]);
        }
        return lowerValue + (upperValue - lowerValue) * (rank - lower);
    }

    /** Hoare's quickselect: the value of rank {@code k} among the first {@code count}, partially ordering them. */
    private static double select(double[] values, int count, int k) {
        int low = 0;
        int high = count - 1;
        while (low < high) {
            double pivot = values[(low + high) >>> 1];
            int i = low;
            int j = high;
            while (i <= j) {
                while (values[i] < pivot) {
                    i++;
                }
                while (values[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double swapped = values[i];
                    values[i] = values[j];
                    values[j] = swapped;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                high = j;
            } else if (k >= i) {
                low = i;
            } else {
                break;
            }
        }
        return values[k];
    }

    private static LabelSet project(LabelSet labels, List<String> by) {
        if (by.isEmpty()) {
            return LabelSet.EMPTY;
        }
        Map<String, String> kept = new HashMap<>();
        for (String name : by) {
            String value = labels.get(name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        return LabelSet.of(kept);
    }

    private static double seconds(Duration duration) {
        return duration.getSeconds() + duration.getNano() / 1e9;
    }

    /** Running sum, count, minimum and maximum of one aggregation group. */
    private static final class Group {
        private double sum;
        private int count;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private Basis basis = Basis.NONE;

        void add(Vector.Element element) {
            sum += element.value();
            count++;
            min = Math.min(min, element.value());
            max = Math.max(max, element.value());
            basis = basis.plus(element.basis());
        }

        double result(Aggregation.Operator operator) {
            return switch (operator) {
                case SUM -> sum;
                case AVG -> sum / count;
                case MIN -> min;
                case MAX -> max;
                case COUNT -> count;
            };
        }
    }
}
