package io.rollguard.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest value of every series, grouped by the producer that owns them. A producer replaces its whole set at
 * once, so a mount that disappears stops being reported, and readers always see a producer's values from one run.
 * A producer that stops committing (its sampler keeps failing) goes stale after its own staleness bound and its
 * series are no longer served: stale data is absent, never a frozen last value.
 *
 * <p>Written by the scheduler and the check workers, read by the metrics collector and HTTP handlers, concurrently.
 */
public final class SeriesStore {
    private final Map<String, Batch> owners = new ConcurrentHashMap<>();

    /** An owner's series from its last successful run; never mutated after it is published. */
    private record Batch(Map<SeriesKey, Double> values, long updatedNanos, long staleAfterNanos) {}

    /**
     * Publishes the owner's values of one run, replacing all its previous ones.
     *
     * @param staleAfter how long these values stay fresh without a newer run (typically three periods)
     */
    public void replace(String owner, SeriesWriter writer, long nowNanos, Duration staleAfter) {
        requireNonNull(owner, "owner");
        owners.put(owner, new Batch(Map.copyOf(writer.values()), nowNanos, staleAfter.toNanos()));
    }

    /** Forgets an owner's series at once, for a producer that was removed. */
    public void remove(String owner) {
        owners.remove(owner);
    }

    /** Every series whose owner's last run is fresh at {@code nowNanos}. */
    public List<Series> fresh(long nowNanos) {
        List<Series> result = new ArrayList<>();
        for (Batch batch : owners.values()) {
            if (isFresh(batch, nowNanos)) {
                batch.values().forEach((key, value) -> result.add(new Series(key, value, batch.updatedNanos())));
            }
        }
        return result;
    }

    private static boolean isFresh(Batch batch, long nowNanos) {
        return nowNanos - batch.updatedNanos() <= batch.staleAfterNanos();
    }
}
