package io.rollguard.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest value of every series, grouped by the producer that owns them. A producer replaces its whole set at
 * once, so a mount that disappears stops being reported, and readers always see a producer's values from one run.
 * A producer that stops committing (its sampler keeps failing) goes stale after its own staleness bound and its
 * series are no longer served: stale data is absent, never a frozen last value.
 *
 * <p>History is kept only for the families a rule reads over a window ({@link #track}), as long as the longest such
 * window, in one fixed-size ring per series ({@link SeriesHistory}). A series' ring does not depend on its presence
 * in the newest run: absence (and a stale producer) hides the series from instant reads ({@link SeriesView#latest})
 * only, while range reads ({@link SeriesView#range}) see every sample still inside their window, as in Prometheus.
 *
 * <p>Written by the scheduler and the check workers, read by the metrics collector, HTTP handlers and the rule
 * evaluator, concurrently.
 */
public final class SeriesStore {
    static final String PREFIX = "rollguard_";

    // A ring of 65,536 samples is 1 MiB; a window a hundred times longer than its producer's period is already
    // unusual, so this only stops a misconfiguration (a one-day window over a one-second check) eating the heap.
    static final int MAX_HISTORY_SAMPLES = 1 << 16;

    private final Map<String, Batch> owners = new ConcurrentHashMap<>();
    // Family name -> longest window a rule reads it over. Replaced whole, never mutated, so replace() reads a
    // consistent map without a lock.
    private volatile Map<String, Duration> historyWindows = Map.of();

    /**
     * An owner's series from its last successful run, never mutated after it is published, and the rings of those
     * it tracks, which travel from batch to batch so history survives each replace. The rings outlive the series'
     * presence in a run: a series the newest run left out (an application that skips a counter in one scrape, a NaN
     * reading) is absent for instant selectors at once, as a Prometheus staleness marker makes it, but its samples
     * stay for range functions until the last of them is older than the longest window reading its name.
     */
    private record Batch(
            Map<String, List<Series>> byName,
            Map<String, Served> servedByName,
            Map<String, List<SeriesHistory>> rangeByName,
            Map<SeriesKey, SeriesHistory> histories,
            long updatedNanos,
            long staleAfterNanos) {}

    /**
     * Publishes the owner's values of one run, replacing all its previous ones, and appends the values of tracked
     * families to their history. A tracked series the run no longer reports keeps its history until its newest
     * sample leaves the longest window over its name; then it is dropped, so memory stays bounded by the series
     * seen within a window.
     *
     * @param period how often the owner commits: with the window, it sizes the history of its tracked series
     * @param staleAfter how long these values stay fresh without a newer run (typically three periods)
     */
    public void replace(String owner, SeriesWriter writer, long nowNanos, Duration period, Duration staleAfter) {
        requireNonNull(owner, "owner");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a producer's period must be positive, got " + period);
        }
        Map<SeriesKey, Double> values = writer.values();
        long staleAfterNanos = staleAfter.toNanos();
        Map<String, Duration> windows = historyWindows;
        // compute() runs at most once at a time per owner, so two overlapping runs of one producer (a check that
        // outlived its timeout and the next one) cannot interleave appends to the same rings, and a batch's values
        // and its rings are published together.
        owners.compute(owner, (name, previous) ->
                nextBatch(previous, values, nowNanos, period, staleAfterNanos, windows));
    }

    private static Batch nextBatch(Batch previous, Map<SeriesKey, Double> values, long nowNanos,
            Duration period, long staleAfterNanos, Map<String, Duration> windows) {
        Map<String, List<Series>> byName = new LinkedHashMap<>();
        Map<String, List<SeriesHistory>> historiesByName = new HashMap<>();
        Map<SeriesKey, SeriesHistory> histories = new HashMap<>();
        for (Map.Entry<SeriesKey, Double> entry : values.entrySet()) {
            SeriesKey key = entry.getKey();
            String name = key.family().name();
            byName.computeIfAbsent(name, n -> new ArrayList<>()).add(new Series(key, entry.getValue(), nowNanos));
            Duration window = windows.get(name);
            if (window != null) {
                SeriesHistory history = previous == null ? null : previous.histories().get(key);
                int capacity = capacity(window, period);
                if (history == null) {
                    history = new SeriesHistory(key, capacity);
                } else {
                    history.resize(capacity);
                }
                history.append(nowNanos, entry.getValue());
                histories.put(key, history);
                historiesByName.computeIfAbsent(name, n -> new ArrayList<>()).add(history);
            }
        }
        Map<String, List<SeriesHistory>> absentByName = new HashMap<>();
        if (previous != null) {
            for (Map.Entry<SeriesKey, SeriesHistory> entry : previous.histories().entrySet()) {
                SeriesKey key = entry.getKey();
                Duration window = windows.get(key.family().name());
                if (window == null || histories.containsKey(key)) {
                    continue;
                }
                SeriesHistory history = entry.getValue();
                // Kept while a window can still reach its newest sample: a counter that comes back after a gap is
                // then one series whose reset across the gap rate() and increase() see.
                long newest = history.newestNanos();
                if (newest != Long.MIN_VALUE && nowNanos - newest < window.toNanos()) {
                    history.resize(capacity(window, period));
                    histories.put(key, history);
                    absentByName.computeIfAbsent(key.family().name(), n -> new ArrayList<>()).add(history);
                }
            }
        }
        Map<String, Served> served = new HashMap<>(byName.size() * 2);
        for (Map.Entry<String, List<Series>> entry : byName.entrySet()) {
            List<Series> series = List.copyOf(entry.getValue());
            entry.setValue(series);
            served.put(entry.getKey(), served(series, historiesByName.get(entry.getKey()), histories));
        }
        Map<String, List<SeriesHistory>> range = new HashMap<>();
        served.forEach((name, one) -> range.put(name, one.histories()));
        absentByName.forEach((name, absent) -> range.put(name, withAbsent(range.get(name), absent)));
        return new Batch(Collections.unmodifiableMap(byName), served, Map.copyOf(range), Map.copyOf(histories),
                nowNanos, staleAfterNanos);
    }

    /** The histories of a name's present series, then those of its absent ones whose label sets are not taken. */
    private static List<SeriesHistory> withAbsent(List<SeriesHistory> present, List<SeriesHistory> absent) {
        Map<LabelSet, SeriesHistory> byLabels = new LinkedHashMap<>();
        if (present != null) {
            for (SeriesHistory history : present) {
                byLabels.putIfAbsent(history.key().labels(), history);
            }
        }
        for (SeriesHistory history : absent) {
            byLabels.putIfAbsent(history.key().labels(), history);
        }
        return List.copyOf(byLabels.values());
    }

    /**
     * What a view serves of one name of a batch, worked out once per run rather than at every view: the series,
     * one per label set, and the histories of the tracked ones, in the order written.
     */
    private record Served(List<Series> series, List<SeriesHistory> histories) {}

    private static Served served(List<Series> series, List<SeriesHistory> historiesOfName,
            Map<SeriesKey, SeriesHistory> histories) {
        MetricFamily family = series.get(0).key().family();
        boolean oneFamily = true;
        for (int i = 1; i < series.size() && oneFamily; i++) {
            oneFamily = series.get(i).key().family().equals(family);
        }
        if (oneFamily) { // the writer's keys are distinct, so are the label sets of one family
            return new Served(series, historiesOfName == null ? List.of() : List.copyOf(historiesOfName));
        }
        // Two families share the name (a type or help text differs): one label set, one series, the first.
        Map<LabelSet, Series> byLabels = new LinkedHashMap<>();
        List<SeriesHistory> kept = new ArrayList<>();
        for (Series one : series) {
            if (byLabels.putIfAbsent(one.key().labels(), one) == null && histories.get(one.key()) != null) {
                kept.add(histories.get(one.key()));
            }
        }
        return new Served(List.copyOf(byLabels.values()), List.copyOf(kept));
    }

    /** How many series of {@code owner} have history, present or not: what the store holds in rings, for tests. */
    int historyCount(String owner) {
        Batch batch = owners.get(owner);
        return batch == null ? 0 : batch.histories().size();
    }

    /** Enough samples to cover the window at the producer's period, plus two for a run that comes a little early. */
    static int capacity(Duration window, Duration period) {
        long periods = -Math.floorDiv(-window.toNanos(), period.toNanos()); // rounded up
        return (int) Math.min(MAX_HISTORY_SAMPLES, periods + 2);
    }

    /** Forgets an owner's series, and their history, at once, for a producer that was removed. */
    public void remove(String owner) {
        owners.remove(owner);
    }

    /**
     * Keeps history for the family {@code name} over at least {@code window}, from its producer's next run on. A
     * name without the {@code rollguard_} prefix also tracks the prefixed name, so that whichever one the
     * {@link SeriesView} resolves has history. A longer window than an earlier call grows the rings once.
     */
    public synchronized void track(String name, Duration window) {
        Map<String, Duration> windows = new HashMap<>(historyWindows);
        addWindow(windows, name, window);
        historyWindows = Map.copyOf(windows);
    }

    /**
     * Replaces every tracked window at once, for a rule set that was (re)loaded: families still tracked keep their
     * history (resized at their next run), the others lose it at their producer's next run.
     */
    public synchronized void trackOnly(Map<String, Duration> windowsByName) {
        Map<String, Duration> windows = new HashMap<>();
        windowsByName.forEach((name, window) -> addWindow(windows, name, window));
        historyWindows = Map.copyOf(windows);
    }

    private static void addWindow(Map<String, Duration> windows, String name, Duration window) {
        requireNonNull(name, "name");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a history window must be positive, got " + window + " for " + name);
        }
        windows.merge(name, window, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        if (!name.startsWith(PREFIX)) {
            windows.merge(PREFIX + name, window, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
    }

    /** Every series whose owner's last run is fresh at {@code nowNanos}. */
    public List<Series> fresh(long nowNanos) {
        List<Series> result = new ArrayList<>();
        for (Batch batch : owners.values()) {
            if (isFresh(batch, nowNanos)) {
                batch.byName().values().forEach(result::addAll);
            }
        }
        return result;
    }

    /**
     * A read-only picture of the fresh series and their history at {@code nowNanos}, for one rule evaluation pass.
     * Taking it only notes which producers are fresh; each name is resolved at its first lookup and then
     * remembered, so a pass pays for the names its rules read, not for every series in the store.
     */
    public SeriesView view(long nowNanos) {
        List<Batch> all = new ArrayList<>();
        List<Batch> fresh = new ArrayList<>();
        for (Batch batch : owners.values()) {
            all.add(batch);
            if (isFresh(batch, nowNanos)) {
                fresh.add(batch);
            }
        }
        return new StoreView(nowNanos, fresh, all);
    }

    private static boolean isFresh(Batch batch, long nowNanos) {
        return nowNanos - batch.updatedNanos() <= batch.staleAfterNanos();
    }

    /**
     * Series of one name, one per label set, and the histories of the tracked ones, in the same order. Indexes
     * itself by a label's values at the first lookup by that label: one pass's selectors of {@code {instance="a"}}
     * then cost a map lookup each instead of a scan of every instance.
     */
    private static final class Selection {
        static final Selection EMPTY = new Selection(List.of(), List.of());

        final List<Series> series;
        final List<SeriesHistory> histories;
        private Map<String, Map<String, Selection>> byLabel; // label -> value -> the series with that value

        Selection(List<Series> series, List<SeriesHistory> histories) {
            this.series = series;
            this.histories = histories;
        }

        Selection matching(String label, String value) {
            if (series.isEmpty() && histories.isEmpty()) {
                return this; // and EMPTY, shared by every view, is never written to
            }
            if (byLabel == null) {
                byLabel = new HashMap<>();
            }
            Map<String, Selection> byValue = byLabel.get(label);
            if (byValue == null) {
                byValue = index(label);
                byLabel.put(label, byValue);
            }
            return byValue.getOrDefault(value, EMPTY);
        }

        private Map<String, Selection> index(String label) {
            Map<String, List<Series>> seriesByValue = new HashMap<>();
            for (int i = 0; i < series.size(); i++) {
                Series one = series.get(i);
                seriesByValue.computeIfAbsent(valueOf(one.key().labels(), label), v -> new ArrayList<>()).add(one);
            }
            Map<String, List<SeriesHistory>> historiesByValue = new HashMap<>();
            for (int i = 0; i < histories.size(); i++) {
                SeriesHistory history = histories.get(i);
                historiesByValue.computeIfAbsent(valueOf(history.key().labels(), label), v -> new ArrayList<>())
                        .add(history);
            }
            Map<String, Selection> byValue = new HashMap<>(seriesByValue.size() * 2);
            seriesByValue.forEach((value, seriesOfValue) -> byValue.put(value, new Selection(
                    Collections.unmodifiableList(seriesOfValue),
                    Collections.unmodifiableList(historiesByValue.getOrDefault(value, List.of())))));
            // A value only a history has: a series the newest run left out, which range reads still see.
            historiesByValue.forEach((value, historiesOfValue) -> byValue.putIfAbsent(value,
                    new Selection(List.of(), Collections.unmodifiableList(historiesOfValue))));
            return byValue;
        }
    }

    /** A label's value as a matcher sees it: a series without the label has it empty. */
    static String valueOf(LabelSet labels, String label) {
        String value = labels.get(label);
        return value == null ? "" : value;
    }

    /**
     * Not thread-safe: it remembers the names it resolved, so one view serves one pass on one thread, as
     * {@link SeriesView} says.
     */
    private static final class StoreView implements SeriesView {
        private final long nowNanos;
        private final List<Batch> fresh; // in the order the store iterates its owners, as /metrics shows them
        // Every owner's, fresh or not: range functions read the samples within their window whether or not the
        // producer's newest run is recent, as Prometheus' range selectors ignore staleness.
        private final List<Batch> all;
        private final Map<String, Selection> resolved = new HashMap<>();

        StoreView(long nowNanos, List<Batch> fresh, List<Batch> all) {
            this.nowNanos = nowNanos;
            this.fresh = fresh;
            this.all = all;
        }

        @Override
        public long nowNanos() {
            return nowNanos;
        }

        @Override
        public List<Series> latest(String name) {
            return resolve(name).series;
        }

        @Override
        public List<SeriesHistory> range(String name) {
            return resolve(name).histories;
        }

        @Override
        public List<Series> latest(String name, String label, String value) {
            return resolve(name).matching(label, value).series;
        }

        @Override
        public List<SeriesHistory> range(String name, String label, String value) {
            return resolve(name).matching(label, value).histories;
        }

        /** As written when a series or a history has the name, else with the prefix when the name lacks it. */
        private Selection resolve(String name) {
            Selection selection = resolved.get(name);
            if (selection == null) {
                selection = collect(name);
                if (selection.series.isEmpty() && selection.histories.isEmpty() && !name.startsWith(PREFIX)) {
                    selection = collect(PREFIX + name);
                }
                resolved.put(name, selection);
            }
            return selection;
        }

        private Selection collect(String name) {
            List<Series> series = latestOf(name);
            List<SeriesHistory> histories = historiesOf(name);
            if (series.isEmpty() && histories.isEmpty()) {
                return Selection.EMPTY;
            }
            // The batch's lists as they are; the selection around them, and the index it builds, are this view's.
            return new Selection(series, histories);
        }

        private List<Series> latestOf(String name) {
            Served only = null;
            int producers = 0;
            for (int i = 0; i < fresh.size(); i++) {
                Served served = fresh.get(i).servedByName().get(name);
                if (served != null) {
                    only = served;
                    producers++;
                }
            }
            if (producers == 0) {
                return List.of();
            }
            if (producers == 1) {
                return only.series();
            }
            // Two producers writing one label set: the first one wins, as on /metrics.
            Map<LabelSet, Series> byLabels = new LinkedHashMap<>();
            for (Batch batch : fresh) {
                Served served = batch.servedByName().get(name);
                if (served != null) {
                    for (Series one : served.series()) {
                        byLabels.putIfAbsent(one.key().labels(), one);
                    }
                }
            }
            return List.copyOf(byLabels.values());
        }

        private List<SeriesHistory> historiesOf(String name) {
            List<SeriesHistory> only = null;
            int producers = 0;
            for (int i = 0; i < all.size(); i++) {
                List<SeriesHistory> histories = all.get(i).rangeByName().get(name);
                if (histories != null && !histories.isEmpty()) {
                    only = histories;
                    producers++;
                }
            }
            if (producers == 0) {
                return List.of();
            }
            if (producers == 1) {
                return only;
            }
            Map<LabelSet, SeriesHistory> byLabels = new LinkedHashMap<>();
            for (Batch batch : all) {
                List<SeriesHistory> histories = batch.rangeByName().get(name);
                if (histories != null) {
                    for (SeriesHistory history : histories) {
                        byLabels.putIfAbsent(history.key().labels(), history);
                    }
                }
            }
            return List.copyOf(byLabels.values());
        }
    }
}
