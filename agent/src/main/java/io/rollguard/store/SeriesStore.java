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
 * window, in one fixed-size ring per series ({@link SeriesHistory}).
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
     * it tracks, which travel from batch to batch so history survives each replace.
     */
    private record Batch(
            Map<String, List<Series>> byName,
            Map<SeriesKey, SeriesHistory> histories,
            long updatedNanos,
            long staleAfterNanos) {}

    /**
     * Publishes the owner's values of one run, replacing all its previous ones, and appends the values of tracked
     * families to their history. Series the run no longer reports lose their history.
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
            }
        }
        byName.replaceAll((name, series) -> List.copyOf(series));
        return new Batch(Collections.unmodifiableMap(byName), Map.copyOf(histories), nowNanos, staleAfterNanos);
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
     * Building it indexes the fresh series by name once, so that each selector of each rule is a map lookup.
     */
    public SeriesView view(long nowNanos) {
        Map<String, Map<LabelSet, Series>> latest = new HashMap<>();
        Map<String, List<SeriesHistory>> histories = new HashMap<>();
        for (Batch batch : owners.values()) {
            if (!isFresh(batch, nowNanos)) {
                continue;
            }
            batch.byName().forEach((name, seriesOfName) -> {
                Map<LabelSet, Series> byLabels = latest.computeIfAbsent(name, n -> new LinkedHashMap<>());
                for (Series series : seriesOfName) {
                    // Two producers writing one label set: the first one wins, as on /metrics.
                    if (byLabels.putIfAbsent(series.key().labels(), series) == null) {
                        SeriesHistory history = batch.histories().get(series.key());
                        if (history != null) {
                            histories.computeIfAbsent(name, n -> new ArrayList<>()).add(history);
                        }
                    }
                }
            });
        }
        Map<String, List<Series>> latestLists = new HashMap<>(latest.size() * 2);
        latest.forEach((name, byLabels) -> latestLists.put(name, List.copyOf(byLabels.values())));
        // Resolve names once per view rather than per lookup: each prefixed name is also found under its short
        // name, unless a series has that short name itself (then the name as written wins).
        Map<String, List<Series>> resolved = new HashMap<>(latestLists);
        Map<String, List<SeriesHistory>> resolvedHistories = new HashMap<>(histories);
        for (String name : latestLists.keySet()) {
            String shortName = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : null;
            if (shortName != null && !shortName.startsWith(PREFIX) && !latestLists.containsKey(shortName)) {
                resolved.put(shortName, latestLists.get(name));
                List<SeriesHistory> historiesOfName = histories.get(name);
                if (historiesOfName != null) {
                    resolvedHistories.put(shortName, historiesOfName);
                }
            }
        }
        return new StoreView(nowNanos, resolved, resolvedHistories);
    }

    private static boolean isFresh(Batch batch, long nowNanos) {
        return nowNanos - batch.updatedNanos() <= batch.staleAfterNanos();
    }

    private record StoreView(
            long nowNanos, Map<String, List<Series>> byName, Map<String, List<SeriesHistory>> histories)
            implements SeriesView {
        @Override
        public List<Series> latest(String name) {
            return byName.getOrDefault(name, List.of());
        }

        @Override
        public List<SeriesHistory> range(String name) {
            return histories.getOrDefault(name, List.of());
        }
    }
}
