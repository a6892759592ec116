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
 *   <li>Windowed functions read each matching series' samples later than {@code now - window}, not later than
 *       {@code now}, whether or not the series is in its producer's newest run; a series without samples there (or,
 *       for rate, increase, delta, slope and predict, with fewer than two) gives no element. rate, increase and
 *       delta are Prometheus' {@code extrapolatedRate}: extrapolated to the window's edges, counter resets included;
 *       slope is {@code deriv} and predict {@code predict_linear} (least squares); sum_over and avg_over sum with
 *       compensation as Prometheus does; quantile_over interpolates between ranks as {@code quantile_over_time}.
 *   <li>+Inf and -Inf are values: compared, summed and averaged as IEEE 754 and Prometheus do. A result that is NaN
 *       (+Inf - +Inf) is no element: no data, where Prometheus would return a NaN sample that no comparison keeps.
 *   <li>Aggregations keep only the {@code by} labels; over no elements they give none. sum and avg use compensated
 *       summation, as Prometheus' {@code sum} and {@code avg}.
 *   <li>{@code baseline(selector)} gives the values the current deployment froze at its start, one per label set
 *       (the {@link Baselines} passed in); none when there is no deployment or nothing was captured for the series.
 *   <li>{@code regressed(selector, by = ...)} is a condition per label set: the series' finite samples of the window
 *       that are later than the deployment's start against the sample set frozen for the same label set at the
 *       start ({@link Comparison}), or with {@code against = other}, against the pooled samples of every series
 *       {@code other} matches over the same window (later than the start too, when there is a deployment); no
 *       verdict while either side has fewer than {@link Comparison#MIN_SAMPLES}.
 *       Its verdict's value is the effect (relative or absolute, as {@code by} is), its threshold {@code by}.
 * </ul>
 *
 * <p>Not thread-safe: it reuses its sample buffers from one evaluation to the next, so one evaluator serves one
 * thread (the scheduler's).
 */
public final class Evaluator {
    private final SampleBuffer samples = new SampleBuffer();
    private final CompensatedSum summation = new CompensatedSum();
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
                    double value = windowed(call.function(), samples, call.window(), nowNanos);
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
        public Value predict(PredictCall call) {
            List<Vector.Element> elements = new ArrayList<>();
            List<SeriesHistory> histories = histories(call.selector());
            for (int i = 0; i < histories.size(); i++) {
                SeriesHistory history = histories.get(i);
                if (call.selector().matches(history.key().labels())) {
                    history.read(call.window(), nowNanos, samples);
                    if (samples.size() >= 2) {
                        double[] line = linearRegression(samples, nowNanos);
                        double value = line[0] * seconds(call.ahead()) + line[1];
                        if (!Double.isNaN(value)) {
                            elements.add(new Vector.Element(history.key().labels(), value,
                                    new Basis(call.window(), samples.size())));
                        }
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
        public Value regressed(RegressedCall call) {
            long sinceNanos = baselines.startedNanos();
            double[] pooled = call.against() == null ? null : pooled(call.against(), call.window(), sinceNanos);
            Map<LabelSet, double[]> frozen = call.against() != null ? Map.of()
                    : baselines.sampleSets(ExpressionPrinter.print(call.selector()));
            if (pooled == null && frozen.isEmpty()) {
                return new Verdicts(List.of(), false);
            }
            List<Verdict> verdicts = new ArrayList<>();
            List<SeriesHistory> histories = histories(call.selector());
            for (int i = 0; i < histories.size(); i++) {
                SeriesHistory history = histories.get(i);
                double[] before = pooled != null ? pooled : frozen.get(history.key().labels());
                if (before == null || before.length < Comparison.MIN_SAMPLES
                        || !call.selector().matches(history.key().labels())) {
                    continue;
                }
                history.read(call.window(), nowNanos, samples);
                double[] after = finiteSince(samples, sinceNanos);
                if (after.length < Comparison.MIN_SAMPLES) {
                    continue; // too few yet: no verdict, the rule is unknown
                }
                Comparison comparison = Comparison.of(before, after, call);
                verdicts.add(new Verdict(history.key().labels(), comparison.regressed(), comparison.effect(),
                        call.by().amount(), new Basis(call.window(), after.length), call, comparison));
            }
            return new Verdicts(verdicts, false);
        }

        /**
         * The finite samples of every series {@code selector} matches, later than {@code sinceNanos} within the
         * window, in one sorted array: what a {@code regressed(..., against = ...)} compares with.
         */
        private double[] pooled(Selector selector, Duration window, long sinceNanos) {
            List<SeriesHistory> histories = histories(selector);
            List<double[]> parts = new ArrayList<>();
            int total = 0;
            for (int i = 0; i < histories.size(); i++) {
                if (selector.matches(histories.get(i).key().labels())) {
                    histories.get(i).read(window, nowNanos, samples);
                    double[] part = finiteSince(samples, sinceNanos);
                    parts.add(part);
                    total += part.length;
                }
            }
            double[] all = new double[total];
            int at = 0;
            for (double[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            java.util.Arrays.sort(all);
            return all;
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

    /** The finite values of the samples later than {@code sinceNanos}: NaN and infinities cannot be ranked apart. */
    private static double[] finiteSince(SampleBuffer samples, long sinceNanos) {
        double[] values = new double[samples.size()];
        int count = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (samples.timeNanos(i) > sinceNanos && Double.isFinite(samples.value(i))) {
                values[count++] = samples.value(i);
            }
        }
        return count == values.length ? values : java.util.Arrays.copyOf(values, count);
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

    /**
     * The function over the samples of the window ({@code nowNanos - window}, {@code nowNanos}], or NaN when there
     * are too few for it: no data.
     */
    private double windowed(WindowCall.Function function, SampleBuffer samples, Duration window, long nowNanos) {
        int count = samples.size();
        if (count == 0) {
            return Double.NaN;
        }
        long startNanos = nowNanos - window.toNanos();
        return switch (function) {
            case AVG_OVER -> summed(samples).mean();
            case MIN_OVER -> min(samples);
            case MAX_OVER -> max(samples);
            case SUM_OVER -> summed(samples).sum();
            case COUNT_OVER -> count;
            case RATE -> extrapolatedRate(samples, startNanos, nowNanos, true, true);
            case INCREASE -> extrapolatedRate(samples, startNanos, nowNanos, true, false);
            case DELTA -> extrapolatedRate(samples, startNanos, nowNanos, false, false);
            case SLOPE -> count < 2 ? Double.NaN : linearRegression(samples, samples.timeNanos(0))[0];
        };
    }

    private CompensatedSum summed(SampleBuffer samples) {
        summation.clear();
        for (int i = 0; i < samples.size(); i++) {
            summation.add(samples.value(i));
        }
        return summation;
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

    /**
     * Prometheus' {@code extrapolatedRate} (promql/functions.go), for float samples: the growth between the first
     * and the last sample of the window (for a counter, every drop adds the value before it: a reset to 0),
     * extrapolated to the window's edges when the first or last sample is within 1.1 average intervals of them, else
     * by half an average interval (the series starts or ends inside the window), and for a counter not to before
     * the moment it would have been 0. {@code rate} divides by the window, not by the time between the samples.
     */
    static double extrapolatedRate(SampleBuffer samples, long rangeStartNanos, long rangeEndNanos,
            boolean isCounter, boolean isRate) {
        int count = samples.size();
        if (count < 2) {
            return Double.NaN;
        }
        long firstNanos = samples.timeNanos(0);
        long lastNanos = samples.timeNanos(count - 1);
        double result = samples.value(count - 1) - samples.value(0);
        if (isCounter) {
            for (int i = 1; i < count; i++) {
                if (samples.value(i) < samples.value(i - 1)) {
                    result += samples.value(i - 1);
                }
            }
        }
        double durationToStart = (firstNanos - rangeStartNanos) / 1e9;
        double durationToEnd = (rangeEndNanos - lastNanos) / 1e9;
        double sampledInterval = (lastNanos - firstNanos) / 1e9;
        double averageInterval = sampledInterval / (count - 1);
        double threshold = averageInterval * 1.1;
        if (durationToStart >= threshold) {
            durationToStart = averageInterval / 2;
        }
        if (isCounter) {
            // A counter cannot be negative: extrapolating back past the moment its slope puts it at 0 would invent
            // growth, so that moment is where the series starts.
            double durationToZero = durationToStart;
            if (result > 0 && samples.value(0) >= 0) {
                durationToZero = sampledInterval * (samples.value(0) / result);
            }
            if (durationToZero < durationToStart) {
                durationToStart = durationToZero;
            }
        }
        if (durationToEnd >= threshold) {
            durationToEnd = averageInterval / 2;
        }
        double factor = sampledInterval == 0 ? 1 : (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate) {
            factor /= (rangeEndNanos - rangeStartNanos) / 1e9;
        }
        return result * factor;
    }

    /**
     * Prometheus' {@code linearRegression}: the least-squares slope per second and the line's value at
     * {@code interceptNanos}, with compensated sums, times in seconds from {@code interceptNanos} so nanosecond
     * clocks keep their precision. A constant series has slope 0 (NaN when the constant is infinite).
     */
    static double[] linearRegression(SampleBuffer samples, long interceptNanos) {
        int count = samples.size();
        double sumX = 0;
        double compensationX = 0;
        double sumY = 0;
        double compensationY = 0;
        double sumXY = 0;
        double compensationXY = 0;
        double sumX2 = 0;
        double compensationX2 = 0;
        double initialY = samples.value(0);
        boolean constantY = true;
        for (int i = 0; i < count; i++) {
            double y = samples.value(i);
            if (constantY && i > 0 && y != initialY) {
                constantY = false;
            }
            double x = (samples.timeNanos(i) - interceptNanos) / 1e9;
            compensationX = CompensatedSum.compensated(x, sumX, compensationX);
            sumX += x;
            compensationY = CompensatedSum.compensated(y, sumY, compensationY);
            sumY += y;
            compensationXY = CompensatedSum.compensated(x * y, sumXY, compensationXY);
            sumXY += x * y;
            compensationX2 = CompensatedSum.compensated(x * x, sumX2, compensationX2);
            sumX2 += x * x;
        }
        if (constantY) {
            return Double.isInfinite(initialY) ? new double[] {Double.NaN, Double.NaN} : new double[] {0, initialY};
        }
        sumX += compensationX;
        sumY += compensationY;
        sumXY += compensationXY;
        sumX2 += compensationX2;
        double covariance = sumXY - sumX * sumY / count;
        double variance = sumX2 - sumX * sumX / count;
        double slope = covariance / variance;
        return new double[] {slope, sumY / count - slope * sumX / count};
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

    /** Running compensated sum, count, minimum and maximum of one aggregation group, as Prometheus' sum and avg. */
    private static final class Group {
        private final CompensatedSum sum = new CompensatedSum();
        private double min = Double.NaN;
        private double max = Double.NaN;
        private Basis basis = Basis.NONE;

        void add(Vector.Element element) {
            double value = element.value();
            sum.add(value);
            // As Prometheus' min and max: a NaN is replaced by any number, and never replaces one.
            if (Double.isNaN(min) || value < min) {
                min = value;
            }
            if (Double.isNaN(max) || value > max) {
                max = value;
            }
            basis = basis.plus(element.basis());
        }

        double result(Aggregation.Operator operator) {
            return switch (operator) {
                case SUM -> sum.sum();
                case AVG -> sum.mean();
                case MIN -> min;
                case MAX -> max;
                case COUNT -> sum.count();
            };
        }
    }
}
