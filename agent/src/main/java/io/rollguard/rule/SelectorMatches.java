package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.rule.expr.Expr;
import io.rollguard.rule.expr.ExpressionPrinter;
import io.rollguard.rule.expr.HistoryWindows;
import io.rollguard.rule.expr.LabelMatcher;
import io.rollguard.rule.expr.Selector;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesHistory;
import io.rollguard.store.SeriesView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one rule's selectors matched at its last evaluation: how many series ({@code rollguard_rule_series}), and
 * whether one of them has matched nothing for longer than a bound. Such a rule is silent for a reason worth saying
 * ("no series match `check_up{check="apii"}`"): a label value misspelt, a mount or a port that is not there.
 * Selectors inside {@code absent(...)} are counted but never reported: matching nothing is what they watch for.
 */
final class SelectorMatches {
    private static final long MATCHED = Long.MIN_VALUE;

    private final List<Selector> selectors = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private final List<LabelMatcher> indexed = new ArrayList<>();
    private final boolean[] watched;
    private final boolean[] windowed;
    // When each selector started matching nothing, on the monotonic clock; MATCHED while it matches something.
    private final long[] emptySinceNanos;
    private final Duration bound;
    private long series;
    private String problem;

    /** @param bound how long a selector may match nothing before its rule says so */
    SelectorMatches(Expr condition, Duration bound) {
        this.bound = requireNonNull(bound, "bound");
        Set<String> seen = new HashSet<>();
        Set<String> absent = new HashSet<>();
        HistoryWindows.absentSelectors(condition).forEach(selector -> absent.add(ExpressionPrinter.print(selector)));
        Set<String> windowedNames = HistoryWindows.of(condition).keySet();
        List<Boolean> watch = new ArrayList<>();
        List<Boolean> window = new ArrayList<>();
        for (Selector selector : HistoryWindows.selectors(condition)) {
            String text = ExpressionPrinter.print(selector);
            if (!seen.add(text)) {
                continue; // read twice, counted once
            }
            selectors.add(selector);
            texts.add(text);
            // An equality matcher narrows the series to read through the store's label index.
            indexed.add(selector.matchers().stream().filter(m -> m.op() == LabelMatcher.Op.EQUAL).findFirst()
                    .orElse(null));
            watch.add(!absent.contains(text));
            window.add(windowedNames.contains(selector.name()));
        }
        watched = new boolean[selectors.size()];
        windowed = new boolean[selectors.size()];
        emptySinceNanos = new long[selectors.size()];
        for (int i = 0; i < selectors.size(); i++) {
            watched[i] = watch.get(i);
            windowed[i] = window.get(i);
        }
        reset();
    }

    /** Counts what each selector matches in {@code view}, as of its time. */
    void count(SeriesView view) {
        long now = view.nowNanos();
        long total = 0;
        problem = null;
        for (int i = 0; i < selectors.size(); i++) {
            int matched = latest(selectors.get(i), indexed.get(i), view);
            if (matched == 0 && windowed[i]) {
                // A windowed function reads history, which may outlive the series' presence in the newest read.
                matched = range(selectors.get(i), indexed.get(i), view);
            }
            total += matched;
            if (matched > 0) {
                emptySinceNanos[i] = MATCHED;
                continue;
            }
            if (emptySinceNanos[i] == MATCHED) {
                emptySinceNanos[i] = now;
            }
            if (problem == null && watched[i] && now - emptySinceNanos[i] >= bound.toNanos()) {
                problem = "no series match `" + texts.get(i) + "`";
            }
        }
        series = total;
    }

    /** A rule that is not evaluated (deploy scope outside a watch window) matches nothing and says nothing. */
    void reset() {
        java.util.Arrays.fill(emptySinceNanos, MATCHED);
        series = 0;
        problem = null;
    }

    /** The series the selectors matched at the last evaluation, summed over the distinct selectors. */
    long series() {
        return series;
    }

    /** "no series match `x{...}`" for the first selector that has matched nothing for the bound; null for none. */
    String problem() {
        return problem;
    }

    private static int latest(Selector selector, LabelMatcher index, SeriesView view) {
        List<Series> candidates = index == null ? view.latest(selector.name())
                : view.latest(selector.name(), index.label(), index.value());
        int matched = 0;
        // Indexed loops, as the evaluator's: an iterator per selector per tick is garbage the shipped JIT keeps.
        for (int i = 0; i < candidates.size(); i++) {
            if (selector.matches(candidates.get(i).key().labels())) {
                matched++;
            }
        }
        return matched;
    }

    private static int range(Selector selector, LabelMatcher index, SeriesView view) {
        List<SeriesHistory> candidates = index == null ? view.range(selector.name())
                : view.range(selector.name(), index.label(), index.value());
        int matched = 0;
        for (int i = 0; i < candidates.size(); i++) {
            if (selector.matches(candidates.get(i).key().labels())) {
                matched++;
            }
        }
        return matched;
    }
}
